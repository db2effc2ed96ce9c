"""The codebook: what every export column holds, in both languages, as CSV rows or JSON.

For each column: its name, the question text in French and English, its type, every value
code with its label in both languages, the condition under which it is asked, the
missing-data codes that can appear in it, the quota cells it feeds, whether it may hold
personal data, and the survey versions that have it. The JSON codebook adds the file-level
facts: presets (what each one does to text cells), the missing-data scheme, the filters.

The notes written in one language (the `missing` meanings, the file facts, the preset
descriptions, the formula-injection note) are gettext messages: the caller chooses their
language with `flask_babel.force_locale` (services/exports.py uses the export's `lang`);
outside an app context they are English.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from surveyapp.engine.messages import N_
from surveyapp.exports.cells import PRESETS
from surveyapp.exports.columns import NOT_ANSWERED, ExportColumn
from surveyapp.exports.spss import spss_names

#: The missing-data scheme, as documented in docs/exports.md (the `csv` and `spss` texts are
#: msgids, translated by `missing_scheme`).
MISSING_SCHEME = {
    "not_asked": {
        "csv": "",
        "spss": N_("system-missing (numeric), empty string (text)"),
        "fr": "Non posée : la route l'a masquée, l'option ou la ligne n'a pas été proposée, "
        "ou la réponse s'est arrêtée avant",
        "en": "Not asked: hidden by the route, option or row not offered, or the response "
        "ended before it",
    },
    "shown_not_answered": {
        "csv": str(NOT_ANSWERED),
        "spss": N_("-99 (declared user-missing; “-99” in text variables)"),
        "fr": "Affichée, sans réponse (question facultative laissée vide)",
        "en": "Shown, not answered (an optional question left blank)",
    },
    "dont_know": {
        "csv": N_("the option’s own code"),
        "spss": N_("the option’s own code (a valid value, not declared missing)"),
        "fr": "« Ne sais pas » est une réponse : il garde son propre code d'option",
        "en": 'An answered "don\'t know" is an answer: it keeps its own option code',
    },
}

#: The presets described in French (the English descriptions are `Preset.description`).
PRESET_FR = {
    "excel": "UTF-8 avec BOM, séparateur virgule ; les cellules de texte qui ressemblent à une "
    "formule sont précédées d’une apostrophe (')",
    "excel-fr": "UTF-8 avec BOM, séparateur point-virgule, virgule décimale (Excel en "
    "français) ; les cellules de texte qui ressemblent à une formule sont précédées d’une "
    "apostrophe (')",
    "plain": "RFC 4180, UTF-8 sans BOM, pour R et pandas ; texte écrit tel quel, NON "
    "neutralisé : n’ouvrez pas ce fichier dans un tableur",
}

#: What an empty cell or -99 means, per column kind (translated when read).
_MISSING_BY_KIND: dict[str, dict[str, LazyString]] = {
    "answer": {"": _l("not asked"), str(NOT_ANSWERED): _l("shown, not answered")},
    "other": {
        "": _l("not asked (the question was not asked or the “other” option was not chosen)"),
        str(NOT_ANSWERED): _l("“other” chosen, text left blank"),
    },
    "flag": {
        "": _l("not asked (question not asked, or this option not offered)"),
        str(NOT_ANSWERED): _l("question shown, nothing selected"),
    },
    "derived": {"": _l("not set (no case of the definition applies)")},
    "order": {"": _l("not asked")},
    "quality": {"": _l("not applicable (not complete, or not enough answers to judge)")},
    "completed": {"": _l("in progress")},
    "param": {"": _l("not given")},
    "none": {},
}

CSV_HEADER = [
    "name",
    "section",
    "type",
    "question",
    "text_fr",
    "text_en",
    "values_fr",
    "values_en",
    "numeric",
    "condition",
    "missing",
    "quota_cells",
    "personal",
    "versions",
    "id_name",
    "spss_name",
]


def missing_codes(col: ExportColumn) -> dict[str, str]:
    """The missing-data codes that can appear in a column, with their meaning (in the
    current locale)."""
    if col.section == "derived" and col.extra.get("calc"):
        return {"": _("empty (a value it reads is empty, or a division by zero)")}
    return {code: str(meaning) for code, meaning in _missing_by_kind(col).items()}


def _missing_by_kind(col: ExportColumn) -> Mapping[str, LazyString | str]:
    if col.section in ("derived", "order", "quality"):
        return _MISSING_BY_KIND[col.section]
    if col.section == "answer":
        if col.kind == "other":
            return _MISSING_BY_KIND["other"]
        if col.kind == "flag":
            return _MISSING_BY_KIND["flag"]
        if col.extra.get("dont_know") is not None:  # a number question's "don't know" box
            code = str(col.extra["dont_know"])
            return {
                **_MISSING_BY_KIND["answer"],
                code: _("“don’t know” selected (user-missing)"),
            }
        return _MISSING_BY_KIND["answer"]
    if col.kind in ("ending", "ending_detail", "completed_at", "completed_date", "duration"):
        return _MISSING_BY_KIND["completed"]
    if col.kind.startswith("param"):
        return _MISSING_BY_KIND["param"]
    return _MISSING_BY_KIND["none"]


def preset_description(name: str, lang: str) -> str:
    """What a preset does, in French or (any other language) English."""
    return PRESET_FR[name] if lang == "fr" and name in PRESET_FR else PRESETS[name].description


def missing_scheme() -> dict[str, dict[str, str]]:
    """`MISSING_SCHEME` with its `csv` and `spss` descriptions in the current locale (a bare
    code such as -99 or an empty cell stays as it is)."""
    return {
        key: {
            fmt: _(text) if fmt in ("csv", "spss") and any(c.isalpha() for c in text) else text
            for fmt, text in entry.items()
        }
        for key, entry in MISSING_SCHEME.items()
    }


def column_entry(
    col: ExportColumn, languages: Sequence[str], spss: str | None = None
) -> dict[str, Any]:
    """One column of the JSON codebook, its texts in the survey's `languages` (`spss`: its
    name in the SPSS file)."""
    naming = {"id_name": col.id_name or col.name, "spss_name": spss or col.name}
    if spss is not None and spss != col.name:
        naming["spss_note"] = _(
            "“%(name)s” is not a valid SPSS variable name: the SPSS file names it “%(spss)s”",
            name=col.name,
            spss=spss,
        )
    return {
        "name": col.name,
        **naming,
        "section": col.section,
        "type": col.kind,
        "question": col.source,
        "option": col.code,
        "row": col.row,
        "text": {lang: col.title.get(lang, "") for lang in languages},
        "values": [
            {"code": code, "label": {lang: labels.get(lang, "") for lang in languages}}
            for code, labels in col.values.items()
        ],
        "numeric": col.numeric,
        "condition": col.condition,
        "condition_tree": col.condition_tree,
        "missing": missing_codes(col),
        "quota_cells": list(col.quota_cells),
        "personal": col.personal,
        "versions": list(col.versions),
        **{key: value for key, value in col.extra.items() if value is not None},
    }


def codebook_document(
    layout: Sequence[ExportColumn],
    *,
    survey: Mapping[str, Any],
    versions: Sequence[Mapping[str, Any]],
    preset: str,
    labels: str | None,
    filters: Mapping[str, Any] | None = None,
    lang: str = "en",
) -> dict[str, Any]:
    """The JSON codebook; its notes in the current locale, the presets described in `lang`
    (French or English)."""
    chosen = PRESETS[preset]
    return {
        "survey": dict(survey),
        "versions": [dict(v) for v in versions],
        "file": {
            "preset": preset,
            "values": _("labels (%(lang)s)", lang=labels) if labels else _("option codes"),
            "encoding": _("UTF-8 with BOM") if chosen.bom else "UTF-8",
            "delimiter": PRESETS[preset].delimiter,
            "decimal_separator": "," if PRESETS[preset].decimal_comma else ".",
            "row_terminator": "CRLF",
            "timestamps": _("ISO 8601, UTC (YYYY-MM-DDTHH:MM:SSZ)"),
            "filters": dict(filters or {}),
        },
        "presets": {
            name: {
                "description": preset_description(name, lang),
                "delimiter": p.delimiter,
                "bom": p.bom,
                "decimal_comma": p.decimal_comma,
                "formula_neutralised": p.neutralise,
            }
            for name, p in PRESETS.items()
        },
        "formula_injection": _(
            "In the excel and excel-fr presets every text cell (answers, labels, header cells) "
            "whose first character is = + - @ TAB CR LF or a full-width = + - @ is prefixed with "
            "an apostrophe (U+0027); numbers are never prefixed. The plain preset writes text "
            "verbatim: do not open it in a spreadsheet."
        ),
        "missing_data": missing_scheme(),
        "columns": [
            column_entry(col, survey["languages"], spss)
            for col, spss in zip(layout, spss_names(layout), strict=True)
        ],
    }


def _values_text(col: ExportColumn, lang: str) -> str:
    return " | ".join(f"{code}={labels.get(lang, '')}" for code, labels in col.values.items())


def codebook_rows(layout: Sequence[ExportColumn], preset: str) -> Iterator[list[Any]]:
    """The CSV codebook: two note rows (the preset, the missing-data scheme, in French and
    English), then one row per column, after the header `CSV_HEADER` (its `missing` meanings
    in the current locale)."""
    chosen = PRESETS[preset]
    yield [
        "_file",
        "note",
        "note",
        None,
        f"Préréglage « {preset} » : {PRESET_FR.get(preset, chosen.description)}",
        f"Preset '{preset}': {chosen.description}",
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
    ]
    yield [
        "_missing",
        "note",
        "note",
        None,
        "Vide = non posée ; -99 = affichée, sans réponse ; « ne sais pas » = son propre code "
        "de réponse",
        'Empty = not asked; -99 = shown, not answered; "don\'t know" = its own option code',
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
    ]
    empty = _("(empty)")
    for col, spss in zip(layout, spss_names(layout), strict=True):
        missing = missing_codes(col)
        yield [
            col.name,
            col.section,
            col.kind,
            col.source,
            col.title.get("fr", ""),
            col.title.get("en", ""),
            _values_text(col, "fr"),
            _values_text(col, "en"),
            1 if col.numeric else 0,
            col.condition,
            " | ".join(f"{code or empty}={meaning}" for code, meaning in missing.items()),
            " ".join(col.quota_cells),
            1 if col.personal else 0,
            " ".join(str(v) for v in col.versions),
            col.id_name or col.name,
            spss,
        ]
