"""Stored answers as small integer codes: one `Categories` per code variable.

An answer is read as an index into its variable's codes (the schema's, then any other code
found in the data, appended), with `NOT_ASKED` (-1; the export's empty cell) and `BLANK` (-2;
the export's -99). `freeze` gives a hashable stand-in for list and grid answers, so they can
key the memos of `results.derived` and of the column builder.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np

from surveyapp.exports.rows import ABSENT

NOT_ASKED = -1
BLANK = -2


def freeze(value: Any) -> Any:
    """A hashable stand-in for an answer (lists and grids become tuples)."""
    cls = value.__class__
    if cls is list or cls is tuple:
        try:
            hash(value if cls is tuple else tuple(value))
            return tuple(value)
        except TypeError:
            return tuple(freeze(v) for v in value)
    if cls is dict:
        return tuple(sorted((k, freeze(v)) for k, v in value.items()))
    return value


def _code_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


MISS = -32768


class Categories:
    """Code -> index of one code variable; unknown codes found in the data are appended."""

    def __init__(self, codes: Sequence[str], blank: int = BLANK) -> None:
        self.codes = list(codes)
        self.index: dict[Any, int] = {code: i for i, code in enumerate(self.codes)}
        self.index[ABSENT] = NOT_ASKED
        self.index[None] = blank

    def of(self, value: Any) -> int:
        """The index of one stored value."""
        try:
            return self.index[value]
        except (KeyError, TypeError):
            text = _code_text(value)
            if text not in self.index:
                self.index[text] = len(self.codes)
                self.codes.append(text)
            found = self.index[text]
            try:
                self.index[value] = found
            except TypeError:
                pass
            return found

    def column(self, values: list[Any]) -> np.ndarray:
        """Indexes of a batch of stored values (one dict lookup each)."""
        get = self.index.get
        try:
            out = [get(x, MISS) for x in values]
        except TypeError:  # an unhashable value (a list where a code belongs)
            out = [self.of(x) for x in values]
        else:
            if MISS in out:
                out = [o if o != MISS else self.of(x) for o, x in zip(out, values, strict=True)]
        return np.array(out, dtype=np.int16)
