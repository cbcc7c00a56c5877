"""`flask iku complaint-scan` and `flask iku supervision-remind` as cron runs them."""

from __future__ import annotations

import datetime as dt

from click.testing import CliRunner

from app.cli import iku
from app.services import complaints
from tests.views.test_cycles_support import team_fixture  # noqa: F401


def _run(*args: str) -> str:
    result = CliRunner().invoke(iku, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_complaint_scan_reminds_once(db_session, team):
    complaints.file_complaint(db_session, team["pengguna1"], kind="keluhan", subject="Lama",
                              description="x", complainant_name="A",
                              now=dt.datetime.now(dt.UTC) - dt.timedelta(days=20))
    assert "1 terlambat, 0 berisiko, 1 pengingat baru" in _run("complaint-scan")
    assert "0 pengingat baru" in _run("complaint-scan")


def test_supervision_remind_names_superior_and_pelaksana(db_session, team):
    output = _run("supervision-remind")
    assert "Pelaksana Kasubbag: supervisi Pelaksana Staf (terakhir: belum pernah)" in output
