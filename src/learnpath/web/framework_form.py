"""The framework editor's plain HTML form (docs/contract.md §4, ``PUT …/framework``).

Every field of every stage, module and concept is posted under an indexed name
(``s0.m1.c2.name``); the buttons post the whole form with an ``action`` (``add:s0.m1`` adds a
concept to module 2 of stage 1, ``up:s0.m1.c2`` moves concept 3 up, ``remove:s0``…) and a
concept's ``module`` select moves it to another module. The form's state is the framework's
own JSON, what the API takes, except that a concept's hours stay as typed until the framework
is validated, so a refusal shows them unchanged. :mod:`learnpath.web.framework_problems` tells
what is wrong with it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from starlette.datastructures import FormData

from learnpath.domain.roadmap import FrameworkDraft, definitions_only
from learnpath.web.forms import text

Json = dict[str, Any]

KEY = re.compile(r"^s(\d{1,3})(?:\.m(\d{1,3})(?:\.c(\d{1,3}))?)?\.([a-z_]+)$")
ACTION = re.compile(r"^(add|remove|up|down):(root|s\d{1,3}(?:\.m\d{1,3}(?:\.c\d{1,3})?)?)$")
FIELDS: dict[int, frozenset[str]] = {
    1: frozenset({"stage_id", "name", "description"}),
    2: frozenset({"module_id", "name", "description"}),
    3: frozenset(
        {
            "concept_id",
            "name",
            "description",
            "estimated_hours",
            "difficulty",
            "prerequisites",
            "keywords",
            "module",
        }
    ),
}
CHILDREN = {0: "stages", 1: "modules", 2: "concepts"}
"""The list a node at each depth holds its children in (depth 0: the framework itself)."""
KINDS = {1: "stage", 2: "module", 3: "concept"}
MAX_FIELDS = 12_000
"""Form fields an editor post may carry: nine a concept, for the largest framework allowed."""


def hours_text(value: object) -> str:
    return f"{value:g}" if isinstance(value, int | float) else str(value)


def from_framework(framework: FrameworkDraft) -> Json:
    """The form's state for a stored framework: its definitions, hours as text."""
    data = definitions_only(
        framework.model_dump(mode="json", include={"title", "summary", "stages"})
    )
    for concept in concepts_of(data):
        concept["estimated_hours"] = hours_text(concept["estimated_hours"])
    return data


def concepts_of(data: Json) -> Iterator[Json]:
    for stage in data["stages"]:
        for module in stage["modules"]:
            yield from module["concepts"]


def modules_of(data: Json) -> Iterator[Json]:
    for stage in data["stages"]:
        yield from stage["modules"]


def _node(depth: int, fields: Json) -> Json:
    """A stage, module or concept from its posted fields (a missing one empty)."""
    kind = KINDS[depth]
    node: Json = {
        f"{kind}_id": fields.get(f"{kind}_id", ""),
        "name": fields.get("name", ""),
        "description": fields.get("description", ""),
    }
    if depth < 3:
        node[CHILDREN[depth]] = []
        return node
    keywords = fields.get("keywords", "")
    node |= {
        "estimated_hours": fields.get("estimated_hours", ""),
        "difficulty": fields.get("difficulty", ""),
        "prerequisites": fields.get("prerequisites", []),
        "keywords": [k.strip() for k in keywords.split(",") if k.strip()],
    }
    return node


def _posted_fields(form: FormData) -> dict[tuple[int, ...], Json]:
    found: dict[tuple[int, ...], Json] = {}
    for key, value in form.multi_items():
        match = KEY.match(key)
        if match is None or not isinstance(value, str):
            continue
        path = tuple(int(g) for g in match.groups()[:3] if g is not None)
        field = match.group(4)
        if field not in FIELDS[len(path)]:
            continue
        entry = found.setdefault(path, {})
        if field == "prerequisites":
            entry.setdefault(field, []).append(value.strip())
        else:
            entry[field] = value.strip()
    return found


def framework_data(form: FormData) -> Json:
    """The framework the form holds, in the order of its indices, each concept whose ``module``
    select names another module moved to the end of that module."""
    data: Json = {
        "title": text(form, "title"),
        "summary": text(form, "summary"),
        "stages": [],
    }
    nodes: dict[tuple[int, ...], Json] = {(): data}
    moves: list[tuple[Json, Json, str]] = []
    for path, fields in sorted(_posted_fields(form).items()):
        parent = nodes.get(path[:-1])
        if parent is None:  # a field whose stage or module was not posted: nowhere to go
            continue
        node = _node(len(path), fields)
        nodes[path] = node
        parent[CHILDREN[len(path) - 1]].append(node)
        target = fields.get("module")
        if len(path) == 3 and target and target != parent["module_id"]:
            moves.append((node, parent, target))
    modules = {m["module_id"]: m for m in modules_of(data)}
    for concept, source, target in moves:
        if target in modules:
            source["concepts"].remove(concept)
            modules[target]["concepts"].append(concept)
    return data


def _fresh(prefix: str, taken: set[str]) -> str:
    n = 1
    while f"{prefix}-{n}" in taken:
        n += 1
    return f"{prefix}-{n}"


def _new(data: Json, depth: int) -> Json:
    """A new stage, module or concept (a stage with a module, a module with a concept: the
    structure rules want none empty), with ids no other part of the framework has."""
    taken = {c["concept_id"] for c in concepts_of(data)}
    concept = {
        "concept_id": _fresh("concept", taken),
        "name": "New concept",
        "description": "",
        "estimated_hours": "1",
        "difficulty": "medium",
        "prerequisites": [],
        "keywords": [],
    }
    if depth == 3:
        return concept
    taken = {m["module_id"] for m in modules_of(data)}
    module = {
        "module_id": _fresh("module", taken),
        "name": "New module",
        "description": "",
        "concepts": [concept],
    }
    if depth == 2:
        return module
    taken = {s["stage_id"] for s in data["stages"]}
    return {
        "stage_id": _fresh("stage", taken),
        "name": "New stage",
        "description": "",
        "modules": [module],
    }


def _children(data: Json, indices: list[int]) -> list[Json] | None:
    """The list of children of the node at ``indices`` (the stages for ``[]``), or None when
    there is no such node."""
    node = data
    for depth, index in enumerate(indices):
        items: list[Json] = node[CHILDREN[depth]]
        if not 0 <= index < len(items):
            return None
        node = items[index]
    children: list[Json] = node[CHILDREN[len(indices)]]
    return children


def apply_action(data: Json, action: str) -> bool:
    """Apply one of the form's structural actions to ``data`` in place; False when the action
    is not one or names nothing in the framework (the form then shows as posted)."""
    match = ACTION.match(action)
    if match is None:
        return False
    verb, where = match.groups()
    indices = [] if where == "root" else [int(part[1:]) for part in where.split(".")]
    if verb == "add":
        children = _children(data, indices)
        if children is None:
            return False
        children.append(_new(data, len(indices) + 1))
        return True
    if not indices:
        return False
    siblings = _children(data, indices[:-1])
    index = indices[-1]
    if siblings is None or not 0 <= index < len(siblings):
        return False
    if verb == "remove":
        _remove(data, siblings.pop(index))
        return True
    other = index - 1 if verb == "up" else index + 1
    if not 0 <= other < len(siblings):
        return False
    siblings[index], siblings[other] = siblings[other], siblings[index]
    return True


def _concept_ids(node: Json) -> set[str]:
    if "modules" in node:
        return {c["concept_id"] for m in node["modules"] for c in m["concepts"]}
    if "concepts" in node:
        return {c["concept_id"] for c in node["concepts"]}
    return {node["concept_id"]}


def _remove(data: Json, gone: Json) -> None:
    """What is left no longer names a removed concept as a prerequisite."""
    removed = _concept_ids(gone)
    for concept in concepts_of(data):
        concept["prerequisites"] = [p for p in concept["prerequisites"] if p not in removed]


def blank_stage() -> Json:
    """A new stage with a new module and concept: the page's template for adding them in
    place (the script gives each fresh ids as it adds it)."""
    return _new({"stages": []}, 1)
