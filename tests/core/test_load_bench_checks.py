"""The load benchmark prints a ratio only against a plausible, error-free reference run."""

from __future__ import annotations

import pytest

from benchmarks.load_checks import Floors, median_round, ratio_refusal

FLOORS = Floors(min_rate=20, min_cycles_per_user=5, max_ratio=1.5)


def run(cycles: int, seconds: float = 15, errors: dict | None = None) -> dict:
    return {"cycles": cycles, "page_cycles_per_s": cycles / seconds, "errors": errors or {}}


def test_a_sound_reference_gives_a_ratio():
    assert ratio_refusal(run(1500), run(4000), 16, FLOORS) is None


def test_a_reference_with_errors_gives_no_ratio():
    reason = ratio_refusal(run(1500), run(4000, errors={"ReadTimeout": 3}), 16, FLOORS)
    assert reason is not None
    assert "3 error(s)" in reason
    assert "ReadTimeout ×3" in reason


def test_the_reported_case_gives_no_ratio():
    """A reference at 3.8 cycles/s beside ours at 123.5 once printed a ratio of 32.5."""
    ours, reference = run(round(123.5 * 15)), run(round(3.8 * 15))
    assert ratio_refusal(ours, reference, 16, FLOORS) is not None


@pytest.mark.parametrize(
    ("reference", "concurrency", "words"),
    [
        (run(79), 16, "fewer than the 80 requested"),  # 4.9 cycles per respondent
        (run(290, seconds=15), 16, "below the plausible floor"),  # 19.3 cycles/s
    ],
)
def test_too_few_cycles_or_too_slow_a_reference_gives_no_ratio(reference, concurrency, words):
    reason = ratio_refusal(run(10), reference, concurrency, FLOORS)
    assert reason is not None
    assert words in reason


def test_surveyapp_far_above_its_ceiling_gives_no_ratio():
    assert "faster than its ceiling" in ratio_refusal(run(3100), run(2000), 16, FLOORS)
    assert ratio_refusal(run(2900), run(2000), 16, FLOORS) is None  # within 1.5×


def test_no_cycle_of_ours_gives_no_ratio():
    assert ratio_refusal(run(0), run(2000), 16, FLOORS) == "surveyapp completed no page cycle"


def test_the_command_line_defaults_are_the_floors():
    assert Floors().min_rate == 20.0
    assert Floors().min_cycles_per_user == 5


def rounds(*ratios: float | None) -> list[dict]:
    return [
        {"round": n, "ratio": r, "ratio_refused": None if r is not None else "no ceiling"}
        for n, r in enumerate(ratios, start=1)
    ]


def test_the_median_round_is_the_result():
    median, refused = median_round(rounds(0.58, 0.45, 0.52))
    assert refused == []
    assert median is not None
    assert (median["round"], median["ratio"]) == (3, 0.52)


def test_an_even_count_takes_the_upper_middle_round():
    median, _ = median_round(rounds(0.4, 0.7, 0.5, 0.6))
    assert median is not None
    assert median["ratio"] == 0.6


def test_one_refused_round_refuses_the_setting():
    median, refused = median_round(rounds(0.5, None, 0.55))
    assert median is None
    assert refused == ["round 2: no ceiling"]


def test_no_round_gives_no_ratio():
    assert median_round([]) == (None, ["no round was run"])
