"""The offline provider's answers for a few goals, pinned: a refactoring must not change them.

``offline_golden.json`` holds a SHA-256 of every answer (canonical JSON) per goal, agent and
concept. When a change to the offline output is intended, regenerate it with
``UPDATE_GOLDEN=1 .venv/bin/pytest tests/unit/test_offline_golden.py`` and say in
the commit why the output changed.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pytest

from learnpath.agents.inputs import ContentInput, CurriculumInput, EditorInput, IntentInput
from learnpath.domain.intent import IntentAnalysis
from learnpath.domain.request import LearnerRequest
from learnpath.domain.roadmap import FrameworkDraft
from learnpath.offline.answers import offline_output

GOLDEN = Path(__file__).with_name("offline_golden.json")
UPDATE = "UPDATE_GOLDEN"
CASES: dict[str, dict[str, Any]] = {
    "rust": {"goal": "I want to learn Rust to write fast command-line tools"},
    "python": {"goal": "Learn Python", "current_level": "intermediate"},
    "javascript": {"goal": "Learn TypeScript", "learning_styles": ["video", "text"]},
    "go": {"goal": "Learn Go concurrency", "current_level": "advanced"},
    "sql": {"goal": "Learn SQL for data analysis", "hours_per_week": 3},
    "ml": {"goal": "Machine learning with scikit-learn", "learning_styles": ["visual"]},
    "web": {"goal": "Learn React", "target_weeks": 20},
    "devops": {"goal": "Run production workloads on Kubernetes"},
    "linux": {"goal": "Learn the Linux command line", "learning_styles": ["audio"]},
    "spanish": {"goal": "Learn Spanish for a trip to Mexico", "language": "es"},
    "japanese": {"goal": "Learn Japanese"},
    "guitar": {"goal": "Learn to play the guitar", "learning_styles": ["hands_on"]},
    "generic": {"goal": "I want to learn beekeeping so I can keep two hives in my garden"},
}
CONCEPTS = (0, 4, 8, 11)
FEEDBACK = "Please add a concept about safety and remove the last concept; rename a to b"
CANDIDATES = [
    {"title": f"Result {n}", "url": f"https://example.org/{n}", "snippet": f"Snippet {n}."}
    for n in range(7)
]


def _digest(output: dict[str, Any]) -> str:
    canonical = json.dumps(output, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _answers(fields: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every agent's answer for one learner request, keyed by agent (and concept index)."""
    request = LearnerRequest(**fields)
    out = {"intent": offline_output("intent", IntentInput(request=request).model_dump())}
    intent = IntentAnalysis.model_validate(out["intent"])
    total = request.hours_per_week * request.effective_weeks
    curriculum = CurriculumInput(
        request=request, intent=intent, total_hours=total, target_concepts=12
    )
    out["curriculum"] = offline_output("curriculum", curriculum.model_dump(mode="json"))
    draft = FrameworkDraft.model_validate(out["curriculum"])
    edit = EditorInput(request=request, framework=draft, issues=[], feedback=FEEDBACK)
    out["editor"] = offline_output("editor", edit.model_dump(mode="json"))
    names = {c.concept_id: c.name for c in draft.concepts()}
    placed = [(s, m, c) for s in draft.stages for m in s.modules for c in m.concepts]
    for index in CONCEPTS:
        stage, module, concept = placed[index]
        payload = ContentInput(
            request=request,
            roadmap_title=draft.title,
            stage_name=stage.name,
            module_name=module.name,
            concept=concept,
            prerequisite_names=[names[p] for p in concept.prerequisites],
        ).model_dump(mode="json")
        for agent in ("tutorial", "resources", "quiz"):
            out[f"{agent}-{index}"] = offline_output(agent, payload)
    out["resources-picked"] = offline_output("resources", {**payload, "candidates": CANDIDATES})
    return out


def _digests() -> dict[str, dict[str, str]]:
    return {
        case: {key: _digest(output) for key, output in _answers(fields).items()}
        for case, fields in CASES.items()
    }


def test_offline_answers_are_unchanged() -> None:
    digests = _digests()
    if os.environ.get(UPDATE):
        GOLDEN.write_text(json.dumps(digests, indent=1, sort_keys=True) + "\n")
        pytest.skip(f"{GOLDEN.name} regenerated ({UPDATE} is set)")
    pinned = json.loads(GOLDEN.read_text())
    changed = [
        f"{case}/{key}"
        for case in sorted(pinned.keys() | digests.keys())
        for key in sorted(pinned.get(case, {}).keys() | digests.get(case, {}).keys())
        if pinned.get(case, {}).get(key) != digests.get(case, {}).get(key)
    ]
    assert changed == [], f"offline answers changed: {changed}"
