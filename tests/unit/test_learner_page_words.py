"""What the learner's roadmap page says in words (issue 16): generation state worded apart
from learning ("completed" is only a concept learned), a tutorial shown under the concept's
name without its own title heading, and previous/next in roadmap order."""

from __future__ import annotations

import pytest
from tests.support.frameworks import one_module

from learnpath.domain.roadmap import Framework
from learnpath.web.learning_view import neighbours
from learnpath.web.roadmap_pages import untitled
from learnpath.web.views import Item


@pytest.mark.parametrize(
    ("content_type", "status", "label"),
    [
        ("tutorial", "completed", "Tutorial ready"),
        ("quiz", "generating", "Quiz: Being written"),
        ("resources", "failed", "Resources: Could not be written"),
        ("quiz", "pending", "Quiz: Waiting to be written"),
    ],
)
def test_generation_state_in_words(content_type: str, status: str, label: str) -> None:
    assert Item(content_type, status, None).label == label


def test_the_tutorials_title_heading_goes_when_it_is_the_concepts_name() -> None:
    assert untitled("# Joins\n\n## Why\ntext", "Joins") == "\n## Why\ntext"
    assert untitled("\n## Joins \nrest", " Joins") == "rest"
    assert untitled("# Joins in SQL\nrest", "Joins") == "# Joins in SQL\nrest"
    assert untitled("Joins\nrest", "Joins") == "Joins\nrest"


def test_previous_and_next_follow_the_roadmap_order() -> None:
    concepts = [{"concept_id": f"c{n}", "name": f"C{n}", "estimated_hours": 1} for n in range(3)]
    listed = list(Framework.model_validate(one_module(concepts, roadmap_id="rm")).concepts())
    ids = {
        c.concept_id: tuple(n.concept_id if n else None for n in neighbours(listed, c.concept_id))
        for c in listed
    }
    assert ids == {"c0": (None, "c1"), "c1": ("c0", "c2"), "c2": ("c1", None)}
