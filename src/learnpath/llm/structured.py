"""Structured output: the modes an endpoint may support, and cleaning what models reply.

Endpoints differ in how they can be held to a JSON schema (``docs/models.md``):

- ``json_schema``: the reply is constrained to the schema (OpenAI, vLLM, llama.cpp, Ollama);
- ``json_object``: the reply is some JSON object, the schema is only in the prompt;
- ``prompt``: no ``response_format`` at all; the schema is in the prompt and the reply is
  cleaned of whatever the model wraps around the JSON.

Every prompt carries the schema (``agents/prompts/system.j2``), so each mode is complete.
"""

from __future__ import annotations

import json
import re
from enum import StrEnum
from functools import cache
from typing import Any

from pydantic import BaseModel


class OutputMode(StrEnum):
    json_schema = "json_schema"
    json_object = "json_object"
    prompt = "prompt"

    def weaker(self) -> OutputMode | None:
        """The next mode to try when an endpoint refuses this one."""
        order = list(OutputMode)
        index = order.index(self)
        return order[index + 1] if index + 1 < len(order) else None


_THINK = re.compile(r"<think>.*?</think>", re.DOTALL | re.IGNORECASE)
_FENCE = re.compile(r"```[a-zA-Z0-9_-]*\s*\n?(.*?)```", re.DOTALL)
_DECODER = json.JSONDecoder()


def strip_reasoning(text: str) -> str:
    """``text`` without ``<think>…</think>`` blocks (and an unclosed one at the start)."""
    text = _THINK.sub("", text)
    opened = text.lower().rfind("<think>")
    if opened != -1 and "{" not in text[:opened]:
        # An unclosed block swallows the rest: nothing after it is an answer.
        text = text[:opened]
    return text.strip()


def extract_json(text: str) -> str:
    """The JSON object a reply holds: the reply itself, the first fenced block that parses,
    or the first ``{…}`` in the prose that parses. Returns the input when none does, so the
    schema validation names what is wrong."""
    text = strip_reasoning(text)
    if _is_object(text):
        return text
    for block in _FENCE.findall(text):
        if _is_object(block.strip()):
            return str(block).strip()
    start = text.find("{")
    while start != -1:
        try:
            value, end = _DECODER.raw_decode(text, start)
        except ValueError:
            start = text.find("{", start + 1)
            continue
        if isinstance(value, dict):
            return text[start:end]
        start = text.find("{", end)
    return text


def is_bare_json(text: str) -> bool:
    """True when the reply is a JSON object and nothing else: the endpoint honoured the mode."""
    return _is_object(text.strip())


def _is_object(text: str) -> bool:
    if not text.startswith("{"):
        return False
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False


def response_format(mode: OutputMode, schema: type[BaseModel]) -> dict[str, Any] | None:
    """The ``response_format`` request field for ``mode`` (None: send none)."""
    if mode is OutputMode.prompt:
        return None
    if mode is OutputMode.json_object:
        return {"type": "json_object"}
    strict = strict_schema(schema)
    spec: dict[str, Any] = {"name": schema.__name__}
    if strict is not None:
        spec.update(schema=strict, strict=True)
    else:
        spec["schema"] = schema.model_json_schema()
    return {"type": "json_schema", "json_schema": spec}


@cache
def strict_schema(schema: type[BaseModel]) -> dict[str, Any] | None:
    """The schema in the form strict structured output needs (every property required, no
    extra properties), or None when the schema does not allow it: an optional field (with a
    default) or an open mapping would change meaning if made required or closed."""
    document = schema.model_json_schema()
    nodes = [document, *document.get("$defs", {}).values()]
    for node in nodes:
        if not _close(node):
            return None
    return document


def _close(node: dict[str, Any]) -> bool:
    if node.get("type") != "object":
        return True
    properties = node.get("properties", {})
    if set(node.get("required", [])) != set(properties) or "additionalProperties" in node:
        return False
    node["additionalProperties"] = False
    return all(_close(p) for p in properties.values() if isinstance(p, dict))
