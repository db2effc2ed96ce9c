"""Engine benchmark: schema compile time and one page evaluation (render, validate, apply, next).

Usage: python benchmarks/engine_bench.py [schema.yaml] [--runs N]
Prints one human-readable line per measure, then the same figures as JSON on the last line.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from surveyapp.engine import flow, load_survey  # noqa: E402
from surveyapp.engine.lint import lint_text  # noqa: E402

DEFAULT = ROOT / "surveyapp" / "surveys" / "barometre-2015.yaml"
FALLBACK = ROOT / "tests" / "engine" / "fixtures" / "rich.yaml"
SEED = "bench-seed"


def _median_us(fn, runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1e6)
    return statistics.median(samples)


def _form(view) -> dict[str, list[str]]:
    """A valid submission: the first option (every option of a multiple choice, up to its
    maximum) or a plain value for every question shown."""
    form: dict[str, list[str]] = {}
    for qv in view.questions:
        q = qv.question
        if q.type == "matrix":
            for row in qv.rows:
                form[f"{q.id}.{row.code}"] = [qv.options[0].code]
        elif q.type == "single":
            form[q.id] = [qv.options[0].code]
        elif q.type == "multiple":
            codes = [o.code for o in qv.options if not o.exclusive]
            form[q.id] = codes[: getattr(q.kind, "max", None) or len(codes)] or [qv.options[0].code]
        elif q.type in ("integer", "decimal", "nps"):
            form[q.id] = [str(getattr(q.kind, "min", 0) or 0)]
        elif q.type == "consent":
            form[q.id] = ["1"]
        elif q.type == "email":
            form[q.id] = ["name@example.com"]
        elif q.type == "text":
            form[q.id] = ["Some text"]
    return form


def _walk_to_busiest(survey) -> tuple[str, dict]:
    """Answers up to the visible page with the most questions on a first-option route."""
    answers: dict = {}
    page_id = flow.first_page(survey, answers)
    best = (0, page_id, dict(answers))
    while True:
        view = flow.render_page(survey, page_id, answers, SEED, survey.default_language)
        if len(view.questions) > best[0]:
            best = (len(view.questions), page_id, dict(answers))
        result = flow.validate_page(survey, page_id, _form(view), answers, SEED)
        answers = flow.apply_page(survey, page_id, result.values, answers, SEED)
        step = flow.next_step(survey, page_id, answers)
        if isinstance(step, flow.EndingReached):
            return best[1], best[2]
        page_id = step.page_id


def main() -> None:
    """Run the benchmark and print the results."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("schema", nargs="?", type=Path)
    parser.add_argument("--runs", type=int, default=2000)
    args = parser.parse_args()
    path = args.schema or (DEFAULT if DEFAULT.exists() else FALLBACK)
    text = path.read_text(encoding="utf-8")
    compile_us = _median_us(lambda: load_survey(text, str(path)), 20)
    lint_us = _median_us(lambda: lint_text(text, str(path)), 3)
    survey = load_survey(text, str(path))
    page_id, answers = _walk_to_busiest(survey)
    lang = survey.default_language
    form = _form(flow.render_page(survey, page_id, answers, SEED, lang))

    def one_page() -> None:
        flow.render_page(survey, page_id, answers, SEED, lang)
        result = flow.validate_page(survey, page_id, form, answers, SEED)
        new = flow.apply_page(survey, page_id, result.values, answers, SEED)
        flow.next_step(survey, page_id, new)

    page_us = _median_us(one_page, args.runs)
    results = {
        "schema": str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path),
        "questions": len(survey.questions),
        "pages": len(survey.pages),
        "compile_ms": round(compile_us / 1000, 2),
        "lint_ms": round(lint_us / 1000, 1),
        "page": page_id,
        "page_questions": len(flow.render_page(survey, page_id, answers, SEED, lang).questions),
        "page_eval_us": round(page_us, 1),
    }
    print(
        f"{results['schema']}: compile {results['compile_ms']} ms, lint {results['lint_ms']} ms, "
        f"render+validate+apply+next_step of {page_id} ({results['page_questions']} questions) "
        f"{results['page_eval_us']} µs (median of {args.runs})"
    )
    print(json.dumps(results))


if __name__ == "__main__":
    main()
