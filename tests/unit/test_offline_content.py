"""The offline provider's content: schema-valid, deterministic, on-topic, labelled offline."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from learnpath.agents.inputs import ContentInput, CurriculumInput, EditorInput, IntentInput
from learnpath.agents.validator import errors_only, validate_framework
from learnpath.domain.content import Quiz, QuizQuestion, ResourceList, Tutorial
from learnpath.domain.intent import IntentAnalysis
from learnpath.domain.request import LearnerRequest
from learnpath.domain.roadmap import Concept, FrameworkDraft
from learnpath.offline.answers import offline_output
from learnpath.offline.knowledge import Topic
from learnpath.offline.topics import find_topic

GOALS = [
    "I want to learn Rust to write fast command-line tools",
    "Learn Spanish for a trip to Mexico",
    "I want to learn beekeeping so I can keep two hives in my garden",
    "Run production workloads on Kubernetes",
]
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ORDER = {"easy": 0, "medium": 1, "hard": 2}


def _request(goal: str, **fields: Any) -> LearnerRequest:
    return LearnerRequest(goal=goal, **fields)


def _intent(request: LearnerRequest) -> IntentAnalysis:
    payload = IntentInput(request=request).model_dump(mode="json")
    return IntentAnalysis.model_validate(offline_output("intent", payload))


def _curriculum_payload(request: LearnerRequest, target: int) -> dict[str, Any]:
    total = request.hours_per_week * request.effective_weeks
    data = CurriculumInput(
        request=request, intent=_intent(request), total_hours=total, target_concepts=target
    )
    return data.model_dump(mode="json")


def _roadmap(request: LearnerRequest, target: int = 12) -> FrameworkDraft:
    raw = offline_output("curriculum", _curriculum_payload(request, target))
    return FrameworkDraft.model_validate(raw)


def _content_payloads(request: LearnerRequest, draft: FrameworkDraft) -> list[dict[str, Any]]:
    names = {c.concept_id: c.name for c in draft.concepts()}
    return [
        ContentInput(
            request=request,
            roadmap_title=draft.title,
            stage_name=stage.name,
            module_name=module.name,
            concept=concept,
            prerequisite_names=[names[p] for p in concept.prerequisites],
        ).model_dump(mode="json")
        for stage in draft.stages
        for module in stage.modules
        for concept in module.concepts
    ]


def _assert_well_formed(draft: FrameworkDraft) -> None:
    """The structural promises of the curriculum and editor agents."""
    assert errors_only(validate_framework(draft)) == []
    assert 1 <= len(draft.stages) <= 5
    ids = [s.stage_id for s in draft.stages]
    position: dict[str, int] = {}
    for stage in draft.stages:
        assert 1 <= len(stage.modules) <= 4
        for module in stage.modules:
            ids.append(module.module_id)
            assert 1 <= len(module.concepts) <= 8
            for concept in module.concepts:
                assert concept.estimated_hours >= 0.5
                for prerequisite in concept.prerequisites:
                    assert position[prerequisite] < len(position), "prerequisite not earlier"
                position[concept.concept_id] = len(position)
                ids.append(concept.concept_id)
    assert all(SLUG.match(i) and len(i) <= 80 for i in ids), ids
    assert len(set(ids)) == len(ids)


# --------------------------------------------------------------------------- schemas


@pytest.mark.parametrize("goal", GOALS)
@pytest.mark.parametrize("level", ["beginner", "intermediate", "advanced"])
def test_every_agent_output_validates(goal: str, level: str) -> None:
    request = _request(goal, current_level=level, learning_styles=["hands_on", "video"])
    draft = _roadmap(request, target=10)
    _assert_well_formed(draft)
    for payload in _content_payloads(request, draft):
        Tutorial.model_validate(offline_output("tutorial", payload))
        ResourceList.model_validate(offline_output("resources", payload))
        Quiz.model_validate(offline_output("quiz", payload))


def test_intent_time_budget_follows_the_request() -> None:
    intent = _intent(_request("Learn Rust", hours_per_week=5, current_level="intermediate"))
    assert intent.difficulty == "intermediate"
    assert (intent.time_budget.weeks, intent.time_budget.total_hours) == (6, 30)
    assert "Rust" in intent.technologies
    assert "offline" in intent.time_budget.assessment

    target = _intent(_request("Learn Rust", hours_per_week=10, target_weeks=3))
    assert (target.time_budget.weeks, target.time_budget.total_hours) == (3, 30)


def test_unknown_agent_is_refused() -> None:
    with pytest.raises(ValueError, match="no agent"):
        offline_output("poet", {})


# --------------------------------------------------------------------------- curriculum


@pytest.mark.parametrize("agent", ["intent", "curriculum"])
def test_same_payload_gives_the_same_output(agent: str) -> None:
    request = _request(GOALS[0], learning_styles=["visual"])
    payload = (
        IntentInput(request=request).model_dump(mode="json")
        if agent == "intent"
        else _curriculum_payload(request, 24)
    )
    assert offline_output(agent, payload) == offline_output(agent, payload)


def test_content_is_deterministic() -> None:
    request = _request(GOALS[1])
    payload = _content_payloads(request, _roadmap(request))[3]
    for agent in ("tutorial", "resources", "quiz"):
        assert offline_output(agent, payload) == offline_output(agent, payload)


def test_rust_goal_gets_rust_concepts() -> None:
    draft = _roadmap(_request("I want to learn Rust"), target=36)
    names = " | ".join(c.name for c in draft.concepts()).lower()
    for expected in ("ownership", "borrowing", "lifetimes", "traits", "result", "cargo"):
        assert expected in names
    assert "rust" in draft.title.lower()


def test_advanced_learners_skip_the_basics() -> None:
    beginner = [c.name for c in _roadmap(_request("Learn Rust"), 20).concepts()]
    advanced = [
        c.name for c in _roadmap(_request("Learn Rust", current_level="advanced"), 20).concepts()
    ]
    assert "Installing Rust with rustup" in beginner
    assert "Installing Rust with rustup" not in advanced
    assert advanced[0] != beginner[0]


def test_unknown_goal_gets_an_outline_built_from_its_key_phrase() -> None:
    draft = _roadmap(_request(GOALS[2]), target=20)
    names = [c.name for c in draft.concepts()]
    assert "Foundations of beekeeping" in names
    assert "Core beekeeping techniques" in names
    assert "Applying beekeeping in a project" in names
    assert all("lorem" not in n.lower() for n in names)


@pytest.mark.parametrize("goal", GOALS)
@pytest.mark.parametrize("target", [6, 36, 60])
def test_concept_count_and_hours_fit_the_target(goal: str, target: int) -> None:
    request = _request(goal, hours_per_week=10, target_weeks=12)
    payload = _curriculum_payload(request, target)
    draft = FrameworkDraft.model_validate(offline_output("curriculum", payload))
    _assert_well_formed(draft)
    concepts = list(draft.concepts())
    assert abs(len(concepts) - target) <= max(1, target // 10)
    total = sum(c.estimated_hours for c in concepts)
    assert total == pytest.approx(payload["total_hours"], rel=0.1)
    names = [c.name.lower() for c in concepts]
    assert len(set(names)) == len(names), "names repeat"


def test_difficulty_rises_and_prerequisites_point_backwards() -> None:
    draft = _roadmap(_request(GOALS[3]), target=36)
    levels = [ORDER[c.difficulty] for c in draft.concepts()]
    assert levels == sorted(levels)
    assert levels[0] == 0 and levels[-1] == 2
    seen: set[str] = set()
    for concept in draft.concepts():
        assert set(concept.prerequisites) <= seen
        seen.add(concept.concept_id)


def test_roadmap_is_labelled_offline() -> None:
    draft = _roadmap(_request(GOALS[0]))
    assert draft.summary.endswith("(generated offline)")


# --------------------------------------------------------------------------- editor


def _broken_framework() -> dict[str, Any]:
    def concept(cid: str, name: str, hours: float, prereqs: list[str]) -> dict[str, Any]:
        return {"concept_id": cid, "name": name, "estimated_hours": hours, "prerequisites": prereqs}

    return {
        "title": "Rust roadmap",
        "summary": "Learn Rust.",
        "stages": [
            {
                "stage_id": "Stage One!",
                "name": "Basics",
                "modules": [
                    {
                        "module_id": "m1",
                        "name": "Memory",
                        "concepts": [
                            concept("ownership", "Ownership", 0, ["borrowing"]),  # cycle
                            concept("borrowing", "Borrowing", 2, ["ownership", "ghost"]),
                            concept("ownership", "Async basics", 1, ["borrowing"]),  # dup id
                        ],
                    },
                    {"module_id": "m1", "name": "Nothing here", "concepts": []},
                ],
            },
            {"stage_id": "empty", "name": "Empty stage", "modules": []},
            {
                "stage_id": "more",
                "name": "More",
                "modules": [
                    {
                        "module_id": "m3",
                        "name": "Abstractions",
                        "concepts": [
                            concept("Traits & Generics", "Traits", 3, ["Traits & Generics"]),
                            concept("tokio", "Async runtimes", 3, ["traits-generics"]),
                        ],
                    }
                ],
            },
        ],
    }


def _edit(feedback: str | None = None) -> FrameworkDraft:
    framework = FrameworkDraft.model_validate(_broken_framework())
    assert errors_only(validate_framework(framework)), "the fixture should be broken"
    payload = EditorInput(
        request=_request("Learn Rust"),
        framework=framework,
        issues=[str(i) for i in validate_framework(framework)],
        feedback=feedback,
    ).model_dump(mode="json")
    return FrameworkDraft.model_validate(offline_output("editor", payload))


def test_editor_repairs_a_broken_framework() -> None:
    fixed = _edit()
    _assert_well_formed(fixed)
    concepts = {c.name: c for c in fixed.concepts()}
    assert concepts["Ownership"].estimated_hours == 0.5
    assert concepts["Ownership"].concept_id == "ownership"  # kept: its content stays valid
    assert concepts["Ownership"].prerequisites == []  # the cycle is broken
    assert concepts["Borrowing"].prerequisites == ["ownership"]  # the unknown one is gone
    assert concepts["Async basics"].concept_id != "ownership"
    assert concepts["Traits"].concept_id == "traits-generics"
    assert concepts["Traits"].prerequisites == []  # it listed itself
    assert concepts["Async runtimes"].prerequisites == ["traits-generics"]
    assert [s.name for s in fixed.stages] == ["Basics", "More"]


def test_editor_applies_add_and_remove_feedback() -> None:
    fixed = _edit("Please add a concept about lifetimes and remove async.")
    _assert_well_formed(fixed)
    names = [c.name for c in fixed.concepts()]
    assert not any("async" in n.lower() for n in names)
    last = fixed.stages[-1].modules[-1].concepts[-1]
    assert (last.name, last.concept_id) == ("Lifetimes", "lifetimes")
    assert "Revised after review" in fixed.summary


def test_editor_renames_and_notes_unrecognised_feedback() -> None:
    renamed = _edit("rename Traits to Traits and trait objects")
    assert "Traits and trait objects" in [c.name for c in renamed.concepts()]
    vague = _edit("Make it more fun")
    assert [c.name for c in vague.concepts()] == [c.name for c in _edit().concepts()]
    assert "Revised after review: Make it more fun" in vague.summary
    assert "offline" in vague.summary


def test_editor_keeps_a_valid_offline_roadmap_unchanged() -> None:
    request = _request(GOALS[0])
    draft = _roadmap(request, target=24)
    payload = EditorInput(request=request, framework=draft, issues=[]).model_dump(mode="json")
    assert FrameworkDraft.model_validate(offline_output("editor", payload)) == draft


# --------------------------------------------------------------------------- content


def _rust_payload(index: int, **fields: Any) -> dict[str, Any]:
    request = _request("I want to learn Rust", **fields)
    return _content_payloads(request, _roadmap(request, target=24))[index]


def test_tutorial_has_structure_code_and_offline_note() -> None:
    payload = _rust_payload(8)
    tutorial = Tutorial.model_validate(offline_output("tutorial", payload))
    name = payload["concept"]["name"]
    assert tutorial.markdown.startswith(f"# {name}\n")
    assert "```rust" in tutorial.markdown
    for heading in ("## Key ideas", "## Worked example", "## Recap"):
        assert heading in tutorial.markdown
    assert "Generated offline by learnpath's built-in provider" in tutorial.markdown
    assert len(tutorial.summary) <= 300 and "offline" in tutorial.summary


def test_non_technical_tutorial_has_no_code() -> None:
    request = _request(GOALS[1])
    payload = _content_payloads(request, _roadmap(request))[2]
    markdown = Tutorial.model_validate(offline_output("tutorial", payload)).markdown
    assert "```" not in markdown
    assert "## Worked example" in markdown


@pytest.mark.parametrize("goal", GOALS)
def test_resources_are_plausible_and_unverified(goal: str) -> None:
    request = _request(goal)
    payload = _content_payloads(request, _roadmap(request))[1]
    resources = ResourceList.model_validate(offline_output("resources", payload)).resources
    assert 3 <= len(resources) <= 8
    assert not any(r.verified for r in resources)
    relevance = [r.relevance for r in resources]
    assert relevance == sorted(relevance, reverse=True)
    assert len({r.url for r in resources}) == len(resources)
    assert all("offline" in r.description.lower() for r in resources)


def test_resources_fit_the_subject() -> None:
    urls = [r["url"] for r in offline_output("resources", _rust_payload(3))["resources"]]
    assert any("rust-lang.org" in u for u in urls)
    request = _request(GOALS[2])
    payload = _content_payloads(request, _roadmap(request))[0]
    unknown = [r["url"] for r in offline_output("resources", payload)["resources"]]
    assert any(u.startswith("https://duckduckgo.com/?q=") for u in unknown)


@pytest.mark.parametrize("goal", GOALS)
def test_quiz_questions_are_about_the_concept_and_answerable(goal: str) -> None:
    request = _request(goal)
    for payload in _content_payloads(request, _roadmap(request))[:4]:
        concept = Concept.model_validate(payload["concept"])
        quiz = Quiz.model_validate(offline_output("quiz", payload))
        kinds = {q.type for q in quiz.questions}
        assert {"single_choice", "multiple_choice", "true_false"} <= kinds
        assert [q.question_id for q in quiz.questions] == [
            f"q{i}" for i in range(1, len(quiz.questions) + 1)
        ]
        assert sum(concept.name in q.question for q in quiz.questions) >= 3
        for q in quiz.questions:
            assert len(set(q.options)) == len(q.options)
            if q.type == "true_false":
                assert q.options == ["True", "False"]
        assert "offline" in quiz.questions[0].explanation


QUIZ_GOALS = [
    ("I want to learn Rust", 90),
    ("Learn Python", 24),
    ("Learn TypeScript", 24),
    ("Learn Go", 24),
    ("Learn SQL for data analysis", 24),
    ("Machine learning with scikit-learn", 24),
    ("Learn React", 24),
    ("Run production workloads on Kubernetes", 24),
    ("Learn the Linux command line", 90),
    ("Learn Spanish for a trip to Mexico", 24),
    ("Learn Japanese", 24),
    ("Learn to play the guitar", 90),
    (GOALS[2], 24),
]
_BUILDS_ON = re.compile(
    r"True or false: “(.+)” builds on “(.+)”, which comes earlier in this roadmap\."
)
_IN_MODULE = re.compile(r"True or false: “(.+)” is taught in the module “(.+)”\.")
_UNRELATED = re.compile(r"True or false: “(.+)” has nothing to do with (.+)\.")
_FACT = re.compile(r"True or false: (.+)")
_AREA = re.compile(r"Which area of (.+) does “(.+)” belong to\?")
_BEFORE = re.compile(r"Which of these should you be comfortable with before starting “(.+)”\?")
_IDEA = re.compile(r"Which of these is a key idea of “(.+)”\?")
_MEMBERS = re.compile(r"Which of the following are part of learning (.+)\? Select all that apply\.")
_DESCRIBES = re.compile(r"Which statement best describes “(.+)” in this roadmap\?")
_STICK = re.compile(r"What is the most effective way to make “(.+)” stick\?")


def _true_statement(question: str, payload: dict[str, Any], topic: Topic) -> bool:
    """Whether a true/false question's statement holds, by the roadmap and the topic's facts."""
    concept = Concept.model_validate(payload["concept"])
    ideas = {k.lower() for k in concept.keywords}
    if m := _BUILDS_ON.fullmatch(question):
        return m[1] == concept.name and m[2] in payload["prerequisite_names"]
    if m := _IN_MODULE.fullmatch(question):
        return m[1] == concept.name and m[2] == payload["module_name"]
    if m := _UNRELATED.fullmatch(question):
        return not (m[1] == concept.name and m[2].lower() in ideas)
    m = _FACT.fullmatch(question)
    assert m, f"not a true/false question: {question}"
    facts = [f.is_true for f in topic.facts if f.statement == m[1]]
    assert len(facts) == 1, f"a statement that is not one of {topic.label}'s facts: {m[1]}"
    return facts[0]


def _sections_of(name: str, topic: Topic, module: str) -> set[str]:
    """The outline sections that teach ``name``, or the concept it deepens; else its module."""
    exact = {s.name for s in topic.sections if name.lower() in (c.lower() for c in s.concepts)}
    inside = {s.name for s in topic.sections if any(c.lower() in name.lower() for c in s.concepts)}
    return exact or inside or {re.sub(r", part \d+$", "", module)}


def _right_options(question: QuizQuestion, payload: dict[str, Any], topic: Topic) -> list[str]:
    """The options that answer the question, worked out from its own material (the roadmap
    payload and the topic outline), not from what the generator marked."""
    text, options = question.question, question.options
    concept = Concept.model_validate(payload["concept"])
    if question.type == "true_false":
        return ["True" if _true_statement(text, payload, topic) else "False"]
    outline = {c.lower() for _, c in topic.flat()}
    right: dict[re.Pattern[str], Callable[[str], bool]] = {
        _AREA: lambda o: o in _sections_of(concept.name, topic, payload["module_name"]),
        _BEFORE: lambda o: o in payload["prerequisite_names"],
        _IDEA: lambda o: o.lower() in {k.lower() for k in concept.keywords},
        _MEMBERS: lambda o: o == concept.name or o.lower() in outline,
        _DESCRIBES: lambda o: concept.description.startswith(o.removesuffix("…")[:-1]),
        _STICK: lambda o: o == "Use it in a small exercise of your own and review what went wrong",
    }
    for pattern, is_right in right.items():
        if m := pattern.fullmatch(text):
            assert set(m.groups()) <= {concept.name, topic.label}, f"about something else: {text}"
            return [o for o in options if is_right(o)]
    raise AssertionError(f"a kind of question this test cannot check: {text}")


@pytest.mark.parametrize(("goal", "target"), QUIZ_GOALS)
def test_quiz_answers_are_meaningfully_correct(goal: str, target: int) -> None:
    """Every question's marked options are exactly the ones its material makes right."""
    request = _request(goal)
    topic = find_topic(goal)
    checked = 0
    for payload in _content_payloads(request, _roadmap(request, target)):
        for question in Quiz.model_validate(offline_output("quiz", payload)).questions:
            right = _right_options(question, payload, topic)
            marked = [question.options[i] for i in question.correct]
            assert marked == right, (question.question, question.options)
            checked += 1
    assert checked >= 6 * target


@pytest.mark.parametrize(
    ("goal", "label"),
    [
        ("Learn SQL for data analysis", "SQL"),
        ("Data analysis with pandas", "Machine learning"),
        ("I want to learn Rust for systems programming", "Rust"),
    ],
)
def test_the_subject_of_a_goal_picks_its_topic(goal: str, label: str) -> None:
    draft = _roadmap(_request(goal), target=8)
    assert draft.title.startswith(label), draft.title
