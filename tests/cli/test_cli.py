"""The ``learnpath`` command as a newcomer runs it: real processes, a real data directory."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

LEARNPATH = str(Path(sys.executable).with_name("learnpath"))
EnvFor = Callable[..., dict[str, str]]


def learnpath(
    env: dict[str, str], *args: str, check: int | None = 0, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [LEARNPATH, *args],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check is not None:
        assert done.returncode == check, f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done


def as_json(done: subprocess.CompletedProcess[str]) -> Any:
    return json.loads(done.stdout)


def concepts(framework: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for s in framework["stages"] for m in s["modules"] for c in m["concepts"]]


@pytest.mark.slow
def test_generate_show_tasks_and_export(env_for: EnvFor, tmp_path: Path) -> None:
    env = env_for()
    result = as_json(
        learnpath(env, "generate", "Learn Rust", "--weeks", "2", "--auto-approve", "--json")
    )
    assert result["status"] == "completed"
    assert result["task_id"].startswith("task_") and result["roadmap_id"].startswith("rm_")

    framework = as_json(learnpath(env, "show", result["roadmap_id"], "--json"))
    items = concepts(framework)
    assert items and all(
        c[f"{kind}_status"] == "completed" and c[f"{kind}_version"] == 1
        for c in items
        for kind in ("tutorial", "resources", "quiz")
    )
    assert "rust" in json.dumps(framework).lower()

    task = as_json(learnpath(env, "show", result["task_id"], "--json"))
    assert task["progress"] == {
        "completed": 3 * len(items),
        "failed": 0,
        "total": 3 * len(items),
        "percentage": 100.0,
    }
    listing = as_json(learnpath(env, "tasks", "--json"))
    assert listing["total"] == 1
    assert listing["status_counts"]["completed"] == 1
    assert set(listing["status_counts"]) == {
        "pending",
        "processing",
        "human_review_pending",
        "completed",
        "partial_failure",
        "failed",
        "cancelled",
    }

    learnpath(
        env, "export", result["roadmap_id"], "--format", "json", "--out", str(tmp_path / "r.json")
    )
    exported = json.loads((tmp_path / "r.json").read_text())
    assert all(c["tutorial"] and c["quiz"] and c["resources"] for c in concepts(exported))
    learnpath(
        env, "export", result["roadmap_id"], "--format", "html", "--out", str(tmp_path / "r.html")
    )
    assert "<html" in (tmp_path / "r.html").read_text()
    learnpath(env, "export", result["roadmap_id"], "--format", "md", "--out", str(tmp_path / "md"))
    assert (tmp_path / "md" / "README.md").exists()
    assert len(list((tmp_path / "md" / "concepts").glob("*.md"))) == len(items)


def test_invalid_request_is_refused_before_anything_is_stored(env_for: EnvFor) -> None:
    env = env_for()
    done = learnpath(env, "generate", "ab", "--hours-per-week", "100", check=2)
    assert "goal" in done.stderr and "hours_per_week" in done.stderr
    assert not (Path(env["LEARNPATH_HOME"]) / "learnpath.db").exists()
    done = learnpath(env, "generate", "Learn Go", "--language", "not a language", check=2)
    assert "language" in done.stderr


def test_unknown_ids_and_bad_settings_are_clear_errors(env_for: EnvFor) -> None:
    done = learnpath(env_for(), "show", "task_nope", check=1)
    assert "task_nope not found" in done.stderr
    done = learnpath(env_for(), "cancel", "task_nope", check=1)
    assert "not found" in done.stderr
    done = learnpath(env_for(offline_fail_content="slides"), "tasks", check=2)
    assert "LEARNPATH_OFFLINE_FAIL_CONTENT" in done.stderr


@pytest.mark.slow
def test_review_in_a_script_reject_then_approve(env_for: EnvFor) -> None:
    env = env_for()
    parked = as_json(
        learnpath(env, "generate", "Learn Spanish for travelling", "--weeks", "2", "--json")
    )
    assert parked["status"] == "human_review_pending"
    task_id = parked["task_id"]
    done = learnpath(env, "review", task_id, "--reject", check=2)
    assert "feedback" in done.stderr
    again = as_json(
        learnpath(
            env,
            "review",
            task_id,
            "--reject",
            "--feedback",
            "add a concept about ordering food",
            "--json",
        )
    )
    assert again["status"] == "human_review_pending"
    framework = as_json(learnpath(env, "show", again["roadmap_id"], "--json"))
    assert any("ordering food" in c["name"].lower() for c in concepts(framework))
    final = as_json(learnpath(env, "review", task_id, "--approve", "--json"))
    assert final["status"] == "completed"
    done = learnpath(env, "cancel", task_id, check=1)
    assert "completed" in done.stderr


@pytest.mark.slow
def test_partial_failure_then_retry_after_the_fault_is_lifted(env_for: EnvFor) -> None:
    failing = env_for(offline_fail_content="resources")
    result = learnpath(
        failing, "generate", "Learn Go", "--weeks", "1", "--auto-approve", "--json", check=3
    )
    task = as_json(learnpath(failing, "show", as_json(result)["task_id"], "--json"))
    assert task["status"] == "partial_failure"
    assert {i["content_type"] for i in task["failed_items"]} == {"resources"}
    retried = as_json(learnpath(env_for(), "retry", task["task_id"], "--json"))
    assert retried == {
        "task_id": task["task_id"],
        "roadmap_id": task["roadmap_id"],
        "status": "completed",
    }
    framework = as_json(learnpath(env_for(), "show", task["roadmap_id"], "--json"))
    assert {c["resources_version"] for c in concepts(framework)} == {1}


@pytest.mark.slow
def test_sigkill_mid_content_then_resume_completes_with_one_version_each(
    env_for: EnvFor,
) -> None:
    # Content takes about 8 s: long enough that a poll (a CLI process, seconds on a busy
    # machine) sees it half-way and the kill comes before the end.
    env = env_for(offline_latency_s="1.0", llm_concurrency="2")
    process = subprocess.Popen(
        [LEARNPATH, "generate", "Learn Python", "--weeks", "2", "--auto-approve", "--json"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        task_id = line.split()[-1]
        assert task_id.startswith("task_"), line
        deadline = time.monotonic() + 60
        while True:
            assert time.monotonic() < deadline, "content generation never got going"
            task = as_json(learnpath(env, "show", task_id, "--json"))
            if task["progress"]["completed"] >= 2:
                break
            time.sleep(0.2)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    killed = as_json(learnpath(env, "show", task_id, "--json"))
    assert killed["status"] == "processing"
    assert 0 < killed["progress"]["completed"] < killed["progress"]["total"]

    resumed = as_json(learnpath(env, "resume", "--json"))
    assert [r["task_id"] for r in resumed] == [task_id]
    assert resumed[0]["status"] == "completed"
    framework = as_json(learnpath(env, "show", killed["roadmap_id"], "--json"))
    assert {
        c[f"{kind}_version"]
        for c in concepts(framework)
        for kind in ("tutorial", "resources", "quiz")
    } == {1}
    assert as_json(learnpath(env, "resume", "--json")) == []
