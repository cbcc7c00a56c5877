"""The cycles REST API: the pages' permissions, scope and engine rules, as HTTP statuses."""

from __future__ import annotations

import base64

import pytest
from sqlalchemy import func, select

from app.models.cycles import Cycle, WorkEvent
from tests.conftest import ROLE_USERS
from tests.views.test_cycles_support import (  # noqa: F401
    act,
    finish,
    item,
    start_cycle,
    team_fixture,
)

STARTERS = {"admin", "karo", "kabag"}
CYCLE_READERS = {"admin", "karo", "kabag", "kasubbag", "staf", "auditor"}
ACTORS = CYCLE_READERS - {"auditor"} | {"pengguna1", "pengguna2"}
NEW = {"code": "IKU-API", "period": "2028", "reason": "goals_change",
       "unit_codes": ["SETPRES", "SETKEMEN"], "reason_note": "Renstra baru"}


@pytest.mark.parametrize("username", list(ROLE_USERS))
def test_starting_a_cycle_per_role(team, client, api_token, db_session, username):
    response = client.post("/api/v1/cycle/", json=NEW, headers=api_token(username))
    if username in {"karo", "kabag"}:
        assert response.status_code == 201, response.get_json()
        body = response.get_json()
        assert body["result"]["code"] == "IKU-API" and body["result"]["planned_end"]
        cycle = db_session.get(Cycle, body["id"])
        assert {u.org_unit.code for u in cycle.units} == {"SETPRES", "SETKEMEN"}
    elif username == "admin":  # the permission, but not a Kepala Biro or Kabag to the engine
        assert response.status_code == 422
        assert "Hanya Kepala Biro atau Kepala Bagian" in response.get_json()["message"]
    else:
        assert response.status_code in (401, 403)
        assert db_session.scalar(select(func.count(Cycle.id)).filter_by(code="IKU-API")) == 0


def test_a_refused_start_is_422_with_the_engines_message(team, client, api_token, db_session):
    headers = api_token("karo")
    bad = client.post("/api/v1/cycle/", json={**NEW, "reason": "iseng"}, headers=headers)
    assert bad.status_code == 422 and "Alasan 'iseng' tidak dikenal" in bad.get_json()["message"]
    unknown = client.post("/api/v1/cycle/", json={**NEW, "unit_codes": ["NOPE"]},
                          headers=headers)
    assert unknown.status_code == 422 and "NOPE" in unknown.get_json()["message"]
    assert client.post("/api/v1/cycle/", json=NEW, headers=headers).status_code == 201
    again = client.post("/api/v1/cycle/", json=NEW, headers=headers)
    assert again.status_code == 422 and "sudah dipakai" in again.get_json()["message"]
    assert db_session.scalar(select(func.count(Cycle.id)).filter_by(code="IKU-API")) == 1


@pytest.mark.parametrize("username", list(ROLE_USERS))
def test_reading_per_role(team, client, api_token, db_session, username):
    cycle = start_cycle(db_session, team)
    headers = api_token(username)
    cycles = client.get("/api/v1/cycle/", headers=headers)
    # a liaison reads the cycles its unit takes part in (here: all units)
    assert cycles.status_code == (200 if username in CYCLE_READERS | {"pengguna1", "pengguna2"}
                                  else 403)
    items = client.get("/api/v1/work-item/?q=(page_size:100)", headers=headers)
    assert items.status_code == 200
    events = client.get("/api/v1/work-event/", headers=headers)
    assert events.status_code == 200
    if username.startswith("pengguna"):
        codes = {row["code"] for row in items.get_json()["result"]}
        unit = "SETPRES" if username == "pengguna1" else "SETWAPRES"
        assert codes == {f"s06@{unit}"}
        assert events.get_json()["count"] == 0
        other = item(db_session, cycle.id, "s01.a")
        assert client.get(f"/api/v1/work-item/{other.id}", headers=headers).status_code == 404
    else:
        assert items.get_json()["count"] == 100 or items.get_json()["count"] > 100
        assert events.get_json()["result"][0]["action"] == "cycle_start"


def _post(client, headers, item_id, action, **body):
    return client.post(f"/api/v1/work-item/{item_id}/{action}", json=body, headers=headers)


def test_actions_follow_the_engine(team, client, api_token, db_session):
    cycle = start_cycle(db_session, team)
    first = item(db_session, cycle.id, "s01.a")
    karo = api_token("karo")
    refused = _post(client, api_token("staf"), first.id, "complete")
    assert refused.status_code == 422
    assert "ditugaskan kepada Pelaksana Karo" in refused.get_json()["message"]
    started = _post(client, karo, first.id, "start", note="mulai")
    assert started.status_code == 200 and started.get_json()["result"]["status"] == "in_progress"
    done = _post(client, karo, first.id, "complete", note="arahan",
                 expected_version=started.get_json()["result"]["version_id"])
    assert done.status_code == 200 and done.get_json()["result"]["status"] == "done"
    twice = _post(client, karo, first.id, "complete")
    assert twice.status_code == 422 and "sudah diselesaikan" in twice.get_json()["message"]
    second = item(db_session, cycle.id, "s01.b")
    kabag = api_token("kabag")
    paused = _post(client, kabag, second.id, "pause")
    assert paused.status_code == 422 and "Alasan penjedaan wajib diisi." in paused.get_json()[
        "message"]
    assert _post(client, kabag, second.id, "pause", reason="tunggu").status_code == 200
    assert _post(client, kabag, second.id, "complete").status_code == 422  # paused
    assert _post(client, kabag, second.id, "resume").status_code == 200
    back = _post(client, kabag, second.id, "return", reason="ulang")
    assert back.status_code == 200 and back.get_json()["result"]["status"] == "waiting"
    assert item(db_session, cycle.id, "s01.a").status == "ready"
    actions = db_session.scalars(select(WorkEvent.action).where(
        WorkEvent.item_id.in_([first.id, second.id])).order_by(WorkEvent.id)).all()
    assert actions == ["start", "complete", "pause", "resume", "return"]


def test_a_stale_version_is_409(team, client, api_token, db_session):
    cycle = start_cycle(db_session, team)
    target = item(db_session, cycle.id, "s01.a")
    seen = target.version_id
    act(db_session, team, cycle.id, "start", "s01.a")
    response = _post(client, api_token("karo"), target.id, "complete", expected_version=seen)
    assert response.status_code == 409
    assert "diubah oleh pengguna lain" in response.get_json()["message"]
    assert item(db_session, cycle.id, "s01.a").status == "in_progress"


def test_complete_with_a_base64_or_multipart_attachment(team, client, api_token, db_session,
                                                        app, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    cycle = start_cycle(db_session, team)
    target = item(db_session, cycle.id, "s01.a")
    karo = api_token("karo")
    bad = _post(client, karo, target.id, "complete",
                attachment={"filename": "a.pdf", "content_base64": "%%%"})
    assert bad.status_code == 422
    ok = _post(client, karo, target.id, "complete", attachment={
        "filename": "arahan.pdf", "content_base64": base64.b64encode(b"PDF!").decode()})
    assert ok.status_code == 200
    event = db_session.scalars(select(WorkEvent).filter_by(item_id=target.id)).one()
    assert event.attachment_name == "arahan.pdf" and event.attachment_size == 4
    nxt = item(db_session, cycle.id, "s01.b")
    from io import BytesIO

    multipart = client.post(f"/api/v1/work-item/{nxt.id}/complete", headers=api_token("kabag"),
                            data={"note": "lihat lampiran",
                                  "attachment": (BytesIO(b"DOCX"), "tugas.docx")},
                            content_type="multipart/form-data")
    assert multipart.status_code == 200, multipart.get_json()
    event = db_session.scalars(select(WorkEvent).filter_by(item_id=nxt.id)).one()
    assert (event.attachment_name, event.note) == ("tugas.docx", "lihat lampiran")
    listed = client.get(f"/api/v1/work-event/{event.id}", headers=karo).get_json()
    assert listed["result"]["attachment_sha256"] == event.attachment_sha256


@pytest.mark.parametrize("username", list(ROLE_USERS))
def test_action_permission_per_role(team, client, api_token, db_session, username):
    cycle = start_cycle(db_session, team)
    target = item(db_session, cycle.id, "s01.a")
    response = _post(client, api_token(username), target.id, "start")
    if username == "karo":
        assert response.status_code == 200
    elif username == "auditor":
        assert response.status_code == 403
    elif username.startswith("pengguna"):
        assert response.status_code == 404  # not its unit's item
    else:  # may act, but the engine says it is not theirs
        assert response.status_code == 422


def test_reassign_through_the_api(team, client, api_token, db_session):
    cycle = start_cycle(db_session, team)
    finish(db_session, team, cycle.id, "s01")
    target = item(db_session, cycle.id, "s02.a.2")
    other = team["staf1b" if target.assignee.username == "staf" else "staf"]
    forbidden = _post(client, api_token("staf"), target.id, "reassign", user_id=other.id)
    assert forbidden.status_code == 403
    missing = _post(client, api_token("kasubbag"), target.id, "reassign")
    assert missing.status_code == 422
    liaison = _post(client, api_token("kasubbag"), target.id, "reassign",
                    user_id=team["pengguna1"].id)
    assert liaison.status_code == 422 and "bukan pelaksana biro" in liaison.get_json()["message"]
    ok = _post(client, api_token("kasubbag"), target.id, "reassign", user_id=other.id,
               note="beban kerja")
    assert ok.status_code == 200 and ok.get_json()["result"]["assignee_user_id"] == other.id


def test_a_liaison_completes_its_units_share(team, client, api_token, db_session):
    cycle = start_cycle(db_session, team)
    for step in ("s01", "s02", "s03", "s04", "s05"):
        finish(db_session, team, cycle.id, step)
    own = item(db_session, cycle.id, "s06@SETPRES")
    other = item(db_session, cycle.id, "s06@SETWAPRES")
    headers = api_token("pengguna1")
    assert _post(client, headers, other.id, "complete").status_code == 404
    done = _post(client, headers, own.id, "complete", note="final")
    assert done.status_code == 200 and done.get_json()["result"]["status"] == "done"
    events = client.get("/api/v1/work-event/", headers=headers).get_json()
    assert [row["item"]["code"] for row in events["result"]] == ["s06@SETPRES"]


@pytest.mark.parametrize("username", list(ROLE_USERS))
def test_cancelling_per_role(team, client, api_token, db_session, username):
    cycle = start_cycle(db_session, team)
    headers = api_token(username)
    response = client.post(f"/api/v1/cycle/{cycle.id}/cancel", json={"reason": "keliru"},
                           headers=headers)
    if username in {"karo", "kabag"}:
        assert response.status_code == 200 and response.get_json()["result"]["status"] == (
            "cancelled")
        again = client.post(f"/api/v1/cycle/{cycle.id}/cancel", json={"reason": "x"},
                            headers=headers)
        assert again.status_code == 422 and "dibatalkan" in again.get_json()["message"]
    elif username == "admin":
        assert response.status_code == 422
    else:
        assert response.status_code == 403
    missing = client.post(f"/api/v1/cycle/{cycle.id}/cancel", json={}, headers=api_token("karo"))
    assert missing.status_code == 422
