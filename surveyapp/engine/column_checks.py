"""Export column names while the schema is checked: the names made of ids (the answer keys,
`<id>_other`…) must differ exactly, the names exported (an author's `column: rCSI`) must
differ ignoring case too, as SPSS does.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from .model import Derived, Parameter, Question
from .reader import Reader


def check_columns(
    reader: Reader,
    questions: Mapping[str, Question],
    derived: tuple[Derived, ...],
    parameters: tuple[Parameter, ...],
) -> None:
    """Report each export column or answer key that collides with an earlier one."""
    qs = questions.values()
    keys = [(c.name, q.id) for q in qs for c in q.kind.columns(q.with_ids_only())]
    keys += [(d.id, d.id) for d in derived] + [(p.id, p.id) for p in parameters]
    reported = set()
    for name, owner, _, first in _collisions(keys, fold=False):
        if first == owner:
            message = f"export column '{name}' is produced twice by '{owner}'"
        else:
            message = f"export column '{name}' of '{owner}' collides with one of '{first}'"
        reader.report_at(_owner_key(questions, owner), message, "collision")
        reported.add((owner, first))
    named = [(c.name, q.id) for q in qs for c in q.kind.columns(q)]
    named += [(d.export_name, d.id) for d in derived] + [(p.id, p.id) for p in parameters]
    for name, owner, first_name, first in _collisions(named, fold=True):
        if (owner, first) in reported:
            continue
        reported.add((owner, first))
        message = (
            f"export column '{name}' of '{owner}' and '{first_name}' of '{first}' would have "
            "the same name (export names must differ, ignoring case): change one `column`"
        )
        authored = owner if _authored(questions, derived, owner) else first
        reader.report_at(_owner_key(questions, authored), message, "collision", "column")


def _owner_key(questions: Mapping[str, Question], owner: str) -> tuple[str, str]:
    return ("question", owner) if owner in questions else ("derived", owner)


def _authored(questions: Mapping[str, Question], derived: tuple[Derived, ...], owner: str) -> bool:
    """Whether an author's `column` names one of the owner's columns."""
    if owner in questions:
        return questions[owner].authored_names
    return any(d.column is not None for d in derived if d.id == owner)


def _collisions(named: list[tuple[str, str]], fold: bool) -> Iterator[tuple[str, str, str, str]]:
    """(name, owner, earlier name, earlier owner) for each name already taken."""
    seen: dict[str, tuple[str, str]] = {}
    for name, owner in named:
        key = name.casefold() if fold else name
        if key in seen:
            yield (name, owner, *seen[key])
        else:
            seen[key] = (name, owner)
