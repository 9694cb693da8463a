"""Text that no database stores: NUL characters (PostgreSQL refuses them in ``text``) and lone
surrogates (no UTF-8 encoding exists for them). Every input boundary checks for both."""

from __future__ import annotations

import re

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def unstorable(value: str) -> str | None:
    """Why ``value`` cannot be stored, or None when it can."""
    found = _UNSTORABLE.search(value)
    if found is None:
        return None
    if found.group() == "\x00":
        return "NUL characters are not allowed in text"
    return "lone surrogates (\\ud800-\\udfff) are not allowed in text"


def storable(value: str) -> str:
    """``value`` itself, or ValueError naming what makes it unstorable (a pydantic
    ``AfterValidator``)."""
    if problem := unstorable(value):
        raise ValueError(problem)
    return value


def printable(value: str, limit: int = 80) -> str:
    """At most ``limit`` characters of ``value`` that any JSON answer can carry: lone
    surrogates become U+FFFD, and a cut is marked with an ellipsis."""
    cut = value if len(value) <= limit else value[:limit] + "…"
    return _SURROGATE.sub("\ufffd", cut)
