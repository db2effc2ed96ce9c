"""XLSForm `type` cells: what each means here, what is left out, what is refused and why."""

from __future__ import annotations

from dataclasses import dataclass

#: XLSForm question type -> our type (docs/schema.md).
QUESTION_TYPES = {
    "select_one": "single",
    "select_multiple": "multiple",
    "integer": "integer",
    "decimal": "decimal",
    "text": "text",
    "note": "note",
    "acknowledge": "consent",
    "range": "integer",
    "phone number": "text",
    "date": "date",
}

#: `surveyapp_type` may refine a base type into one XLSForm does not have.
REFINED = {"email": "text", "nps": "integer", "consent": "acknowledge"}

#: Multi-word spellings (lower-case words) -> canonical type.
_PREFIXES = [
    (("add", "select", "one", "prompt", "using"), "select_one"),
    (("add", "select", "multiple", "prompt", "using"), "select_multiple"),
    (("select", "all", "that", "apply", "from"), "select_multiple"),
    (("select", "all", "that", "apply"), "select_multiple"),
    (("select", "multiple", "from", "file"), "select_multiple_from_file"),
    (("select", "one", "from", "file"), "select_one_from_file"),
    (("select", "multiple", "from"), "select_multiple"),
    (("select", "one", "from"), "select_one"),
    (("select", "multiple", "using"), "select_multiple"),
    (("select", "one", "using"), "select_one"),
    (("select", "multiple"), "select_multiple"),
    (("select", "one"), "select_one"),
    (("phone", "number"), "phone number"),
    (("select1",), "select_one"),
    (("begin", "group"), "begin group"),
    (("begin_group",), "begin group"),
    (("end", "group"), "end group"),
    (("end_group",), "end group"),
    (("begin", "repeat"), "begin repeat"),
    (("begin_repeat",), "begin repeat"),
    (("begin", "loop"), "begin repeat"),
    (("end", "repeat"), "end repeat"),
    (("end_repeat",), "end repeat"),
    (("end", "loop"), "end repeat"),
]
_ALIASES = {
    "int": "integer",
    "string": "text",
    "trigger": "acknowledge",
    "imei": "deviceid",
}

#: Collected by ODK Collect by itself; the platform records what it needs on its own.
METADATA = frozenset(
    {
        "start",
        "end",
        "today",
        "deviceid",
        "subscriberid",
        "simserial",
        "phonenumber",
        "username",
        "email",
        "audit",
        "start-geopoint",
        "background-audio",
        "background-geopoint",
    }
)

_MEDIA = "file uploads and media capture are not supported: remove the row"
_GEO = "locations are not supported: remove the row, or ask for the place as a text question"
_DATE = "times are not supported: use a date question, or a text question"
_EXTERNAL = "external data is not supported: copy the choices into the choices sheet"
REFUSED = {
    "time": _DATE,
    "datetime": _DATE,
    "geopoint": _GEO,
    "geotrace": _GEO,
    "geoshape": _GEO,
    "osm": _GEO,
    "image": _MEDIA,
    "photo": _MEDIA,
    "audio": _MEDIA,
    "video": _MEDIA,
    "file": _MEDIA,
    "barcode": _MEDIA,
    "rank": "ranking is not supported: use a select_multiple, or one select_one per rank",
    "hidden": "hidden values are not supported: use a derived variable in the surveyapp sheet",
    "xml-external": _EXTERNAL,
    "csv-external": _EXTERNAL,
    "select_one_from_file": _EXTERNAL,
    "select_multiple_from_file": _EXTERNAL,
    "select_one_external": _EXTERNAL,
    "begin repeat": (
        "repeats are not supported: each question is answered once; write the questions out "
        "(for example one page per person, up to a maximum, with relevant conditions)"
    ),
    "end repeat": "",
}


@dataclass(frozen=True, slots=True)
class RowType:
    """A parsed type cell: `select_one colours or_other` -> (select_one, colours, True)."""

    base: str
    list_name: str | None = None
    or_other: bool = False


def parse_type(text: str) -> RowType:
    """Parse a type cell; raises ValueError with the sentence to show when it is not a type."""
    words = text.split()
    low = [w.lower() for w in words]
    base, rest = low[0], words[1:]
    for prefix, canonical in _PREFIXES:
        if tuple(low[: len(prefix)]) == prefix:
            base, rest = canonical, words[len(prefix) :]
            break
    base = _ALIASES.get(base, base)
    if base in ("select_one", "select_multiple"):
        if len(rest) == 2 and rest[1].lower() == "or_other":
            return RowType(base, rest[0], True)
        if len(rest) != 1:
            raise ValueError(f"write '{base} <list name>' (optionally followed by or_other)")
        return RowType(base, rest[0])
    if rest and base not in REFUSED:
        raise ValueError(f"unexpected '{' '.join(rest)}' after the type '{base}'")
    known = set(QUESTION_TYPES) | METADATA | set(REFUSED) | {"begin group", "end group"}
    if base not in known and base != "calculate":
        raise ValueError(
            f"unknown type '{text}': the types are select_one, select_multiple, integer, "
            "decimal, range, text, note, acknowledge, calculate, begin group and end group"
        )
    return RowType(base)


def our_type(kind: RowType, refined: str | None) -> str | None:
    """Our question type for an XLSForm type and an optional surveyapp_type."""
    if refined is None:
        return QUESTION_TYPES.get(kind.base)
    return refined if REFINED.get(refined) == kind.base else None
