"""The agents of the roadmap workflow."""

from __future__ import annotations

from learnpath.agents import documents, postprocess
from learnpath.agents.base import Agent
from learnpath.agents.inputs import ContentInput, CurriculumInput, EditorInput, IntentInput
from learnpath.domain.content import ContentType, Quiz, ResourceList, Tutorial
from learnpath.domain.intent import IntentAnalysis
from learnpath.domain.roadmap import FrameworkDraft

INTENT = Agent(
    "intent",
    "a learning advisor who analyses a learner's goal",
    IntentInput,
    IntentAnalysis,
    postprocess.intent,
)
CURRICULUM = Agent(
    "curriculum",
    "a curriculum designer",
    CurriculumInput,
    FrameworkDraft,
    postprocess.curriculum,
)
EDITOR = Agent(
    "editor",
    "a curriculum editor who fixes roadmap problems and applies reviewer feedback",
    EditorInput,
    FrameworkDraft,
    postprocess.editor,
)
TUTORIAL = Agent(
    "tutorial", "a patient, precise tutor", ContentInput, Tutorial, postprocess.tutorial
)
RESOURCES = Agent(
    "resources",
    "a librarian who knows the best learning resources",
    ContentInput,
    ResourceList,
    postprocess.resources,
)
QUIZ = Agent("quiz", "an examiner who writes fair quizzes", ContentInput, Quiz, postprocess.quiz)

CONTENT_AGENTS: dict[
    ContentType,
    Agent[ContentInput, Tutorial] | Agent[ContentInput, ResourceList] | Agent[ContentInput, Quiz],
] = {
    ContentType.tutorial: TUTORIAL,
    ContentType.resources: RESOURCES,
    ContentType.quiz: QUIZ,
}


def warm_up() -> None:
    """Prepare every agent (templates, schemas) at start-up, off the first task's clock."""
    for agent in (INTENT, CURRICULUM, EDITOR, *CONTENT_AGENTS.values()):
        agent.warm()
    documents.warm_up()
