"""The plan before a cycle starts (`plan_preview`, `flask iku plan`) on the installed calendar.

The expected dues are worked out by hand below, on the civil-service week (Mon-Thu 07:30-16:00,
break 12-13; Fri 07:30-16:30, break 11:30-13) and the holidays the `holidays` package gives:
24 Dec 2026 (cuti bersama Natal, Thursday), 25 Dec (Natal, Friday), 1 Jan 2027 (Tahun Baru,
Friday), 5 Jan (Isra Mikraj, Tuesday), 5 Feb (cuti bersama Imlek, Friday).
"""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from app.cli import iku
from app.models.calendar import Holiday
from app.services import calendar, cycles
from app.services.standards import current_standard
from tests.services.test_cycles_support import WIB

START = "2026-12-16T09:00"  # Wednesday, a week before the Christmas closures

# (sequence, printed label, planned start, planned due) per step, by hand:
PLAN = [
    (1, "1", "2026-12-16T09:00", "2026-12-16T09:30"),  # 30 menit
    # 1 minggu = 5 working days: 17, 18, 21, 22, 23 Dec
    (2, "2", "2026-12-16T09:30", "2026-12-23T09:30"),
    # 2 hari: 24 (cuti bersama) and 25 Dec (Natal) closed, weekend: 28, 29 Dec
    (3, "3", "2026-12-23T09:30", "2026-12-29T09:30"),
    # 5 hari: 30, 31 Dec; 1 Jan (Tahun Baru) closed; 4 Jan; 5 Jan (Isra Mikraj) closed; 6, 7 Jan
    (4, "4", "2026-12-29T09:30", "2027-01-07T09:30"),
    (5, "5", "2027-01-07T09:30", "2027-01-13T09:30"),  # 2 kali @ 2 hari: 8, 11, 12, 13 Jan
    (6, "6", "2027-01-13T09:30", "2027-01-20T09:30"),  # 5 hari after step 5: 14-20 Jan
    (7, "7", "2027-01-20T09:30", "2027-01-27T09:30"),  # 5 hari
    (8, "8", "2027-01-27T09:30", "2027-02-01T09:30"),  # 3 hari: 28, 29 Jan, 1 Feb
    # "7" again, harmonisasi, 4 hari: 2, 3, 4 Feb; 5 Feb (cuti bersama Imlek) closed; 8 Feb
    (9, "7", "2027-02-01T09:30", "2027-02-08T09:30"),
    (10, "8", "2027-02-08T09:30", None),  # the Minister: no time standard
    (11, "9", "2027-02-08T09:30", "2027-02-08T09:40"),  # 10 menit
    (12, "10", "2027-02-08T09:40", "2027-02-08T13:40"),  # 3 jam: 140 min before the break
    # 1 hari: the step's own standard, not its sub-steps' 9 hours
    (13, "11", "2027-02-08T13:40", "2027-02-09T13:40"),
    (14, "12", "2027-02-09T13:40", "2027-02-10T08:10"),  # 3 jam: 140 min on Tuesday, 40 next
    (15, "13", "2027-02-10T08:10", "2027-02-12T08:10"),  # 2 hari: 11, 12 Feb
]
END = "2027-02-12T08:10:00+07:00"


def _iso(text: str | None) -> str | None:
    return f"{text}:00+07:00" if text else None


@pytest.fixture
def installed(db_session):
    """The calendar `flask iku init` installs, for the years of the plan whatever today is."""
    calendar.sync_holidays(db_session, [2026, 2027])
    days = set(db_session.scalars(select(Holiday.date).where(Holiday.active.is_(True))))
    assert {dt.date(2026, 12, 24), dt.date(2026, 12, 25), dt.date(2027, 1, 1),
            dt.date(2027, 1, 5), dt.date(2027, 2, 5)} <= days
    return db_session


def test_the_whole_plan_on_the_installed_calendar(installed):
    standard = current_standard(installed, "iku")
    plan = cycles.plan_preview(installed, standard, dt.datetime.fromisoformat(START))
    got = [(s.sequence, s.label, s.start.isoformat(), s.due.isoformat() if s.due else None)
           for s in plan.steps]
    assert got == [(n, label, _iso(start), _iso(due)) for n, label, start, due in PLAN]
    assert plan.end.isoformat() == END
    assert [s.number for s in plan.steps][7:10] == ["8", "9 (7)", "10 (8)"]
    assert plan.steps[12].time_text == "1 hari" and plan.steps[4].time_text == "2 kali @ 2 hari"
    # an aware start gives the same plan; nothing was written
    same = cycles.plan_preview(installed, standard, dt.datetime(2026, 12, 16, 2, tzinfo=dt.UTC))
    assert same.end == plan.end and same.start == dt.datetime(2026, 12, 16, 9, tzinfo=WIB)


def test_plan_command_prints_one_line_per_step_and_the_end(app, installed):
    result = CliRunner().invoke(iku, ["plan", START], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 16 and lines[-1] == f"selesai: {END}"
    rows = [line.split("\t") for line in lines[:-1]]
    assert [(int(r[0]), r[1], r[3], r[4]) for r in rows] == [
        (n, label, _iso(start), _iso(due) or "tanpa tenggat") for n, label, start, due in PLAN]
    assert rows[0][2] == "Pemberian arahan dan penugasan secara berjenjang"
    assert rows[8][2].startswith("Sebelum diajukan kepada Menteri Sekretaris Negara")
    explicit = CliRunner().invoke(iku, ["plan", START, "--standard", "iku"])
    assert explicit.output == result.output


def test_plan_command_refusals(app, installed):
    unknown = CliRunner().invoke(iku, ["plan", START, "--standard", "nope"])
    assert unknown.exit_code != 0 and "Standar 'nope' belum dimuat" in unknown.output
    assert "iku" in unknown.output
    bad = CliRunner().invoke(iku, ["plan", "besok"])
    assert bad.exit_code != 0 and "besok" in bad.output
