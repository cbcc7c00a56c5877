"""The predikat matrix, the behaviour rule, the evidence figures and the distribution check,
on worked examples."""

from __future__ import annotations

import datetime as dt

import pytest

from app.models.evaluation import Rating
from app.services.evaluation import overall_behaviour, predikat
from app.services.evaluation.distribution import check
from app.services.evaluation.evidence import format_minutes, work_figures
from app.services.working_time import Schedule

B, S, A = Rating.BELOW, Rating.AS_EXPECTED, Rating.ABOVE
SCHEDULE = Schedule.default()
WIB = SCHEDULE.zone


@pytest.mark.parametrize(("results", "behaviour", "expected"), [
    (A, A, "Sangat Baik"), (A, S, "Baik"), (A, B, "Kurang"),
    (S, A, "Baik"), (S, S, "Baik"), (S, B, "Kurang"),
    (B, A, "Butuh Perbaikan"), (B, S, "Butuh Perbaikan"), (B, B, "Sangat Kurang"),
])
def test_predikat_follows_the_national_matrix(results, behaviour, expected):
    assert predikat(results, behaviour) == expected


def test_behaviour_rule_weighs_the_seven_values():
    assert overall_behaviour([A] * 4 + [S] * 3) == A
    assert overall_behaviour([A] * 6 + [B]) == S  # one "below" is never hidden by "above"
    assert overall_behaviour([B] * 4 + [A] * 3) == B
    assert overall_behaviour([A] * 3 + [S] * 4) == S


def wib(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=WIB)


def test_work_figures_count_on_time_and_median_lateness_in_working_time():
    done = [
        (wib(2026, 3, 2, 10), wib(2026, 3, 3, 10)),  # early
        (wib(2026, 3, 6, 16), wib(2026, 3, 6, 16)),  # exactly on its due
        # due Friday 15:00 (office closes 16:30), done Monday 09:00 (opens 07:30): 90 + 90 minutes
        (wib(2026, 3, 9, 9), wib(2026, 3, 6, 15)),
        (wib(2026, 3, 10, 11), wib(2026, 3, 10, 10)),  # an hour late
        (wib(2026, 3, 11, 13, 30), wib(2026, 3, 11, 10)),  # 10–12 and 13–13:30, lunch excluded
        (wib(2026, 3, 12, 11), None),  # no time standard: counted, not timed
    ]
    figures = work_figures(done, SCHEDULE)
    assert (figures.completed, figures.on_time, figures.late) == (6, 2, 3)
    assert figures.on_time_rate == pytest.approx(2 / 5)
    assert figures.median_late_minutes == 150  # of 180, 60, 150


def test_no_late_item_has_no_median():
    figures = work_figures([(wib(2026, 3, 2, 10), wib(2026, 3, 3, 10))], SCHEDULE)
    assert figures.median_late_minutes is None and figures.on_time_rate == 1
    assert work_figures([], SCHEDULE).on_time_rate is None


def test_minutes_read_as_working_days_hours_minutes():
    assert format_minutes(None) == "–"
    assert format_minutes(0) == "0 menit"
    assert format_minutes(125) == "2 jam 5 menit"
    assert format_minutes(450 * 2 + 60) == "2 hari 1 jam"


def test_distribution_rules_warn_only_when_broken():
    counts = {"Sangat Baik": 3, "Baik": 5, "Butuh Perbaikan": 2, "Kurang": 0, "Sangat Kurang": 0}
    rules = {"Sangat Baik": {"max": 0.2}, "Baik": {"min": 0.4}}
    assert check(counts, rules) == ["Predikat Sangat Baik 30,0 % melebihi batas 20,0 %."]
    assert check(counts, {"Baik": {"min": 0.6}}) == [
        "Predikat Baik 50,0 % di bawah batas minimal 60,0 %."]
    assert check(dict.fromkeys(counts, 0), rules) == []
