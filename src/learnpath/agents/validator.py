"""Deterministic structure validation of a framework (contract §3) — code, not an LLM."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from learnpath.domain.roadmap import MAX_CONCEPT_HOURS, MIN_CONCEPT_HOURS, FrameworkDraft

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")
MAX_STAGES = 8
MAX_MODULES_PER_STAGE = 10
MAX_CONCEPTS_PER_MODULE = 15
MAX_CONCEPTS = 150


@dataclass(frozen=True)
class Issue:
    path: str
    message: str
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def validate_framework(draft: FrameworkDraft, budget_hours: float | None = None) -> list[Issue]:
    """Every structural problem of ``draft``; errors block approval, warnings are advice."""
    issues: list[Issue] = []
    if not draft.stages:
        issues.append(Issue("stages", "the roadmap has no stage"))
    if len(draft.stages) > MAX_STAGES:
        issues.append(Issue("stages", f"{len(draft.stages)} stages; at most {MAX_STAGES}"))

    seen_ids: dict[str, str] = {}
    position: dict[str, int] = {}
    order = 0
    for s, stage in enumerate(draft.stages):
        where = f"stages[{s}]"
        _check_id(issues, seen_ids, f"{where}.stage_id", stage.stage_id, "stage")
        if not stage.modules:
            issues.append(Issue(where, f"stage '{stage.name}' has no module"))
        if len(stage.modules) > MAX_MODULES_PER_STAGE:
            issues.append(
                Issue(where, f"{len(stage.modules)} modules; at most {MAX_MODULES_PER_STAGE}")
            )
        for m, module in enumerate(stage.modules):
            mwhere = f"{where}.modules[{m}]"
            _check_id(issues, seen_ids, f"{mwhere}.module_id", module.module_id, "module")
            if not module.concepts:
                issues.append(Issue(mwhere, f"module '{module.name}' has no concept"))
            if len(module.concepts) > MAX_CONCEPTS_PER_MODULE:
                issues.append(
                    Issue(
                        mwhere,
                        f"{len(module.concepts)} concepts; at most {MAX_CONCEPTS_PER_MODULE}",
                    )
                )
            for c, concept in enumerate(module.concepts):
                cwhere = f"{mwhere}.concepts[{c}]"
                _check_id(issues, seen_ids, f"{cwhere}.concept_id", concept.concept_id, "concept")
                position.setdefault(concept.concept_id, order)
                order += 1
                if not MIN_CONCEPT_HOURS <= concept.estimated_hours <= MAX_CONCEPT_HOURS:
                    issues.append(
                        Issue(
                            f"{cwhere}.estimated_hours",
                            f"{concept.estimated_hours} h; must be between "
                            f"{MIN_CONCEPT_HOURS} and {MAX_CONCEPT_HOURS}",
                        )
                    )
    if order > MAX_CONCEPTS:
        issues.append(Issue("stages", f"{order} concepts; at most {MAX_CONCEPTS}"))

    issues.extend(_prerequisite_issues(draft, position))
    if budget_hours:
        total = sum(c.estimated_hours for c in draft.concepts())
        if not 0.5 * budget_hours <= total <= 1.5 * budget_hours:
            issues.append(
                Issue(
                    "stages",
                    f"the concepts add up to {total:g} h against a budget of {budget_hours:g} h",
                    severity="warning",
                )
            )
    return issues


def errors_only(issues: list[Issue]) -> list[Issue]:
    return [i for i in issues if i.severity == "error"]


def _check_id(issues: list[Issue], seen: dict[str, str], path: str, value: str, kind: str) -> None:
    if not ID_PATTERN.match(value):
        issues.append(
            Issue(path, f"'{value}' is not a URL-safe id (lowercase letters, digits, - and _)")
        )
    key = f"{kind}:{value}"
    if key in seen:
        issues.append(Issue(path, f"{kind} id '{value}' repeats {seen[key]}"))
    else:
        seen[key] = path


def _prerequisite_issues(draft: FrameworkDraft, position: dict[str, int]) -> list[Issue]:
    issues: list[Issue] = []
    graph: dict[str, list[str]] = {}
    for s, stage in enumerate(draft.stages):
        for m, module in enumerate(stage.modules):
            for c, concept in enumerate(module.concepts):
                where = f"stages[{s}].modules[{m}].concepts[{c}].prerequisites"
                graph[concept.concept_id] = list(concept.prerequisites)
                for prerequisite in concept.prerequisites:
                    if prerequisite not in position:
                        issues.append(Issue(where, f"unknown prerequisite '{prerequisite}'"))
                    elif prerequisite == concept.concept_id:
                        issues.append(
                            Issue(where, f"'{concept.concept_id}' lists itself as prerequisite")
                        )
                    elif position[prerequisite] > position[concept.concept_id]:
                        issues.append(
                            Issue(
                                where,
                                f"prerequisite '{prerequisite}' comes after '{concept.concept_id}'",
                            )
                        )
    cycle = _find_cycle(graph)
    if cycle:
        issues.append(Issue("stages", "prerequisite cycle: " + " → ".join(cycle)))
    return issues


def _find_cycle(graph: dict[str, list[str]]) -> list[str] | None:
    """A prerequisite cycle (self-references aside), found by a depth-first search that keeps
    its own stack: a chain of any length cannot reach the interpreter's recursion limit."""
    done: set[str] = set()
    for start in graph:
        if start in done:
            continue
        path = [start]
        on_path = {start: 0}
        pending: list[Iterator[str]] = [iter(graph[start])]
        while pending:
            nxt = next(pending[-1], None)
            if nxt is None:
                node = path.pop()
                del on_path[node]
                done.add(node)
                pending.pop()
            elif nxt in on_path:
                if nxt != path[-1]:
                    return [*path[on_path[nxt] :], nxt]
            elif nxt not in done and nxt in graph:
                on_path[nxt] = len(path)
                path.append(nxt)
                pending.append(iter(graph[nxt]))
    return None
