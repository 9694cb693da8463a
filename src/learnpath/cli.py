"""The ``learnpath`` command line: generate, watch, review, cancel, retry, resume, export,
serve, the processes of distributed mode, accounts and the schema.

The commands live in :mod:`learnpath.commands`; this module assembles them into ``app``,
which the ``learnpath`` script runs (:func:`main`). Every refusal a command meets ends it
in one place, :class:`learnpath.commands.common.Commands`.
"""

from __future__ import annotations

import typer

from learnpath.commands import db, distributed, documents, roadmaps, server, tasks, users
from learnpath.commands.common import Commands
from learnpath.commands.doctor import doctor

app = typer.Typer(cls=Commands, help="Personalised learning roadmaps, generated as durable tasks.")
app.add_typer(db.app, name="db")
app.add_typer(users.app, name="users")
app.add_typer(roadmaps.resources_app, name="resources")
app.add_typer(documents.app, name="doc")
app.command()(doctor)
app.command()(tasks.generate)
app.command()(tasks.review)
app.command("tasks")(tasks.list_tasks)
app.command()(tasks.show)
app.command()(tasks.cancel)
app.command()(tasks.retry)
app.command()(tasks.resume)
app.command()(roadmaps.export)
app.command()(server.serve)
app.command()(distributed.worker)
app.command()(distributed.sweeper)


def main() -> None:
    app()
