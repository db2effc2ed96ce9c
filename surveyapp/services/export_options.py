"""Export options: the preset, codes or labels, the label language and the filters, parsed
from query parameters or CLI flags with a located error for a bad value."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from surveyapp.exports.cells import DEFAULT_PRESET, PRESETS
from surveyapp.exports.query import TEST_CHOICES, ExportFilters
from surveyapp.languages import INTERFACE_LANGUAGES
from surveyapp.models import RESPONSE_STATUSES

LABEL_CHOICES = ("codes", "fr", "en")


class ExportError(ValueError):
    """A request that cannot be served as asked (bad parameter value)."""


@dataclass(frozen=True, slots=True)
class ExportOptions:
    """How to export: preset, codes or labels, language of SPSS and codebook labels, filters."""

    preset: str = DEFAULT_PRESET
    #: None: option codes; "fr" / "en": value labels in that language.
    labels: str | None = None
    #: Language of the SPSS variable and value labels and of the codebook's notes.
    lang: str | None = None
    filters: ExportFilters = field(default_factory=ExportFilters)
    #: Full start and completion times instead of the completion date (spec §9.9): only
    #: when an admin asks for them; the audit log records it.
    timestamps: bool = False

    def describe(self, fmt: str) -> dict[str, Any]:
        """What was asked, for the audit log."""
        return {
            "format": fmt,
            "preset": self.preset,
            "labels": self.labels or "codes",
            "lang": self.lang,
            "timestamps": self.timestamps,
            "filters": self.filters.describe(),
        }


def _date(text: str, name: str, end: bool) -> datetime:
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
            return moment + timedelta(days=1) if end else moment
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ExportError(f"{name} must be a date (YYYY-MM-DD) or an ISO 8601 time") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def parse_options(
    args: Mapping[str, str], languages: tuple[str, ...] = INTERFACE_LANGUAGES
) -> ExportOptions:
    """Options from query parameters or CLI flags; ExportError names the bad one.
    `languages` are the survey's (the choices of `labels`, `lang` and `language`); without
    them, the interface languages.

    preset=excel|excel-fr|plain, labels=codes|fr|en, lang=fr|en (SPSS labels, codebook notes),
    status=complete[,screened_out,…]|all, from=YYYY-MM-DD, to=YYYY-MM-DD (inclusive),
    language=fr|en, source=<code>, test=exclude|include|only, timestamps=0|1 (the caller
    decides who may ask for timestamps).
    """
    preset = args.get("preset") or DEFAULT_PRESET
    if preset not in PRESETS:
        raise ExportError(f"preset must be one of {', '.join(PRESETS)}")
    labels = args.get("labels") or "codes"
    if labels not in LABEL_CHOICES or (labels != "codes" and labels not in languages):
        raise ExportError(f"labels must be one of codes, {', '.join(languages)}")
    lang = args.get("lang") or None
    if lang is not None and lang not in languages:
        raise ExportError(f"lang must be one of {', '.join(languages)}")
    raw_status = args.get("status") or "complete"
    statuses = (
        RESPONSE_STATUSES
        if raw_status == "all"
        else tuple(s.strip() for s in raw_status.split(","))
    )
    if not statuses or any(s not in RESPONSE_STATUSES for s in statuses):
        raise ExportError(f"status must be 'all' or among {', '.join(RESPONSE_STATUSES)}")
    language = args.get("language") or None
    if language is not None and language not in languages:
        raise ExportError(f"language must be one of {', '.join(languages)}")
    tests = args.get("test") or "exclude"
    if tests not in TEST_CHOICES:
        raise ExportError(f"test must be one of {', '.join(TEST_CHOICES)}")
    since = _date(args["from"], "from", end=False) if args.get("from") else None
    until = _date(args["to"], "to", end=True) if args.get("to") else None
    source = args.get("source") or None
    if source is not None and (len(source) > 64 or not source.replace("_", "").isalnum()):
        raise ExportError("source must be a code")
    filters = ExportFilters(tuple(statuses), since, until, language, source, tests)
    timestamps = args.get("timestamps") or "0"
    if timestamps not in ("0", "1"):
        raise ExportError("timestamps must be 0 or 1")
    labels_or_none = None if labels == "codes" else labels
    return ExportOptions(preset, labels_or_none, lang, filters, timestamps == "1")
