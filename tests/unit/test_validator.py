"""The deterministic structure validator of contract §3."""

from __future__ import annotations

from typing import Any

from learnpath.agents.postprocess import normalise_framework
from learnpath.agents.validator import _find_cycle, errors_only, validate_framework
from learnpath.domain.roadmap import FrameworkDraft


def concept(cid: str, *prereqs: str, hours: float = 2) -> dict[str, Any]:
    return {
        "concept_id": cid,
        "name": cid.title(),
        "estimated_hours": hours,
        "prerequisites": list(prereqs),
    }


def draft(*modules: list[dict[str, Any]]) -> FrameworkDraft:
    return FrameworkDraft.model_validate(
        {
            "title": "T",
            "stages": [
                {
                    "stage_id": "s1",
                    "name": "S1",
                    "modules": [
                        {"module_id": f"m{i}", "name": f"M{i}", "concepts": list(m)}
                        for i, m in enumerate(modules)
                    ],
                }
            ],
        }
    )


def messages(d: FrameworkDraft, budget: float | None = None) -> list[str]:
    return [str(i) for i in validate_framework(d, budget)]


def test_valid_framework_has_no_issue() -> None:
    assert messages(draft([concept("a"), concept("b", "a")], [concept("c", "a", "b")])) == []


def test_unknown_prerequisite() -> None:
    assert any("unknown prerequisite 'zz'" in m for m in messages(draft([concept("a", "zz")])))


def test_prerequisite_later_and_cycle() -> None:
    found = messages(draft([concept("a", "b"), concept("b", "a")]))
    assert any("comes after" in m for m in found)
    assert any("cycle" in m for m in found)


def test_self_prerequisite() -> None:
    assert any("itself" in m for m in messages(draft([concept("a", "a")])))


def test_empty_module_and_stage() -> None:
    assert any("has no concept" in m for m in messages(draft([concept("a")], [])))
    empty = FrameworkDraft.model_validate(
        {"title": "T", "stages": [{"stage_id": "s", "name": "S", "modules": []}]}
    )
    assert any("has no module" in m for m in messages(empty))
    assert messages(FrameworkDraft(title="T", stages=[])) == ["stages: the roadmap has no stage"]


def test_duplicate_and_unsafe_ids() -> None:
    found = messages(draft([concept("a"), concept("a"), concept("Not Safe/")]))
    assert any("repeats" in m for m in found)
    assert any("URL-safe" in m for m in found)


def test_hours_bounds_and_budget_warning() -> None:
    found = messages(draft([concept("a", hours=0.1)]))
    assert any("estimated_hours" in m for m in found)
    issues = validate_framework(draft([concept("a", hours=100)]), budget_hours=10)
    assert [i.severity for i in issues] == ["warning"]
    assert errors_only(issues) == []


def test_size_bounds() -> None:
    big = draft([concept(f"c{i}") for i in range(16)])
    assert any("at most 15" in m for m in messages(big))


def test_normalise_makes_ids_safe_and_unique_and_rewrites_prerequisites() -> None:
    d = draft([concept("Intro Basics"), concept("Intro Basics", "Intro Basics")])
    fixed = normalise_framework(d)
    ids = [c.concept_id for c in fixed.concepts()]
    assert ids == ["intro-basics", "intro-basics-2"]
    assert list(fixed.concepts())[1].prerequisites == ["intro-basics"]


def test_a_cycle_of_any_length_is_found_without_recursion() -> None:
    n = 100_000
    graph = {f"c{i}": [f"c{(i + 1) % n}"] for i in range(n)}
    cycle = _find_cycle(graph)
    assert cycle is not None and len(cycle) == n + 1 and cycle[0] == cycle[-1]
    chain = {f"c{i}": [f"c{i + 1}"] if i + 1 < n else [] for i in range(n)}
    assert _find_cycle(chain) is None
