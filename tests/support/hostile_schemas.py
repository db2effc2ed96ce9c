"""Schemas that used to exhaust a worker: huge quotas, deep conditions (issue #16)."""

from __future__ import annotations

from tests.engine.conftest import schema_text

T = "text: {fr: T, en: T}"
YESNO = 'options: [{code: 1, label: {fr: oui, en: "yes"}}, {code: 2, label: {fr: non, en: "no"}}]'


def option_list(count: int) -> str:
    """An option list `many` with `count` options, as the option_lists section."""
    lines = [f'  - {{code: {i}, label: {{fr: "o{i}", en: "o{i}"}}}}' for i in range(1, count + 1)]
    return "many:\n" + "\n".join(lines) + "\n"


def crossed_quota(options: int) -> str:
    """Two single-choice questions with `options` options each, crossed in one quota."""
    return schema_text(
        f"""\
        - id: p1
          questions:
            - {{id: a, type: single, {T}, options: many}}
            - {{id: b, type: single, {T}, options: many}}
        """,
        option_lists=option_list(options),
        quotas="- {id: q, kind: soft, limit: at_most, by: [a, b], targets: 10}\n",
    )


def not_chain(depth: int, word: str = "not") -> str:
    """A schema whose second page has a condition nested `depth` levels deep."""
    cond = "{q: a, eq: 1}"
    for _ in range(depth):
        cond = f"{{not: {cond}}}" if word == "not" else f"{{{word}: [{cond}]}}"
    return schema_text(
        f"""\
        - id: p1
          questions:
            - {{id: a, type: single, {T}, {YESNO}}}
        - id: p2
          questions:
            - {{id: b, type: text, {T}, when: {cond}}}
        """
    )
