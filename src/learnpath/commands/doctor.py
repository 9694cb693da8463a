"""``learnpath doctor``: what a run needs, checked, with the fix for each problem."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console

from learnpath.config import Settings
from learnpath.service.doctor import Check, Report
from learnpath.wiring import diagnose_installation

MARK = {"ok": "[green]ok[/]  ", "warn": "[yellow]warn[/]", "fail": "[red]FAIL[/]"}


def doctor(
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
) -> None:
    """Check the configuration, database, broker and model endpoint; exit 1 if any fails."""
    try:
        report = asyncio.run(diagnose_installation(Settings()))
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'settings'}: {e['msg']}"
            for e in error.errors()
        )
        report = Report(
            [Check("configuration", "fail", problems, "fix the LEARNPATH_ settings named")]
        )
    if as_json:
        print(json.dumps(report.as_json(), indent=2))
    else:
        show(report, Console())
    raise typer.Exit(0 if report.ok else 1)


def show(report: Report, console: Console) -> None:
    for check in report.checks:
        console.print(f"{MARK[check.state]} {check.name}: {check.detail}", highlight=False)
        if check.fix and check.state != "ok":
            console.print(f"      fix: {check.fix}", highlight=False)
    console.print("All good." if report.ok else "Some checks failed; see the fixes above.")
