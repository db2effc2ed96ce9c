"""Extensions, created unbound here and bound to an app in `create_app`."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from flask import Flask, request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_wtf.csrf import CSRFProtect

from surveyapp.database import Database

db = Database()
csrf = CSRFProtect()
babel = Babel()
#: Login throttling; each limit names its own key function (none uses the client address).
limiter = Limiter(key_func=lambda: "surveyapp")
#: Blueprints none of whose views declares a limit, and the application declares none: their
#: requests skip Flask-Limiter's request hooks (`skip_limiter_hooks`), which would resolve the
#: limits that apply (always none), add no header and reset an unused context: 3 % of a
#: respondent's page cycle. Checked by tests/core/test_rate_limit_scope.py, which fails when a
#: view of one of them gets a limit or the application a default one. The respondent start
#: limit and challenge counter use the limiter's storage directly, outside these hooks.
UNLIMITED_BLUEPRINTS = frozenset({"respondent"})


def skip_limiter_hooks(app: Flask) -> None:
    """Wrap the three request hooks `limiter.init_app` registered on `app` (the check before
    the view, the headers after it, the context reset at teardown) so that requests of an
    `UNLIMITED_BLUEPRINTS` blueprint skip them. Raises RuntimeError when the hooks are not
    found as Flask-Limiter registers them (a new version): nothing is skipped silently."""

    def ours(hook: Any) -> bool:
        target = hook.args[0] if isinstance(hook, partial) and hook.args else hook
        return getattr(target, "__self__", target) is limiter

    def unlimited() -> bool:
        return request.blueprint in UNLIMITED_BLUEPRINTS

    def wrap_before(hook: Callable[[], Any]) -> Callable[[], Any]:
        return lambda: None if unlimited() else hook()

    def wrap_after(hook: Callable[[Any], Any]) -> Callable[[Any], Any]:
        return lambda response: response if unlimited() else hook(response)

    def wrap_teardown(hook: Callable[[Any], Any]) -> Callable[[Any], Any]:
        return lambda exc: None if unlimited() else hook(exc)

    registries: tuple[tuple[dict[Any, list[Any]], Callable[[Any], Any]], ...] = (
        (app.before_request_funcs, wrap_before),
        (app.after_request_funcs, wrap_after),
        (app.teardown_request_funcs, wrap_teardown),
    )
    for registry, wrap in registries:
        hooks = registry.get(None, [])
        found = [i for i, hook in enumerate(hooks) if ours(hook)]
        if len(found) != 1:
            raise RuntimeError(f"Flask-Limiter's request hooks are not as expected: {hooks!r}")
        hooks[found[0]] = wrap(hooks[found[0]])
