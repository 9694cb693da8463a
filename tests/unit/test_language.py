"""A prompt's language, told by the script of its letters (contract §7)."""

from __future__ import annotations

import pytest

from learnpath.domain.language import language_name, language_of


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Write a report on the history of printing", "en"),
        ("Écris un rapport sur l'histoire de l'imprimerie", "en"),
        ("请写一篇关于量子计算的报告", "zh"),
        ("请写一篇关于 Python asyncio 的文章", "zh"),
        ("日本の印刷の歴史について書いてください", "ja"),
        ("カタカナだけ", "ja"),
        ("인쇄의 역사에 대한 보고서를 작성하세요", "ko"),
        ("Напишите отчёт об истории книгопечатания", "ru"),
        ("اكتب تقريرا عن تاريخ الطباعة", "ar"),
        ("Γράψε μια αναφορά για την ιστορία", "el"),
        ("כתוב דוח על ההיסטוריה", "he"),
        ("Write about the 中国 printing history", "en"),
        ("Explain 量子计算机的工作原理 briefly", "zh"),
        ("", "en"),
        ("1234 — !!!", "en"),
    ],
)
def test_the_language_is_the_script_with_the_most_words(text: str, code: str) -> None:
    assert language_of(text) == code


@pytest.mark.parametrize(
    ("code", "name"),
    [("en", "English"), ("zh", "Chinese"), ("ja", "Japanese"), ("ru", "Russian"), ("xx", "xx")],
)
def test_language_names_are_english_names_for_prompts(code: str, name: str) -> None:
    assert language_name(code) == name
