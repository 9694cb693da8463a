"""What is wrong with an edited framework, told next to the field it concerns.

Two sources, both named by a path into the framework: the models' own limits
(:class:`~learnpath.domain.roadmap.FrameworkDraft` parsing, told as sentences by
:mod:`learnpath.web.messages`) and the structure rules the service applies before it saves
(docs/contract.md §3; its :class:`~learnpath.errors.Invalid` lists them). Each becomes a
``(field id, sentence)`` pair: the id is that of the form field (``s0-m1-c2-name``), or empty
for a problem of the whole framework. The form's field names and ids are
:mod:`learnpath.web.framework_form`'s.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from learnpath.domain.roadmap import (
    MAX_CONCEPT_HOURS,
    MIN_CONCEPT_HOURS,
    Concept,
    FrameworkDraft,
    Module,
    Stage,
)
from learnpath.web.framework_form import KINDS, Json, blank_stage, concepts_of
from learnpath.web.messages import FormField, constraints, limits, sentence

Problem = tuple[str, str]
"""The id of the form field a problem concerns (empty: the whole framework), and the sentence."""

PATH = re.compile(
    r"^stages[.\[](\d+)\]?(?:\.modules[.\[](\d+)\]?)?(?:\.concepts[.\[](\d+)\]?)?(?:\.(\w+))?"
)
LABELS = {
    "name": "Name",
    "description": "Description",
    "estimated_hours": "Hours",
    "difficulty": "Difficulty",
    "prerequisites": "Prerequisites",
    "keywords": "Keywords",
}
MODELS: dict[int, type[BaseModel]] = {1: Stage, 2: Module, 3: Concept}
HOURS = f"between {MIN_CONCEPT_HOURS:g} and {MAX_CONCEPT_HOURS:g}"
QUOTED = re.compile(r"'([^']*)'")


def field_id(indices: Iterable[int], field: str) -> str:
    """``s0-m1-c2-name``: the id of a field of the stage, module or concept at ``indices``."""
    parts = [f"{letter}{i}" for letter, i in zip("smc", indices, strict=False)]
    return "-".join([*parts, field])


def field_limits() -> dict[str, str]:
    """What to state beside each kind of field, from the models' own constraints."""
    keywords = constraints(Concept, "keywords")
    prerequisites = constraints(Concept, "prerequisites")
    return {
        "title": limits(FrameworkDraft, "title"),
        "summary": limits(FrameworkDraft, "summary"),
        "name": limits(Concept, "name"),
        "description": limits(Concept, "description"),
        "estimated_hours": f"{MIN_CONCEPT_HOURS:g}–{MAX_CONCEPT_HOURS:g} hours",
        "keywords": f"separated by commas; up to {keywords['maxItems']}, each up to "
        f"{keywords['items']['maxLength']} characters",
        "prerequisites": f"up to {prerequisites['maxItems']}, each one earlier in the roadmap",
    }


def _node(data: Json, indices: list[int]) -> Json | None:
    node: Json = data
    for depth, index in enumerate(indices):
        items = node[("stages", "modules", "concepts")[depth]]
        if not 0 <= index < len(items):
            return None
        node = items[index]
    return node


def _who(data: Json, indices: list[int]) -> str:
    """``concept 1.2.3 “Joins”``: a part of the framework by its place and its name."""
    node = _node(data, indices)
    name = node.get("name", "") if node else ""
    place = ".".join(str(i + 1) for i in indices)
    return f"{KINDS[len(indices)]} {place}" + (f" “{name}”" if name else "")


def _place(path: str) -> tuple[list[int], str]:
    """The indices and the field a problem's path names: ``stages[0].modules[1].name`` and
    ``stages.0.modules.1.name`` are ``([0, 1], "name")``; ``([], "")`` for the framework."""
    match = PATH.match(path)
    if match is None:
        field = path if path in ("title", "summary") else ""
        return [], field
    *numbers, field = match.groups()
    return [int(n) for n in numbers if n is not None], field or ""


def _target(indices: list[int], field: str) -> str:
    if not indices:
        return field
    return field_id(indices, field if field in LABELS else "name")


def _model_sentence(data: Json, indices: list[int], field: str, error: Any) -> str:
    label = f"{LABELS.get(field, 'Id')} of {_who(data, indices)}"
    kind = error["type"]
    if field == "estimated_hours":
        if kind in ("greater_than_equal", "less_than_equal"):
            return f"{label} must be {HOURS}"
        return f"{label} must be a number {HOURS}"
    if field == "keywords" and len(error["loc"]) > 2 * len(indices) + 1:  # one keyword
        longest = constraints(Concept, "keywords")["items"]["maxLength"]
        return f"{label}: each keyword must be at most {longest} characters long"
    if field not in LABELS:
        return f"{label} is not valid"
    return sentence(MODELS[len(indices)], field, FormField(label), kind)


def model_problems(data: Json, error: ValidationError) -> list[Problem]:
    """The problems of a framework the models refuse, each field's first."""
    found: dict[str, str] = {}
    for problem in error.errors():
        path = ".".join(str(p) for p in problem["loc"])
        indices, field = _place(path)
        if not indices and field in ("title", "summary"):
            label = FormField("Title" if field == "title" else "Summary")
            told = sentence(FrameworkDraft, field, label, problem["type"])
        elif indices:
            told = _model_sentence(data, indices, field, problem)
        else:
            told = str(problem["msg"]).removeprefix("Value error, ").capitalize()
        found.setdefault(_target(indices, field), told)
    return list(found.items())


def _named(data: Json, message: str) -> str:
    """A rule's message with each quoted concept id told by the concept's name."""
    names = {c["concept_id"]: c["name"] for c in concepts_of(data)}
    return QUOTED.sub(lambda m: f"“{names[m[1]]}”" if m[1] in names else f"“{m[1]}”", message)


def rule_problems(data: Json, errors: list[dict[str, str]]) -> list[Problem]:
    """The structure rules a framework breaks, as the service's :class:`Invalid` lists them."""
    found: dict[str, str] = {}
    for error in errors:
        indices, field = _place(error.get("path", ""))
        message = _named(data, error.get("message", ""))
        if field == "estimated_hours":
            told = f"Hours of {_who(data, indices)} must be {HOURS}"
        elif indices:
            label = f"{LABELS[field]} of " if field in LABELS else ""
            told = f"{label}{_who(data, indices)}: {message}"
            told = told[0].upper() + told[1:]
        else:
            told = message[:1].upper() + message[1:]
        found.setdefault(_target(indices, field), told)
    return list(found.items())


def check(data: Json) -> tuple[FrameworkDraft | None, list[Problem]]:
    """The framework the form holds, or the problems the models find in it."""
    try:
        return FrameworkDraft.model_validate(data), []
    except ValidationError as error:
        return None, model_problems(data, error)


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class Editor:
    """What the editor's template shows: the form's state, the problems by field id, and the
    choices of the selects."""

    data: Json
    errors: dict[str, str]
    concepts: list[Choice]
    """Every concept by name, in framework order: the prerequisites to choose from."""
    modules: list[Choice]
    """Every module, ``1.2 Name``: where a concept can be moved."""
    limits: dict[str, str]
    difficulties: list[str]


def editor_view(data: Json, problems: list[Problem]) -> Editor:
    modules = [
        Choice(m["module_id"], f"{s + 1}.{n + 1} {m['name']}")
        for s, stage in enumerate(data["stages"])
        for n, m in enumerate(stage["modules"])
    ]
    return Editor(
        data=data,
        errors=dict(problems),
        concepts=[Choice(c["concept_id"], c["name"]) for c in concepts_of(data)],
        modules=modules,
        limits=field_limits(),
        difficulties=[str(d) for d in constraints(Concept, "difficulty")["enum"]],
    )


def editor_context(
    data: Json, problems: list[Problem], action: str, discard: str
) -> dict[str, Any]:
    """What ``framework_editor.html`` needs to show ``data`` posting to ``action`` (``discard``:
    the page to go back to); ``problems`` also go to the page's error summary."""
    return {
        "editor": editor_view(data, problems),
        "editor_action": action,
        "editor_discard": discard,
        "editor_blank": blank_stage(),
        "problems": problems,
    }
