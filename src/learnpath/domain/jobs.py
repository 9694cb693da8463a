"""What a client asks a document job for (docs/contract.md §7). Validation here is the only
gate: nothing is stored before it."""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from learnpath.domain.outline import Outline, OutlineNode
from learnpath.domain.text import storable

MAX_FILES = 10
MAX_FILE_BYTES = 2 * 1024 * 1024
"""At most ten context files of 2 MB (UTF-8) each."""

JobId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
Prompt = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=3, max_length=4000),
    AfterValidator(storable),
]
Role = Literal["content", "style", "requirements"]


class ContextFile(BaseModel):
    """A text file given with the job: ``content`` files are sources the writer may cite;
    ``style`` files are a style guide; ``requirements`` constrain outline and writer."""

    model_config = ConfigDict(extra="forbid")

    file_name: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=255),
        AfterValidator(storable),
    ]
    content: Annotated[str, AfterValidator(storable)]
    role: Role = "content"

    @model_validator(mode="after")
    def _within_size(self) -> ContextFile:
        size = len(self.content.encode("utf-8", "surrogatepass"))
        if size > MAX_FILE_BYTES:
            raise ValueError(
                f"context file {self.file_name!r} has {size} bytes; at most 2 MB (2097152 bytes)"
            )
        return self


def _distinct_names(files: list[ContextFile]) -> list[ContextFile]:
    names = [f.file_name for f in files]
    if twice := sorted({n for n in names if names.count(n) > 1}):
        raise ValueError(f"context files need distinct names; given twice: {', '.join(twice)}")
    return files


Files = Annotated[list[ContextFile], Field(max_length=MAX_FILES), AfterValidator(_distinct_names)]


class OutlineJobRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    job_id: JobId | None = None
    task_prompt: Prompt
    context_files: Files = Field(default_factory=list)
    online: bool = True


class DocumentJobRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    job_id: JobId | None = None
    outline: Outline
    task_prompt: Prompt | None = None
    word_count: int = Field(default=3000, ge=300, le=50000)
    context_files: Files = Field(default_factory=list)
    online: bool = True
    source_job_id: JobId | None = None


class JobSettings(BaseModel):
    """What a job's task row keeps of its request (the files and outline are kept with the
    job): what its steps read."""

    task_prompt: str
    word_count: int | None = None
    online: bool = True


def chapter_fingerprint(chapter: OutlineNode) -> str:
    """What a chapter item is written for: a hash of its outline node (ids included)."""
    raw = json.dumps(chapter.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(raw.encode()).hexdigest()[:16]
