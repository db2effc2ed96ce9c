"""A quota's cells, built from its targets while the schema is checked: how many there may
be (counted before any is built, against the per-quota and total limits), and target codes
that must be options of the `by` variables.
"""

from __future__ import annotations

import itertools
import math

from .limits import MAX_QUOTA_CELLS, MAX_TOTAL_QUOTA_CELLS
from .model import Cell
from .parse_logic import QuotaDraft, TargetTree
from .reader import Reader


class QuotaCells:
    """Builds the cells of each quota in turn; problems go to the reader."""

    def __init__(self, reader: Reader) -> None:
        self.r = reader
        self.count = 0  # quota cells of the quotas checked so far

    def allowed(self, draft: QuotaDraft, codes: list[tuple[str, ...]]) -> bool:
        """Count the cells (a product of option counts) before building any of them."""
        count = math.prod(len(c) for c in codes) if draft.targets is not None else 0
        self.count += count
        if count > MAX_QUOTA_CELLS:
            sizes = " × ".join(f"{len(c):,}" for c in codes)
            message = f"{count:,} quota cells ({sizes} codes): a quota may have at most "
            message += f"{MAX_QUOTA_CELLS:,}"
        elif self.count > MAX_TOTAL_QUOTA_CELLS:
            message = f"the quotas have {self.count:,} cells up to this one: "
            message += f"at most {MAX_TOTAL_QUOTA_CELLS:,} in all"
        else:
            return True
        self.r.report_at(("quota", draft.quota.id), message, "limit", "by")
        return False

    def build(self, draft: QuotaDraft, codes: list[tuple[str, ...]]) -> tuple[Cell, ...]:
        quota, key = draft.quota, ("quota", draft.quota.id)
        if draft.targets is None:
            return ()
        if not quota.by:
            return (Cell(quota.id, (), int(draft.targets)),)  # type: ignore[arg-type]  # no `by`: one int
        for depth, known in enumerate(codes):
            for code in _tree_codes(draft.targets, depth):
                if code not in known:
                    message = f"code '{code}' is not an option of '{quota.by[depth]}'"
                    self.r.report_at(key, message, "unknown-option", "targets")
        cells = []
        for combo in itertools.product(*codes):
            target = _lookup(draft.targets, combo)
            if target is not None:
                cells.append(Cell("__".join((quota.id, *combo)), combo, target))
        return tuple(cells)


def _tree_codes(tree: TargetTree, depth: int) -> set[str]:
    if isinstance(tree, int):
        return set()
    if depth == 0:
        return set(tree)
    return {code for sub in tree.values() for code in _tree_codes(sub, depth - 1)}


def _lookup(tree: TargetTree, combo: tuple[str, ...]) -> int | None:
    for code in combo:
        if isinstance(tree, int):
            return tree
        if code not in tree:
            return None
        tree = tree[code]
    return tree if isinstance(tree, int) else None
