"""Import direction and transaction ownership, read from the source (AST), not from habits.

- The engine (`surveyapp/engine`) imports neither the web stack nor the database stack, nor
  any other part of surveyapp: a schema can be checked and run without an application.
- Views (blueprint modules and the error handlers) never begin, commit or roll back a
  transaction: they pass `db.session` to a service, which owns its transaction
  (`surveyapp/services/transaction.py`, docs/architecture.md "Where a transaction starts").
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "surveyapp"

#: Top-level packages the engine must not import.
ENGINE_FORBIDDEN = ("flask", "flask_babel", "flask_wtf", "sqlalchemy", "werkzeug", "alembic")

#: The web layer: every module of these packages, and these single modules.
VIEW_PACKAGES = ("admin", "auth", "core", "respondent")
VIEW_MODULES = ("errors.py", "exports/web*.py", "results/web*.py", "jobs/web*.py")

#: Calls that begin, end or take over a transaction.
TRANSACTION_METHODS = frozenset({"commit", "rollback", "begin", "begin_nested", "write_session"})
TRANSACTION_FUNCTIONS = frozenset({"begin_write", "write_transaction", "retrying"})


def _modules(pattern_root: Path, patterns: tuple[str, ...]) -> list[Path]:
    found: set[Path] = set()
    for pattern in patterns:
        found.update(pattern_root.glob(pattern))
    return sorted(found)


def engine_modules(root: Path = PACKAGE) -> list[Path]:
    """Every module of the engine package."""
    return _modules(root, ("engine/**/*.py",))


def view_modules(root: Path = PACKAGE) -> list[Path]:
    """Every module of the web layer."""
    return _modules(root, tuple(f"{p}/**/*.py" for p in VIEW_PACKAGES) + VIEW_MODULES)


def imported_modules(source: str) -> list[tuple[int, str]]:
    """(line, dotted name) of every import, at any depth (function-level imports count)."""
    names = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.extend((node.lineno, f"{node.module}.{alias.name}") for alias in node.names)
    return names


def engine_import_violations(source: str) -> list[str]:
    """Imports an engine module may not make: the web or database stack, or surveyapp outside
    the engine."""
    problems = []
    for line, name in imported_modules(source):
        top = name.split(".")[0]
        outside_engine = (
            top == "surveyapp"
            and not name.startswith("surveyapp.engine")
            # dependency-free modules: the enums and the one cache
            and name.split(".")[:2] not in (["surveyapp", "domain"], ["surveyapp", "caching"])
        )
        if top in ENGINE_FORBIDDEN or outside_engine:
            problems.append(f"line {line}: imports {name}")
    return problems


def transaction_violations(source: str) -> list[str]:
    """Calls in a view that begin, commit or roll back a transaction, and imports of the
    services' transaction helpers."""
    problems = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and (
                func.attr in TRANSACTION_METHODS or func.attr in TRANSACTION_FUNCTIONS
            ):
                problems.append(f"line {node.lineno}: calls .{func.attr}()")
            elif isinstance(func, ast.Name) and func.id in TRANSACTION_FUNCTIONS:
                problems.append(f"line {node.lineno}: calls {func.id}()")
    for line, name in imported_modules(source):
        if name.startswith("surveyapp.services.transaction"):
            problems.append(f"line {line}: imports {name}")
    return problems


def _report(modules: list[Path], check) -> list[str]:
    problems = []
    for path in modules:
        for problem in check(path.read_text(encoding="utf-8")):
            problems.append(f"{path.relative_to(PACKAGE.parent)} {problem}")
    return problems


def test_the_layer_lists_find_the_modules_they_name():
    engine = {p.relative_to(PACKAGE).as_posix() for p in engine_modules()}
    views = {p.relative_to(PACKAGE).as_posix() for p in view_modules()}
    assert {"engine/flow.py", "engine/model.py"} <= engine
    expected_views = {
        "admin/surveys.py",
        "admin/quotas.py",
        "admin/users.py",
        "admin/tokens.py",
        "auth/routes.py",
        "respondent/routes.py",
        "exports/web.py",
        "results/web.py",
        "jobs/web.py",
        "errors.py",
    }
    assert expected_views <= views
    assert not any(v.startswith(("services/", "engine/")) for v in views)


def test_the_engine_imports_no_web_or_database_code():
    assert _report(engine_modules(), engine_import_violations) == []


def test_views_never_begin_commit_or_roll_back():
    assert _report(view_modules(), transaction_violations) == []


# The checks themselves must catch what they are for: lines taken from the code before the
# services owned their transactions, and imports the engine once could have made.
@pytest.mark.parametrize(
    "source",
    [
        "quotas.set_closed(db.write_session(), survey.id, cell_id, closed, actor)",
        "try:\n    f()\nexcept E:\n    db.session.rollback()",
        "def view():\n    db.session.commit()",
        "with db.engine.begin() as conn:\n    pass",
        "from surveyapp.services.transaction import begin_write\nbegin_write(db.session)",
        "session.begin_nested()",
    ],
)
def test_a_transaction_call_in_a_view_is_found(source):
    assert transaction_violations(source)


@pytest.mark.parametrize(
    "source",
    [
        "import flask",
        "from flask import current_app",
        "def f():\n    from sqlalchemy import select",
        "import werkzeug.exceptions",
        "from surveyapp.models import Response",
        "from surveyapp.services import surveys",
    ],
)
def test_a_forbidden_import_in_the_engine_is_found(source):
    assert engine_import_violations(source)


@pytest.mark.parametrize(
    "source",
    [
        "surveys.set_state(db.session, survey, state, actor)",
        "from surveyapp.engine import flow\nimport re",
        "result = db.session.scalar(query)",
    ],
)
def test_allowed_code_is_not_reported(source):
    assert not transaction_violations(source)
    assert not engine_import_violations(source)
