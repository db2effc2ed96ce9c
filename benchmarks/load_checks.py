"""When the load benchmark may print a ratio to the reference app (pure: no I/O, no imports).

The ratio only means something when the reference run is a real ceiling: it finished without
errors, every simulated respondent went round the loop several times, and its rate is
plausible for a bare Flask endpoint pair. A reference that fails or stalls (we once saw one at
3.8 cycles/s and a printed ratio of 32.5) makes the ratio a measure of the failure, not of us.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Floors:
    """What a reference run must reach before a ratio is printed."""

    #: Page cycles per second below which the bare reference app is not plausible: even on a
    #: loaded 2-core machine it does hundreds; single digits mean timeouts or a stalled server.
    min_rate: float = 20.0
    #: Page cycles each simulated respondent must complete on the reference app.
    min_cycles_per_user: int = 5
    #: Our rate may not exceed the ceiling's by more than this factor (measurement noise).
    max_ratio: float = 1.5


def ratio_refusal(ours: dict, reference: dict, concurrency: int, floors: Floors) -> str | None:
    """Why the ratio of `ours` to `reference` must not be printed, or None when it may be.

    Both arguments are the benchmark's run summaries (`cycles`, `page_cycles_per_s`,
    `errors`: a mapping of error kind to count).
    """
    errors = sum(reference.get("errors", {}).values())
    if errors:
        kinds = ", ".join(f"{kind} ×{n}" for kind, n in sorted(reference["errors"].items()))
        return f"the reference run had {errors} error(s): {kinds}"
    wanted = concurrency * floors.min_cycles_per_user
    if reference["cycles"] < wanted:
        return (
            f"the reference run completed {reference['cycles']} page cycles, fewer than the "
            f"{wanted} requested ({floors.min_cycles_per_user} per respondent × {concurrency})"
        )
    rate = reference["page_cycles_per_s"]
    if rate < floors.min_rate:
        return (
            f"the reference rate {rate:.1f} cycles/s is below the plausible floor "
            f"{floors.min_rate:g}"
        )
    if not ours["cycles"]:
        return "surveyapp completed no page cycle"
    if ours["page_cycles_per_s"] > floors.max_ratio * rate:
        return (
            f"surveyapp ({ours['page_cycles_per_s']:.1f} cycles/s) ran more than "
            f"{floors.max_ratio:g}× faster than its ceiling ({rate:.1f}): the reference is not one"
        )
    return None


def median_round(rounds: list[dict]) -> tuple[dict | None, list[str]]:
    """The round whose ratio is the median of a setting's alternating rounds (the upper middle
    one for an even count), and why there is none: any round whose reference was no ceiling
    refuses the setting (a broken baseline is refused, not outvoted).

    Each round is a mapping with `round` (its number), `ratio` (None when refused) and
    `ratio_refused` (the reason, or None)."""
    refused = [f"round {r['round']}: {r['ratio_refused']}" for r in rounds if r["ratio"] is None]
    if refused or not rounds:
        return None, refused or ["no round was run"]
    ordered = sorted(rounds, key=lambda r: r["ratio"])
    return ordered[len(ordered) // 2], []
