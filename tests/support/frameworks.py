"""A framework of one stage and one module, the smallest roadmap tests build by hand."""

from __future__ import annotations

from typing import Any


def one_module(concepts: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    """The framework JSON (title "T", stage "S", module "M") with these concepts, plus
    ``fields`` (e.g. ``roadmap_id``)."""
    return {
        **fields,
        "title": "T",
        "stages": [
            {
                "stage_id": "s",
                "name": "S",
                "modules": [{"module_id": "m", "name": "M", "concepts": concepts}],
            }
        ],
    }
