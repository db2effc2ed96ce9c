"""Reading the `survey:` block: id, version, languages (set on the reader for every later
text), default language, titles (the neutral screening title and where it ends).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from types import MappingProxyType

from .model import Text
from .reader import LANGUAGE, Reader, Section, join
from .yamlsource import YNode

SLUG = re.compile(r"[a-z][a-z0-9_-]*\Z")
HEADER_KEYS = (
    "id", "version", "languages", "default_language", "title", "introduction",
    "estimated_seconds_per_question", "screening_title", "real_title_from",
)  # fmt: skip
HEADER_REQUIRED = ("id", "version", "languages", "default_language", "title")


@dataclass
class Header:
    """The `survey:` block."""

    id: str = "survey"
    version: str = ""
    languages: tuple[str, ...] = ("en",)
    default_language: str = "en"
    title: Text = field(default_factory=lambda: MappingProxyType({}))
    introduction: Text | None = None
    seconds_per_question: int = 20
    screening_title: Text | None = None
    real_title_from: str | None = None


def read_header(reader: Reader, node: YNode | None) -> Header:
    """The survey block; sets the reader's languages for every later text."""
    header = Header()
    mapping = reader.mapping(node, "survey")
    if mapping is None:
        return header
    sec = reader.section(mapping, "survey", HEADER_KEYS, HEADER_REQUIRED)
    survey_id = sec.read("id", reader.string, "id")
    if survey_id is not None and not SLUG.match(survey_id):
        sec.error("id", "id must match ^[a-z][a-z0-9_-]*$", "invalid-id")
    header.id = survey_id or header.id
    header.version = sec.read("version", reader.string, "version") or ""
    header.languages = sec.read("languages", _languages, reader) or header.languages
    reader.languages = header.languages
    default = sec.read("default_language", reader.string)
    if default is not None and default not in header.languages:
        message = f"default_language '{default}' is not one of the languages"
        sec.error("default_language", message, "value")
    header.default_language = default if default in header.languages else header.languages[0]
    header.title = sec.read("title", reader.text) or header.title
    header.introduction = sec.read("introduction", reader.text)
    _read_titles(reader, sec, header)
    seconds = sec.read("estimated_seconds_per_question", reader.integer, "seconds", 1)
    header.seconds_per_question = seconds or header.seconds_per_question
    return header


def _read_titles(reader: Reader, sec: Section, header: Header) -> None:
    """The neutral screening title and the page from which the real title is shown."""
    header.screening_title = sec.read("screening_title", reader.text)
    header.real_title_from = sec.read("real_title_from", reader.identifier, "page id")
    pair = ("screening_title", "real_title_from")
    for key, other in (pair, pair[::-1]):
        if key in sec and other not in sec:
            message = f"{key} needs {other} (the neutral title and where it ends)"
            sec.error(key, message, "missing-key")
    if "real_title_from" in sec:
        node = sec.fields["real_title_from"]
        reader.locate(("header", "real_title_from"), node, sec.at("real_title_from"))


def _languages(node: YNode, path: str, reader: Reader) -> tuple[str, ...]:
    seq = reader.sequence(node, path, "a list of language codes")
    if seq is not None and not seq.items:
        reader.error(seq, path, "declare at least one language", "value")
    found: list[str] = []
    for i, item in enumerate(seq.items if seq else ()):
        lang = reader.string(item, join(path, i), "language")
        if lang is not None and not LANGUAGE.match(lang):
            message = f"language '{lang}' is not a language code such as fr or en"
            reader.error(item, join(path, i), message, "value")
        elif lang in found:
            reader.error(item, join(path, i), f"duplicate language '{lang}'", "duplicate")
        elif lang is not None:
            found.append(lang)
    return tuple(found)
