"""``learnpath serve``: the HTTP API, event streams and web app (contract §9)."""

from __future__ import annotations

from typing import Annotated

import typer

from learnpath.commands.common import err, fail, log_to_stderr, settings

LOOPBACK = {"127.0.0.1", "::1", "localhost"}


def serve(
    host: Annotated[str, typer.Option(help="Address to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
    local: Annotated[
        bool, typer.Option("--local", help="Loopback-only single-user mode: no login")
    ] = False,
    log_level: Annotated[str, typer.Option(help="uvicorn log level")] = "info",
) -> None:
    """Serve the HTTP API, event streams and web app with uvicorn. Tasks run in this process,
    or on Celery workers when LEARNPATH_BROKER_URL is set."""
    import uvicorn

    from learnpath.server import create_app

    config = settings()
    if local and host not in LOOPBACK:
        fail(f"--local runs without login, so it only binds a loopback address, not {host}")
    if not local and (problem := config.secret_key_problem()):
        fail(
            f"{problem}. Set a random key (e.g. `export LEARNPATH_SECRET_KEY=$(python3 -c "
            "'import secrets; print(secrets.token_urlsafe(48))')`), or run `learnpath serve "
            "--local` for a single-user server on this machine."
        )
    log_to_stderr(log_level)
    mode = "local single-user mode, no login" if local else "server mode, login required"
    docs = "; API docs at /docs" if config.docs else ""
    err.print(f"learnpath serving on http://{host}:{port}/ ({mode}){docs}")
    proxies = config.forwarded_allow_ips
    uvicorn.run(
        create_app(config, local=local),
        host=host,
        port=port,
        log_level=log_level,
        access_log=False,
        log_config=None,
        # X-Forwarded-Proto/-For are believed from these proxies only (none by default).
        proxy_headers=bool(proxies),
        forwarded_allow_ips=",".join(proxies) if proxies else None,
        server_header=False,
    )
