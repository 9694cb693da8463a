"""The document job's fan-out: one chapter item per top-level outline node (docs/contract.md
§7). Each is written by the chapter writer from the whole outline, the summaries of the
chapters before it, its ranked sources, the style guide and the requirements; a chapter
citing unknown sources or more than 35 % off its word share gets one revision re-ask, and
citations still unknown after it are dropped."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from learnpath.agents.document_inputs import ChapterInput, RevisionInput
from learnpath.agents.documents import CHAPTER, REVISER
from learnpath.domain import citations
from learnpath.domain.items import ItemKey
from learnpath.domain.jobs import JobSettings
from learnpath.domain.language import language_of
from learnpath.domain.outline import Outline, OutlineNode, outline_text, word_shares
from learnpath.domain.words import count_words, within
from learnpath.engine.documents import assembly
from learnpath.engine.documents import sources as job_sources
from learnpath.engine.runtime import Runtime
from learnpath.engine.steps import cancel_check
from learnpath.engine.workflow import Ending, Outcome, StartedItem
from learnpath.llm.errors import CancelledByRequest, LLMError
from learnpath.research.passages import PassageIndex
from learnpath.store import documents
from learnpath.store.database import Session
from learnpath.store.tables import DocumentJobRow, ItemRow, TaskRow

RESIZE_TOLERANCE = 0.35
PASSAGES_PER_CHAPTER = 8


@dataclass(frozen=True)
class JobContext:
    """What a document job's chapters are written from, read once per attempt."""

    settings: JobSettings
    outline: Outline
    outline_text: str
    """The outline as every chapter's writer reads it."""
    sources: list[dict[str, Any]]
    index: PassageIndex
    style: str
    requirements: str
    shares: dict[str, int]


@dataclass(frozen=True)
class ChapterPlace:
    position: int
    chapter: OutlineNode
    job: JobContext


def job_context(request: dict[str, Any] | None, job: DocumentJobRow) -> JobContext:
    """What the chapters of the job (its request, and its row with its sources numbered)
    are written from."""
    settings = JobSettings.model_validate(request)
    outline = Outline.model_validate(job.outline)
    known = job.sources or []
    return JobContext(
        settings=settings,
        outline=outline,
        outline_text=outline_text(outline),
        sources=known,
        index=job_sources.index_of(known),
        style=job_sources.guidance(job.files, "style"),
        requirements=job_sources.guidance(job.files, "requirements"),
        shares=word_shares(outline, settings.word_count or 3000),
    )


def _query(chapter: OutlineNode) -> str:
    parts = [chapter.title, chapter.summary]
    stack = list(chapter.children)
    while stack:
        node = stack.pop()
        parts += [node.title, node.summary]
        stack.extend(node.children)
    return " ".join(p for p in parts if p)


class ChapterWriting:
    """The :class:`~learnpath.engine.workflow.FanOut` of the document workflow."""

    noun = "chapter"

    async def context(self, s: Session, task_id: str, subject_id: str) -> JobContext:
        # A document job is its chapters' subject and their task.
        job, request = await documents.job_and_request(s, subject_id)
        return job_context(request, job)

    def locate(self, context: Any, key: ItemKey) -> tuple[str, ChapterPlace] | None:
        assert isinstance(context, JobContext)
        for position, chapter in enumerate(context.outline.nodes):
            if chapter.id == key.concept_id:
                return chapter.title, ChapterPlace(position, chapter, context)
        return None

    async def make(self, rt: Runtime, item: StartedItem) -> Outcome | None:
        place: ChapterPlace = item.context
        data = _chapter_input(place)
        known = {s["n"] for s in place.job.sources}
        should_cancel = cancel_check(rt, item.task_id)
        synthetic = rt.llm.provider.synthetic
        calls: list[object] = []
        try:
            draft = await CHAPTER.run(rt.llm, data, should_cancel)
            calls += draft.calls
            markdown, summary = draft.value.markdown, draft.value.summary
            words = count_words(markdown)
            problems, unknown = _problems(markdown, words, data.word_target, known)
            if problems:
                revised = await REVISER.run(
                    rt.llm,
                    RevisionInput(
                        **data.model_dump(),
                        draft=markdown,
                        current_words=words,
                        problems=problems,
                        unknown_citations=unknown,
                    ),
                    should_cancel,
                )
                calls += revised.calls
                markdown, summary = revised.value.markdown, revised.value.summary
        except CancelledByRequest:
            return None
        except LLMError as error:
            return Outcome(item, [*calls, *error.calls], error=str(error), synthetic=synthetic)
        if problems:  # the revision may still cite unknown sources: those are dropped
            markdown = citations.without_unknown(markdown, known)
            words = count_words(markdown)
        body = {"markdown": markdown, "summary": summary, "word_count": words}
        return Outcome(item, calls, body=body, synthetic=synthetic)

    async def store(
        self, s: Session, item_task: tuple[str, str], made: Sequence[tuple[Outcome, str]]
    ) -> dict[ItemKey, int]:
        job_id, _ = item_task
        versions = await documents.save_chapters(
            s,
            job_id,
            any(o.synthetic for o, _ in made),
            [(o.item.key.concept_id, key, o.body) for o, key in made if o.body is not None],
        )
        return {ItemKey(chapter_id, documents.CHAPTER): v for chapter_id, v in versions.items()}

    async def ending(self, s: Session, task: TaskRow, items: Sequence[ItemRow]) -> Ending:
        return await assembly.assemble_job(s, task, items)

    def completed_message(self, done: int) -> str:
        return f"Document complete: {done} chapter(s) written"


def _chapter_input(place: ChapterPlace) -> ChapterInput:
    job, chapter = place.job, place.chapter
    before = job.outline.nodes[: place.position]
    return ChapterInput(
        task_prompt=job.settings.task_prompt,
        language=language_of(job.settings.task_prompt),
        document_title=job.outline.title,
        outline=job.outline_text,
        chapter_id=chapter.id,
        chapter_title=chapter.title,
        chapter_summary=chapter.summary,
        sub_sections=[child.title for child in chapter.children],
        word_target=job.shares[chapter.id],
        previous=[f"{c.id} {c.title}: {c.summary}" for c in before],
        sources=job_sources.briefs(job.index, job.sources, _query(chapter), PASSAGES_PER_CHAPTER),
        style_guide=job.style,
        requirements=job.requirements,
    )


def _problems(
    markdown: str, words: int, target: int, known: set[int]
) -> tuple[list[str], list[int]]:
    """What a revision must fix: unknown citations, a length (``words``) far off the
    share."""
    problems: list[str] = []
    unknown = citations.unknown(markdown, known)
    if unknown:
        listed = ", ".join(f"[{n}]" for n in unknown)
        problems.append(f"cites sources that do not exist: {listed}")
    if not within(words, target, RESIZE_TOLERANCE):
        way = "expand" if words < target else "trim"
        problems.append(f"has {words} words; {way} it to about {target}")
    return problems, unknown
