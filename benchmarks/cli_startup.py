"""CLI start-up: `surveyapp --help` against a bare `python -c pass`, measured in the same run.

    .venv/bin/python benchmarks/cli_startup.py [--rounds 7]

Runs the two commands alternately (so machine load hits both alike), takes the median wall
time of each, and prints them with the ratio help / baseline; writes
benchmarks/results/cli_startup.json. It refuses to print a ratio when the baseline is broken
(a failing `python -c pass`, or one so fast or so slow that it cannot be a real interpreter
start) or when `--help` does not print the command list.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
#: A real CPython start-up takes milliseconds; outside these bounds the baseline is broken.
BASELINE_BOUNDS_S = (0.002, 2.0)


def timed(
    cmd: list[str], env: dict[str, str], cwd: str
) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=cwd, timeout=300)
    return time.perf_counter() - start, proc


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    venv_bin = REPO / ".venv" / "bin"
    python = str(venv_bin / "python") if (venv_bin / "python").exists() else sys.executable
    cli = [str(venv_bin / "surveyapp")] if (venv_bin / "surveyapp").exists() else [
        python, "-m", "surveyapp.cli"
    ]  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "PYTHONPATH": str(REPO),
            "SURVEYAPP_INSTANCE_PATH": tmp,
        }
        baseline, help_ = [], []
        for _ in range(args.rounds):
            seconds, proc = timed([python, "-c", "pass"], env, tmp)
            if proc.returncode != 0:
                print(f"baseline broken: python -c pass exited {proc.returncode}", file=sys.stderr)
                return 2
            baseline.append(seconds)
            seconds, proc = timed([*cli, "--help"], env, tmp)
            if proc.returncode != 0 or "Commands:" not in proc.stdout:
                print(
                    f"surveyapp --help failed ({proc.returncode}): {proc.stderr}", file=sys.stderr
                )
                return 2
            help_.append(seconds)
    base, helped = statistics.median(baseline), statistics.median(help_)
    low, high = BASELINE_BOUNDS_S
    if not low <= base <= high:
        print(f"baseline broken: python -c pass took {base * 1000:.1f} ms", file=sys.stderr)
        return 2
    ratio = helped / base
    print("| command | median | ratio |")
    print("|---|---|---|")
    print(f"| python -c pass | {base * 1000:.0f} ms | 1 |")
    print(f"| surveyapp --help | {helped * 1000:.0f} ms | {ratio:.1f} |")
    out = REPO / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    result = {
        "rounds": args.rounds,
        "python_c_pass_s": baseline,
        "surveyapp_help_s": help_,
        "median_baseline_s": base,
        "median_help_s": helped,
        "ratio": ratio,
    }
    (out / "cli_startup.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
