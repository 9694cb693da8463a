"""LLM failures, split by what the caller should do about them.

Every message here is safe to show a learner: no keys, URLs with credentials, paths or tracebacks.
"""

from __future__ import annotations


class LLMError(Exception):
    """Base class; ``str(error)`` is safe to show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.calls: list[object] = []


class TransientLLMError(LLMError):
    """Worth retrying: timeouts, connection errors, 429, 5xx."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentLLMError(LLMError):
    """Retrying the same request will not help (4xx other than 429, refused content)."""


class InvalidOutputError(PermanentLLMError):
    """The model's output failed schema validation even after the repair re-ask."""


class CancelledByRequest(Exception):
    """The task was cancelled; no further LLM call may start."""
