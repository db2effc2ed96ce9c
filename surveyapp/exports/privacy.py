"""The spec's privacy rule for exports (§9.9): a completion date and a duration, not timestamps.

Full start and completion times can single a respondent out (a panel member who remembers when
they answered); analysts need only the day and how long it took. The layout keeps
`started_at`/`completed_at` for an admin who explicitly asks for them (`timestamps`, audit-
logged); every other export gets `completed_date` (UTC day) in their place, next to
`duration_s`.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import MappingProxyType

from surveyapp.exports.columns import ExportColumn

TIMESTAMP_KINDS = frozenset({"started_at", "completed_at"})

COMPLETED_DATE = ExportColumn(
    "completed_date",
    "response",
    "completed_date",
    title=MappingProxyType(
        {"fr": "Date de fin (UTC, AAAA-MM-JJ)", "en": "Completion date (UTC, YYYY-MM-DD)"}
    ),
)


def privacy_columns(columns: Sequence[ExportColumn], timestamps: bool) -> list[ExportColumn]:
    """`columns` as exported: unchanged with `timestamps`, else the date replaces the times."""
    if timestamps:
        return list(columns)
    out: list[ExportColumn] = []
    for col in columns:
        if col.kind == "completed_at":
            out.append(COMPLETED_DATE)
        elif col.kind not in TIMESTAMP_KINDS:
            out.append(col)
    return out
