"""422 answers for request-model errors that any client can read and no input can break.

FastAPI's own answer echoes every offending value whole in ``input`` (a 1 MiB string comes
back as 1 MiB) and fails to render one that JSON cannot carry (``NaN``, a lone surrogate), a
500 in place of the 422. Here each value is cut to a short, printable excerpt.
"""

from __future__ import annotations

import math
import reprlib
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from learnpath.domain.text import printable

EXCERPT_CHARS = 80
_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxdict, _REPR.maxlist, _REPR.maxstring = 2, 4, 4, EXCERPT_CHARS


def excerpt(value: object) -> Any:
    """``value`` when it is a small JSON scalar, else a short description of it."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value if value.bit_length() <= 64 else f"an integer of {value.bit_length()} bits"
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, str):
        return printable(value, EXCERPT_CHARS)
    if isinstance(value, bytes):
        return printable(value[: EXCERPT_CHARS * 4].decode("utf-8", "replace"), EXCERPT_CHARS)
    if isinstance(value, BaseException):
        return printable(str(value), EXCERPT_CHARS)
    try:
        return printable(_REPR.repr(value), EXCERPT_CHARS)
    except ValueError:  # an integer past Python's int-to-string limit, somewhere inside
        return f"a {type(value).__name__}"


def _loc(loc: Sequence[Any]) -> list[str | int]:
    return [part if isinstance(part, int) else printable(str(part)) for part in loc]


def readable(error: Mapping[str, Any]) -> dict[str, Any]:
    """One validation error as the 422 lists it: type, loc, msg, input excerpt, context."""
    shown: dict[str, Any] = {
        "type": str(error.get("type", "value_error")),
        "loc": _loc(error.get("loc", ())),
        "msg": printable(str(error.get("msg", "")), 500),
    }
    if "input" in error:
        shown["input"] = excerpt(error["input"])
    if ctx := error.get("ctx"):
        shown["ctx"] = {str(k): excerpt(v) for k, v in ctx.items()}
    return shown


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, error: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": [readable(e) for e in error.errors()]}, status_code=422)
