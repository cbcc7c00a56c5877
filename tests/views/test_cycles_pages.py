"""Starting a cycle through the form, the cycle page (plan vs actual, SLA, history,
attachments) and cancelling, with every role's access."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from app.models.cycles import Cycle, CycleUnit, WorkEvent
from app.models.org import OrgUnit
from app.services import cycles
from app.services.standards import current_standard
from tests.conftest import ROLE_USERS
from tests.views.test_cycles_support import (  # noqa: F401
    act,
    ago,
    en_fixture,
    finish,
    start_cycle,
    team_fixture,
)

STARTERS = {"admin", "karo", "kabag"}
READERS = {"admin", "karo", "kabag", "kasubbag", "staf", "auditor"}


def _units(db_session, *codes) -> list[int]:
    return list(db_session.scalars(select(OrgUnit.id).where(OrgUnit.code.in_(codes))))


def _count(db_session) -> int:
    return db_session.scalar(select(func.count(Cycle.id)))


@pytest.mark.parametrize("username", list(ROLE_USERS))
def test_start_form_access_per_role(client, login, username):
    login(client, username)
    response = client.get("/cycle/start")
    assert response.status_code == (200 if username in STARTERS else 403)


def test_start_form_offers_the_standards_reasons_and_every_unit(team, en):
    page = en("karo").get("/cycle/start").get_data(as_text=True)
    assert "Perubahan organisasi" in page and "Arahan pimpinan" in page
    assert "Sekretariat Kantor Staf Presiden" in page and "Istana Kepresidenan Bogor" in page
    assert page.count('type="checkbox" value=') >= 13 and page.count("checked") >= 13
    assert re.search(r'name="code"[^>]*value="IKU-\d{4}"', page)


def test_karo_starts_a_cycle_for_some_units_and_sees_its_planned_end(team, en, db_session):
    client = en("karo")
    units = _units(db_session, "SETPRES", "SETKEMEN")
    response = client.post("/cycle/start", data={
        "standard": "iku", "code": "IKU-2028", "period": "2028", "reason": "organisation_change",
        "reason_note": "Reorganisasi Setpres", "units": units,
    }, follow_redirects=True)
    page = response.get_data(as_text=True)
    cycle = db_session.scalars(select(Cycle).filter_by(code="IKU-2028")).one()
    assert response.request.path == f"/cycle/{cycle.id}"
    assert "Cycle IKU-2028 started. Planned end:" in page
    assert cycle.planned_end is not None and cycle.reason == "organisation_change"
    assert sorted(db_session.scalars(select(CycleUnit.org_unit_id).filter_by(
        cycle_id=cycle.id))) == sorted(units)
    facts = page[page.index('id="cycle-facts"'):page.index('id="timeline"')]
    assert "Perubahan organisasi" in facts and "Planned end" in facts and "Forecast end" in facts
    assert re.search(r'id="planned-end">\d{2}-\d{2}-\d{4} \d{2}:\d{2}<', page)
    assert "Sekretariat Presiden" in page and "Sekretariat Kementerian" in page
    assert "Istana Kepresidenan Bogor" not in page  # not concerned
    assert "Cycle started" in page and "Reorganisasi Setpres" in page


def test_start_form_shows_the_plan_before_the_cycle_starts(team, en, db_session):
    client = en("karo")
    blank = client.get("/cycle/start").get_data(as_text=True)
    assert 'name="preview"' in blank and "Preview the plan" in blank
    assert 'name="start"' not in blank and 'id="plan-preview"' not in blank
    before = _count(db_session)
    form = {"standard": "iku", "code": "IKU-2029", "period": "2029", "reason": "periodic",
            "units": _units(db_session, "SETPRES", "SETKEMEN")}
    first = cycles.plan_preview(db_session, current_standard(db_session, "iku"),
                                dt.datetime.now(dt.UTC))
    page = client.post("/cycle/start", data={**form, "preview": "1"}).get_data(as_text=True)
    last = cycles.plan_preview(db_session, current_standard(db_session, "iku"),
                               dt.datetime.now(dt.UTC))
    assert _count(db_session) == before  # a preview saves nothing
    assert 'value="IKU-2029"' in page and 'name="start"' in page  # then the user confirms
    table = page[page.index('id="plan-preview"'):page.index('id="plan-end"')]
    rows = re.findall(r"<tr>\s*<td>(\d+)</td>\s*<td>([^<]*)</td>\s*<td>([^<]*)", table)
    assert [(int(n), label) for n, label, _title in rows] == [
        (n, label) for n, label in enumerate(
            ["1", "2", "3", "4", "5", "6", "7", "8", "7", "8", "9", "10", "11", "12", "13"], 1)]
    assert rows[0][2].strip() == "Pemberian arahan dan penugasan secara berjenjang"
    for header in ("No.", "Printed number", "Step", "Start", "Due"):
        assert f"<th>{header}</th>" in table
    stamps = re.findall(r"\d{2}-\d{2}-\d{4} \d{2}:\d{2} WIB", table)
    assert len(stamps) == 29 and "No deadline" in table  # the Minister (step 10) has no due
    end = re.search(r'id="plan-end">([^<]*)<', page)[1]
    assert end in {f"{p.end:%d-%m-%Y %H:%M} WIB" for p in (first, last)}
    started = client.post("/cycle/start", data={**form, "start": "1"}, follow_redirects=True)
    cycle = db_session.scalars(select(Cycle).filter_by(code="IKU-2029")).one()
    assert started.request.path == f"/cycle/{cycle.id}"


def test_a_refused_start_shows_the_engines_message_and_saves_nothing(team, en, db_session):
    start_cycle(db_session, team, code="IKU-2027")
    before = _count(db_session)
    client = en("kabag")
    page = client.post("/cycle/start", data={
        "standard": "iku", "code": "IKU-2027", "period": "2027", "reason": "periodic",
        "units": _units(db_session, "SETPRES"),
    }).get_data(as_text=True)
    assert "Kode siklus IKU-2027 sudah dipakai." in page
    assert 'value="IKU-2027"' in page  # the form keeps what was typed
    page = client.post("/cycle/start", data={
        "standard": "iku", "code": "IKU-X", "period": "2027", "reason": "periodic",
    }).get_data(as_text=True)
    assert "Choose at least one unit." in page
    assert _count(db_session) == before


def test_only_heads_may_start_even_if_the_form_is_posted(team, en, db_session):
    before = _count(db_session)
    response = en("staf").post("/cycle/start", data={
        "standard": "iku", "code": "IKU-S", "period": "2027", "reason": "periodic",
        "units": _units(db_session, "SETPRES")})
    assert response.status_code == 403 and _count(db_session) == before


@pytest.mark.parametrize("username", list(ROLE_USERS))
def test_cycle_page_access_per_role(team, client, login, db_session, username):
    cycle = start_cycle(db_session, team)
    login(client, username)
    response = client.get(f"/cycle/{cycle.id}")
    # every unit takes part: a liaison reads it too (its own share only: tests/views/test_portal.py)
    assert response.status_code == (200 if username in READERS | {"pengguna1", "pengguna2"}
                                    else 403)
    assert client.get("/cycle/999999").status_code in (403, 404)


@pytest.fixture
def worked(team, db_session, tmp_path, app, monkeypatch):
    """A cycle started three weeks ago: step 1 done on time with a note and an attachment,
    step 2 part a begun and sent back once; the rest still planned."""
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    t0 = ago(days=21)
    cycle = start_cycle(db_session, team, now=t0)
    act(db_session, team, cycle.id, "complete", "s01.a", at=t0 + dt.timedelta(minutes=5),
        note="Arahan diberikan", attachment=cycles.Attachment("arahan.pdf", b"%PDF-1.4 arahan"),
        attachments_dir=tmp_path / "attachments")
    return cycle


def test_cycle_page_shows_plan_actual_sla_and_history(worked, team, en, db_session):
    finish(db_session, team, worked.id, "s01", at=ago(days=20))
    act(db_session, team, worked.id, "complete", "s02.a.1", at=ago(days=20))
    act(db_session, team, worked.id, "return", "s02.a.2", at=ago(days=19),
        reason="Konsep belum lengkap")
    page = en("kabag").get(f"/cycle/{worked.id}").get_data(as_text=True)
    timeline = page[page.index('id="timeline"'):page.index('id="procedure"')]
    assert timeline.count('class="iku-tl-row') == 15
    assert timeline.count("iku-tl-planned") >= 15 and "iku-tl-actual" in timeline
    assert "iku-tl-forecast" in timeline and "iku-tl-now" in timeline
    procedure = page[page.index('id="procedure"'):page.index('id="cycle-units"')]
    step1 = procedure[procedure.index('data-code="s01"'):procedure.index('data-code="s02"')]
    assert "Done late" in step1 or "Done on time" in step1
    assert "Overdue" in procedure  # step 2 (one week) started three weeks ago
    assert "on behalf of Deputi Bidang Administrasi Aparatur" in procedure
    assert "Not started" in procedure
    assert re.search(r'id="forecast-end">\d{2}-\d{2}-\d{4}', page)
    assert "At risk" in page[page.index('id="cycle-sla-status"'):][:300]  # forecast > plan
    events = page[page.index('class="table table-condensed table-striped iku-events"'):]
    assert "Arahan diberikan" in events and "arahan.pdf" in events
    assert "Sent back" in events and "Konsep belum lengkap" in events
    assert "Pelaksana Karo" in events or "Karo Uji" in events


def test_cycle_page_shows_the_latest_events_and_links_to_the_full_history(
        worked, team, en, db_session, monkeypatch):
    from app.views.cycles import pages

    monkeypatch.setattr(pages, "LATEST_EVENTS", 2)
    finish(db_session, team, worked.id, "s01", at=ago(days=20))
    act(db_session, team, worked.id, "complete", "s02.a.1", at=ago(days=20), note="Langkah akhir")
    total = db_session.scalar(select(func.count()).select_from(WorkEvent)
                              .where(WorkEvent.cycle_id == worked.id))
    client = en("kabag")
    page = client.get(f"/cycle/{worked.id}").get_data(as_text=True)
    events = page[page.index('class="table table-condensed table-striped iku-events"'):]
    assert events.count('class="iku-event ') == 2 and "Langkah akhir" in events
    assert "Arahan diberikan" not in events  # an early event: in the full history only
    assert f"The latest 2 of {total} events." in page
    link = re.search(r'href="(/workeventview/list/\?_flt_0_cycle_id=\d+)"', page).group(1)
    history = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert "Arahan diberikan" in history and "Langkah akhir" in history
    # a liaison reads its own unit's latest events, without the bureau-wide total
    liaison = en("pengguna1").get(f"/cycle/{worked.id}")
    assert liaison.status_code == 200 and "The latest" not in liaison.get_data(as_text=True)


def _download_url(page: str) -> str:
    return re.search(r'href="(/workeventview/attachment/\d+)"', page).group(1)


@pytest.mark.parametrize("username", list(ROLE_USERS))
def test_attachment_download_is_access_checked(worked, client, login, username):
    login(client, "karo")
    url = _download_url(client.get(f"/cycle/{worked.id}").get_data(as_text=True))
    client.get("/logout/")
    login(client, username)
    response = client.get(url)
    if username in READERS:
        assert response.status_code == 200 and response.data == b"%PDF-1.4 arahan"
        assert "arahan.pdf" in response.headers["Content-Disposition"]
    else:  # a liaison: the event is not its unit's
        assert response.status_code in (403, 404)


def test_a_tampered_attachment_is_not_handed_out(worked, en, tmp_path):
    client = en("karo")
    url = _download_url(client.get(f"/cycle/{worked.id}").get_data(as_text=True))
    stored = next((tmp_path / "attachments").iterdir())
    stored.write_bytes(b"something else")
    page = client.get(url, follow_redirects=True).get_data(as_text=True)
    assert "does not match the fingerprint" in page


def test_cancelling_needs_a_reason_and_a_confirmation(team, en, db_session):
    cycle = start_cycle(db_session, team)
    client = en("karo")
    page = client.get(f"/cycle/{cycle.id}").get_data(as_text=True)
    assert 'id="form-cancel-cycle"' in page
    page = client.post(f"/cycle/{cycle.id}/cancel", data={"reason": "Salah mulai"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Please tick the box to confirm." in page
    db_session.expire_all()
    assert db_session.get(Cycle, cycle.id).status == "active"
    page = client.post(f"/cycle/{cycle.id}/cancel", data={"reason": "Salah mulai", "confirm": "y"},
                       follow_redirects=True).get_data(as_text=True)
    assert "The cycle was cancelled." in page and "Cycle cancelled" in page
    assert 'id="form-cancel-cycle"' not in page
    db_session.expire_all()
    assert db_session.get(Cycle, cycle.id).status == "cancelled"
    page = client.post(f"/cycle/{cycle.id}/cancel", data={"reason": "lagi", "confirm": "y"},
                       follow_redirects=True).get_data(as_text=True)
    assert "dibatalkan; tidak ada yang dapat dicatat lagi" in page


def test_staff_see_the_cycle_but_no_cancel_form(team, en, db_session):
    cycle = start_cycle(db_session, team)
    page = en("staf").get(f"/cycle/{cycle.id}").get_data(as_text=True)
    assert "IKU-2027" in page and 'id="form-cancel-cycle"' not in page
    assert en("staf").post(f"/cycle/{cycle.id}/cancel", data={
        "reason": "x", "confirm": "y"}).status_code == 403


def test_cycle_list_offers_start_to_heads_and_exports(team, en, db_session):
    start_cycle(db_session, team, code="IKU-2027")
    page = en("karo").get("/cycleview/list/").get_data(as_text=True)
    assert 'id="start-cycle"' in page and "IKU-2027" in page and "Active" in page
    csv = en("staf").get("/cycleview/export/csv").get_data(as_text=True)
    assert "IKU-2027" in csv and "Active" in csv
    assert 'id="start-cycle"' not in en("staf").get("/cycleview/list/").get_data(as_text=True)
