"""Incremental column store: the columns of the responses added since the last read, merged
into the columns already read.

Tables need every respondent's values (quartiles and medians, the cell weights that move with
each new respondent, the significance tests), so what is kept between computations is the
column store itself (`data.Dataset`: a few bytes per respondent and variable), not sums that
could not give a median again. `merge(old, new)` gives the dataset a read of both sets of
responses from scratch would give: the same respondents in id order, the same values; a code
found in the new responses only is appended to the variable's categories (the order of such
unlisted codes may differ from a read from scratch, never the value of any cell).
"""

from __future__ import annotations

import numpy as np

from surveyapp.results.data import Dataset


def _remap(new_codes: list[str], into: list[str]) -> np.ndarray:
    """Index translation from `new_codes` positions to positions in `into` (appended to)."""
    position = {code: i for i, code in enumerate(into)}
    out = np.empty(len(new_codes), dtype=np.int16)
    for i, code in enumerate(new_codes):
        found = position.get(code)
        if found is None:
            found = position[code] = len(into)
            into.append(code)
        out[i] = found
    return out


def _recoded(column: np.ndarray, table: np.ndarray) -> np.ndarray:
    if not len(table):
        return column
    out = column.copy()
    real = column >= 0  # NOT_ASKED and BLANK keep their negative markers
    out[real] = table[column[real]]
    return out


def merge(old: Dataset, new: Dataset) -> Dataset:
    """The dataset of the responses of `old` and `new` (disjoint ids), in response id order."""
    if new.n == 0:
        return old
    if old.n == 0:
        return new
    ids = np.concatenate([old.ids, new.ids])
    order = np.argsort(ids, kind="stable")
    sorted_ = bool(order[0] == 0 and np.all(order[1:] > order[:-1]))

    def join(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        both = np.concatenate([a, b], axis=0)
        return both if sorted_ else both[order]

    out = Dataset(ids if sorted_ else ids[order])
    for name, codes in old.categories.items():
        merged = list(codes)
        table = _remap(new.categories.get(name, []), merged)
        out.categories[name] = merged
        if name in old.codes:
            out.codes[name] = join(old.codes[name], _recoded(new.codes[name], table))
    for name, column in old.codes.items():
        if name not in out.codes:
            out.codes[name] = join(column, new.codes[name])
    for store in ("flags", "numbers", "blank", "texts", "dont_know"):
        a, b = getattr(old, store), getattr(new, store)
        setattr(out, store, {name: join(a[name], b[name]) for name in a})
    return out
