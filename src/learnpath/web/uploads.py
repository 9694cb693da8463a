"""Context files uploaded with the new-document form (docs/contract.md §7): UTF-8 text of
at most 2 MB each, ten at most, each with its role. A file that breaks a rule is refused
with a sentence naming it, and then nothing is created.

The form sends files two ways: one ``<input type=file multiple name=files>`` whose script
adds a role select per chosen file (``files-role-0``, ``files-role-1``, … in the order the
files are sent), and, for a browser without scripts, numbered slots (``file-1`` with
``role-1``, …).
"""

from __future__ import annotations

from typing import get_args

from pydantic import ValidationError
from starlette.datastructures import FormData, UploadFile

from learnpath.domain.jobs import MAX_FILE_BYTES, MAX_FILES, ContextFile, Role

SLOTS = 3
"""How many single-file slots the form offers a browser without scripts."""
ROLES: tuple[str, ...] = get_args(Role)
ROLE_LABELS = {
    "content": "Source to cite (content)",
    "style": "Style guide (style)",
    "requirements": "Requirements (requirements)",
}


def _chosen(form: FormData) -> list[tuple[UploadFile, str]]:
    """Every file the form carries with its role, skipping inputs left empty."""
    pairs: list[tuple[UploadFile, str]] = []
    many = [f for f in form.getlist("files") if isinstance(f, UploadFile)]
    for index, upload in enumerate(many):
        pairs.append((upload, _role(form, f"files-role-{index}")))
    for slot in range(1, SLOTS + 1):
        one = form.get(f"file-{slot}")
        if isinstance(one, UploadFile):
            pairs.append((one, _role(form, f"role-{slot}")))
    return [(upload, role) for upload, role in pairs if upload.filename]


def _role(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) and value else "content"


async def _read(upload: UploadFile, role: str) -> ContextFile | str:
    """The file as a context file, or the sentence saying why it is refused."""
    name = upload.filename or "the file"
    data = await upload.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        return f"{name} is larger than 2 MB: a context file may hold at most 2 MB"
    try:
        content = data.decode("utf-8")
    except UnicodeDecodeError:
        return (
            f"{name} is not UTF-8 text: upload plain text or markdown saved as UTF-8 "
            "(not a PDF, a word-processor file or an image)"
        )
    if role not in ROLES:
        return f"{name}: the role must be one of {', '.join(ROLES)}"
    try:
        return ContextFile.model_validate({"file_name": name, "content": content, "role": role})
    except ValidationError:
        return f"{name} holds characters that cannot be stored (such as NUL)"


async def context_files(form: FormData) -> tuple[list[ContextFile], list[str]]:
    """The form's files, and the sentences for those refused (or for too many, or two of
    the same name)."""
    chosen = _chosen(form)
    if len(chosen) > MAX_FILES:
        return [], [f"Choose at most {MAX_FILES} context files ({len(chosen)} were chosen)"]
    files: list[ContextFile] = []
    problems: list[str] = []
    for upload, role in chosen:
        read = await _read(upload, role)
        if isinstance(read, str):
            problems.append(read)
        elif any(f.file_name == read.file_name for f in files):
            problems.append(f"Two files are named {read.file_name}: rename one of them")
        else:
            files.append(read)
    return files, problems
