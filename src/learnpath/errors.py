"""The errors learnpath reports to people and programs, one hierarchy for every front end.

Each class carries the HTTP status the API answers with and the exit code the CLI ends
with, so the API, the web pages and the CLI translate an error the same way
(docs/architecture.md, "Errors"). Conditions that never reach a front end (a worker's
result arriving after its task moved on) are not here: the engine keeps those to itself.
"""

from __future__ import annotations

from typing import ClassVar


class LearnpathError(Exception):
    """A request learnpath refused, with the reason safe to show to whoever asked."""

    http_status: ClassVar[int] = 400
    exit_code: ClassVar[int] = 1


class NotFound(LearnpathError, LookupError):
    """No such resource, or not the caller's (isolation answers as if it did not exist)."""

    http_status = 404


class TaskNotFound(NotFound):
    def __init__(self, task_id: str) -> None:
        super().__init__(f"task {task_id} not found")
        self.task_id = task_id


class RoadmapNotFound(NotFound):
    def __init__(self, roadmap_id: str) -> None:
        super().__init__(f"roadmap {roadmap_id} not found")
        self.roadmap_id = roadmap_id


class IntentNotFound(NotFound):
    """The roadmap has no stored intent analysis (yet)."""

    def __init__(self, roadmap_id: str) -> None:
        super().__init__(f"roadmap {roadmap_id} has no intent analysis yet")
        self.roadmap_id = roadmap_id


class ContentNotFound(NotFound):
    """No such concept, or no content of that type (or version) yet."""


class Conflict(LearnpathError):
    """The request does not fit the task's current state (HTTP 409)."""

    http_status = 409

    def __init__(self, message: str, task_id: str | None = None) -> None:
        super().__init__(message)
        self.task_id = task_id


class Invalid(LearnpathError, ValueError):
    """The request is well-formed but breaks a rule (HTTP 422); ``errors`` name each problem."""

    http_status = 422
    exit_code = 2
    """Like a command line that does not parse: the request itself has to change."""

    def __init__(self, message: str, errors: list[dict[str, str]] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or []


class BadCredentials(LearnpathError):
    """Unknown email, wrong password, or an invalid, expired or revoked token (HTTP 401)."""

    http_status = 401


class TooManyRequests(LearnpathError):
    """Refused for now (HTTP 429): asking again after ``retry_after_s`` seconds may succeed."""

    http_status = 429

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class BudgetSpent(TooManyRequests):
    """The day's model budget is spent; new tasks wait for the next UTC day."""


class LoginThrottled(TooManyRequests):
    """Too many failed sign-ins for this account or from this address (contract §9)."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"too many failed sign-ins: try again in {retry_after_s} s", retry_after_s)


class SchemaOutOfDate(LearnpathError):
    """The database schema is behind this version: ``learnpath db upgrade`` applies it."""

    http_status = 503
    exit_code = 2
