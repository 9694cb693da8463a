"""The language a text is written in, told apart by the script of its letters (contract §7:
a document job writes in the language of its prompt).

Cheap and dependency-free: it distinguishes scripts, not languages that share one, so every
Latin-script text is English. Each CJK character weighs as much as a word of another script,
so "请写一篇关于 Python asyncio 的文章" is Chinese.
"""

from __future__ import annotations

import re
import unicodedata

_KANA = re.compile("[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9d]")
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_HANGUL = re.compile("[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
_WORD = re.compile(r"[^\W\d_]+")

_SCRIPTS = {
    "CYRILLIC": "ru",
    "ARABIC": "ar",
    "GREEK": "el",
    "HEBREW": "he",
    "THAI": "th",
    "DEVANAGARI": "hi",
    "LATIN": "en",
}
_NAMES = {
    "en": "English",
    "zh": "Chinese",
    "ja": "Japanese",
    "ko": "Korean",
    "ru": "Russian",
    "ar": "Arabic",
    "el": "Greek",
    "he": "Hebrew",
    "th": "Thai",
    "hi": "Hindi",
}
DEFAULT = "en"


def _script(word: str) -> str | None:
    """The language code of a word's first letter's script, when it is one told apart."""
    name = unicodedata.name(word[0], "")
    return _SCRIPTS.get(name.split(" ", 1)[0])


def language_of(text: str) -> str:
    """The short code of the language ``text`` is written in ("zh", "ja", "ko", "ru", "ar",
    "el", "he", "th", "hi", else "en"): the script with the most letters, a CJK character
    and a word of any other script counting one each. Kana make CJK text Japanese."""
    kana, han, hangul = (len(p.findall(text)) for p in (_KANA, _HAN, _HANGUL))
    votes: dict[str, int] = {"ja" if kana else "zh": kana + han, "ko": hangul}
    rest = _HAN.sub(" ", _KANA.sub(" ", _HANGUL.sub(" ", text)))
    for word in _WORD.findall(rest):
        if (code := _script(word)) is not None:
            votes[code] = votes.get(code, 0) + 1
    code, count = max(votes.items(), key=lambda item: item[1])
    return code if count else DEFAULT


def language_name(code: str) -> str:
    """The English name of a language code, for prompts ("zh" → "Chinese"); an unknown code
    is returned as it is."""
    return _NAMES.get(code, code)
