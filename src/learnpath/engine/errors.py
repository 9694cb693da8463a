"""Conditions the engine and service layer signal to their callers."""

from __future__ import annotations


class Superseded(Exception):
    """The task moved on (cancelled, or another worker advanced it): drop this result."""


class Conflict(Exception):
    """The request does not fit the task's current state (HTTP 409)."""

    def __init__(self, message: str, task_id: str | None = None) -> None:
        super().__init__(message)
        self.task_id = task_id


class Invalid(ValueError):
    """The request is well-formed but breaks a rule (HTTP 422); ``errors`` name each problem."""

    def __init__(self, message: str, errors: list[dict[str, str]] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or []


class BudgetSpent(Exception):
    """The day's model budget is spent (HTTP 429); new tasks wait for the next UTC day."""

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s
