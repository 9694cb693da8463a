"""Study material generated per concept: tutorial, resources, quiz (contract §3)."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field, model_validator


class ContentType(StrEnum):
    tutorial = "tutorial"
    resources = "resources"
    quiz = "quiz"


class Tutorial(BaseModel):
    markdown: str = Field(min_length=20)
    summary: str = Field(min_length=1, max_length=300)
    estimated_minutes: int = Field(ge=1, le=600)


ResourceKind = Literal["article", "video", "book", "course", "documentation", "tool", "exercise"]


class Resource(BaseModel):
    title: str = Field(min_length=1, max_length=300)
    url: str = Field(pattern=r"^https?://\S+$", max_length=2000)
    type: ResourceKind
    description: str = Field(max_length=1000)
    relevance: float = Field(ge=0, le=1)
    verified: bool = False


class ResourceList(BaseModel):
    resources: list[Resource] = Field(min_length=3, max_length=8)


QuestionKind = Literal["single_choice", "multiple_choice", "true_false"]


class QuizQuestion(BaseModel):
    question_id: str = Field(min_length=1, max_length=64)
    type: QuestionKind
    question: str = Field(min_length=3)
    options: list[str] = Field(min_length=2, max_length=8)
    correct: list[int] = Field(min_length=1)
    explanation: str
    difficulty: Literal["easy", "medium", "hard"]

    @model_validator(mode="after")
    def _consistent(self) -> QuizQuestion:
        if any(i < 0 or i >= len(self.options) for i in self.correct):
            raise ValueError("correct option index out of range")
        if len(set(self.correct)) != len(self.correct):
            raise ValueError("correct option indices repeat")
        if self.type != "multiple_choice" and len(self.correct) != 1:
            raise ValueError(f"{self.type} question needs exactly one correct option")
        if self.type == "true_false" and len(self.options) != 2:
            raise ValueError("true_false question needs exactly two options")
        return self


class Quiz(BaseModel):
    questions: list[QuizQuestion] = Field(min_length=4, max_length=8)

    @model_validator(mode="after")
    def _unique_ids(self) -> Quiz:
        ids = [q.question_id for q in self.questions]
        if len(set(ids)) != len(ids):
            raise ValueError("question_id values repeat")
        return self


CONTENT_MODELS: dict[ContentType, type[BaseModel]] = {
    ContentType.tutorial: Tutorial,
    ContentType.resources: ResourceList,
    ContentType.quiz: Quiz,
}
