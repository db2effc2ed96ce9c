"""Login timing: an unknown e-mail and a wrong password must cost the same (dummy argon2 hash).

    .venv/bin/python benchmarks/login_bench.py [--rounds 40]

Prints the median time of `verify_password` for a known user with a wrong password, an unknown
e-mail, and a known user with the right password, and the ratio unknown / wrong; writes
benchmarks/results/login.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from surveyapp import create_app  # noqa: E402
from surveyapp.extensions import db  # noqa: E402
from surveyapp.services import accounts, migrations  # noqa: E402
from surveyapp.services.audit import Actor  # noqa: E402


def median_ms(fn, rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DATABASE_URL": f"sqlite:///{tmp}/login.db", "SECRET_KEY": "bench"})
        with app.app_context():
            migrations.upgrade(db.engine)
            accounts.create_user(
                db.session,
                "known@example.org",
                "analyst",
                "correct-horse-1",
                Actor("system", "bench"),
            )
            s = db.session
            wrong = median_ms(
                lambda: accounts.verify_password(s, "known@example.org", "nope-nope-1"), args.rounds
            )
            unknown = median_ms(
                lambda: accounts.verify_password(s, "nobody@example.org", "nope-nope-1"),
                args.rounds,
            )
            right = median_ms(
                lambda: accounts.verify_password(s, "known@example.org", "correct-horse-1"),
                args.rounds,
            )
        db.dispose(app)
    result = {
        "wrong_password_ms": wrong,
        "unknown_user_ms": unknown,
        "right_password_ms": right,
        "ratio_unknown_to_wrong": unknown / wrong,
    }
    print(
        f"verify_password median over {args.rounds}: wrong password {wrong:.1f} ms, "
        f"unknown e-mail {unknown:.1f} ms, right password {right:.1f} ms; "
        f"unknown / wrong = {unknown / wrong:.2f}"
    )
    out = REPO / "benchmarks" / "results" / "login.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
