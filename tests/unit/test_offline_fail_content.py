"""LEARNPATH_OFFLINE_FAIL_CONTENT: content types, every chapter or one chapter fail for good."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from learnpath.config import FailContent, Settings
from learnpath.domain.content import ContentType
from learnpath.domain.drafts import ChapterDraft, OutlineDraft
from learnpath.llm.errors import PermanentLLMError
from learnpath.llm.types import LLMRequest
from learnpath.offline.provider import OfflineProvider


def _settings(tmp_path: Path, value: str) -> Settings:
    return Settings(home=tmp_path, offline_fail_content=value)


@pytest.mark.parametrize(
    ("value", "parsed"),
    [
        ("", FailContent()),
        ("quiz", FailContent(content_types=frozenset({ContentType.quiz}))),
        ("chapter", FailContent(all_chapters=True)),
        ("chapter:2", FailContent(chapter_ids=frozenset({"2"}))),
        (
            " quiz , chapter:3,chapter:12,tutorial ",
            FailContent(
                content_types=frozenset({ContentType.quiz, ContentType.tutorial}),
                chapter_ids=frozenset({"3", "12"}),
            ),
        ),
    ],
)
def test_valid_values_are_parsed(tmp_path: Path, value: str, parsed: FailContent) -> None:
    settings = _settings(tmp_path, value)
    assert settings.fail_content == parsed
    assert settings.fail_content_types == parsed.content_types


@pytest.mark.parametrize(
    "bad", ["slides", "chapter:", "chapter:0", "chapter:x", "chapters", "quiz," + "chapter:1.2"]
)
def test_invalid_values_fail_validation_naming_the_item(tmp_path: Path, bad: str) -> None:
    with pytest.raises(ValidationError) as error:
        _settings(tmp_path, bad)
    item = bad.split(",")[-1]
    message = str(error.value)
    assert f"LEARNPATH_OFFLINE_FAIL_CONTENT: {item!r} is neither a content type nor a chapter" in (
        message
    )
    assert "chapter:<id>" in message


def _request(agent: str, schema: type[BaseModel], payload: dict[str, Any]) -> LLMRequest:
    messages = [{"role": "user", "content": "write"}]
    return LLMRequest(agent, "m", messages, schema, payload)


def _chapter_payload(chapter_id: str) -> dict[str, Any]:
    return {
        "task_prompt": "A report on printing",
        "language": "en",
        "document_title": "Printing",
        "outline": "1 Origins\n2 Spread\n3 Today",
        "chapter_id": chapter_id,
        "chapter_title": "Spread",
        "chapter_summary": "",
        "sub_sections": [],
        "word_target": 300,
        "previous": [],
        "sources": [],
    }


async def test_only_the_named_chapter_fails(tmp_path: Path) -> None:
    provider = OfflineProvider(_settings(tmp_path, "quiz,chapter:2"))
    with pytest.raises(PermanentLLMError, match=r"chapter 2 generation is set to fail"):
        await provider.complete(_request("chapter", ChapterDraft, _chapter_payload("2")))
    revision = {**_chapter_payload("2"), "draft": "d", "current_words": 1, "problems": []}
    with pytest.raises(PermanentLLMError, match="LEARNPATH_OFFLINE_FAIL_CONTENT"):
        await provider.complete(_request("chapter_revision", ChapterDraft, revision))
    for other in ("1", "3", "12"):
        answer = await provider.complete(_request("chapter", ChapterDraft, _chapter_payload(other)))
        assert ChapterDraft.model_validate(json.loads(answer.text)).markdown
    outline = {"task_prompt": "A report on printing", "language": "en"}
    answer = await provider.complete(_request("outline", OutlineDraft, outline))
    assert OutlineDraft.model_validate(json.loads(answer.text)).nodes


async def test_chapter_fails_every_chapter_and_nothing_else(tmp_path: Path) -> None:
    provider = OfflineProvider(_settings(tmp_path, "chapter"))
    for chapter_id in ("1", "2"):
        with pytest.raises(PermanentLLMError, match=f"chapter {chapter_id} generation"):
            await provider.complete(_request("chapter", ChapterDraft, _chapter_payload(chapter_id)))
    outline = {"task_prompt": "A report on printing", "language": "en"}
    assert (await provider.complete(_request("outline", OutlineDraft, outline))).text
