"""Cleaning what models reply before it is validated (``llm/structured.py``), and the
``response_format`` each mode sends."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel

from learnpath.domain.content import ResourceList, Tutorial
from learnpath.llm.structured import (
    OutputMode,
    extract_json,
    is_bare_json,
    response_format,
    strip_reasoning,
)

ANSWER = '{"reply": "ready", "items": [{"n": 1}]}'


def test_bare_json_is_kept_as_is() -> None:
    assert extract_json(f"  {ANSWER}\n") == ANSWER
    assert is_bare_json(f"\n{ANSWER} ")


def test_fenced_answer_after_prose() -> None:
    reply = f"Sure! Here it is:\n```json\n{ANSWER}\n```\nAnything else?"
    assert json.loads(extract_json(reply)) == json.loads(ANSWER)
    assert not is_bare_json(reply)


def test_think_block_with_braces_is_dropped() -> None:
    reply = f"<think>\nThe schema wants {{an object}}; {{ maybe }}.\n</think>\n{ANSWER}"
    assert extract_json(reply) == ANSWER


def test_unclosed_think_block_leaves_nothing() -> None:
    assert strip_reasoning("<think>I was cut off before answering {") == ""


def test_answer_inside_prose_without_fences() -> None:
    reply = f"The object {{not json}} you want is {ANSWER} — enjoy."
    assert extract_json(reply) == ANSWER


def test_first_fence_that_is_an_object_wins() -> None:
    reply = f"```python\nprint(1)\n```\nand\n```\n{ANSWER}\n```"
    assert extract_json(reply) == ANSWER


def test_text_without_json_is_returned_for_the_validator_to_name() -> None:
    assert extract_json("I cannot help with that.") == "I cannot help with that."


@given(st.text(max_size=400))
def test_any_text_is_cleaned_without_error(text: str) -> None:
    cleaned = extract_json(text)
    assert isinstance(cleaned, str)
    if cleaned.startswith("{") and cleaned != text.strip():
        assert isinstance(json.loads(cleaned), dict)


@given(st.text(max_size=200), st.text(max_size=200))
def test_an_answer_is_found_whatever_prose_surrounds_it(before: str, after: str) -> None:
    reply = f"{before.replace('{', '(')}\n```json\n{ANSWER}\n```\n{after}"
    assert json.loads(extract_json(reply)) == json.loads(ANSWER)


def test_modes_send_what_they_name() -> None:
    assert response_format(OutputMode.prompt, Tutorial) is None
    assert response_format(OutputMode.json_object, Tutorial) == {"type": "json_object"}
    strict = response_format(OutputMode.json_schema, Tutorial)
    assert strict is not None and strict["json_schema"]["strict"] is True
    assert strict["json_schema"]["schema"]["additionalProperties"] is False


def test_schema_with_defaults_is_sent_non_strict() -> None:
    # `verified` has a default: strict mode would make the model always send it, so no.
    loose = response_format(OutputMode.json_schema, ResourceList)
    assert loose is not None and "strict" not in loose["json_schema"]
    assert loose["json_schema"]["schema"] == ResourceList.model_json_schema()


def test_modes_step_down_in_order() -> None:
    assert OutputMode.json_schema.weaker() is OutputMode.json_object
    assert OutputMode.json_object.weaker() is OutputMode.prompt
    assert OutputMode.prompt.weaker() is None


class _Nested(BaseModel):
    inner: Tutorial


def test_strict_covers_nested_models() -> None:
    sent = response_format(OutputMode.json_schema, _Nested)
    assert sent is not None and sent["json_schema"]["strict"] is True
    assert sent["json_schema"]["schema"]["$defs"]["Tutorial"]["additionalProperties"] is False
