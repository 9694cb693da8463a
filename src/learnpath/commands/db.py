"""``learnpath db``: the database schema (contract §9)."""

from __future__ import annotations

import asyncio

import typer

from learnpath.commands.common import out, settings
from learnpath.service import schema

app = typer.Typer(help="Database schema.")


@app.command("upgrade")
def db_upgrade() -> None:
    """Apply the database migrations (embedded mode also does this at every start)."""
    asyncio.run(schema.upgrade(settings()))
    out.print("database is up to date")
