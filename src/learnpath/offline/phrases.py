"""The offline document answers' phrase banks, one per language they write (English and
Chinese; every other language gets English with a note saying so), and the subject of a
document prompt (contract §7: the document is written in its prompt's language)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from learnpath.offline.text import OFFLINE_NOTE, OFFLINE_TAG, cap, lower_first

Plan = tuple[str, tuple[str, ...]]
"""A chapter's title and its sub-sections' titles; ``{S}`` stands for the subject."""


@dataclass(frozen=True)
class Phrases:
    code: str
    note: str
    """The label every offline chapter starts with."""
    tag: str
    """The label at the end of offline summaries."""
    joiner: str
    """What goes between two sentences."""
    prefix: re.Pattern[str]
    suffix: re.Pattern[str]
    cut: re.Pattern[str]
    query_suffixes: tuple[str, ...]
    titles: tuple[str, ...]
    doc_summary: str
    node_summary: tuple[str, ...]
    intro: Plan
    middle: tuple[Plan, ...]
    topic_children: tuple[str, ...]
    sources_chapter: str
    source_child: str
    conclusion: Plan
    sentences: tuple[str, ...]
    aspects: tuple[str, ...]
    framings: tuple[str, ...]
    title_only: str
    chapter_summary: str
    list_separator: str
    stop: str
    """The full stop a sentence without one gets."""

    def mid(self, title: str) -> str:
        """A title as it reads mid-sentence: lower-cased first letter unless a proper name."""
        return lower_first(title) if self.code == "en" else title

    def join(self, sentences: list[str]) -> str:
        """Sentences as one paragraph; with no joiner (Chinese), one ending in an ASCII stop
        (a quoted English sentence) is still followed by a space."""
        if self.joiner:
            return self.joiner.join(sentences)
        return "".join(s + " " if s[-1:] in ".!?" else s for s in sentences).rstrip()

    def subject(self, prompt: str) -> str:
        """What a prompt asks a document about: "Write a report on X for Y" → "X"."""
        text = " ".join(prompt.split())
        while (stripped := self.prefix.sub("", text, count=1)) != text:
            text = stripped
        text = self.cut.split(text, maxsplit=1)[0]
        text = self.suffix.sub("", text).strip(" '\"“”《》")
        return text[:80].strip() or " ".join(prompt.split()[:6])[:80] or "this subject"


_EN = Phrases(
    code="en",
    note=f"{OFFLINE_NOTE}: a stand-in chapter assembled from the sources, not written by a "
    "language model.",
    tag=OFFLINE_TAG,
    joiner=" ",
    prefix=re.compile(
        r"^(?:please\s+|(?:can|could|would)\s+you\s+|i\s+(?:need|want|would\s+like)\s+"
        r"|help\s+me\s+|(?:to\s+)?(?:write|draft|create|produce|prepare|compose|generate|give)"
        r"\s+(?:me\s+|us\s+)?|(?:a|an|the|some)\s+|(?:detailed|short|long|comprehensive|"
        r"thorough|brief|technical|full|complete|concise|well-sourced|in-depth|practical|hands-on"
        r"|quick|gentle|friendly|simple|beginner's)\s+"
        r"|(?:report|document|essay|guide|article|paper|overview|white\s+paper|handbook|manual"
        r"|tutorial|book|survey|review|analysis|study|introduction|primer|summary)\s+"
        r"(?:on|about|of|for|covering|to|into)\s+|(?:explain|describe|discuss|summari[sz]e"
        r"|analy[sz]e|compare|investigate|explore|examine|outline)\s+)",
        re.IGNORECASE,
    ),
    suffix=re.compile(r"[\s.!?]+$"),
    cut=re.compile(
        r"\s+(?:so\s+that|in\s+order\s+to|that\s+explains|for\s+(?:\w+\s+)?(?:a|an|the|my|our|students"
        r"|beginners|managers|engineers|developers|executives|readers|non-experts)\b|"
        r"aimed\s+at|with\s+(?:a|an)\s+focus)\b|[,;:!?()\[\]]|\.\s|\s[-–—]\s",
        re.IGNORECASE,
    ),
    query_suffixes=(
        "overview",
        "history",
        "recent research",
        "best practices",
        "challenges",
        "case studies",
    ),
    titles=("{S}: An Overview", "Understanding {S}", "{S}: A Report", "A Guide to {S}"),
    doc_summary="A structured document on {S}: its background, its core ideas, practice and "
    "outlook, drawing on the sources given. {tag}",
    node_summary=(
        "What {topic} means for {S}.",
        "The main points of {topic}.",
        "{Topic}, with examples and evidence.",
    ),
    intro=("Introduction to {S}", ("Why {S} matters", "Scope of this document", "Key terms")),
    middle=(
        ("Background and history of {S}", ("Origins", "Key developments", "Turning points")),
        ("Core concepts of {S}", ("Fundamental ideas", "How the parts fit together", "Models")),
        ("{S} in practice", ("Typical applications", "Worked examples", "Lessons learnt")),
        ("Challenges and open questions", ("Known limitations", "Risks", "Debates")),
        ("Future directions of {S}", ("Emerging trends", "Research agenda", "Scenarios")),
    ),
    topic_children=("{T}: key facts", "{T}: evidence and examples", "{T}: implications"),
    sources_chapter="What the sources say about {S}",
    source_child="Insights from {title}",
    conclusion=("Conclusion", ("Key findings", "Recommendations", "Further reading")),
    sentences=(
        "A useful way into {topic} is to look at {aspect}.",
        "When it comes to {aspect}, {topic} rewards a careful, step-by-step reading.",
        "{Topic} cannot be separated from {aspect}, which shapes how it plays out in practice.",
        "Seen through {aspect}, {topic} becomes easier to compare across cases.",
        "Readers of {doc} will find that much of what follows comes back to {aspect}.",
        "The evidence on {aspect} is uneven, so claims about {topic} deserve some caution.",
        "It helps to separate what is well established about {aspect} from what is debated.",
        "Practitioners often judge {topic} by {aspect} before anything else.",
        "Questions about {aspect} recur throughout this part of the document.",
        "A short example makes {aspect} concrete and shows why it matters for {topic}.",
    ),
    aspects=(
        "its origins",
        "the people involved",
        "the underlying principles",
        "the costs and benefits",
        "common misconceptions",
        "measurable results",
        "the wider context",
        "the main trade-offs",
        "everyday practice",
        "the open questions",
        "the available evidence",
        "how it is changing",
    ),
    framings=("{s}", "{Title} observes: {s}", "As {title} puts it: {s}"),
    title_only="{Title} is among the sources consulted on {topic}.",
    chapter_summary="Chapter {id}, {title}, covers {parts}. {tag}",
    list_separator=", ",
    stop=".",
)
_ZH = Phrases(
    code="zh",
    note="由 learnpath 内置的离线提供程序生成：根据所给资料拼接的示例章节，并非语言模型所写。",
    tag="（离线生成）",
    joiner="",
    prefix=re.compile(
        r"^(?:请|麻烦|帮我|帮忙|我(?:想|需要|希望)|(?:撰写|编写|写作|起草|生成|整理|写)"
        r"|(?:一篇|一份|一个|一本|篇|份)|(?:详细|简短|完整|全面|深入)的?|关于|有关|针对"
        r"|(?:介绍|解释|说明|分析|探讨|讨论|总结|概述|阐述)(?:一下)?)"
    ),
    suffix=re.compile(
        r"(?:的)?(?:研究)?(?:报告|文章|文档|指南|综述|论文|白皮书|手册|教程|介绍|概述|分析)?"
        r"[\s。！？.!?]*$"
    ),
    cut=re.compile(r"[，。；！？,;!?：:（）()]"),
    query_suffixes=("概述", "发展历史", "最新研究", "最佳实践", "挑战", "案例分析"),
    titles=("{S}概述", "{S}研究报告", "理解{S}", "{S}指南"),
    doc_summary="本文系统介绍{S}：背景、核心概念、实践与展望，并参考所给资料。{tag}",
    node_summary=("{topic}对于{S}的意义。", "{topic}的要点。", "结合实例与证据阐述{topic}。"),
    intro=("{S}导论", ("{S}的重要性", "本文的范围", "关键术语")),
    middle=(
        ("{S}的背景与历史", ("起源", "重要发展", "转折点")),
        ("{S}的核心概念", ("基本思想", "各部分如何协同", "主要模型")),
        ("{S}的实践", ("典型应用", "实例分析", "经验教训")),
        ("挑战与未解问题", ("已知局限", "风险", "争议")),
        ("{S}的未来方向", ("新兴趋势", "研究议程", "发展情景")),
    ),
    topic_children=("{T}的基本事实", "{T}的证据与实例", "{T}的影响"),
    sources_chapter="资料中的{S}",
    source_child="《{title}》的要点",
    conclusion=("结论", ("主要发现", "建议", "延伸阅读")),
    sentences=(
        "理解{topic}，可以先从{aspect}入手。",
        "就{aspect}而言，{topic}需要循序渐进地加以分析。",
        "{topic}与{aspect}密不可分，后者在很大程度上决定了它在实践中的表现。",
        "从{aspect}的角度看，{topic}更容易在不同案例之间进行比较。",
        "对于《{doc}》的读者来说，{aspect}能够解释后文的许多内容。",
        "关于{aspect}的证据并不均衡，因此对{topic}的判断需要保持谨慎。",
        "有必要区分{aspect}中哪些已有定论，哪些仍存在争议。",
        "实践者在评价{topic}时，往往首先关注{aspect}。",
        "有关{aspect}的问题贯穿本部分的讨论。",
        "一个简短的例子可以让{aspect}变得具体，并说明它为何对{topic}至关重要。",
    ),
    aspects=(
        "历史渊源",
        "相关参与者",
        "基本原理",
        "成本与收益",
        "常见误区",
        "可衡量的成果",
        "更广泛的背景",
        "主要权衡",
        "日常实践",
        "尚未解决的问题",
        "现有证据",
        "发展趋势",
    ),
    framings=("{s}", "《{title}》指出：{s}", "正如《{title}》所述，{s}"),
    title_only="《{title}》是本节关于{topic}所参考的资料之一。",
    chapter_summary="第{id}章“{title}”讨论了{parts}。{tag}",
    list_separator="、",
    stop="。",
)
OTHER_LANGUAGE_NOTE = (
    "Written in English: the offline provider has phrases for English and Chinese only."
)


def phrases(language: str) -> Phrases:
    """The bank for ``language`` (a code): Chinese for "zh", English for everything else."""
    return _ZH if language == "zh" else _EN


def fill(template: str, **values: str) -> str:
    """``template`` with ``{S}``, ``{T}``, ``{Topic}``… replaced (``{Topic}`` capitalised)."""
    out = template
    for key, value in values.items():
        out = out.replace("{" + key + "}", value)
        out = out.replace("{" + cap(key) + "}", cap(value))
    return out


_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)、]|[一二三四五六七八九十]+、)\s*(?P<item>\S.*)$")


def listed_topics(requirements: str) -> list[str]:
    """The topics a requirements text lists as bullets or numbered lines, in order."""
    items = (m.group("item") for m in map(_BULLET.match, requirements.splitlines()) if m)
    cleaned = (" ".join(i.split()).rstrip("。.;；,，")[:80] for i in items)
    return list(dict.fromkeys(t for t in cleaned if t))
