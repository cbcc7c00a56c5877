"""Working-time arithmetic for the time standards of a Standar Pelayanan.

A standard promises "30 menit", "3 jam", "2 hari" or "1 minggu" of *jam kerja kedinasan*, so a due
date is not wall-clock arithmetic. This module is pure (no database, no Flask, never reads the
clock: callers pass ``now``) so that views, API, CLI and workers all compute the same due dates and
so the rules can be property-tested.

Rules (the spec):

* A ``Schedule`` gives, per weekday (0 = Monday), the working intervals ``(start, end)`` in local
  wall-clock time, plus a set of holiday dates (national holidays, cuti bersama, manual days) that
  are not working days. Overlapping or touching intervals are merged. The default is the civil
  service week of 37.5 h: Mon-Thu 07:30-16:00 with a 12:00-13:00 break, Fri 07:30-16:30 with an
  11:30-13:00 break, Saturday and Sunday off.
* A moment is working time when it lies in ``[start, end)`` of an interval of a working day. The
  clock starts at the first working moment at or after the given start ("normalised start").
* ``menit`` and ``jam`` add working minutes, skipping breaks, nights, weekends and holidays. A
  result exactly at an interval end stays there: Monday 15:30 + 30 menit = Monday 16:00 (and
  Monday 11:30 + 30 menit = Monday 12:00), not the next working moment.
* ``hari`` = the normalised start's time of day on the N-th following working day (Tuesday 10:00
  + 2 hari = Thursday 10:00; Friday 15:00 + 2 hari = Tuesday 15:00). On that day a time past the
  day's end becomes the day's end; a time before the day's start or inside a break moves to the
  next working moment of that day; a time exactly at an interval end stays there (as for minutes).
* ``minggu`` = 5 hari.
* A duration of 0 returns the normalised start. Searching for working time gives up (raising
  ``WorkingTimeNotFoundError``) after ``MAX_IDLE_DAYS`` consecutive days without any, so an empty
  schedule fails loudly instead of hanging.
* Aware datetimes are converted to the schedule's zone; naive ones are taken as that zone's local
  time; results are aware datetimes in that zone. Minutes are counted on the local wall clock.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from itertools import islice
from types import MappingProxyType
from zoneinfo import ZoneInfo

DEFAULT_TZ = "Asia/Jakarta"
MAX_IDLE_DAYS = 3660
ONE_DAY = timedelta(days=1)
ONE_MINUTE = timedelta(minutes=1)
DAYS_PER_WEEK = 5

Interval = tuple[time, time]
Span = tuple[datetime, datetime]


class WorkingTimeNotFoundError(ValueError):
    """The schedule has no working time within MAX_IDLE_DAYS of the requested moment."""


class DurationFormatError(ValueError):
    """A time standard is not written as '<number> menit|jam|hari|minggu'."""


class DurationUnit(StrEnum):
    MENIT = "menit"
    JAM = "jam"
    HARI = "hari"
    MINGGU = "minggu"


def _normalise_day(intervals: Iterable[Interval]) -> tuple[Interval, ...]:
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if start.tzinfo is not None or end.tzinfo is not None:
            raise ValueError("Jam kerja harus berupa jam lokal tanpa zona waktu")
        if start >= end:
            raise ValueError(f"Interval jam kerja tidak valid: {start:%H:%M}-{end:%H:%M}")
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)


@dataclass(frozen=True)
class Schedule:
    """Working intervals per weekday, the zone they are read in, and the non-working dates."""

    intervals: Mapping[int, tuple[Interval, ...]]
    tz: str = DEFAULT_TZ
    holidays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        unknown = set(self.intervals) - set(range(7))
        if unknown:
            raise ValueError(f"Hari dalam minggu harus 0 (Senin) sampai 6 (Minggu): {unknown}")
        days = {wd: _normalise_day(self.intervals.get(wd, ())) for wd in range(7)}
        object.__setattr__(self, "intervals", MappingProxyType(days))
        dates = (d.date() if isinstance(d, datetime) else d for d in self.holidays)
        object.__setattr__(self, "holidays", frozenset(dates))
        ZoneInfo(self.tz)  # fail fast on an unknown zone name

    def __hash__(self) -> int:
        return hash((tuple(self.intervals.items()), self.tz, self.holidays))

    @classmethod
    def default(cls, holidays: Iterable[date] = (), tz: str = DEFAULT_TZ) -> Schedule:
        mon_thu = ((time(7, 30), time(12)), (time(13), time(16)))
        fri = ((time(7, 30), time(11, 30)), (time(13), time(16, 30)))
        return cls({0: mon_thu, 1: mon_thu, 2: mon_thu, 3: mon_thu, 4: fri}, tz, frozenset(holidays))

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    @property
    def weekly_minutes(self) -> int:
        """Lets an admin screen check an edited schedule against the 37.5 h civil-service week."""
        total = timedelta()
        for spans in self.intervals.values():
            for start, end in spans:
                total += datetime.combine(date.min, end) - datetime.combine(date.min, start)
        return int(total / ONE_MINUTE)


@dataclass(frozen=True)
class Duration:
    """A time standard as written in a Standar Pelayanan, e.g. Duration(2, 'hari')."""

    value: int
    unit: DurationUnit

    def __post_init__(self) -> None:
        if isinstance(self.value, bool) or not isinstance(self.value, int) or self.value < 0:
            raise ValueError(f"Nilai durasi harus bilangan bulat >= 0: {self.value!r}")
        try:
            unit = DurationUnit(str(self.unit).lower())
        except ValueError:
            raise DurationFormatError(f"Satuan durasi tidak dikenal: {self.unit!r}") from None
        object.__setattr__(self, "unit", unit)

    def __str__(self) -> str:
        return f"{self.value} {self.unit}"

    @property
    def working_days(self) -> int | None:
        """Day-based units count working days; None for minute-based units."""
        if self.unit is DurationUnit.MINGGU:
            return self.value * DAYS_PER_WEEK
        return self.value if self.unit is DurationUnit.HARI else None

    @property
    def minutes(self) -> int | None:
        """Minute-based units count working minutes; None for day-based units."""
        if self.unit is DurationUnit.JAM:
            return self.value * 60
        return self.value if self.unit is DurationUnit.MENIT else None


_DURATION_RE = re.compile(r"\s*([0-9]+)\s+([a-z]+)\s*", re.IGNORECASE | re.ASCII)


def parse_duration(text: str) -> Duration:
    """Parse a time standard; anything else (e.g. '2 kali @ 2 hari') is the caller's to model."""
    match = _DURATION_RE.fullmatch(text) if isinstance(text, str) else None
    units = {u.value for u in DurationUnit}
    if match is None or match[2].lower() not in units or int(match[1]) == 0:
        raise DurationFormatError(
            f"Durasi tidak dikenal: {text!r} (contoh: '30 menit', '3 jam', '2 hari', '1 minggu')"
        )
    return Duration(int(match[1]), DurationUnit(match[2].lower()))


def _to_local(t: datetime, schedule: Schedule) -> datetime:
    if not isinstance(t, datetime):
        raise TypeError(f"Diperlukan datetime, bukan {type(t).__name__}")
    if t.tzinfo is None or t.utcoffset() is None:
        return t.replace(tzinfo=None)
    return t.astimezone(schedule.zone).replace(tzinfo=None)


def _to_aware(t: datetime, schedule: Schedule) -> datetime:
    return t.replace(tzinfo=schedule.zone)


def _spans(day: date, schedule: Schedule) -> tuple[Span, ...]:
    if day in schedule.holidays:
        return ()
    return tuple(
        (datetime.combine(day, s), datetime.combine(day, e)) for s, e in schedule.intervals[day.weekday()]
    )


def _working_days_from(day: date, schedule: Schedule) -> Iterator[tuple[date, tuple[Span, ...]]]:
    """Working days from ``day`` on with their spans, endlessly, one step per day (never per
    minute); gives up after MAX_IDLE_DAYS days in a row without working time."""
    idle = 0
    while True:
        if spans := _spans(day, schedule):
            idle = 0
            yield day, spans
        elif (idle := idle + 1) > MAX_IDLE_DAYS:
            raise WorkingTimeNotFoundError(
                f"Tidak ada jam kerja dalam {MAX_IDLE_DAYS} hari sebelum {day.isoformat()}; "
                "periksa jadwal kerja dan daftar hari libur"
            )
        day += ONE_DAY


def _spans_from(day: date, schedule: Schedule) -> Iterator[Span]:
    return (span for _, spans in _working_days_from(day, schedule) for span in spans)


def _nth_working_day_after(day: date, n: int, schedule: Schedule) -> date:
    return next(islice(_working_days_from(day + ONE_DAY, schedule), n - 1, None))[0]


def _first_working(t: datetime, schedule: Schedule) -> datetime:
    for start, end in _spans_from(t.date(), schedule):
        if t < end:
            return max(start, t)
    raise AssertionError("unreachable: _spans_from is endless")  # pragma: no cover


def _add_minutes(t: datetime, minutes: int, schedule: Schedule) -> datetime:
    begin = _first_working(t, schedule)
    remaining = minutes * ONE_MINUTE
    if not remaining:
        return begin
    for start, end in _spans_from(begin.date(), schedule):
        if end <= begin:
            continue
        available = end - max(start, begin)
        if remaining <= available:
            return max(start, begin) + remaining
        remaining -= available
    raise AssertionError("unreachable: _spans_from is endless")  # pragma: no cover


def _add_days(t: datetime, days: int, schedule: Schedule) -> datetime:
    begin = _first_working(t, schedule)
    if days == 0:
        return begin
    day = _nth_working_day_after(begin.date(), days, schedule)
    target = datetime.combine(day, begin.time())
    spans = _spans(day, schedule)
    for start, end in spans:
        if target <= end:
            return max(start, target)
    return spans[-1][1]


def is_working_day(day: date, schedule: Schedule) -> bool:
    return bool(_spans(day, schedule))


def is_working_moment(t: datetime, schedule: Schedule) -> bool:
    local = _to_local(t, schedule)
    return any(start <= local < end for start, end in _spans(local.date(), schedule))


def first_working_moment(t: datetime, schedule: Schedule) -> datetime:
    return _to_aware(_first_working(_to_local(t, schedule), schedule), schedule)


def add_duration(start: datetime, duration: Duration | str, schedule: Schedule) -> datetime:
    """The due moment of a step started at ``start`` with time standard ``duration``."""
    if isinstance(duration, str):
        duration = parse_duration(duration)
    local = _to_local(start, schedule)
    if duration.minutes is not None:
        result = _add_minutes(local, duration.minutes, schedule)
    else:
        result = _add_days(local, duration.working_days or 0, schedule)
    return _to_aware(result, schedule)


def working_minutes_between(a: datetime, b: datetime, schedule: Schedule) -> float:
    """Working minutes in [a, b]; negative when b is before a (time still left, say). The
    first and last day by their spans, the days between by whole weeks (every SLA on a page
    is one of these; walking day by day cost O(days since the item was handed over))."""
    lo, hi = _to_local(a, schedule), _to_local(b, schedule)
    if hi < lo:
        return -working_minutes_between(hi, lo, schedule)
    first, last = lo.date(), hi.date()
    total = _within(first, lo, hi, schedule)
    if last != first:
        total += _within(last, lo, hi, schedule) + _days_between(first, last, schedule)
    return total / ONE_MINUTE


def _within(day: date, lo: datetime, hi: datetime, schedule: Schedule) -> timedelta:
    total = timedelta()
    for start, end in _spans(day, schedule):
        overlap = min(end, hi) - max(start, lo)
        if overlap > timedelta():
            total += overlap
    return total


def _days_between(first: date, last: date, schedule: Schedule) -> timedelta:
    """Working time of the days strictly between two dates: seven days in a row hold each
    weekday once; the holidays among them are taken out."""
    start, days = first + ONE_DAY, (last - first).days - 1
    if days <= 0:
        return timedelta()
    lengths = [sum((datetime.combine(first, e) - datetime.combine(first, s)
                    for s, e in schedule.intervals[wd]), timedelta()) for wd in range(7)]
    weeks, rest = divmod(days, 7)
    total = sum(lengths, timedelta()) * weeks
    for offset in range(rest):  # the last days, from start's weekday on
        total += lengths[(start.weekday() + offset) % 7]
    for holiday in schedule.holidays:
        if start <= holiday < last:
            total -= lengths[holiday.weekday()]
    return total


def elapsed_fraction(start: datetime, duration: Duration | str, now: datetime, schedule: Schedule) -> float:
    """Share of the working time allowed by ``duration`` used by ``now``: 0 before the start,
    1.0 at the due moment, above 1.0 when overdue (the SLA percentage is this times 100)."""
    due = add_duration(start, duration, schedule)
    allowed = working_minutes_between(start, due, schedule)
    used = max(0.0, working_minutes_between(start, now, schedule))
    if allowed <= 0:
        return 1.0 if _to_local(now, schedule) >= _to_local(due, schedule) else 0.0
    return used / allowed
