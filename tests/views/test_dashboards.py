"""Home counters, the bottleneck dashboard, the survey and Statistik Pengguna, per role."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.cycles import Cycle, CycleUnit
from app.models.org import IkuUser, OrgUnit
from app.models.standards import ServiceStandard
from app.services import dashboard, home, survey
from app.services.complaints import figures
from tests.views.test_cycles_support import (  # noqa: F401
    at_step6_fixture,
    en_fixture,
    team_fixture,
)

NOW = dt.datetime(2026, 12, 1, 3, tzinfo=dt.UTC)
ROLES = ["admin", "karo", "kabag", "kasubbag", "staf", "auditor", "pengguna1"]
DASHBOARD_ROLES = {"admin", "karo", "kabag", "auditor"}


@pytest.fixture(autouse=True)
def _fresh_cache():
    dashboard.clear_cache()
    yield
    dashboard.clear_cache()


@pytest.mark.parametrize("username", ROLES)
def test_home_counters_per_role(client, login, username):
    login(client, username)
    page = client.get("/").get_data(as_text=True)
    assert 'id="counter-complaints_open"' in page and "Pengaduan terbuka" in page
    counter = page[page.index('id="counter-complaints_open"'):][:600]
    assert "belum tersedia" not in counter
    assert 'id="counter-my_tasks"' in page and "Tugas saya" in page
    assert ('id="home-progress"' in page) == (username in {"admin", "karo", "kabag", "auditor"})
    assert ('id="counter-evaluations_due"' in page) == (username != "pengguna1")


def test_registered_counter_replaces_not_available(client, login):
    try:
        home.register_counter("complaints_open", "Pengaduan terbuka", lambda s, u, n: 7)
        login(client, "karo")
        page = client.get("/").get_data(as_text=True)
        assert 'id="counter-complaints_open"' in page and ">7<" in page.replace("\n", "")
    finally:
        figures.register()


@pytest.mark.parametrize("username", ROLES)
def test_dashboard_only_for_heads(client, login, username):
    login(client, username)
    response = client.get("/dasbor/")
    if username not in DASHBOARD_ROLES:
        assert response.status_code in (302, 403)
        return
    page = response.get_data(as_text=True)
    assert "Dasbor hambatan" in page and "chart.umd.min.js" in page
    block = page[page.index('id="chart-complaints"'):page.index('id="chart-survey"')]
    assert "canvas-complaints" in block and "Belum tersedia" not in block
    assert "googleapis" not in page and "gstatic" not in page
    export = client.get("/dasbor/export/steps.xlsx")
    assert export.status_code == 200 and export.data[:2] == b"PK"


def _completed_cycle() -> Cycle:
    standard = db.session.scalars(select(ServiceStandard)).first()
    cycle = Cycle(code="IKU-UJI", title="Siklus uji", period="2026", reason="periodic",
                  standard=standard, status="completed", started_at=dt.datetime(2026, 1, 5),
                  completed_at=dt.datetime(2026, 6, 1))
    unit = db.session.scalars(select(OrgUnit).where(OrgUnit.code == "SETPRES")).one()
    db.session.add(cycle)
    db.session.add(CycleUnit(cycle=cycle, org_unit=unit))
    db.session.commit()
    return cycle


def test_liaison_answers_the_survey_once_and_the_bureau_reads_the_grade(app, client, login):
    cycle = _completed_cycle()
    login(client, "pengguna1")
    assert "IKU-UJI" in client.get("/survei/isi/").get_data(as_text=True)
    answers = {f"u{i}": "4" if i % 2 else "3" for i in range(1, 10)}
    page = client.post(f"/survei/isi/{cycle.id}", data=answers,
                       follow_redirects=True).get_data(as_text=True)
    assert "jawaban unit Anda tercatat" in page
    page = client.post(f"/survei/isi/{cycle.id}", data=answers,
                       follow_redirects=True).get_data(as_text=True)
    assert "tidak dapat diisi oleh unit Anda" in page
    other = app.test_client()
    login(other, "pengguna2")  # SETWAPRES: not concerned
    assert "IKU-UJI" not in other.get("/survei/isi/").get_data(as_text=True)
    bureau = app.test_client()
    login(bureau, "karo")
    page = bureau.get("/survei/").get_data(as_text=True)
    # means 4,3,4,3,4,3,4,3,4 -> Σ 32 × 0.111 × 25 = 88.8 -> A
    assert "88,8" in page and "<strong>A</strong>" in page and "Waktu penyelesaian" in page
    assert survey.results(db.session)[0].grade == "A"


def test_liaison_cannot_answer_for_a_running_cycle(client, login):
    cycle = _completed_cycle()
    cycle.completed_at = None
    db.session.commit()
    login(client, "pengguna1")
    user = db.session.scalars(select(IkuUser).where(IkuUser.username == "pengguna1")).one()
    with pytest.raises(survey.SurveyError):
        survey.submit(db.session, cycle, user, [4] * 9, None, now=NOW)


@pytest.mark.parametrize("username", ["admin", "auditor"])
def test_user_statistics_drawn_offline_in_indonesian(client, login, username):
    login(client, username)
    page = client.get("/userstatschartview/chart/").get_data(as_text=True)
    assert "Statistik pengguna" in page and "Jumlah masuk" in page and "Nama pengguna" in page
    assert "Login Count" not in page and "<td>None</td>" not in page
    assert "chart.umd.min.js" in page and "google" not in page.lower()


def test_a_registered_complaints_series_is_charted_and_exported(client, login):
    dashboard.register_series("complaints_per_month", lambda s: [("2026-10", 4), ("2026-11", 2)])
    try:
        login(client, "kabag")
        page = client.get("/dasbor/").get_data(as_text=True)
        block = page[page.index('id="chart-complaints"'):page.index('id="chart-survey"')]
        assert "canvas-complaints" in block and "2026-11" in block and "Belum tersedia" not in block
        import io

        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(client.get("/dasbor/export/complaints.xlsx").data)).active
        assert [c.value for c in sheet[2]] == ["2026-10", 4]
    finally:
        figures.register()


def test_liaison_sees_its_next_deadline_and_the_heads_the_cycle_against_plan(at_step6, en,
                                                                             db_session):
    from app.services.cycles.flow import from_db
    from tests.views.test_cycles_support import SCHEDULE, item, visible

    due = from_db(item(db_session, at_step6.id, "s06@SETPRES").due_at)
    page = en("pengguna1").get("/").get_data(as_text=True)
    block = visible(page[page.index('id="home-next-deadline"'):])
    assert f"{due.astimezone(SCHEDULE.zone):%d-%m-%Y %H:%M}" in block and "IKU-2027" in block
    page = en("karo").get("/").get_data(as_text=True)
    row = visible(page[page.index(f'id="progress-{at_step6.id}"'):])
    assert "IKU-2027" in row[:40] and "5/15" in row  # steps 1-5 done of 15
    assert 'href="/sla/?cycle_id=' in page[page.index('id="home-progress"'):]


@pytest.mark.parametrize("username", ROLES + ["pengguna2"])
def test_survey_pages_per_role(app, client, login, username):
    cycle = _completed_cycle()
    user = db.session.scalars(select(IkuUser).where(IkuUser.username == "pengguna1")).one()
    survey.submit(db.session, cycle, user, [3] * 9, "Cukup baik.", now=NOW)
    login(client, username)
    results = client.get("/survei/")
    answers = client.get("/surveyresponseview/list/")
    pending = client.get("/survei/isi/")
    if username.startswith("pengguna"):
        assert results.status_code == 403 and pending.status_code == 200
        listed = answers.get_data(as_text=True)
        assert ("IKU-UJI" in listed) == (username == "pengguna1")  # its own unit's answers only
    else:
        assert results.status_code == 200 and "IKU-UJI" in results.get_data(as_text=True)
        assert "IKU-UJI" in answers.get_data(as_text=True)
        assert pending.status_code in (302, 403) or username == "admin"
