"""The diff of two review rounds' framework snapshots (domain.review_diff), as
``GET /roadmaps/{id}/reviews`` shows it."""

from __future__ import annotations

import copy
from typing import Any

from learnpath.domain.review_diff import DIFFED_FIELDS, FrameworkChanges, diff_frameworks
from learnpath.domain.roadmap import FrameworkDraft


def concept(cid: str, name: str, **fields: Any) -> dict[str, Any]:
    return {"concept_id": cid, "name": name, "estimated_hours": 2, **fields}


BASE: dict[str, Any] = {
    "title": "SQL",
    "summary": "A plan",
    "stages": [
        {
            "stage_id": "s1",
            "name": "Basics",
            "modules": [
                {
                    "module_id": "m1",
                    "name": "Queries",
                    "concepts": [
                        concept("select", "SELECT", keywords=["select", "from"]),
                        concept("where", "WHERE", prerequisites=["select"]),
                    ],
                },
                {
                    "module_id": "m2",
                    "name": "Joins",
                    "concepts": [
                        concept(
                            "joins",
                            "Joins",
                            description="Combine tables",
                            difficulty="hard",
                            prerequisites=["select", "where"],
                        ),
                    ],
                },
            ],
        }
    ],
}


def framework(data: dict[str, Any]) -> FrameworkDraft:
    return FrameworkDraft.model_validate(data)


def edited() -> dict[str, Any]:
    return copy.deepcopy(BASE)


def concepts_of(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["concept_id"]: c for s in data["stages"] for m in s["modules"] for c in m["concepts"]}


def wire(changes: FrameworkChanges) -> dict[str, Any]:
    """As the API sends it (``from`` by its alias)."""
    return changes.model_dump(mode="json", by_alias=True)


EMPTY = {"added": [], "removed": [], "renamed": [], "changed": []}


def test_the_first_round_has_no_changes() -> None:
    assert wire(diff_frameworks(None, framework(BASE))) == EMPTY


def test_the_same_framework_has_no_changes() -> None:
    assert wire(diff_frameworks(framework(BASE), framework(edited()))) == EMPTY


def test_changes_outside_concept_definitions_are_no_changes() -> None:
    """Titles, summaries, stage and module names, a concept moved to another module, status
    fields: none of them is a change of a concept."""
    after = edited()
    after["title"], after["summary"] = "Other", "Other summary"
    after["stages"][0]["name"] = "Renamed stage"
    modules = after["stages"][0]["modules"]
    modules[0]["name"] = "Renamed module"
    modules[1]["concepts"].insert(0, modules[0]["concepts"].pop(1))  # "where" moves
    concepts_of(after)["select"]["tutorial_status"] = "completed"
    assert wire(diff_frameworks(framework(BASE), framework(after))) == EMPTY


def test_added_and_removed_are_matched_by_id() -> None:
    after = edited()
    queries = after["stages"][0]["modules"][0]["concepts"]
    queries.append(concept("group-by", "GROUP BY"))
    # A concept whose id changed is a removal and an addition, whatever its name.
    after["stages"][0]["modules"][1]["concepts"] = [
        concept("joins-2", "Joins", description="Combine tables", difficulty="hard")
    ]
    queries.insert(0, concept("intro", "Introduction"))
    assert wire(diff_frameworks(framework(BASE), framework(after))) == {
        "added": [
            {"concept_id": "intro", "name": "Introduction"},
            {"concept_id": "group-by", "name": "GROUP BY"},
            {"concept_id": "joins-2", "name": "Joins"},
        ],
        "removed": [{"concept_id": "joins", "name": "Joins"}],
        "renamed": [],
        "changed": [],
    }


def test_a_rename_and_each_definition_field() -> None:
    after = edited()
    by_id = concepts_of(after)
    by_id["select"]["name"] = "SELECT and FROM"
    by_id["where"]["description"] = "Filter rows"
    by_id["where"]["estimated_hours"] = 3
    by_id["joins"]["difficulty"] = "medium"
    by_id["joins"]["keywords"] = ["join"]
    by_id["select"]["prerequisites"] = []  # unchanged: it had none
    changes = diff_frameworks(framework(BASE), framework(after))
    assert wire(changes) == {
        "added": [],
        "removed": [],
        "renamed": [{"concept_id": "select", "from": "SELECT", "to": "SELECT and FROM"}],
        "changed": [
            {"concept_id": "where", "name": "WHERE", "fields": ["description", "estimated_hours"]},
            {"concept_id": "joins", "name": "Joins", "fields": ["difficulty", "keywords"]},
        ],
    }
    assert changes.renamed[0].from_ == "SELECT"


def test_a_renamed_concept_whose_definition_changed_is_in_both_lists() -> None:
    after = edited()
    joins = concepts_of(after)["joins"]
    joins["name"], joins["prerequisites"] = "Inner joins", ["select"]
    assert wire(diff_frameworks(framework(BASE), framework(after))) == {
        "added": [],
        "removed": [],
        "renamed": [{"concept_id": "joins", "from": "Joins", "to": "Inner joins"}],
        "changed": [{"concept_id": "joins", "name": "Inner joins", "fields": ["prerequisites"]}],
    }


def test_prerequisites_are_a_set_and_keywords_a_list() -> None:
    after = edited()
    by_id = concepts_of(after)
    by_id["joins"]["prerequisites"] = ["where", "select"]  # the same set, reordered
    by_id["select"]["keywords"] = ["from", "select"]  # reordered keywords are a change
    assert wire(diff_frameworks(framework(BASE), framework(after)))["changed"] == [
        {"concept_id": "select", "name": "SELECT", "fields": ["keywords"]}
    ]


def test_every_diffed_field_at_once_in_contract_order() -> None:
    after = edited()
    where = concepts_of(after)["where"]
    where.update(
        description="new",
        estimated_hours=9,
        difficulty="easy",
        prerequisites=[],
        keywords=["filter"],
    )
    changed = diff_frameworks(framework(BASE), framework(after)).changed
    assert [(c.concept_id, c.fields) for c in changed] == [("where", list(DIFFED_FIELDS))]
    assert DIFFED_FIELDS == (
        "description",
        "estimated_hours",
        "difficulty",
        "prerequisites",
        "keywords",
    )


def test_removed_follow_the_earlier_order() -> None:
    after = edited()
    after["stages"][0]["modules"] = [
        {"module_id": "m3", "name": "New", "concepts": [concept("views", "Views")]}
    ]
    assert wire(diff_frameworks(framework(BASE), framework(after))) == {
        "added": [{"concept_id": "views", "name": "Views"}],
        "removed": [
            {"concept_id": "select", "name": "SELECT"},
            {"concept_id": "where", "name": "WHERE"},
            {"concept_id": "joins", "name": "Joins"},
        ],
        "renamed": [],
        "changed": [],
    }
