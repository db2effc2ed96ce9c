"""WTForms fields for a date (and a time) typed as day, month and year fields in the order the
admin's language writes dates, instead of the browser's `<input type="date">` /
`datetime-local`, which shows `mm/dd/yyyy, --:-- --` on a French page in an English browser.

The form gets `<name>.day`, `<name>.month`, `<name>.year` (and `<name>.time`, `14:30` or
`14h30`); a client may still send `<name>=YYYY-MM-DD` (or `YYYY-MM-DDTHH:MM`). The day, month
and year are checked by the engine's own rules (`engine.dates.from_parts`), so a mistake reads
as on a respondent page (« Cette date n’existe pas : 31/02. »), typed values kept.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask_babel import gettext as _
from markupsafe import Markup
from wtforms import Field
from wtforms.utils import unset_value

from surveyapp import date_fields
from surveyapp.admin.formatting import get_locale_language
from surveyapp.engine.dates import PARTS, from_parts
from surveyapp.respondent.display import message

_TIME = re.compile(r"([01]?[0-9]|2[0-3])(?:\s*[:hH.]\s*([0-5][0-9])?)?\Z")
_TYPED_MAX = 20


def _label(part: str) -> str:
    return {
        "day": _("Day"),
        "month": _("Month"),
        "year": _("Year"),
        "time": _("Time (HH:MM)"),
    }[part]


#: One part: its label and text input (Markup.format escapes every value).
_PART = Markup(
    '<div class="date-filter-part"><label for="{id}">{label}</label>'
    '<input type="text" id="{id}" name="{name}" value="{value}" inputmode="{mode}" '
    'autocomplete="off" class="{size}"{invalid}{described}></div>'
)


class DatePartsWidget:
    """Day, month and year text fields (and the time) side by side, each labelled."""

    def __call__(self, field: DatePartsField, **kwargs: Any) -> Markup:
        shown = field.shown()
        invalid = Markup(' aria-invalid="true"') if field.errors else ""
        described = kwargs.get("aria-describedby")
        extra = Markup(' aria-describedby="{}"').format(described) if described else ""
        order = [*date_fields.part_order(get_locale_language())]
        if field.with_time:
            order.append("time")
        parts = [
            _PART.format(
                id=f"{field.id}-{part}",
                label=_label(part),
                name=f"{field.name}.{part}",
                value=shown.get(part, ""),
                mode="text" if part == "time" else "numeric",
                size={"year": "date-year", "time": "date-time"}.get(part, "date-dm"),
                invalid=invalid,
                described=extra,
            )
            for part in order
        ]
        return Markup('<div class="date-filter-parts">{}</div>').format(Markup("").join(parts))


class DatePartsField(Field):
    """A date (`datetime.date`) typed as three fields; None when left blank."""

    widget = DatePartsWidget()
    with_time = False

    def process(self, formdata, data=unset_value, extra_filters=None) -> None:
        super().process(None, data, extra_filters)
        self.raw_data: list[str] = []
        self.typed: dict[str, str] | None = None
        if formdata is None:
            return
        parts = [*PARTS, "time"] if self.with_time else list(PARTS)
        names = [f"{self.name}.{part}" for part in parts]
        if not any(name in formdata for name in names):
            self._from_iso(formdata.getlist(self.name))
            return
        posted = {
            part: [v[:_TYPED_MAX] for v in formdata.getlist(n)]
            for part, n in zip(parts, names, strict=True)
        }
        self.typed = {part: (values[0] if values else "") for part, values in posted.items()}
        self.raw_data = [" ".join(self.typed.values()).strip()] if any(self.typed.values()) else []
        self.data = None
        value, error = from_parts(self.name, [posted[part] for part in PARTS])
        if error is not None:
            self.process_errors.append(message(error))
            return
        if value is None:
            if self.typed.get("time", "").strip():
                self.process_errors.append(_("Please enter the day, the month and the year."))
            return
        self.data = self._with_time(value, posted.get("time", []))

    def _with_time(self, value: dt.date, posted: list[str]) -> Any:
        return value

    def _from_iso(self, values: list[str]) -> None:
        text = values[0].strip() if values else ""
        self.raw_data = [text] if text else []
        if not text:
            self.data = None
            return
        try:
            parsed = dt.datetime.fromisoformat(text[:_TYPED_MAX])
        except ValueError:
            self.data = None
            self.process_errors.append(_("Please enter a date, for example 2025-01-31."))
            return
        self.data = parsed if self.with_time else parsed.date()

    def shown(self) -> dict[str, str]:
        """What the fields show: what was typed, else the current value."""
        if self.typed is not None:
            return self.typed
        if self.data is None:
            return {}
        shown = date_fields.split_iso(
            self.data.date().isoformat()
            if isinstance(self.data, dt.datetime)
            else self.data.isoformat()
        )
        if isinstance(self.data, dt.datetime):
            shown["time"] = self.data.strftime("%H:%M")
        return shown


class DateTimePartsField(DatePartsField):
    """A date and a time of day (a naive `datetime`, midnight when the time is left blank)."""

    with_time = True

    def _with_time(self, value: dt.date, posted: list[str]) -> Any:
        text = posted[0].strip() if len(posted) == 1 else ""
        if len(posted) > 1:
            self.process_errors.append(_("Please enter a time, for example 14:30."))
            return None
        if not text:
            return dt.datetime.combine(value, dt.time())
        match = _TIME.match(text)
        if match is None:
            self.process_errors.append(_("Please enter a time, for example 14:30."))
            return None
        return dt.datetime.combine(value, dt.time(int(match[1]), int(match[2] or 0)))
