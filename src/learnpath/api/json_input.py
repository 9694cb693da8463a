"""Checks of a JSON request body that JSON decoding and the request models leave out, run
before the application sees the body: nesting depth, integer length, numbers that are no JSON
numbers (``NaN``, ``Infinity``, ``1e309``), and text no database stores (NUL, lone
surrogates). Each problem is a FastAPI-shaped validation error with the path of the value.

Without them, ``json.loads`` recurses once per nesting level and parses an integer of any
length up to Python's int-from-string limit (both a 400 with no reason given), keeps
``NaN`` as a float that no JSON answer can render, and lets NUL reach PostgreSQL.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from learnpath.domain.text import printable, unstorable

MAX_DEPTH = 64
"""Arrays and objects nested deeper than this are refused (no request model nests past 6)."""
MAX_INT_DIGITS = 300
"""Longer integers are refused: every 300-digit integer also converts to a finite float."""
MAX_PROBLEMS = 20
"""At most this many problems are reported for one body."""

_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")
_SUSPECT = re.compile(
    rb"NaN|Infinity|\\u0000|\\u[dD][89a-fA-F]|[eE][+-]?[0-9]{3}|[0-9]{%d}" % (MAX_INT_DIGITS + 1)
)
"""What any of the walk's problems needs in the raw body: a body without it is not walked."""

Problem = dict[str, Any]


class _LongInt:
    """An integer literal too long to convert, kept so that the walk can name its path."""

    def __init__(self, digits: int) -> None:
        self.digits = digits


def _parse_int(literal: str) -> int | _LongInt:
    digits = len(literal.lstrip("-"))
    return int(literal) if digits <= MAX_INT_DIGITS else _LongInt(digits)


def nesting_depth(body: bytes) -> int:
    """How deep arrays and objects nest in ``body``, brackets inside strings aside; counted
    without recursion, and only until it exceeds :data:`MAX_DEPTH`."""
    depth = deepest = 0
    for bracket in _STRING.sub(b"", body).translate(None, _NOT_BRACKET):
        depth += 1 if bracket in b"[{" else -1
        if depth > deepest:
            deepest = depth
            if deepest > MAX_DEPTH:
                break
    return deepest


def problems(body: bytes) -> list[Problem]:
    """What makes ``body`` unacceptable; empty when it is fine or is not JSON at all (FastAPI
    answers malformed JSON itself)."""
    if nesting_depth(body) > MAX_DEPTH:
        return [_problem([], "json_too_deep", f"JSON nested more than {MAX_DEPTH} levels deep")]
    if not _SUSPECT.search(body):
        return []
    try:
        document = json.loads(body, parse_int=_parse_int)
    except ValueError:  # JSONDecodeError, UnicodeDecodeError: FastAPI's own 422 follows
        return []
    return _walk(document)


def _walk(document: object) -> list[Problem]:
    found: list[Problem] = []
    stack: list[tuple[object, list[str | int]]] = [(document, [])]
    while stack and len(found) < MAX_PROBLEMS:
        value, loc = stack.pop()
        if isinstance(value, dict):
            for key, item in reversed(value.items()):
                if why := unstorable(key):
                    found.append(_problem(loc, "string_unstorable", why, key))
                stack.append((item, [*loc, printable(key)]))
        elif isinstance(value, list):
            for i in range(len(value) - 1, -1, -1):
                item = value[i]
                if not isinstance(item, int | bool | None):
                    stack.append((item, [*loc, i]))
        elif scalar := _scalar_problem(value, loc):
            found.append(scalar)
    return found[:MAX_PROBLEMS]


def _scalar_problem(value: object, loc: list[str | int]) -> Problem | None:
    if isinstance(value, _LongInt):
        message = f"an integer of {value.digits} digits; at most {MAX_INT_DIGITS}"
        return _problem(loc, "int_too_long", message)
    if isinstance(value, float) and not math.isfinite(value):
        message = "Input should be a finite number (NaN, Infinity and 1e309 are not JSON numbers)"
        return _problem(loc, "finite_number", message, str(value))
    if isinstance(value, str) and (problem := unstorable(value)):
        return _problem(loc, "string_unstorable", problem, value)
    return None


def _problem(loc: list[str | int], kind: str, message: str, value: str = "") -> Problem:
    return {"type": kind, "loc": ["body", *loc], "msg": message, "input": printable(value)}
