"""The SLA board (filters, CSV/XLSX as filtered), the open-items and event lists with their
exports, the `flask iku sla-scan` command and the reminders it leaves."""

from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.models.cycles import Reminder
from app.models.org import Section
from tests.conftest import ROLE_USERS
from tests.views.test_cycles_support import (  # noqa: F401
    act,
    ago,
    en_fixture,
    finish,
    item,
    start_cycle,
    team_fixture,
    visible,
)

BOARD = {"admin", "karo", "kabag", "auditor"}
LISTS = {"admin", "karo", "kabag", "kasubbag", "staf", "auditor", "pengguna1", "pengguna2"}


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    text = response.get_data(as_text=True)
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


@pytest.fixture
def two_cycles(team, db_session):
    """IKU-LAMA started six weeks ago and stuck in step 2 (overdue); IKU-BARU in step 2 since
    now (one week to go: on track)."""
    late = start_cycle(db_session, team, code="IKU-LAMA", now=ago(days=42))
    finish(db_session, team, late.id, "s01", at=ago(days=42))
    fresh = start_cycle(db_session, team, code="IKU-BARU", period="2028")
    finish(db_session, team, fresh.id, "s01")
    return late, fresh


@pytest.mark.parametrize("username", list(ROLE_USERS))
def test_sla_board_access_per_role(client, login, username):
    login(client, username)
    assert client.get("/sla/").status_code == (200 if username in BOARD else 403)
    export = client.get("/sla/export/csv")
    assert export.status_code == (200 if username in BOARD else 403)
    export.get_data()


def test_board_groups_by_status_and_filters(two_cycles, en, db_session):
    late, fresh = two_cycles
    client = en("karo")
    page = client.get("/sla/").get_data(as_text=True)
    overdue = page[page.index('id="board-overdue"'):page.index('id="board-on_track"')]
    on_track = page[page.index('id="board-on_track"'):]
    assert "IKU-LAMA" in overdue and "IKU-BARU" not in overdue
    assert "IKU-BARU" in on_track and "s02.a.1" in on_track
    page = client.get(f"/sla/?cycle_id={fresh.id}").get_data(as_text=True)
    assert "IKU-LAMA" not in page.split('id="board-counts"')[1]
    page = client.get("/sla/?status=overdue").get_data(as_text=True)
    assert 'id="board-overdue"' in page and 'id="board-on_track"' not in page
    ak2 = db_session.scalars(select(Section.id).filter_by(code="AK2")).one()
    page = client.get(f"/sla/?section_id={ak2}").get_data(as_text=True)
    assert 'id="board-empty"' in page  # step 2's open items are all AK I's
    page = client.get(f"/sla/?cycle_id={late.id}&steps=1").get_data(as_text=True)
    assert 'data-item="s02"' in page and 'data-item="s02.a.1"' not in page


def test_board_shows_the_most_urgent_rows_of_each_status_and_counts_all(
        two_cycles, team, db_session, en, monkeypatch):
    """A thousand active cycles hold ~10,000 open items: each status shows its first rows,
    says how many it holds, links to all of them; the export still holds every item."""
    from app.views.cycles import sla as board_view

    third = start_cycle(db_session, team, code="IKU-KETIGA", period="2029")
    finish(db_session, team, third.id, "s01")
    client = en("karo")
    full = client.get("/sla/").get_data(as_text=True)
    monkeypatch.setattr(board_view, "SHOWN", 1)
    page = client.get("/sla/?status=on_track").get_data(as_text=True)
    group = page[page.index('id="board-on_track"'):]
    total = full[full.index('id="board-on_track"'):].count('class="iku-board-row"')
    assert total > 1 and group.count('class="iku-board-row"') == 1
    assert f'<span class="badge">{total}</span>' in group
    assert f"Showing the 1 most urgent of {total}." in group
    assert 'href="/sla/?status=on_track&amp;all=1">Show all</a>' in group
    every = client.get("/sla/?status=on_track&all=1").get_data(as_text=True)
    assert every.count('class="iku-board-row"') == total and "iku-board-cut" not in every
    assert len(_csv(client.get("/sla/export/csv?status=on_track"))) == total + 1


def test_board_csv_export_holds_exactly_the_filtered_board(two_cycles, en):
    late, _fresh = two_cycles
    client = en("kabag")
    page = client.get(f"/sla/?cycle_id={late.id}&status=overdue").get_data(as_text=True)
    assert f'href="/sla/export/csv?cycle_id={late.id}&amp;status=overdue"' in page
    rows = _csv(client.get(f"/sla/export/csv?cycle_id={late.id}&status=overdue"))
    assert rows[0][:3] == ["SLA", "Cycle", "Item"] and "Working time used" in rows[0]
    body = rows[1:]
    assert body and {r[0] for r in body} == {"Overdue"} and {r[1] for r in body} == {"IKU-LAMA"}
    assert "Step 2 a 1)" in {r[2] for r in body}  # parts b and c wait for part a
    assert {r[3] for r in body} == {"2"} and not any("s02" in cell for r in body for cell in r)
    assert all(r[-1].endswith("%") for r in body)
    everything = _csv(client.get("/sla/export/csv"))
    assert {r[0] for r in everything[1:]} == {"Overdue", "On track"}
    workbook = load_workbook(io.BytesIO(client.get(
        f"/sla/export/xlsx?cycle_id={late.id}").get_data()))
    sheet = workbook.active
    assert sheet.cell(1, 1).value == "SLA" and sheet.cell(2, 2).value == "IKU-LAMA"


def test_open_items_list_filters_and_exports_with_sla(two_cycles, en, app):
    late, fresh = two_cycles
    client = en("kasubbag")
    page = client.get(f"/workitemview/list/?_flt_0_cycle={late.code}").get_data(as_text=True)
    text = visible(page)
    assert "Step 2 a 1)" in text and "Overdue" in text and "s02" not in text
    assert "Step 1 a" not in text  # done: not open
    # the cycle is found by typing its code: the form lists no cycle (a select box listed all)
    assert fresh.code not in page and 'name=\\"cycle\\" type=\\"text\\"' in page
    rows = _csv(client.get(f"/workitemview/export/csv?_flt_0_cycle={fresh.code}"))
    header = rows[0]
    assert header[:6] == ["Cycle", "Item", "Title", "Kind", "Status", "SLA"]
    assert {r[5] for r in rows[1:]} == {"On track"}
    assert {r[0] for r in rows[1:]} == {"IKU-BARU"}
    assert {"Step 2", "Step 2 a 1)"} <= {r[1] for r in rows[1:]}
    assert "Ready" in {r[4] for r in rows[1:]}


@pytest.mark.parametrize("username", list(ROLE_USERS))
def test_lists_access_per_role(client, login, username):
    login(client, username)
    for url in ("/workitemview/list/", "/workeventview/list/"):
        assert client.get(url).status_code == (200 if username in LISTS else 403)
    # a liaison lists the cycles its unit takes part in (tests/views/test_portal.py)
    expected = 200 if username in LISTS else 403
    assert client.get("/cycleview/list/").status_code == expected


def test_event_list_is_scoped_and_exported(two_cycles, team, en, db_session):
    late, _fresh = two_cycles
    client = en("auditor")
    rows = _csv(client.get("/workeventview/export/csv"))
    assert rows[0][:4] == ["When", "Cycle", "Item", "Action"]
    assert {"IKU-LAMA", "IKU-BARU"} <= {r[1] for r in rows[1:]}
    assert "Cycle started" in {r[3] for r in rows[1:]}
    listed = en("pengguna1").get("/workeventview/list/").get_data(as_text=True)
    assert "s01.a" not in listed and "IKU-LAMA" not in listed  # not its unit's
    assert _csv(en("pengguna1").get("/workeventview/export/csv"))[1:] == []


def _scan(app):
    from app.cli import iku

    with app.app_context():
        result = CliRunner().invoke(iku, ["sla-scan"], obj=None, standalone_mode=False,
                                    catch_exceptions=False)
    return result.output.strip()


def test_sla_scan_reminds_once_and_reminders_show(two_cycles, en, db_session, app, team):
    late, _fresh = two_cycles
    first = _scan(app)
    assert first.startswith("Diperiksa") and "pengingat baru" in first
    created = db_session.scalar(select(func.count(Reminder.id)))
    assert created > 0 and "0 pengingat baru" not in first
    assert _scan(app).endswith(" 0 pengingat baru.")  # idempotent
    assert db_session.scalar(select(func.count(Reminder.id))) == created
    kasubbag_item = item(db_session, late.id, "s02.a.1")
    client = en("kasubbag")
    page = client.get("/reminders/").get_data(as_text=True)
    assert 'id="unread-count"' in page and "Step 2 a 1)" in page and "Overdue" in page
    assert "s02" not in visible(page)
    assert f'href="/tasks/item/{kasubbag_item.id}"' in page
    assert "IKU-BARU" not in page
    mine = db_session.scalars(select(Reminder).filter_by(user_id=team["kasubbag"].id)).all()
    page = client.post("/reminders/read", data={"reminder": str(mine[0].id)},
                       follow_redirects=True).get_data(as_text=True)
    assert "1 reminder(s) marked as read." in page
    page = client.post("/reminders/read", follow_redirects=True).get_data(as_text=True)
    assert f"{len(mine) - 1} reminder(s) marked as read." in page
    assert 'id="unread-count"' not in page and "iku-unread" not in page
    # the Kabag (the Kasubbag's superior) was reminded too; nobody marks another's reminder
    theirs = db_session.scalars(select(Reminder).filter_by(user_id=team["kabag"].id)).first()
    client.post("/reminders/read", data={"reminder": str(theirs.id)})
    db_session.expire_all()
    assert db_session.get(Reminder, theirs.id).read_at is None
    assert "Step 2 a 1)" in en("kabag").get("/reminders/").get_data(as_text=True)


@pytest.mark.parametrize("username", list(ROLE_USERS))
def test_reminders_page_per_role(client, login, username):
    login(client, username)
    assert client.get("/reminders/").status_code == 200
    marked = client.post("/reminders/read")
    assert marked.status_code == (403 if username == "auditor" else 302)


def test_open_items_are_searched_by_status_label(team, en, db_session):
    cycle = start_cycle(db_session, team)
    act(db_session, team, cycle.id, "pause", "s01.a", reason="menunggu")
    client = en("staf")
    page = client.get("/workitemview/list/").get_data(as_text=True)
    assert 'value=\\"in_progress\\"\\u003eIn progress' in page  # a select, not a text box
    page = client.get("/workitemview/list/?_flt_0_status=paused").get_data(as_text=True)
    assert "Step 1 a" in page and "Paused" in page and "Step 1 b" not in page
    rows = _csv(client.get("/workitemview/export/csv?_flt_0_status=paused"))
    assert [r[1] for r in rows[1:]] == ["Step 1 a"] and rows[1][4] == "Paused"


def test_board_shows_done_on_time_and_done_late(two_cycles, en, db_session):
    from app.services import dashboard

    late, fresh = two_cycles
    done = dashboard.done_work(db_session, {})
    assert done.on_time >= 2 and done.late == 0  # step 1 of both, done on the day
    page = en("karo").get("/sla/").get_data(as_text=True)
    section = page[page.index('id="board-done"'):]
    assert f"<strong>{done.on_time}</strong>" in section and "<strong>0</strong>" in section
    only_fresh = dashboard.done_work(db_session, {"cycle_id": fresh.id})
    assert only_fresh.on_time < done.on_time
