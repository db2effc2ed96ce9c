"""Where a respondent's page post spends its time: cProfile over barometer walks through the
Flask test client (SQLite), simulated answers from the engine.

    .venv/bin/python benchmarks/profile_pages.py [--respondents 15] [--sort cumulative|tottime]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import random
import re
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from werkzeug.datastructures import MultiDict  # noqa: E402

from surveyapp import create_app  # noqa: E402
from surveyapp.database import engine_for_url  # noqa: E402
from surveyapp.engine import apply_page, load_survey_file, render_page, validate_page  # noqa: E402
from surveyapp.services import migrations  # noqa: E402
from tests.support.servers import load_and_open  # noqa: E402
from tests.support.simulate import random_form  # noqa: E402

BAROMETER = REPO / "surveyapp" / "surveys" / "barometre-2015.yaml"
HIDDEN = re.compile(r'<input[^>]*type="hidden"[^>]*>')
ATTR = re.compile(r'(name|value)="([^"]*)"')
ELIGIBLE = {"s1": "1", "s2": "1", "s3": "1", "s5": "1", "s6": "4", "q1": "1"}


def walk(client, slug, survey, rng, profile) -> int:
    """One respondent from consent to the ending; only the page posts are profiled."""
    response = client.get(f"/s/{slug}/?lang=fr", follow_redirects=True)
    answers: dict = {}
    posts = 0
    while match := re.search(r"/p/([^/]+)$", response.request.path):
        page = match.group(1)
        view = render_page(survey, page, answers, "profile", "fr")
        form = random_form(view, rng)
        shown = {qv.id for qv in view.questions}
        form.update({k: [v] for k, v in ELIGIBLE.items() if k in shown})
        answers = apply_page(
            survey, page, validate_page(survey, page, form, answers, "profile").values, answers
        )
        html = response.get_data(as_text=True)
        body = [
            (attrs.get("name"), attrs.get("value", ""))
            for attrs in (dict(ATTR.findall(tag)) for tag in HIDDEN.findall(html))
        ]
        body += [(k, v) for k, vs in form.items() for v in vs] + [("_action", "next")]
        profile.enable()
        response = client.post(response.request.path, data=MultiDict(body), follow_redirects=True)
        profile.disable()
        posts += 1
    return posts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=15)
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--lines", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/profile.db"
        engine = engine_for_url(url)
        migrations.upgrade(engine)
        engine.dispose()
        slug = load_and_open(url, BAROMETER)
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "profile", "LOG_LEVEL": "WARNING"})
        survey = load_survey_file(BAROMETER)
        profile = cProfile.Profile()
        rng = random.Random(1)
        posts = sum(
            walk(app.test_client(), slug, survey, rng, profile) for _ in range(args.respondents)
        )
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    print(
        f"{posts} page posts (each followed by the GET of the next page), "
        f"{stats.total_tt * 1000 / posts:.1f} ms per post + redirect under the profiler"
    )
    stats.sort_stats(args.sort).print_stats(args.lines)
    print(out.getvalue())


if __name__ == "__main__":
    main()
