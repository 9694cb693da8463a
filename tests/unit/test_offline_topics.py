"""Which topic the offline provider finds for a goal: the goal's subject, not a side word."""

from __future__ import annotations

import pytest

from learnpath.offline.knowledge import knowledge
from learnpath.offline.topics import find_topic

GOALS = [
    # A side word ("data", "web", "machine learning") names another topic: the subject wins.
    ("Learn SQL for data analysis", "sql"),
    ("data analysis with SQL", "sql"),
    ("Learn PostgreSQL for web developers", "sql"),
    ("Learn Rust for systems programming", "rust"),
    ("I want to learn Rust to write fast command-line tools", "rust"),
    ("Learn Spanish for travelling", "spanish"),
    ("Learn German for data science", "language-german"),
    ("Learn Japanese to read machine learning papers", "language-japanese"),
    ("Learn Python for web development", "python"),
    ("Web development with Python", "python"),
    ("Learn Go for web development", "go"),
    ("Learn Docker for data science", "devops"),
    ("Learn Kubernetes for machine learning deployments", "devops"),
    ("Learn bash for data analysis", "linux"),
    ("Learn Node.js for backend services", "javascript"),
    # A topic that applies the subject to the field the goal names.
    ("Learn machine learning with Python", "ml"),
    ("Python for data science", "ml"),
    ("Learn Python for machine learning", "ml"),
    ("Web development with JavaScript", "web"),
    # The subject alone, and "for beginners" changes nothing.
    ("Learn React for web apps", "web"),
    ("Learn web development for beginners", "web"),
    ("Learn to code for web development", "web"),
    ("Become a data scientist", "ml"),
    ("Learn to play the guitar", "guitar"),
]


def test_every_expected_topic_exists() -> None:
    keys = {t.key for t in knowledge().topics}
    assert {key for _, key in GOALS if not key.startswith("language-")} <= keys


@pytest.mark.parametrize(("goal", "key"), GOALS)
def test_a_goal_gets_the_topic_of_its_subject(goal: str, key: str) -> None:
    assert find_topic(goal).key == key


@pytest.mark.parametrize(
    ("goal", "label"),
    [
        ("I want to learn beekeeping so I can keep two hives", "beekeeping"),
        ("Learn to bake sourdough bread at home", "baking sourdough bread"),
        ("Learn Kotlin", "Kotlin"),
    ],
)
def test_an_unknown_subject_gets_a_generic_outline_named_for_it(goal: str, label: str) -> None:
    topic = find_topic(goal)
    assert (topic.key, topic.kind, topic.label) == ("generic", "generic", label)
    assert f"Foundations of {label}" in [c for _, c in topic.flat()]
