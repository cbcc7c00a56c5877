"""Working-time arithmetic: the examples of the spec, then properties over random calendars."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from app.services.working_time import (
    Duration,
    DurationFormatError,
    Schedule,
    WorkingTimeNotFoundError,
    add_duration,
    elapsed_fraction,
    first_working_moment,
    is_working_day,
    is_working_moment,
    parse_duration,
    working_minutes_between,
)

WIB = Schedule.default().zone
DEFAULT = Schedule.default()
# 2026: Mon 8 June ... Fri 12 June; Aug 17 (Mon) is Independence Day.
CUTI_BERSAMA_2026 = [date(2026, m, d) for m, d in [(2, 16), (3, 18), (3, 20), (3, 23), (3, 24),
                                                   (5, 15), (5, 28), (12, 24)]]  # fmt: skip
PUBLIC_MARCH_2026 = [date(2026, 3, 19), date(2026, 3, 21), date(2026, 3, 22)]


def wib(*args: int) -> datetime:
    return datetime(*args, tzinfo=WIB)


def add(start: datetime, text: str, schedule: Schedule = DEFAULT) -> datetime:
    return add_duration(start, parse_duration(text), schedule)


@pytest.mark.parametrize(
    ("start", "duration", "expected"),
    [
        # an end of an interval stays an end
        (wib(2026, 6, 8, 15, 30), "30 menit", wib(2026, 6, 8, 16)),
        (wib(2026, 6, 8, 11, 30), "30 menit", wib(2026, 6, 8, 12)),
        (wib(2026, 6, 8, 15, 30), "31 menit", wib(2026, 6, 9, 7, 31)),
        # across the lunch break and across days
        (wib(2026, 6, 8, 11, 30), "1 jam", wib(2026, 6, 8, 13, 30)),
        (wib(2026, 6, 8, 15), "3 jam", wib(2026, 6, 9, 9, 30)),
        (wib(2026, 6, 8, 7, 30), "600 menit", wib(2026, 6, 9, 10)),
        # Friday: 11:30-13:00 break, ends 16:30, then the weekend
        (wib(2026, 6, 12, 11), "1 jam", wib(2026, 6, 12, 13, 30)),
        (wib(2026, 6, 12, 16), "30 menit", wib(2026, 6, 12, 16, 30)),
        (wib(2026, 6, 12, 16), "31 menit", wib(2026, 6, 15, 7, 31)),
        # starts outside working time
        (wib(2026, 6, 13, 10), "1 jam", wib(2026, 6, 15, 8, 30)),  # Saturday
        (wib(2026, 6, 13, 10), "1 hari", wib(2026, 6, 16, 7, 30)),
        (wib(2026, 6, 8, 12, 15), "30 menit", wib(2026, 6, 8, 13, 30)),  # in the break
        (wib(2026, 6, 8, 12, 15), "1 hari", wib(2026, 6, 9, 13)),
        (wib(2026, 6, 8, 6), "1 jam", wib(2026, 6, 8, 8, 30)),  # before 07:30
        (wib(2026, 6, 8, 6), "1 hari", wib(2026, 6, 9, 7, 30)),
        (wib(2026, 6, 8, 16, 45), "1 jam", wib(2026, 6, 9, 8, 30)),  # after hours
        # hari and minggu keep the time of day
        (wib(2026, 6, 9, 10), "2 hari", wib(2026, 6, 11, 10)),
        (wib(2026, 6, 12, 15), "2 hari", wib(2026, 6, 16, 15)),
        (wib(2026, 6, 8, 10), "1 minggu", wib(2026, 6, 15, 10)),
        (wib(2026, 6, 10, 9), "2 minggu", wib(2026, 6, 24, 9)),
        # hari landing where that time of day is not working time
        (wib(2026, 6, 12, 16, 15), "1 hari", wib(2026, 6, 15, 16)),  # Monday ends earlier
        (wib(2026, 6, 8, 11, 45), "4 hari", wib(2026, 6, 12, 13)),  # Friday's break
        (wib(2026, 6, 8, 11, 30), "4 hari", wib(2026, 6, 12, 11, 30)),  # Friday's break starts
        # zero is the normalised start
        (wib(2026, 6, 13, 10), "0 menit", wib(2026, 6, 15, 7, 30)),
    ],
)
def test_examples(start: datetime, duration: str, expected: datetime) -> None:
    value, unit = duration.split()
    assert add_duration(start, Duration(int(value), unit), DEFAULT) == expected


def test_monday_national_holiday_pushes_days() -> None:
    schedule = Schedule.default(holidays={date(2026, 8, 17)})
    assert add(wib(2026, 8, 14, 15), "2 hari", schedule) == wib(2026, 8, 19, 15)
    assert add(wib(2026, 8, 14, 16), "1 jam", schedule) == wib(2026, 8, 18, 8)


def test_cuti_bersama_2026_lebaran() -> None:
    schedule = Schedule.default(holidays=CUTI_BERSAMA_2026 + PUBLIC_MARCH_2026)
    # Tuesday 17 March is the last working day before 18-24 March.
    assert add(wib(2026, 3, 17, 10), "1 hari", schedule) == wib(2026, 3, 25, 10)
    assert add(wib(2026, 3, 17, 14), "3 jam", schedule) == wib(2026, 3, 25, 8, 30)
    assert add(wib(2026, 3, 20, 9), "30 menit", schedule) == wib(2026, 3, 25, 8)
    assert not is_working_day(date(2026, 2, 16), schedule)
    assert add(wib(2026, 2, 13, 10), "1 hari", schedule) == wib(2026, 2, 17, 10)


def test_string_duration_and_case() -> None:
    assert add_duration(wib(2026, 6, 9, 10), "2 Hari", DEFAULT) == wib(2026, 6, 11, 10)


def test_timezones() -> None:
    utc_start = datetime(2026, 6, 8, 3, tzinfo=UTC)  # 10:00 WIB
    result = add_duration(utc_start, "30 menit", DEFAULT)
    assert result == wib(2026, 6, 8, 10, 30)
    assert result.tzinfo == WIB and result.utcoffset() == timedelta(hours=7)
    naive = add_duration(datetime(2026, 6, 8, 10), "30 menit", DEFAULT)
    assert naive == result and naive.tzinfo == WIB
    assert first_working_moment(datetime(2026, 6, 13), DEFAULT) == wib(2026, 6, 15, 7, 30)


def test_working_moments() -> None:
    assert is_working_moment(wib(2026, 6, 8, 7, 30), DEFAULT)
    assert is_working_moment(wib(2026, 6, 8, 11, 59), DEFAULT)
    assert not is_working_moment(wib(2026, 6, 8, 12), DEFAULT)
    assert not is_working_moment(wib(2026, 6, 8, 16), DEFAULT)
    assert is_working_moment(wib(2026, 6, 12, 16, 15), DEFAULT)
    assert not is_working_moment(wib(2026, 6, 13, 10), DEFAULT)


def test_working_minutes_between() -> None:
    week = working_minutes_between(wib(2026, 6, 8, 7, 30), wib(2026, 6, 12, 16, 30), DEFAULT)
    assert week == DEFAULT.weekly_minutes == 37.5 * 60
    assert working_minutes_between(wib(2026, 6, 12, 16), wib(2026, 6, 15, 8), DEFAULT) == 60
    assert working_minutes_between(wib(2026, 6, 15, 8), wib(2026, 6, 12, 16), DEFAULT) == -60
    assert working_minutes_between(wib(2026, 6, 13), wib(2026, 6, 14), DEFAULT) == 0
    assert working_minutes_between(wib(2026, 6, 8, 11), wib(2026, 6, 8, 13, 30), DEFAULT) == 90


def test_elapsed_fraction() -> None:
    start = wib(2026, 6, 8, 10)
    assert elapsed_fraction(start, "2 hari", wib(2026, 6, 8, 9), DEFAULT) == 0
    assert elapsed_fraction(start, "2 hari", wib(2026, 6, 9, 10), DEFAULT) == 0.5
    assert elapsed_fraction(start, "2 hari", wib(2026, 6, 10, 10), DEFAULT) == 1
    assert elapsed_fraction(start, "1 jam", wib(2026, 6, 8, 12, 30), DEFAULT) == 2
    assert elapsed_fraction(start, Duration(0, "jam"), wib(2026, 6, 8, 11), DEFAULT) == 1


def test_long_durations_loop_per_interval() -> None:
    start = wib(2026, 1, 2, 9)
    due = add(start, "20000 jam", DEFAULT)  # about 10 years of working time
    assert working_minutes_between(start, due, DEFAULT) == 20000 * 60
    assert add(start, "500 minggu", DEFAULT).weekday() == start.weekday()


def test_schedule_without_working_time_raises() -> None:
    empty = Schedule({})
    with pytest.raises(WorkingTimeNotFoundError, match="Tidak ada jam kerja"):
        add(wib(2026, 6, 8, 10), "1 jam", empty)
    with pytest.raises(WorkingTimeNotFoundError):
        add(wib(2026, 6, 8, 10), "1 hari", empty)
    assert working_minutes_between(wib(2026, 1, 1), wib(2027, 1, 1), empty) == 0


def test_schedule_validation_and_merging() -> None:
    with pytest.raises(ValueError, match="tidak valid"):
        Schedule({0: ((time(10), time(9)),)})
    with pytest.raises(ValueError, match="0 \\(Senin\\)"):
        Schedule({7: ((time(8), time(9)),)})
    with pytest.raises(Exception, match="No time zone"):
        Schedule({}, tz="Asia/Nowhere")
    merged = Schedule({0: ((time(13), time(16)), (time(8), time(12)), (time(12), time(13)))})
    assert merged.intervals[0] == ((time(8), time(16)),)
    assert merged.intervals[5] == ()
    assert hash(Schedule.default()) == hash(DEFAULT) and Schedule.default() == DEFAULT


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30 menit", Duration(30, "menit")),
        ("3 jam", Duration(3, "jam")),
        ("2 hari", Duration(2, "hari")),
        ("2 Hari", Duration(2, "hari")),
        (" 1 MINGGU ", Duration(1, "minggu")),
    ],
)
def test_parse_duration(text: str, expected: Duration) -> None:
    assert parse_duration(text) == expected
    assert str(parse_duration(text)) == str(expected)


@pytest.mark.parametrize(
    "text",
    ["", "2", "hari", "2 hari kerja", "1,5 jam", "2 kali @ 2 hari", "0 hari", "-1 hari",
     "2 days", "2hari", "٢ hari", None],
)  # fmt: skip
def test_parse_duration_rejects(text: str) -> None:
    with pytest.raises(DurationFormatError, match="Durasi tidak dikenal"):
        parse_duration(text)
    assert issubclass(DurationFormatError, ValueError)


def test_duration_validation() -> None:
    with pytest.raises(DurationFormatError):
        Duration(2, "tahun")
    with pytest.raises(ValueError):
        Duration(-1, "hari")
    assert Duration(1, "minggu").working_days == 5
    assert Duration(3, "jam").minutes == 180


# --- properties ---------------------------------------------------------------------------------

moments = st.datetimes(min_value=datetime(2025, 12, 1), max_value=datetime(2027, 12, 31))
holiday_sets = st.frozensets(st.dates(date(2025, 12, 1), date(2028, 3, 1)), max_size=60)


@st.composite
def schedules(draw: st.DrawFn) -> Schedule:
    if draw(st.booleans()):
        return Schedule.default(holidays=draw(holiday_sets))
    intervals = {}
    for weekday in range(7):
        marks = sorted(draw(st.lists(st.integers(0, 24 * 60 - 1), max_size=4, unique=True)))
        marks = marks[: len(marks) // 2 * 2]
        times = [time(m // 60, m % 60) for m in marks]
        intervals[weekday] = tuple(zip(times[::2], times[1::2], strict=True))
    assume(any(intervals.values()))
    return Schedule(intervals, holidays=draw(holiday_sets))


units = st.sampled_from(["menit", "jam", "hari", "minggu"])


def in_closed_span(t: datetime, schedule: Schedule) -> bool:
    """Working time, or exactly the end of a working interval (where a result may stop)."""
    local = t.replace(tzinfo=None)
    if local.date() in schedule.holidays:
        return False
    spans = schedule.intervals[local.weekday()]
    return any(s <= local.time() <= e for s, e in spans)


@settings(deadline=None)
@given(moments, st.integers(1, 3000), units, schedules())
def test_result_is_working_time(start: datetime, n: int, unit: str, schedule: Schedule) -> None:
    assert in_closed_span(add_duration(start, Duration(n, unit), schedule), schedule)
    assert is_working_moment(first_working_moment(start, schedule), schedule)


@settings(deadline=None)
@given(moments, moments, st.integers(0, 2000), units, schedules())
def test_monotonic_in_start(t1: datetime, t2: datetime, n: int, unit: str, schedule: Schedule) -> None:
    t1, t2 = sorted((t1, t2))
    d = Duration(n, unit)
    assert add_duration(t1, d, schedule) <= add_duration(t2, d, schedule)


@settings(deadline=None)
@given(moments, st.integers(0, 2000), st.integers(0, 2000), units, schedules())
def test_monotonic_in_duration(t: datetime, a: int, b: int, unit: str, schedule: Schedule) -> None:
    a, b = sorted((a, b))
    assert add_duration(t, Duration(a, unit), schedule) <= add_duration(t, Duration(b, unit), schedule)


@settings(deadline=None)
@given(moments, st.integers(0, 3000), st.integers(1, 3000), schedules())
def test_minutes_add_up(t: datetime, a: int, b: int, schedule: Schedule) -> None:
    step = add_duration(add_duration(t, Duration(a, "menit"), schedule), Duration(b, "menit"), schedule)
    assert step == add_duration(t, Duration(a + b, "menit"), schedule)


def _minutes_day_by_day(a: datetime, b: datetime, schedule: Schedule) -> float:
    """The plain definition: every day's spans clipped to [a, b] (a forward interval)."""
    lo, hi = a.replace(tzinfo=None), b.replace(tzinfo=None)
    total, day = timedelta(), lo.date()
    while day <= hi.date():
        if day not in schedule.holidays:
            for s, e in schedule.intervals[day.weekday()]:
                start, end = datetime.combine(day, s), datetime.combine(day, e)
                total += max(timedelta(), min(end, hi) - max(start, lo))
        day += timedelta(days=1)
    return total / timedelta(minutes=1)


@settings(deadline=None)
@given(moments, moments, schedules())
def test_minutes_between_is_the_sum_of_each_days_spans(a: datetime, b: datetime,
                                                       schedule: Schedule) -> None:
    """Whole weeks at once (working_minutes_between) equal walking the days one by one."""
    lo, hi = sorted((a, b))
    assert working_minutes_between(lo, hi, schedule) == _minutes_day_by_day(lo, hi, schedule)
    assert working_minutes_between(hi, lo, schedule) == -_minutes_day_by_day(lo, hi, schedule)


@settings(deadline=None)
@given(moments, st.integers(0, 5000), schedules())
def test_minutes_between_inverts_add(t: datetime, n: int, schedule: Schedule) -> None:
    due = add_duration(t, Duration(n, "menit"), schedule)
    assert working_minutes_between(t, due, schedule) == n


@settings(deadline=None)
@given(moments, st.integers(1, 30), schedules())
def test_days_land_on_nth_working_day(t: datetime, n: int, schedule: Schedule) -> None:
    begin = first_working_moment(t, schedule)
    due = add_duration(t, Duration(n, "hari"), schedule)
    days = (due.date() - begin.date()).days
    between = [begin.date() + timedelta(days=i) for i in range(1, days + 1)]
    assert sum(is_working_day(d, schedule) for d in between) == n
    assert is_working_day(due.date(), schedule)
