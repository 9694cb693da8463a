"""Small text helpers of the offline answers: ids, capitals, keywords, and the offline labels."""

from __future__ import annotations

import functools
import re
import unicodedata

from learnpath.offline.knowledge import knowledge

OFFLINE_TAG = "(generated offline)"
OFFLINE_NOTE = "Generated offline by learnpath's built-in provider"

_STOPWORDS = (
    "a an and the of in on for to with from by your you how what why when is it its as at "
    "into vs or our their using use first basics part them this that"
)
_PROPER = (
    "Rust Python Go SQL HTML CSS React Docker Kubernetes Linux Bash Git Spanish JavaScript "
    "TypeScript Node.js Cargo Tokio Serde Vite Helm PostgreSQL SQLite NumPy JSON HTTP REST "
    "DOM ES Express Grafana Prometheus Terraform Kustomize RBAC ROC FFI Box Rc RefCell Deref "
    "Send Option Result Web Travis"
)
STOPWORDS = frozenset(_STOPWORDS.split())


@functools.cache
def proper_words() -> frozenset[str]:
    """Words that keep their capital mid-sentence: names of technologies and languages."""
    return frozenset(_PROPER.split()) | frozenset(knowledge().languages.names)


def slugify(text: str, fallback: str = "item") -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > 50:
        cut = slug[:51]
        slug = cut[: cut.rindex("-")] if "-" in cut[20:] else slug[:50]
    return slug.strip("-") or fallback


def unique(text: str, used: set[str], fallback: str) -> str:
    """A slug of ``text`` not in ``used`` (numbered when taken), added to ``used``."""
    base = slugify(text, fallback)
    candidate, n = base, 2
    while candidate in used:
        candidate, n = f"{base}-{n}", n + 1
    used.add(candidate)
    return candidate


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def lower_first(name: str) -> str:
    """Lower-case a title's first letter for use mid-sentence, unless it is a proper name."""
    first = name.split(" ", 1)[0].rstrip(":,")
    if first in proper_words() or any(ch.isupper() for ch in first[1:]) or first == "I":
        return name
    return name[:1].lower() + name[1:]


def keywords(name: str, label: str) -> list[str]:
    """Up to four significant words of a concept's name, then the topic's label."""
    words = re.findall(r"[A-Za-z][A-Za-z0-9+#./'-]*", name)
    picked = [w.lower().strip(".'-/") for w in words]
    picked = [w for w in picked if len(w) > 2 and w not in STOPWORDS]
    return list(dict.fromkeys([*picked[:4], label.lower()]))


def article(word: str) -> str:
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
