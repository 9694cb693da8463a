"""Reading a submitted form: its CSRF token checked, its text fields, a safe redirect target."""

from __future__ import annotations

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from starlette.datastructures import FormData

from learnpath.domain.text import printable, unstorable
from learnpath.web.csrf import CSRF_COOKIE, CSRF_FIELD, check_form


async def posted(request: Request, max_fields: int = 1000) -> FormData:
    """The submitted form, once its CSRF token matched the cookie and no field holds text
    that cannot be stored (a 422 naming the field). ``max_fields`` is Starlette's default
    for every form but the framework editor's, which posts nine fields a concept."""
    form = await request.form(max_fields=max_fields)
    sent = form.get(CSRF_FIELD)
    check_form(request.cookies.get(CSRF_COOKIE), sent if isinstance(sent, str) else None)
    unsafe = [
        {"type": "string_unstorable", "loc": ["body", printable(name)], "msg": problem}
        for name, value in form.multi_items()
        if isinstance(value, str) and (problem := unstorable(name) or unstorable(value))
    ]
    if unsafe:
        raise RequestValidationError(unsafe)
    return form


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def safe_next(target: str) -> str:
    """Only a path on this site: never ``//host`` or an absolute URL."""
    return target if target.startswith("/") and not target.startswith("//") else "/"
