"""A decision diagram: a set of paths (vectors of yes/no decisions ending at an ending).

Nodes are hash-consed `(position, no-child, yes-child)` triples, so equal suffixes are
stored once and the union of two sets is computed node by node. Counting the paths and
their shortest and longest weight is one bottom-up pass, whatever the number of paths.
"""

from __future__ import annotations

from collections.abc import Callable

EMPTY = 0
Counts = dict[str, tuple[int, int, int]]  # ending -> (paths, shortest, longest)


class Diagram:
    """Nodes are positive ints, endings negative ints, the empty set 0."""

    def __init__(self) -> None:
        self.nodes: list[tuple[int, int, int]] = []
        self._index: dict[tuple[int, int, int], int] = {}
        self._endings: dict[str, int] = {}
        self._unions: dict[tuple[int, int], int] = {}

    def __len__(self) -> int:
        return len(self.nodes)

    def ending(self, ending_id: str) -> int:
        """The path that ends here."""
        return self._endings.setdefault(ending_id, -(len(self._endings) + 1))

    def node(self, position: int, no: int, yes: int) -> int:
        """The paths whose decision at `position` is no (then `no`) or yes (then `yes`)."""
        if no == EMPTY and yes == EMPTY:
            return EMPTY
        key = (position, no, yes)
        if key not in self._index:
            self.nodes.append(key)
            self._index[key] = len(self.nodes)
        return self._index[key]

    def union(self, a: int, b: int) -> int:
        """Every path of a and of b (both start at the same position)."""
        if a == EMPTY or a == b:
            return b
        if b == EMPTY:
            return a
        key = (min(a, b), max(a, b))
        if key not in self._unions:
            position, no_a, yes_a = self.nodes[a - 1]
            other, no_b, yes_b = self.nodes[b - 1]
            if position != other:
                raise ValueError("paths out of step")
            no, yes = self.union(no_a, no_b), self.union(yes_a, yes_b)
            self._unions[key] = self.node(position, no, yes)
        return self._unions[key]

    def counts(self, root: int, weight: Callable[[int], int]) -> Counts:
        """Per ending: number of paths, and the least and greatest sum of `weight(position)`
        over the yes decisions of a path."""
        names = {value: key for key, value in self._endings.items()}
        done: dict[int, Counts] = {}

        def of(child: int) -> Counts:
            if child == EMPTY:
                return {}
            return {names[child]: (1, 0, 0)} if child < 0 else done[child]

        by_depth = sorted(range(1, len(self.nodes) + 1), key=lambda n: -self.nodes[n - 1][0])
        for node_id in by_depth:
            position, no, yes = self.nodes[node_id - 1]
            merged: Counts = {}
            for child, add in ((no, 0), (yes, weight(position))):
                for ending, (n, short, long) in of(child).items():
                    old = merged.get(ending, (0, short + add, long + add))
                    merged[ending] = (old[0] + n, min(old[1], short + add), max(old[2], long + add))
            done[node_id] = merged
        return of(root)
