"""Derived variables of a schema, evaluated once per distinct set of values they read.

A derived variable that reads `s6` is evaluated once per distinct `s6`, not once per response:
the engine's own `derived_value` gives each value, memoised on the values it reads.
"""

from __future__ import annotations

from typing import Any

from surveyapp.engine import Survey as CompiledSurvey
from surveyapp.engine.derived import derived_inputs, derived_value
from surveyapp.exports.rows import ABSENT
from surveyapp.results.categories import freeze


class DerivedMemo:
    """Derived variables of a schema, evaluated once per distinct set of values they read."""

    def __init__(self, schema: CompiledSurvey) -> None:
        self.plan: list[tuple[Any, tuple[str, ...], dict[tuple[Any, ...], Any]]] = [
            (d, refs, {}) for d, refs in derived_inputs(schema)
        ]

    def __call__(self, env: dict[str, Any]) -> dict[str, Any]:
        """Add every derived value to `env` (params + answers) and return it."""
        get = env.get
        for d, refs, memo in self.plan:
            key = tuple(map(get, refs))
            try:
                value = memo[key]
            except KeyError:
                value = memo[key] = derived_value(d, env)
            except TypeError:  # a list or grid among the values read
                key = freeze(key)
                value = memo.get(key, ABSENT)
                if value is ABSENT:
                    value = memo[key] = derived_value(d, env)
            env[d.id] = value
        return env
