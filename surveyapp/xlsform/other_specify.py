"""The "other, specify" idiom of XLSForm: a text row right after a select, shown when its
'other' choice is picked (`selected(${q}, 'other')` or `${q} = 'other'`), becomes that
option's `other: true` text (see resolve_options) instead of a question of its own.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .context import Context
    from .reader import Sheet
    from .survey_sheet import Node

OTHER_IDIOM = re.compile(
    r"\s*(?:selected\(\s*\$\{(?P<name>[^}\s]+)\}\s*,\s*"
    r"(?P<q>['\"])(?P<code>other|others|other_specify)(?P=q)\s*\)"
    r"|\$\{(?P<name2>[^}\s]+)\}\s*=\s*(?P<bq>['\"])(?P<bcode>other|others|other_specify)(?P=bq))"
    r"\s*\Z"
)


def other_text(ctx: Context, sheet: Sheet, node: Node, page: dict[str, Any]) -> bool:
    """Whether the row is the "other, specify" text of the page's last question; if so, that
    question is marked (`_other_text`: code, row name, location) for the choices sheet."""
    from .survey_sheet import ListRef

    match = OTHER_IDIOM.match(sheet.get(node.row, "relevant"))
    if match is None or node.kind.base != "text" or not page["questions"]:
        return False
    if sheet.get(node.row, "constraint") or sheet.get(node.row, "surveyapp", "when"):
        return False
    previous = page["questions"][-1]
    name = match.group("name") or match.group("name2")
    code = match.group("code") or match.group("bcode")
    if previous.get("id") != ctx.renamed.get(name, name):
        return False
    if previous.get("type") not in ("single", "multiple") or "_other_text" in previous:
        return False
    options = previous.get("options")
    if not isinstance(options, ListRef) or options.or_other:
        return False
    previous["_other_text"] = (code, sheet.get(node.row, "name"), sheet.loc(node.row, "relevant"))
    return True
