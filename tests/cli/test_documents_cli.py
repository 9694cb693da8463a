"""``learnpath doc`` as a newcomer runs it (docs/contract.md §7): outline with context files,
write it from a file and from the job, show, list, cancel and retry by job id, and the
errors a typo gets."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import docx

from tests.cli.test_cli import as_json, learnpath

EnvFor = Callable[..., dict[str, str]]


def said(text: str) -> str:
    """What a terminal printed, with rich's line wrapping undone."""
    return " ".join(text.split())


def test_outline_edit_write_show_and_list(env_for: EnvFor, tmp_path: Path) -> None:
    env = env_for()
    notes = tmp_path / "notes.md"
    notes.write_text("# Indexes\n\nA B-tree keeps keys sorted, so range scans are fast.\n")
    style = tmp_path / "style.md"
    style.write_text("Short paragraphs.\n")
    saved = tmp_path / "outline.json"
    shown = learnpath(
        env,
        "doc",
        "outline",
        "Database indexes for backend developers",
        "--context",
        str(notes),
        "--context",
        f"{style}:style",
        "--out",
        str(saved),
    )
    assert "├── 1 " in said(shown.stdout) and "Write it: learnpath doc write --from job_" in said(
        shown.stdout
    )
    outline = json.loads(saved.read_text())
    outline["nodes"] = outline["nodes"][:2]
    outline["nodes"][1]["title"] = "Indexes at work"
    saved.write_text(json.dumps(outline))
    out = tmp_path / "doc.docx"
    written = as_json(
        learnpath(
            env,
            "doc",
            "write",
            "--outline",
            str(saved),
            "--words",
            "800",
            "--context",
            str(notes),
            "--format",
            "docx",
            "--out",
            str(out),
            "--json",
        )
    )
    assert written["status"] == "completed"
    chapters = written["result"]["document"]["chapters"]
    assert [c["title"] for c in chapters][1] == "Indexes at work"
    headings = [p.text for p in docx.Document(io.BytesIO(out.read_bytes())).paragraphs]
    assert any("Indexes at work" in h for h in headings)
    listed = as_json(learnpath(env, "doc", "list", "--json"))
    assert [j["task_type"] for j in listed["jobs"]] == ["document_generation", "document_outline"]
    show = learnpath(env, "doc", "show", written["job_id"])
    assert "## References" in show.stdout and "completed" in show.stdout


def test_from_a_job_then_cancel_and_retry_by_job_id(env_for: EnvFor) -> None:
    env = env_for()
    made = as_json(
        learnpath(env, "doc", "outline", "Query planning", "--job-id", "plan-1", "--json")
    )
    assert made["job_id"] == "plan-1" and made["status"] == "completed"
    failing = env_for(offline_fail_content="chapter:1")
    partial = learnpath(failing, "doc", "write", "--from", "plan-1", "--json", check=3)
    job = json.loads(partial.stdout)
    assert job["status"] == "partial_failure"
    assert [f["concept_id"] for f in job["failed_items"]] == ["1"]
    retried = learnpath(env, "retry", job["job_id"], "--json")
    assert json.loads(retried.stdout.splitlines()[-1])["status"] == "completed"
    again = learnpath(env, "cancel", job["job_id"], check=None)
    assert again.returncode != 0 and "completed" in said(again.stderr)


def test_mistakes_get_a_clear_error_and_nothing_is_made(env_for: EnvFor, tmp_path: Path) -> None:
    env = env_for()
    missing = learnpath(env, "doc", "outline", "Indexes", "--context", "nope.md", check=2)
    assert "--context nope.md: cannot read it" in said(missing.stderr)
    binary = tmp_path / "image.md"
    binary.write_bytes(b"\xff\xfe\x00\x01")
    refused = learnpath(env, "doc", "outline", "Indexes", "--context", str(binary), check=2)
    assert "not UTF-8 text" in said(refused.stderr)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"title": "T", "nodes": [{"id": "3", "title": "x"}]}))
    invalid = learnpath(env, "doc", "write", "--outline", str(bad), check=2)
    assert 'node 1: id should be "1" (found "3")' in said(invalid.stderr)
    both = learnpath(env, "doc", "write", check=2)
    assert "exactly one of --outline FILE and --from JOB_ID" in said(both.stderr)
    short = learnpath(env, "doc", "outline", "ab", check=2)
    assert "task_prompt" in said(short.stderr)
    assert as_json(learnpath(env, "doc", "list", "--json")) == {"jobs": [], "total": 0}
