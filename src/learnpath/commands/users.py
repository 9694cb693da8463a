"""``learnpath users``: the accounts of server mode (the first admin too)."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from learnpath.commands.common import fail, out, run
from learnpath.wiring import Runtime

app = typer.Typer(help="Accounts for server mode.")


@app.command("create")
def users_create(
    email: Annotated[str, typer.Option(help="Login email")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
    admin: Annotated[bool, typer.Option("--admin", help="May see every user's tasks")] = False,
) -> None:
    """Create an account (the first admin too: there is no default password)."""
    from learnpath.service.users import create_user

    user = run(lambda rt: create_user(rt, email, password, admin))
    out.print(f"created {'admin ' if admin else ''}user {user.email} ({user.user_id})")


@app.command("passwd")
def users_passwd(
    email: Annotated[str, typer.Argument(help="The account's login email")],
) -> None:
    """Set an account's password and end all its sessions (signed-in browsers and tokens).
    The new password is read from standard input (first line) or, at a terminal, prompted
    for twice."""
    from learnpath.service.users import set_password

    if sys.stdin.isatty():
        password = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            fail("no password on standard input")

    async def work(rt: Runtime) -> tuple[Any, int]:
        try:
            return await set_password(rt, email, password)
        except LookupError as error:  # an unknown email: not (yet) a LearnpathError
            fail(str(error), 1)

    user, ended = run(work)
    out.print(
        f"password changed for {user.email} ({user.user_id}); "
        f"{ended} session{'s' if ended != 1 else ''} ended"
    )
