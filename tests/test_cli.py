"""`flask iku init` and `flask iku load-standards` tell the operator every warning in words."""

from __future__ import annotations

import re

from click.testing import CliRunner

from app.cli import iku
from app.services.calendar import shortest_workday_minutes
from app.services.working_time import Schedule

STEP_11 = ("Langkah 13 (11): waktu sub-langkah berjumlah 9 jam kerja, melebihi standar langkah "
           "1 hari kerja (7 jam 30 menit pada hari kerja terpendek); tenggat sub-langkah "
           "disesuaikan secara proporsional ke dalam 1 hari kerja.")


def _run(*args: str) -> str:
    result = CliRunner().invoke(iku, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def _check_warnings(output: str) -> None:
    assert f"  ! {STEP_11}\n" in output
    assert "  ! Langkah 10 (8) tidak mempunyai standar waktu" in output
    assert "  ! Penomoran langkah tidak berurutan: Langkah 9 (7) tercetak setelah Langkah 8." in (
        output)
    count = int(re.search(r"Standar iku versi \d+: (\d+) peringatan\.", output)[1])
    assert output.count("  ! ") == count == 6
    assert not re.search(r"\b0 menit", output)


def test_init_prints_each_warning(app):
    _check_warnings(_run("init"))


def test_load_standards_prints_each_warning(app):
    _check_warnings(_run("load-standards"))


def test_one_working_day_is_the_shortest_day_that_has_working_time():
    # the weekend has no working time: a day off, not a day of 0 minutes
    assert shortest_workday_minutes(Schedule.default()) == 450
    assert shortest_workday_minutes(Schedule({0: ((Schedule.default().intervals[0][0]),)})) == 270
