"""What every command shares: the consoles, ending with an error and its exit code, the
settings, running work inside the runtime, and where log lines go."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, NoReturn, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

from learnpath.config import Settings
from learnpath.errors import Invalid, LearnpathError
from learnpath.wiring import Runtime, open_runtime

out = Console()
err = Console(stderr=True)
T = TypeVar("T")


def fail(message: str, code: int = 2) -> NoReturn:
    """End the command: ``error: message`` on standard error, exit ``code`` (2, a usage
    error, unless said otherwise)."""
    err.print(f"[red]error:[/] {escape(message)}")
    raise typer.Exit(code)


def refuse(error: LearnpathError) -> NoReturn:
    """End the command as ``error`` says: its message (with each problem an
    :class:`Invalid` names) and its ``exit_code``."""
    message = str(error)
    if isinstance(error, Invalid) and error.errors:
        message += ": " + "; ".join(
            f"{e.get('path', e.get('field'))}: {e['message']}" for e in error.errors
        )
    fail(message, error.exit_code)


class Commands(TyperGroup):
    """The ``learnpath`` command group: a :class:`LearnpathError` from any command, however
    deep, ends it through :func:`refuse`, the one place the CLI translates refusals."""

    def invoke(self, *args: Any, **kwargs: Any) -> Any:
        # (The context, of the click Typer vendors, passed through untouched.)
        try:
            return super().invoke(*args, **kwargs)
        except LearnpathError as error:
            refuse(error)


def describe(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'value'}: {e['msg']}" for e in error.errors()
    )


def settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        fail("invalid configuration: " + describe(error))


def run(work: Callable[[Runtime], Awaitable[T]]) -> T:
    """Run ``work`` inside the configured runtime."""

    async def main() -> T:
        async with open_runtime(settings()) as rt:
            return await work(rt)

    return asyncio.run(main())


def log_to_stderr(level: str) -> None:
    """JSON log lines on standard error, with tokens redacted (a server or worker process)."""
    from learnpath.api.logging import JSONFormatter, RedactTokens

    handler = logging.StreamHandler()
    handler.setFormatter(JSONFormatter())
    handler.addFilter(RedactTokens())
    logging.basicConfig(level=level.upper(), handlers=[handler], force=True)
    # Their records reach the handler above; the filter on the loggers themselves also
    # covers any handler a deployment adds to them.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "learnpath"):
        logging.getLogger(name).addFilter(RedactTokens())
