"""The offline provider's knowledge: topic outlines, resources, code snippets and facts, as data.

It lives in TOML files under ``data/``, shipped with the package:

- ``topics.toml`` lists the topics in priority order (on a tie the one listed first wins),
  each described in ``topics/<key>.toml``: an ordered outline (sections of concept names,
  basics first), projects, well-known resources, code snippets and true/false facts;
- ``kinds.toml`` words the roadmaps of each kind of topic (stage names, descriptions, the
  deeper variants that fill roadmaps bigger than an outline);
- ``languages.toml`` names the human languages without a topic of their own and holds the
  outline they share, ``generic.toml`` the outline of a subject nothing else matches; in
  both, ``{L}`` stands for the language or the subject.

:func:`knowledge` reads the files once per process and validates them with the models here:
a broken file raises :class:`DataFileError` naming the file and the field.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Annotated, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

Kind = Literal["technical", "language", "skill", "generic"]
ResourceKind = Literal["article", "video", "book", "course", "documentation", "tool", "exercise"]


class DataFileError(Exception):
    """A data file of the offline provider is missing, is not TOML or breaks its schema."""


def _compiles(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as error:
        raise ValueError(f"not a regular expression: {error}") from error
    return pattern


Pattern = Annotated[str, AfterValidator(_compiles)]
Text = Annotated[str, Field(min_length=1)]


class _Data(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Section(_Data):
    name: Text
    concepts: tuple[Text, ...] = Field(min_length=1)


class ResourceSeed(_Data):
    title: Text
    url: Text
    """May contain ``{q}``: replaced by the URL-quoted search text."""
    type: ResourceKind
    description: str


class Snippet(_Data):
    match: tuple[Text, ...] = ()
    """Lowercase words, one of which the concept name must contain; empty for the default."""
    lang: Text
    code: Text
    """May contain ``{name}``, replaced by the concept name (only ever inside comments)."""
    in_goal: bool = False
    """Also use it for every concept when the goal mentions one of the words."""


class Fact(_Data):
    statement: Text
    is_true: bool


class Example(_Data):
    """An example sentence of a language topic, with its English translation."""

    phrase: Text
    english: Text


class Outline(_Data):
    """What a subject is taught with: the part of a topic the templates share."""

    sections: tuple[Section, ...] = Field(min_length=1)
    projects: tuple[Text, ...] = ()
    resources: tuple[ResourceSeed, ...] = ()
    search: ResourceSeed | None = None
    facts: tuple[Fact, ...] = ()
    typical_hours: int = Field(default=150, gt=0)

    def flat(self) -> list[tuple[str, str]]:
        """Every (section name, concept name), in learning order."""
        return [(s.name, c) for s in self.sections for c in s.concepts]


class Topic(Outline):
    key: Text
    label: Text
    kind: Kind
    patterns: tuple[Pattern, ...] = ()
    """Regular expressions (case-insensitive) that name the topic, or a tool of it, in a goal."""
    areas: tuple[Pattern, ...] = ()
    """Regular expressions for fields the topic serves that other topics serve too ("data
    analysis"): they weigh half as much as a name, so a tool the goal names outweighs them."""
    specialises: tuple[Text, ...] = ()
    """Keys of the topics this one applies to its field (machine learning applies Python): a
    goal that names one of them and this topic gets this one ("Python for data science")."""
    technologies: tuple[Text, ...] = ()
    snippets: tuple[Snippet, ...] = ()
    examples: tuple[Example, ...] = ()


class LanguageOutline(Outline):
    names: tuple[Text, ...] = Field(min_length=1)
    """Human languages that get this outline, each as it is written in English."""


class Variant(_Data):
    name: Text
    """``{x}`` stands for the concept it deepens."""
    description: Text
    """``{b}`` stands for the concept it deepens, as written mid-sentence."""


class Phrasing(_Data):
    """How the roadmaps of one kind of topic are worded; ``{L}`` stands for the topic."""

    stage_names: tuple[Text, ...] = Field(min_length=1)
    """From the start of the outline to its end."""
    descriptions: tuple[Text, ...] = Field(min_length=1)
    """Concept descriptions; ``{N}`` is the concept's name, ``{n}`` the same mid-sentence."""
    variants: tuple[Variant, ...] = Field(min_length=1)


class Kinds(_Data):
    technical: Phrasing
    language: Phrasing
    skill: Phrasing
    generic: Phrasing

    def of(self, kind: Kind) -> Phrasing:
        return {
            "technical": self.technical,
            "language": self.language,
            "skill": self.skill,
            "generic": self.generic,
        }[kind]


class Catalogue(_Data):
    topics: tuple[Text, ...] = Field(min_length=2)
    """Topic keys in priority order; at least two, so a quiz can draw on another topic."""


@dataclass(frozen=True)
class Knowledge:
    topics: tuple[Topic, ...]
    kinds: Kinds
    languages: LanguageOutline
    generic: Outline


M = TypeVar("M", bound=BaseModel)


def _data() -> Traversable:
    return files("learnpath.offline") / "data"


def _problems(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(part) for part in problem['loc']) or '(file)'}: {problem['msg']}"
        for problem in error.errors()
    )


def _parse(model: type[M], name: str) -> M:
    """``data/<name>`` as ``model``, or :class:`DataFileError` naming the file and the field."""
    resource = _data()
    for part in name.split("/"):
        resource = resource / part
    try:
        return model.model_validate(tomllib.loads(resource.read_text(encoding="utf-8")))
    except FileNotFoundError as error:
        raise DataFileError(f"offline data file {name}: missing") from error
    except tomllib.TOMLDecodeError as error:
        raise DataFileError(f"offline data file {name}: not valid TOML: {error}") from error
    except ValidationError as error:
        raise DataFileError(f"offline data file {name}: {_problems(error)}") from error


def _topics() -> tuple[Topic, ...]:
    listed = _parse(Catalogue, "topics.toml").topics
    if len(set(listed)) != len(listed):
        raise DataFileError("offline data file topics.toml: topics: a key is listed twice")
    found = {f.name.removesuffix(".toml") for f in (_data() / "topics").iterdir()}
    if unlisted := sorted(found - set(listed)):
        raise DataFileError(f"offline data file topics.toml: topics: {unlisted} not listed")
    topics = tuple(_parse(Topic, f"topics/{key}.toml") for key in listed)
    for key, topic in zip(listed, topics, strict=True):
        if topic.key != key:
            raise DataFileError(
                f"offline data file topics/{key}.toml: key: {topic.key!r} does not match its "
                "file name"
            )
        if unknown := sorted(set(topic.specialises) - (set(listed) - {key})):
            raise DataFileError(
                f"offline data file topics/{key}.toml: specialises: {unknown} is not another topic"
            )
    return topics


@functools.cache
def knowledge() -> Knowledge:
    """Everything in ``data/``, read and validated on first use, then kept for the process."""
    return Knowledge(
        topics=_topics(),
        kinds=_parse(Kinds, "kinds.toml"),
        languages=_parse(LanguageOutline, "languages.toml"),
        generic=_parse(Outline, "generic.toml"),
    )
