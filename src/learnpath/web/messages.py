"""Form errors told as sentences: "Hours per week must be between 1 and 80".

The API answers a request model's errors as they are (a 422 naming each field and rule); a
form says the same in words. Each sentence is built from the error's ``type`` (pydantic's
stable error code), the field's label and the field's own limits, read from the model's
JSON schema: the limits stated beside a field and in its error are those the model checks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from pydantic import BaseModel, ValidationError

RANGE_ERRORS = frozenset({"greater_than", "greater_than_equal", "less_than", "less_than_equal"})


@dataclass(frozen=True)
class FormField:
    label: str
    """What the sentence calls the field: "Hours per week"."""
    means: str | None = None
    """What a text with a pattern must be: "a language tag such as en, de or pt-BR"."""


@cache
def _schema(model: type[BaseModel]) -> dict[str, Any]:
    return model.model_json_schema()


def _resolve(schema: dict[str, Any], part: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in part:
        resolved: dict[str, Any] = schema["$defs"][part["$ref"].rsplit("/", 1)[1]]
        return resolved
    return part


def constraints(model: type[BaseModel], name: str) -> dict[str, Any]:
    """A field's JSON schema with ``anyOf`` (an optional field) and ``$ref`` (an enum)
    flattened: ``{"type": "number", "minimum": 1, "maximum": 80, ...}``."""
    schema = _schema(model)
    field = schema["properties"][name]
    merged: dict[str, Any] = {}
    for part in field.get("anyOf", [field]):
        part = _resolve(schema, part)
        if part.get("type") != "null":
            merged.update(part)
    if "items" in merged:
        merged["items"] = _resolve(schema, merged["items"])
    return merged


def _number(value: float) -> str:
    return f"{value:g}"


def _bounds(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"between {_number(low)} and {_number(high)}"
    if low is not None:
        return f"at least {_number(low)}"
    return f"at most {_number(high)}" if high is not None else ""


def limits(model: type[BaseModel], name: str) -> str:
    """The limits to state beside a field: "1–80", "3–2000 characters", "up to 2000
    characters", or nothing."""
    c = constraints(model, name)
    if "minimum" in c and "maximum" in c:
        return f"{_number(c['minimum'])}–{_number(c['maximum'])}"
    if "maxLength" in c and "pattern" not in c:
        low = c.get("minLength", 0)
        shown = f"{low}–{c['maxLength']}" if low > 1 else f"up to {c['maxLength']}"
        return f"{shown} characters"
    return ""


def _number_sentence(label: str, c: dict[str, Any], error_type: str) -> str:
    bounds = _bounds(c.get("minimum"), c.get("maximum"))
    if error_type in RANGE_ERRORS:
        return f"{label} must be {bounds}"
    kind = "a whole number" if c["type"] == "integer" else "a number"
    return f"{label} must be {kind} {bounds}".rstrip()


def _text_sentence(spec: FormField, c: dict[str, Any], error_type: str) -> str:
    if error_type == "string_too_short" and c.get("minLength") == 1:
        return f"{spec.label} must not be empty"
    if error_type == "string_too_short":
        return f"{spec.label} must be at least {c['minLength']} characters long"
    if error_type == "string_too_long":
        return f"{spec.label} must be at most {c['maxLength']} characters long"
    if error_type == "string_pattern_mismatch" and spec.means:
        return f"{spec.label} must be {spec.means}"
    return f"{spec.label} is not in the expected form"


def sentence(model: type[BaseModel], name: str, spec: FormField, error_type: str) -> str:
    """What is wrong with field ``name`` of ``model``, for an error of ``error_type``."""
    c = constraints(model, name)
    if error_type == "missing":
        return f"{spec.label} is required"
    if "enum" in c:
        return f"{spec.label} must be one of: {', '.join(map(str, c['enum']))}"
    if c.get("type") in ("number", "integer"):
        return _number_sentence(spec.label, c, error_type)
    if c.get("type") == "array":
        if error_type == "too_long":
            return f"{spec.label}: choose at most {c['maxItems']}"
        choices = c["items"].get("enum", [])
        return f"{spec.label} must be among: {', '.join(map(str, choices))}"
    if c.get("type") == "string":
        return _text_sentence(spec, c, error_type)
    return f"{spec.label} is not valid"


def field_errors(
    model: type[BaseModel], error: ValidationError, fields: Mapping[str, FormField]
) -> dict[str, str]:
    """The first problem of each field, as a sentence, in the order of ``fields``."""
    found: dict[str, str] = {}
    for problem in error.errors():
        loc = problem["loc"]
        name = str(loc[0]) if loc else ""
        if name in fields and name not in found:
            found[name] = sentence(model, name, fields[name], problem["type"])
    return {name: found[name] for name in fields if name in found}
