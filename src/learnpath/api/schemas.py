"""Request and response bodies that exist only at the HTTP boundary."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from learnpath.domain.content import ContentType
from learnpath.domain.request import LearnerRequest
from learnpath.domain.roadmap import Framework
from learnpath.domain.tasks import TaskStatus
from learnpath.domain.usage import Usage
from learnpath.service.views import RoadmapProgress


class GenerateRequest(LearnerRequest):
    auto_approve: bool = Field(default=False, description="skip the human review")


class TaskAccepted(BaseModel):
    task_id: str
    status: TaskStatus


class ReviewRequest(BaseModel):
    approved: bool
    feedback: str | None = Field(default=None, max_length=5000)


class RetryFailedRequest(BaseModel):
    content_types: list[ContentType] | None = Field(default=None, max_length=10)


class ProgressRequest(BaseModel):
    completed: bool


class ConceptProgress(BaseModel):
    concept_id: str
    completed: bool
    progress: RoadmapProgress


class RoadmapOut(Framework):
    """The framework itself, every status field included, plus when and how far."""

    created_at: datetime
    updated_at: datetime
    progress: RoadmapProgress
    usage: Usage
    """Every model call made for the roadmap, over all its tasks."""


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int
