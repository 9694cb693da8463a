"""The offline provider's data files: read once, validated, and loud about what is broken."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

import learnpath.offline
from learnpath.offline import knowledge as kb
from learnpath.offline.knowledge import DataFileError, knowledge

DATA = Path(learnpath.offline.__file__).parent / "data"


def test_knowledge_is_read_once_per_process() -> None:
    assert knowledge() is knowledge()
    keys = [t.key for t in knowledge().topics]
    assert len(keys) == len(set(keys)) >= 10
    assert {t.kind for t in knowledge().topics} == {"technical", "language", "skill"}


def test_code_snippets_keep_braces_quotes_backslashes_and_tabs() -> None:
    code = {t.key: "\n".join(s.code for s in t.snippets) for t in knowledge().topics}
    assert 'fmt.Printf("%T: %.2f\\n", s, s.Area())' in code["go"]  # a backslash, not a newline
    assert "\n\tfmt.Println(" in code["go"]  # gofmt's tabs
    assert """format!("the book '{}'", self.title)""" in code["rust"]
    assert code["rust"].startswith("// {name}\n")


def _edit(path: str, old: str, new: str) -> Callable[[Path], None]:
    def edit(data: Path) -> None:
        file = data / path
        text = file.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {path}"
        file.write_text(text.replace(old, new, 1), encoding="utf-8")

    return edit


def _remove(path: str) -> Callable[[Path], None]:
    return lambda data: (data / path).unlink()


def _add(path: str, text: str) -> Callable[[Path], None]:
    return lambda data: (data / path).write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (_edit("topics/rust.toml", 'kind = "technical"', 'kind = "technic"'), "kind: Input"),
        (_edit("topics/rust.toml", 'label = "Rust"\n', ""), "label: Field required"),
        (_edit("topics/sql.toml", r"'\bsql\b'", r"'\bsql(\b'"), "patterns.0: Value error"),
        (_edit("topics/go.toml", 'lang = "go"', "lang = 3"), "snippets.0.lang: Input should"),
        (_edit("topics/guitar.toml", "[[sections]]", "[[sections]"), "not valid TOML"),
        (_edit("topics/web.toml", 'type = "course"', 'type = "scroll"'), "resources.0.type"),
        (_edit("kinds.toml", "[skill]", "[skills]"), "skills: Extra inputs are not permitted"),
        (_edit("languages.toml", "names = [", "nmes = ["), "names: Field required"),
        (_edit("topics/spanish.toml", 'key = "spanish"', 'key = "es"'), "key: 'es' does not"),
        (_edit("topics/ml.toml", '["python"]', '["pyton"]'), "specialises: ['pyton'] is not"),
        (_edit("topics/web.toml", '["javascript"]', '["web"]'), "specialises: ['web'] is not"),
        (_remove("topics/linux.toml"), "topics/linux.toml: missing"),
        (_remove("generic.toml"), "generic.toml: missing"),
        (_add("topics/chess.toml", 'key = "chess"\n'), "['chess'] not listed"),
    ],
)
def test_a_broken_data_file_fails_naming_the_file_and_the_field(
    breakage: Callable[[Path], None],
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    copy = tmp_path / "data"
    shutil.copytree(DATA, copy)
    breakage(copy)
    monkeypatch.setattr(kb, "_data", lambda: copy)
    with pytest.raises(DataFileError) as raised:
        knowledge.__wrapped__()  # the uncached loader: the process's cache stays intact
    assert str(raised.value).startswith("offline data file ")
    assert message in str(raised.value)
