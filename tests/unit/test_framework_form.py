"""The framework editor's plain form: indexed fields read back into a framework, the actions
its buttons post, and the problems of a framework as sentences with the field they concern
(no server, no browser)."""

from __future__ import annotations

import copy
from typing import Any

from starlette.datastructures import FormData

from learnpath.agents.validator import validate_framework
from learnpath.domain.roadmap import FrameworkDraft
from learnpath.web.framework_form import apply_action, framework_data, from_framework
from learnpath.web.framework_problems import check, editor_view, field_limits, rule_problems


def concept(cid: str, name: str, **fields: Any) -> dict[str, Any]:
    return {
        "concept_id": cid,
        "name": name,
        "description": "",
        "estimated_hours": "1",
        "difficulty": "medium",
        "prerequisites": [],
        "keywords": [],
        **fields,
    }


def framework() -> dict[str, Any]:
    """Two stages: a (A, B needing A) in module m1; C needing B in module m2 of stage 2."""
    return {
        "title": "T",
        "summary": "",
        "stages": [
            {
                "stage_id": "s1",
                "name": "One",
                "description": "",
                "modules": [
                    {
                        "module_id": "m1",
                        "name": "M1",
                        "description": "",
                        "concepts": [concept("a", "A"), concept("b", "B", prerequisites=["a"])],
                    }
                ],
            },
            {
                "stage_id": "s2",
                "name": "Two",
                "description": "",
                "modules": [
                    {
                        "module_id": "m2",
                        "name": "M2",
                        "description": "",
                        "concepts": [concept("c", "C", prerequisites=["b"])],
                    }
                ],
            },
        ],
    }


def as_form(data: dict[str, Any]) -> list[tuple[str, str]]:
    """The fields the editor's template posts for ``data``, in page order."""
    fields = [("title", data["title"]), ("summary", data["summary"])]
    for si, stage in enumerate(data["stages"]):
        fields += [(f"s{si}.{k}", stage[k]) for k in ("stage_id", "name", "description")]
        for mi, module in enumerate(stage["modules"]):
            at = f"s{si}.m{mi}"
            fields += [(f"{at}.{k}", module[k]) for k in ("module_id", "name", "description")]
            for ci, c in enumerate(module["concepts"]):
                cat = f"{at}.c{ci}"
                plain = ("concept_id", "name", "description", "estimated_hours", "difficulty")
                fields += [(f"{cat}.{k}", c[k]) for k in plain]
                fields += [(f"{cat}.prerequisites", p) for p in c["prerequisites"]]
                fields += [(f"{cat}.keywords", ", ".join(c["keywords"]))]
                fields += [(f"{cat}.module", module["module_id"])]
    return fields


def names(data: dict[str, Any]) -> list[list[list[str]]]:
    return [[[c["name"] for c in m["concepts"]] for m in s["modules"]] for s in data["stages"]]


def test_a_posted_form_reads_back_as_the_framework_in_the_order_of_its_indices() -> None:
    data = framework()
    assert framework_data(FormData(as_form(data))) == data
    shuffled = list(reversed(as_form(data)))
    shuffled[0:0] = [("s1.m0.c0.surprise", "x"), ("s9.m0.c0.name", "orphan"), ("s0.m0.z", "y")]
    read = framework_data(FormData(shuffled))
    assert names(read) == [[["A", "B"]], [["C"]]]
    assert read["stages"][0]["modules"][0]["concepts"][1]["prerequisites"] == ["a"]


def test_keywords_split_at_commas_and_a_module_select_moves_the_concept() -> None:
    fields = [
        (k, "x, , y ,z" if k == "s0.m0.c0.keywords" else "m2" if k == "s0.m0.c0.module" else v)
        for k, v in as_form(framework())
    ]
    read = framework_data(FormData(fields))
    assert names(read) == [[["B"]], [["C", "A"]]]
    assert read["stages"][1]["modules"][0]["concepts"][1]["keywords"] == ["x", "y", "z"]
    unknown = [(k, "nowhere" if k == "s0.m0.c0.module" else v) for k, v in as_form(framework())]
    assert names(framework_data(FormData(unknown))) == [[["A", "B"]], [["C"]]]


def test_the_buttons_actions() -> None:
    data = framework()
    assert apply_action(data, "add:s1.m0")
    added = data["stages"][1]["modules"][0]["concepts"][1]
    assert added == concept("concept-1", "New concept")
    assert apply_action(data, "add:root")
    assert data["stages"][2]["stage_id"] == "stage-1"
    assert data["stages"][2]["modules"][0]["module_id"] == "module-1"
    assert data["stages"][2]["modules"][0]["concepts"][0]["concept_id"] == "concept-2"
    assert apply_action(data, "up:s0.m0.c1")
    assert names(data)[0] == [["B", "A"]]
    assert apply_action(data, "down:s0")
    assert [s["name"] for s in data["stages"]] == ["Two", "One", "New stage"]
    assert apply_action(data, "remove:s1.m0.c0")  # B: C no longer needs it
    assert data["stages"][0]["modules"][0]["concepts"][0]["prerequisites"] == []
    unchanged = copy.deepcopy(data)
    for refused in ("up:s0", "down:s2", "remove:s5", "add:s0.m3", "remove:root", "drop:s0", ""):
        assert not apply_action(data, refused), refused
    assert data == unchanged


def test_problems_the_models_find_are_sentences_beside_their_fields() -> None:
    data = framework()
    first = data["stages"][0]["modules"][0]["concepts"][0]
    first |= {"name": "", "estimated_hours": "lots", "difficulty": "extreme"}
    first["keywords"] = ["k" * 101]
    data["stages"][1]["modules"][0]["name"] = ""
    data["title"] = ""
    draft, problems = check(data)
    assert draft is None
    assert problems == [
        ("title", "Title must not be empty"),
        ("s0-m0-c0-name", "Name of concept 1.1.1 must not be empty"),
        ("s0-m0-c0-estimated_hours", "Hours of concept 1.1.1 must be a number between 0.5 and 200"),
        ("s0-m0-c0-difficulty", "Difficulty of concept 1.1.1 must be one of: easy, medium, hard"),
        (
            "s0-m0-c0-keywords",
            "Keywords of concept 1.1.1: each keyword must be at most 100 characters long",
        ),
        ("s1-m0-name", "Name of module 2.1 must not be empty"),
    ]
    assert (
        editor_view(data, problems).errors["s1-m0-name"] == "Name of module 2.1 must not be empty"
    )


def test_the_structure_rules_broken_are_told_with_names() -> None:
    data = framework()
    data["stages"][0]["modules"][0]["concepts"][0]["estimated_hours"] = "0"
    data["stages"][0]["modules"][0]["concepts"][0]["prerequisites"] = ["c"]
    data["stages"][1]["modules"][0]["concepts"] = []
    draft, problems = check(data)
    assert draft is not None and problems == []
    broken = [{"path": i.path, "message": i.message} for i in validate_framework(draft)]
    assert rule_problems(data, broken) == [
        ("s0-m0-c0-estimated_hours", "Hours of concept 1.1.1 “A” must be between 0.5 and 200"),
        ("s1-m0-name", "Module 2.1 “M2”: module “M2” has no concept"),
        ("s0-m0-c0-prerequisites", "Prerequisites of concept 1.1.1 “A”: unknown prerequisite “c”"),
    ]


def test_a_stored_framework_becomes_the_forms_state_and_the_limits_beside_the_fields() -> None:
    stored = FrameworkDraft.model_validate(
        {**framework(), "stages": framework()["stages"][:1]} | {"summary": "S"}
    )
    data = from_framework(stored)
    assert data["stages"][0]["modules"][0]["concepts"][0]["estimated_hours"] == "1"
    assert "tutorial_status" not in data["stages"][0]["modules"][0]["concepts"][0]
    assert data == {**framework(), "stages": framework()["stages"][:1], "summary": "S"}
    view = editor_view(data, [])
    assert [(c.value, c.label) for c in view.concepts] == [("a", "A"), ("b", "B")]
    assert [(m.value, m.label) for m in view.modules] == [("m1", "1.1 M1")]
    assert view.difficulties == ["easy", "medium", "hard"]
    assert field_limits() == {
        "title": "up to 300 characters",
        "summary": "up to 4000 characters",
        "name": "up to 200 characters",
        "description": "up to 2000 characters",
        "estimated_hours": "0.5–200 hours",
        "keywords": "separated by commas; up to 50, each up to 100 characters",
        "prerequisites": "up to 200, each one earlier in the roadmap",
    }
