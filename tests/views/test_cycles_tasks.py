"""Tugas saya and recording work through the pages: start, complete (note, attachment),
return (reason, confirmation), pause/resume, reassign, refusals, conflicts, liaisons."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.models.cycles import WorkEvent
from tests.conftest import ROLE_USERS
from tests.views.test_cycles_support import (  # noqa: F401
    act,
    ago,
    at_step6_fixture,
    en_fixture,
    finish,
    item,
    start_cycle,
    team_fixture,
    visible,
)

ACTORS = {"admin", "karo", "kabag", "kasubbag", "staf", "pengguna1", "pengguna2"}


def _section(page: str, key: str) -> str:
    start = page.find(f'id="tasks-{key}"')
    if start < 0:
        return ""
    end = page.find('class="panel panel-', start + 10)
    return page[start:end if end > 0 else None]


def _post(client, url, **data):
    return client.post(url, data=data, follow_redirects=True).get_data(as_text=True)


@pytest.mark.parametrize("username", list(ROLE_USERS))
def test_my_tasks_page_per_role(client, login, username):
    login(client, username)
    response = client.get("/tasks/")
    # Auditor reads work items (its tasks page is simply empty) but can record nothing.
    assert response.status_code == 200


def test_my_tasks_groups_overdue_and_due_soon(team, en, db_session):
    late = start_cycle(db_session, team, code="IKU-LAMA", now=ago(days=10))
    start_cycle(db_session, team, code="IKU-BARU")
    page = en("karo").get("/tasks/").get_data(as_text=True)
    overdue = _section(page, "overdue")
    assert "IKU-LAMA" in overdue and "s01.a" in overdue and "Overdue" in overdue
    assert "IKU-BARU" not in overdue
    assert "IKU-BARU" in page  # its step 1 (30 minutes) is due soon, or assigned
    assert f'href="/tasks/item/{item(db_session, late.id, "s01.a").id}' in page
    assert "Kabag Uji" not in overdue  # s01.b waits for s01.a: not a task yet
    page = en("staf").get("/tasks/").get_data(as_text=True)
    assert 'id="no-tasks"' in page and "You have no open tasks." in page


def test_completing_with_a_note_and_an_attachment(team, en, db_session, app, tmp_path,
                                                  monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    cycle = start_cycle(db_session, team)
    target = item(db_session, cycle.id, "s01.a")
    client = en("karo")
    page = client.get(f"/tasks/item/{target.id}").get_data(as_text=True)
    assert 'id="form-complete"' in page and 'enctype="multipart/form-data"' in page
    assert f'name="complete-version" type="hidden" value="{target.version_id}"' in page
    from io import BytesIO

    page = client.post(f"/tasks/item/{target.id}/complete", data={
        "complete-version": str(target.version_id), "complete-note": "Arahan sudah diberikan",
        "complete-attachment": (BytesIO(b"isi arahan"), "arahan.docx"),
    }, content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)
    assert "The item is completed." in page
    assert 'id="item-status">Done<' in page
    history = page[page.index("iku-events"):]
    assert "Arahan sudah diberikan" in history and "arahan.docx" in history
    event = db_session.scalars(select(WorkEvent).filter_by(item_id=target.id,
                                                           action="complete")).one()
    assert event.attachment_size == len(b"isi arahan")
    assert (tmp_path / event.attachment_path).read_bytes() == b"isi arahan"
    assert item(db_session, cycle.id, "s01.b").status == "ready"
    assert "s01.b" in en("kabag").get("/tasks/").get_data(as_text=True)


def test_refusals_show_the_engines_message(team, en, db_session):
    cycle = start_cycle(db_session, team)
    mine = item(db_session, cycle.id, "s01.a")
    page = _post(en("staf"), f"/tasks/item/{mine.id}/complete",
                 **{"complete-version": str(mine.version_id)})
    assert "ditugaskan kepada Pelaksana Karo" in page
    later = item(db_session, cycle.id, "s01.b")
    page = _post(en("kabag"), f"/tasks/item/{later.id}/start")
    assert "Belum dapat dicatat: langkah 1 a belum selesai" in page
    assert item(db_session, cycle.id, "s01.a").status == "ready"
    # the auditor may look but not act
    assert en("auditor").post(f"/tasks/item/{mine.id}/complete").status_code == 403


def test_a_concurrent_completion_is_a_conflict(team, en, db_session):
    cycle = start_cycle(db_session, team)
    target = item(db_session, cycle.id, "s01.a")
    shown = target.version_id  # the page was drawn with this version...
    act(db_session, team, cycle.id, "complete", "s01.a", note="oleh orang lain")  # ...then this
    page = _post(en("karo"), f"/tasks/item/{target.id}/complete",
                 **{"complete-version": str(shown), "complete-note": "saya juga"})
    assert "telah diubah oleh pengguna lain sejak Anda membukanya" in page
    assert "alert-warning" in page
    notes = db_session.scalars(select(WorkEvent.note).filter_by(item_id=target.id)).all()
    assert notes == ["oleh orang lain"]


def _at_s02a2(db_session, team):
    cycle = start_cycle(db_session, team)
    finish(db_session, team, cycle.id, "s01")
    act(db_session, team, cycle.id, "complete", "s02.a.1")
    return cycle, item(db_session, cycle.id, "s02.a.2")


def test_return_needs_a_reason_and_a_confirmation(team, en, db_session):
    cycle, target = _at_s02a2(db_session, team)
    client = en(target.assignee.username)
    page = client.get(f"/tasks/item/{target.id}").get_data(as_text=True)
    assert 'id="form-return"' in page and "Yes, send this item back" in page
    url = f"/tasks/item/{target.id}/return"
    page = _post(client, url, **{"return-reason": "Data kurang"})
    assert "Please tick the box to confirm." in page
    assert item(db_session, cycle.id, "s02.a.2").status == "ready"
    page = _post(client, url, **{"return-reason": "", "return-confirm": "y"})
    assert "This field is required." in page or "Alasan pengembalian wajib diisi." in page
    page = _post(client, url, **{"return-reason": "Data kurang", "return-confirm": "y"})
    assert "The item was sent back." in page
    assert item(db_session, cycle.id, "s02.a.2").status == "waiting"
    assert item(db_session, cycle.id, "s02.a.1").status == "ready"
    first = item(db_session, cycle.id, "s02.a.1")
    page = _post(en("kasubbag"), f"/tasks/item/{first.id}/return",
                 **{"return-reason": "x", "return-confirm": "y"})
    assert "tidak mempunyai sub-langkah sebelumnya" in page


def test_pause_and_resume_stop_and_restart_the_clock(team, en, db_session):
    cycle, target = _at_s02a2(db_session, team)
    client = en(target.assignee.username)
    page = _post(client, f"/tasks/item/{target.id}/pause", **{"pause-reason": ""})
    assert "This field is required." in page or "Alasan penjedaan wajib diisi." in page
    page = _post(client, f"/tasks/item/{target.id}/pause",
                 **{"pause-reason": "Menunggu data unit"})
    assert "The item is paused; its clock has stopped." in page
    assert 'id="item-status">Paused<' in page and 'id="form-resume"' in page
    tasks = client.get("/tasks/").get_data(as_text=True)
    assert f'action="/tasks/item/{target.id}/resume"' in tasks  # quick resume from the list
    page = _post(client, f"/tasks/item/{target.id}/resume", **{
        "resume-next": "/tasks/"})
    assert "The item is resumed; its clock runs again." in page
    assert item(db_session, cycle.id, "s02.a.2").status == "ready"
    events = db_session.scalars(select(WorkEvent.action).filter_by(item_id=target.id)
                                .order_by(WorkEvent.id)).all()
    assert events == ["pause", "resume"]


def test_quick_start_from_the_list_comes_back_to_the_list(team, en, db_session):
    cycle = start_cycle(db_session, team)
    target = item(db_session, cycle.id, "s01.a")
    client = en("karo")
    response = client.post(f"/tasks/item/{target.id}/start", data={
        "start-version": str(target.version_id), "start-next": "/tasks/"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/tasks/")
    assert item(db_session, cycle.id, "s01.a").status == "in_progress"
    off_site = client.post(f"/tasks/item/{target.id}/pause", data={
        "pause-reason": "x", "pause-next": "//evil.example/"})
    assert "evil" not in off_site.headers["Location"]


def test_reassign_offers_eligible_people_and_records_it(team, en, db_session):
    cycle, target = _at_s02a2(db_session, team)
    other = "staf1b" if target.assignee.username == "staf" else "staf"
    page = en("kasubbag").get(f"/tasks/item/{target.id}").get_data(as_text=True)
    form = page[page.index('id="form-reassign"'):page.index("</form>", page.index(
        'id="form-reassign"'))]
    assert f'value="{team[other].id}"' in form and f'value="{team["kabag"].id}"' in form
    assert f'value="{team["staf2"].id}"' not in form  # AK II is not this item's line
    assert f'value="{team["pengguna1"].id}"' not in form  # a liaison is not bureau staff
    page = _post(en("kasubbag"), f"/tasks/item/{target.id}/reassign", **{
        "reassign-user": "0", "reassign-version": str(target.version_id)})
    assert "This field is required." in page  # "Select Value" is not a person
    page = _post(en("kasubbag"), f"/tasks/item/{target.id}/reassign", **{
        "reassign-user": str(team[other].id), "reassign-note": "Beban kerja",
        "reassign-version": str(target.version_id)})
    assert "The item was reassigned." in page
    assert re.search(r'id="item-assignee">[^<]*' + other.title(), page, re.I)
    assert item(db_session, cycle.id, "s02.a.2").assignee_user_id == team[other].id
    # staff have no reassign form, and posting it is refused
    assert 'id="form-reassign"' not in en("staf").get(
        f"/tasks/item/{target.id}").get_data(as_text=True)
    assert en("staf").post(f"/tasks/item/{target.id}/reassign").status_code == 403


def test_a_liaison_sees_only_its_units_step6_share(at_step6, en, db_session):
    own = item(db_session, at_step6.id, "s06@SETPRES")
    other = item(db_session, at_step6.id, "s06@SETWAPRES")
    assert own.status == other.status == "ready"
    page = en("pengguna1").get("/tasks/").get_data(as_text=True)
    assert "Step 6 — Sekretariat Presiden" in visible(page)
    assert "Sekretariat Wakil Presiden" not in page and "s06@" not in visible(page)
    assert f"/cycle/{at_step6.id}" in page  # its unit takes part: it reads the cycle page
    assert en("pengguna1").get(f"/tasks/item/{other.id}").status_code == 404
    assert en("pengguna1").post(f"/tasks/item/{other.id}/complete").status_code == 404
    listed = en("pengguna1").get("/workitemview/list/").get_data(as_text=True)
    assert "Step 6 — Sekretariat Presiden" in listed and "s06@" not in visible(listed)
    assert "Step 6 — Sekretariat Wakil Presiden" not in listed and "Step 7" not in listed
    page = _post(en("pengguna1"), f"/tasks/item/{own.id}/complete", **{
        "complete-note": "Rancangan final IKU Setpres", "complete-version": str(own.version_id)})
    assert "The item is completed." in page
    assert item(db_session, at_step6.id, "s06@SETPRES").status == "done"
    assert "Step 6 — Sekretariat Wakil Presiden" in en("pengguna2").get("/tasks/").get_data(
        as_text=True)


def test_bureau_staff_record_a_units_share_on_its_behalf(at_step6, en, db_session):
    share = item(db_session, at_step6.id, "s06@SETKEMEN")  # no liaison: AK II records it
    page = _post(en("staf2"), f"/tasks/item/{share.id}/complete",
                 **{"complete-version": str(share.version_id)})
    assert "The item is completed." in page
    assert "Sekretariat Kementerian" in page[page.index("iku-events"):]
    refused = _post(en("staf"), f"/tasks/item/{item(db_session, at_step6.id, 's06@DEP-AA').id}"
                    "/complete")
    assert "Hanya penghubung" in refused


def _home(app, user) -> str:
    from flask import g, render_template
    from flask_babel import force_locale
    from flask_login import login_user

    with app.app_context(), app.test_request_context("/"), force_locale("en"):
        if user is not None:
            login_user(user)
            g.user = user
        return render_template("cycles/home_tasks.html")


def test_home_page_section_counts_and_lists_the_users_tasks(team, db_session, app):
    start_cycle(db_session, team, code="IKU-LAMA", now=ago(days=10))
    html = _home(app, team["karo"])
    assert "Overdue: 1" in html and "Step 1 a" in html and "All my tasks" in html
    assert "You have no open tasks." in _home(app, team["staf"])
    assert _home(app, None).strip() == ""


@pytest.mark.parametrize("username", list(ROLE_USERS))
def test_item_page_per_role(team, client, login, db_session, username):
    cycle = start_cycle(db_session, team)
    target = item(db_session, cycle.id, "s01.a")  # a bureau item: no unit
    login(client, username)
    page = client.get(f"/tasks/item/{target.id}")
    if username.startswith("pengguna"):
        assert page.status_code == 404
        return
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert ('id="form-complete"' in html) == (username in ACTORS)
    assert ('id="form-reassign"' in html) == (username in {"admin", "karo", "kabag", "kasubbag"})


def test_forms_carry_a_csrf_token_and_a_post_without_it_is_refused(team, en, db_session, app,
                                                                   monkeypatch):
    cycle = start_cycle(db_session, team)
    target = item(db_session, cycle.id, "s01.a")
    client = en("karo")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    page = client.get(f"/tasks/item/{target.id}").get_data(as_text=True)
    token = re.search(r'name="complete-csrf_token" type="hidden" value="([^"]+)"', page)
    assert token, "the complete form must carry its CSRF token"
    listed = client.get("/tasks/").get_data(as_text=True)
    assert re.search(r'name="start-csrf_token" value="[^"]+"', listed)
    refused = client.post(f"/tasks/item/{target.id}/complete", data={"complete-note": "x"})
    assert refused.status_code == 400
    assert item(db_session, cycle.id, "s01.a").status == "ready"
    done = _post(client, f"/tasks/item/{target.id}/complete", **{
        "complete-csrf_token": token.group(1), "complete-version": str(target.version_id)})
    assert "The item is completed." in done
    # the API authenticates by bearer token: no CSRF token needed there
    nxt = item(db_session, cycle.id, "s01.b")
    from tests.conftest import PASSWORD

    api = app.test_client()
    jwt = api.post("/api/v1/security/login", json={"username": "kabag", "password": PASSWORD,
                                                   "provider": "db"}).get_json()["access_token"]
    response = api.post(f"/api/v1/work-item/{nxt.id}/complete", json={},
                        headers={"Authorization": f"Bearer {jwt}"})
    assert response.status_code == 200, response.get_json()


def test_a_task_tables_links_are_url_fors_own(app):
    """The table builds each endpoint's URL once and puts each row's id in (iku_urls): the
    same URL url_for makes, also when the stand-in's digits come back in the query string."""
    from flask import url_for

    from app.views.cycles.format import URL_KEY, urls

    with app.test_request_context("/tasks/"):
        for back in ("/tasks/", f"/tasks/?page={URL_KEY}", None):
            extra = {} if back is None else {"next": back}
            made = urls("TasksView.item", "item_id", **extra)
            for item_id in (1, 42, 1234567):
                assert made(item_id) == url_for("TasksView.item", item_id=item_id, **extra)
        assert urls("CyclePageView.overview", "cycle_id")(7) == url_for(
            "CyclePageView.overview", cycle_id=7)
