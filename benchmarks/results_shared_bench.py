"""The results page computed once, then read back from the shared cache as on another worker.

    .venv/bin/python benchmarks/results_shared_bench.py [--responses 2000]

Generates barometer responses in a temporary SQLite database, times
`services.results_cache.page_results` (every table by country, weighted) twice with the
per-process read forgotten in between, and prints both times, their ratio and the stored size.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sqlalchemy import func, select  # noqa: E402

from surveyapp import create_app  # noqa: E402
from surveyapp.database import engine_for_url  # noqa: E402
from surveyapp.extensions import db  # noqa: E402
from surveyapp.models import ResultsCache  # noqa: E402
from surveyapp.services import migrations, results, results_cache, surveys  # noqa: E402
from surveyapp.services.audit import Actor  # noqa: E402
from tests.results.helpers import BAROMETER, barometer, generate, store  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'shared.db'}"
        engine = engine_for_url(url)
        migrations.upgrade(engine)
        engine.dispose()
        config = {"SECRET_KEY": "bench", "DATABASE_URL": url, "ENV_NAME": "testing"}
        app = create_app({**config, "TESTING": True, "RATELIMIT_STORAGE_URI": "memory://"})
        with app.app_context():
            survey = surveys.load_schema_file(db.session, BAROMETER, Actor("system", "b")).survey
            store(db.session, survey, generate(barometer(), args.responses, seed=7))
        times, flags = [], []
        with app.test_request_context():
            options = results.parse_options({"by": "s1", "weighted": "1"}, ("fr", "en"), "fr")
            for _round in range(2):
                results.clear_cache()  # as on another worker: no per-process read
                survey = surveys.get_survey(db.session, "barometre-2015")
                start = time.perf_counter()
                page = results_cache.page_results(db.session, survey, options, b"bench")
                times.append(time.perf_counter() - start)
                flags.append(page.shared)
            size = db.session.scalar(select(func.length(ResultsCache.payload)))
        db.dispose(app)
    assert flags == [False, True], flags
    print(
        f"{args.responses} responses: computed and stored {times[0]:.2f} s, "
        f"shared read {times[1]:.3f} s, ratio {times[0] / times[1]:.0f}, row {size} bytes"
    )


if __name__ == "__main__":
    main()
