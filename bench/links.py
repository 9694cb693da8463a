"""Benchmark link checks: 500 URLs against a loopback server that answers each in 0.2 s.

    LEARNPATH_FETCH_CONCURRENCY=32 python bench/links.py [--urls 500] [--delay 0.2]

The checks go through learnpath's fetcher and link-check cache (SQLite, a fresh data
directory), with private addresses allowed (the server is on loopback) and the per-host limit
raised to the global one, since every URL is on the one host. ``ideal_s`` is the time of
perfectly packed waves: ⌈urls / concurrency⌉ × delay. The last line printed is one JSON
object: ``measured_s``, ``ideal_s``, ``ratio`` (goal ≤ 1.3).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support.web_fakes import PageServer

from learnpath.config import Settings
from learnpath.wiring import embedded_runtime


async def measure(urls: int, delay: float) -> dict[str, float | int]:
    concurrency = int(os.environ.get("LEARNPATH_FETCH_CONCURRENCY", "32"))
    with tempfile.TemporaryDirectory() as home, PageServer(delay_s=delay) as pages:
        settings = Settings(
            home=Path(home),
            fetch_concurrency=concurrency,
            fetch_per_host=concurrency,
            fetch_allow_private=True,
            link_check="on",
        )
        async with embedded_runtime(settings) as rt:
            links = [f"{pages.base_url}/ok/{n}" for n in range(urls)]
            started = time.perf_counter()
            checks = await rt.research.checker.check(links)
            measured = time.perf_counter() - started
        assert all(c.outcome == "ok" for c in checks.values()), "every page answers 200"
    ideal = math.ceil(urls / concurrency) * delay
    return {
        "urls": urls,
        "concurrency": concurrency,
        "measured_s": round(measured, 3),
        "ideal_s": round(ideal, 3),
        "ratio": round(measured / ideal, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--urls", type=int, default=500)
    parser.add_argument("--delay", type=float, default=0.2)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(measure(args.urls, args.delay))))


if __name__ == "__main__":
    main()
