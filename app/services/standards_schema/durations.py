"""Time standards as printed ("30 menit", "2 kali @ 2 hari") and as comparable minutes.

Only the comparisons the loader needs live here; due dates on the calendar are the job of
working_time, which knows the schedule and the holidays.
"""

from __future__ import annotations

# A step of "1 hari" must fit on any working day, so "1 hari" is worth the SHORTEST one. The
# default is the civil-service week of working_time.Schedule.default(): 37.5 h over five days
# of 7.5 h once breaks are taken out. Callers that read the schedule the admins edited pass
# its own minimum (`day_minutes`).
SHORTEST_WORKDAY_MINUTES = 450
WORKDAYS_PER_WEEK = 5


def to_minutes(duration: dict, *, day_minutes: int, week_days: int = WORKDAYS_PER_WEEK) -> int:
    factor = {"menit": 1, "jam": 60, "hari": day_minutes, "minggu": day_minutes * week_days}
    return duration["value"] * factor[duration["unit"]]


def format_minutes(minutes: int) -> str:
    """540 -> '9 jam', 330 -> '5 jam 30 menit': how a person reads a sum of working time."""
    hours, rest = divmod(minutes, 60)
    parts = [f"{hours} jam"] if hours else []
    if rest or not parts:
        parts.append(f"{rest} menit")
    return " ".join(parts)


def duration_text(duration: dict | None, repetitions: int = 1) -> str | None:
    """The printed form, rebuilt from data: '30 menit', '2 kali @ 2 hari', None if untimed."""
    if not duration:
        return None
    text = f"{duration['value']} {duration['unit']}"
    return f"{repetitions} kali @ {text}" if repetitions > 1 else text
