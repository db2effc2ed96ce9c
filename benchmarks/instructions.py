"""Instructions per respondent page cycle, counted by valgrind's callgrind: a cost that does not
move with the machine's speed, for this tree against a baseline revision in the same run.

    .venv/bin/python benchmarks/instructions.py --baseline REV [--respondents 4]

The CPU times of `profile_pages.py` follow this shared machine's speed, which moves by half
within minutes; an instruction count does not (the same walk counts the same within a few
thousandths). Each tree's barometer walk (`profile_pages.run`: the Flask test client on SQLite,
one unmeasured warm-up respondent first) runs twice under callgrind, with 1 and with
1 + N respondents; set-up, imports and warm-up are counted in both, so the difference over
the difference in page cycles is the steady state's instructions per cycle, test client
included. Catalogs are compiled before, outside the count; PYTHONHASHSEED is fixed. The two
runs of a tree go side by side (one per core: a count does not depend on the load).

Fewer instructions is not always less time (memory stalls, the C code of SQLite or the
drivers), so the ratio is read beside `profile_pages.py --baseline`'s CPU times, not instead.
No ratio is printed (exit status 1) when a walk had an error response, did not finish, or the
cycle count did not grow. Needs `valgrind` (Debian's package); about 10 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
COLLECTED = re.compile(r"Collected : (\d+)")


def walk(code: Path, respondents: int) -> None:
    """Child: the walk of `profile_pages.run` over the code under `code`; prints its cycles."""
    sys.path.insert(0, str(code))
    sys.path.insert(1, str(REPO / "benchmarks"))
    import profile_pages

    profile_pages.CODE = code
    meter = profile_pages.run(respondents, None)
    problems = meter.errors + (["unfinished walks"] if meter.unfinished else [])
    print(json.dumps({"cycles": meter.cycles, "problems": problems}))


def prepare(code: Path) -> None:
    """Child: compile the catalogs of the code under `code` (outside the count)."""
    sys.path.insert(0, str(code))
    from surveyapp.services.translations import compile_catalogs

    compile_catalogs()


def counted(code: Path, respondents: list[int]) -> list[tuple[int, int, list[str]]]:
    """(instructions, cycles, problems) of the walk with each number of respondents, run side
    by side under callgrind."""
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    subprocess.run([sys.executable, __file__, "--prepare", str(code)], check=True, env=env)
    procs = [
        subprocess.Popen(  # noqa: S603 - fixed argument list
            [
                "valgrind",
                "--tool=callgrind",
                "--callgrind-out-file=/dev/null",
                sys.executable,
                __file__,
                "--walk",
                str(code),
                "--respondents",
                str(n),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for n in respondents
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate()
        found = COLLECTED.search(err)
        if proc.returncode != 0 or found is None:
            raise SystemExit(f"the counted walk failed (exit {proc.returncode}):\n{err[-2000:]}")
        child = json.loads(out.strip().splitlines()[-1])
        results.append((int(found.group(1)), child["cycles"], child["problems"]))
    return results


def per_cycle(code: Path, respondents: int) -> tuple[float | None, str]:
    """Instructions per steady-state cycle, or None with the reason there is no figure."""
    (small, cycles_small, p1), (large, cycles_large, p2) = counted(code, [1, 1 + respondents])
    if p1 or p2:
        return None, "; ".join((p1 + p2)[:5])
    if cycles_large <= cycles_small:
        return None, f"the cycles did not grow ({cycles_small} -> {cycles_large})"
    figure = (large - small) / (cycles_large - cycles_small)
    return figure, f"{cycles_large - cycles_small} cycles, {large - small:,} instructions"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", metavar="REV", help="git revision to compare with")
    parser.add_argument("--respondents", type=int, default=4)
    parser.add_argument("--walk", metavar="CODE", help=argparse.SUPPRESS)
    parser.add_argument("--prepare", metavar="CODE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.walk:
        walk(Path(args.walk), args.respondents)
        return
    if args.prepare:
        prepare(Path(args.prepare))
        return
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (Debian: apt-get install valgrind)")
    sys.path.insert(0, str(REPO / "benchmarks"))
    from profile_pages import export_revision

    figures: dict[str, float | None] = {}
    with tempfile.TemporaryDirectory() as tmp:
        trees = {"this tree": REPO}
        if args.baseline:
            export_revision(args.baseline, Path(tmp))
            trees = {"baseline": Path(tmp), **trees}
        for name, code in trees.items():
            figure, detail = per_cycle(code, args.respondents)
            figures[name] = figure
            shown = f"{figure / 1e6:.2f} M" if figure is not None else "no figure"
            print(f"{name:<10} instructions per page cycle: {shown} ({detail})", flush=True)
    base, this = figures.get("baseline"), figures["this tree"]
    if args.baseline:
        if base is None or this is None:
            print("no ratio: a walk failed")
            sys.exit(1)
        print(f"baseline / this tree: {base / this:.3f}")


if __name__ == "__main__":
    main()
