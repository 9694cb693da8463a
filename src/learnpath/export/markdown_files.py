"""The markdown export: a ``README.md`` index and one file per concept, its quiz's answer key
at the end of the file."""

from __future__ import annotations

import re
from pathlib import Path

from markdown_it import MarkdownIt

from learnpath.domain.bundle import RoadmapBundle
from learnpath.domain.content import Quiz, QuizQuestion, ResourceList, Tutorial
from learnpath.domain.roadmap import Concept
from learnpath.export.entries import (
    OFFLINE_NOTE,
    QUESTION_KINDS,
    Entry,
    entries_of,
    hours,
    letter,
    letters,
    not_generated,
    safe_url,
)

_MD_PARSER = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
_ATX = re.compile(r"^( {0,3})(#{1,6})(?=[ \t]|$)")


def _embed_markdown(text: str, offset: int) -> str:
    """Prepare a tutorial for embedding under the file's own headings.

    ATX headings move ``offset`` levels down (max 6), code blocks untouched; a code fence left
    open (a truncated answer) is closed, so it cannot swallow the rest of the file.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for token in _MD_PARSER.parse("\n".join(lines)):
        if not token.map:
            continue
        start, end = token.map
        if token.type == "heading_open" and token.markup.startswith("#"):
            match = _ATX.match(lines[start])
            if match:
                level = min(6, len(match.group(2)) + offset)
                lines[start] = match.group(1) + "#" * level + lines[start][match.end() :]
        elif token.type == "fence" and end >= len(lines):
            closing = lines[end - 1].strip() if end - 1 > start else ""
            fence_char = token.markup[0]
            if not (len(closing) >= len(token.markup) and set(closing) == {fence_char}):
                lines.append(token.markup)
    return "\n".join(lines)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _link_text(text: str) -> str:
    """Text safe inside ``[...]``."""
    return re.sub(r"([\\\[\]])", r"\\\1", _one_line(text))


def _link_target(url: str) -> str:
    """A destination in ``<...>`` form, which tolerates parentheses in URLs."""
    return "<" + url.replace("<", "%3C").replace(">", "%3E") + ">"


def _indent_rest(text: str, spaces: int) -> str:
    """Indent continuation lines so a multi-line text stays inside its list item."""
    first, *rest = text.strip().splitlines() or [""]
    pad = " " * spaces
    return "\n".join([first, *(pad + line if line.strip() else "" for line in rest)])


def _readme(bundle: RoadmapBundle, entries: list[Entry]) -> str:
    framework = bundle.framework
    out = [f"# {_one_line(framework.title)}", ""]
    if framework.summary.strip():
        out += [framework.summary.strip(), ""]
    if bundle.offline:
        out += [f"> **Note:** {OFFLINE_NOTE}", ""]
    out += [
        f"**Total:** {hours(framework.total_estimated_hours)} · "
        f"**Recommended:** {framework.recommended_completion_weeks} "
        f"week{'s' if framework.recommended_completion_weeks != 1 else ''}",
        "",
        "## Contents",
        "",
    ]
    by_concept = {id(e.concept): e for e in entries}
    for stage_number, stage in enumerate(framework.stages, start=1):
        out.append(f"- **Stage {stage_number}: {_one_line(stage.name)}**")
        for module in stage.modules:
            out.append(f"  - **{_one_line(module.name)}**")
            for concept in module.concepts:
                entry = by_concept[id(concept)]
                out.append(
                    f"    - [{entry.number}. {_link_text(concept.name)}]"
                    f"(concepts/{entry.filename}) — "
                    f"{hours(concept.estimated_hours)}, {concept.difficulty}"
                )
    out.append("")
    return "\n".join(out)


def _tutorial_md(tutorial: Tutorial | None, concept: Concept) -> list[str]:
    out = ["## Tutorial", ""]
    if tutorial is None:
        return [*out, not_generated("Tutorial", concept.tutorial_status), ""]
    out += [
        f"*{_one_line(tutorial.summary)}* (about {tutorial.estimated_minutes} min)",
        "",
        _embed_markdown(tutorial.markdown.strip(), 2),
        "",
    ]
    return out


def _resources_md(resources: ResourceList | None, concept: Concept) -> list[str]:
    out = ["## Resources", ""]
    if resources is None:
        return [*out, not_generated("Resources", concept.resources_status), ""]
    for n, resource in enumerate(resources.resources, start=1):
        url = safe_url(resource.url)
        title = _link_text(resource.title)
        head = f"[{title}]({_link_target(url)})" if url else title
        verified = " · ✓ verified" if resource.verified else " · not verified"
        out.append(f"{n}. {head} — {resource.type} · relevance {resource.relevance:.2f}{verified}")
        if resource.description.strip():
            out.append("   " + _indent_rest(resource.description, 3))
    out.append("")
    return out


def _question_md(n: int, question: QuizQuestion) -> list[str]:
    out = [
        f"### Question {n} ({QUESTION_KINDS[question.type]}, {question.difficulty})",
        "",
        question.question.strip(),
        "",
    ]
    for i, option in enumerate(question.options):
        out.append(f"- **{letter(i)}.** {_indent_rest(option, 2)}")
    out.append("")
    return out


def _quiz_md(quiz: Quiz | None, concept: Concept) -> tuple[list[str], list[str]]:
    """The questions, and the answer key that goes at the end of the file."""
    out = ["## Quiz", ""]
    if quiz is None:
        return [*out, not_generated("Quiz", concept.quiz_status), ""], []
    key = ["## Answer key", ""]
    for n, question in enumerate(quiz.questions, start=1):
        out += _question_md(n, question)
        explanation = _indent_rest(question.explanation, 3) if question.explanation.strip() else ""
        key.append(
            f"{n}. **{letters(question.correct)}**" + (f" — {explanation}" if explanation else "")
        )
    key.append("")
    return out, key


def _concept_md(bundle: RoadmapBundle, entry: Entry, by_id: dict[str, Entry]) -> str:
    concept = entry.concept
    out = [
        f"# {entry.number}. {_one_line(concept.name)}",
        "",
        f"*Stage {entry.stage_number}: {_one_line(entry.stage.name)} › "
        f"{_one_line(entry.module.name)}*",
        "",
        f"**Estimated time:** {hours(concept.estimated_hours)} · "
        f"**Difficulty:** {concept.difficulty}",
        "",
        "[← Back to the roadmap](../README.md)",
        "",
    ]
    if concept.description.strip():
        out += [concept.description.strip(), ""]
    prerequisites = []
    for prerequisite_id in concept.prerequisites:
        target = by_id.get(prerequisite_id)
        if target is None:
            prerequisites.append(_link_text(prerequisite_id))
        else:
            prerequisites.append(f"[{_link_text(target.concept.name)}]({target.filename})")
    out += [f"**Prerequisites:** {', '.join(prerequisites) if prerequisites else 'none'}", ""]
    if concept.keywords:
        out += [f"**Keywords:** {', '.join(_one_line(k) for k in concept.keywords)}", ""]
    out += _tutorial_md(bundle.tutorials.get(concept.concept_id), concept)
    out += _resources_md(bundle.resources.get(concept.concept_id), concept)
    questions, answer_key = _quiz_md(bundle.quizzes.get(concept.concept_id), concept)
    out += questions + answer_key
    return "\n".join(out).rstrip() + "\n"


def to_markdown(bundle: RoadmapBundle, out_dir: Path) -> list[Path]:
    """Write ``README.md`` and ``concepts/NN-<concept_id>.md``; return the paths, index first."""
    entries = entries_of(bundle)
    by_id = {e.concept.concept_id: e for e in entries}
    concepts_dir = out_dir / "concepts"
    concepts_dir.mkdir(parents=True, exist_ok=True)
    index = out_dir / "README.md"
    index.write_text(_readme(bundle, entries), encoding="utf-8")
    written = [index]
    for entry in entries:
        path = concepts_dir / entry.filename
        path.write_text(_concept_md(bundle, entry, by_id), encoding="utf-8")
        written.append(path)
    return written
