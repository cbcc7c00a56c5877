"""Final-draft submissions through the REST API: created through the same service (JSON with
base64 or multipart), read within the unit scope (another unit's: 404), every role."""

from __future__ import annotations

import base64
import datetime as dt
import io

import pytest
from sqlalchemy import func, select

from app.models.submissions import FinalSubmission
from tests.conftest import ROLE_USERS
from tests.views.test_cycles_support import (  # noqa: F401
    at_step4_fixture,
    at_step6_fixture,
    item,
    team_fixture,
)

MEMO = {"filename": "nota.pdf", "content_base64": base64.b64encode(b"%PDF-1.4 nota").decode()}


@pytest.fixture(autouse=True)
def _instance(app, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))


def _body(cycle_id, **fields):
    return {"cycle_id": cycle_id, "approver_name": "Dr. Heru",
            "approver_position": "Kepala Sekretariat",
            "approved_on": (dt.date.today() - dt.timedelta(days=1)).isoformat(), "memo": MEMO,
            **fields}


def _count(db_session) -> int:
    return db_session.scalar(select(func.count(FinalSubmission.id)))


def test_liaison_posts_json_and_reads_only_its_own(at_step6, client, api_token, db_session):
    mine = api_token("pengguna1")
    created = client.post("/api/v1/final-submission/", json=_body(at_step6.id), headers=mine)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["result"]["late"] is False and len(body["result"]["memo_sha256"]) == 64
    assert item(db_session, at_step6.id, "s06@SETPRES").status == "done"
    rows = client.get("/api/v1/final-submission/", headers=mine).get_json()["result"]
    assert [r["org_unit"]["code"] for r in rows] == ["SETPRES"]
    other = api_token("pengguna2")
    assert client.get(f"/api/v1/final-submission/{body['id']}", headers=other).status_code == 404
    assert client.get("/api/v1/final-submission/", headers=other).get_json()["result"] == []
    shown = client.get(f"/api/v1/final-submission/{body['id']}", headers=api_token("auditor"))
    assert shown.status_code == 200 and shown.get_json()["result"]["approver_name"] == "Dr. Heru"
    again = client.post("/api/v1/final-submission/", json=_body(at_step6.id), headers=mine)
    assert again.status_code == 422 and "sudah menyampaikan" in str(again.get_json()["message"])


def test_multipart_upload(at_step6, client, api_token, db_session):
    data = {k: v for k, v in _body(at_step6.id).items() if k != "memo"}
    data["memo"] = (io.BytesIO(b"PK\x03\x04 odt"), "nota.odt")
    response = client.post("/api/v1/final-submission/", data=data,
                           content_type="multipart/form-data", headers=api_token("pengguna2"))
    assert response.status_code == 201, response.get_json()
    assert item(db_session, at_step6.id, "s06@SETWAPRES").status == "done"


@pytest.mark.parametrize("fields, key", [
    ({"memo": {"filename": "nota.exe", "content_base64": MEMO["content_base64"]}}, "memo"),
    ({"memo": {"filename": "nota.pdf", "content_base64": "%%%"}}, "memo"),
    ({"approved_on": "kemarin"}, "approved_on"),
    ({"approver_name": ""}, "approver_name"),
    ({"approved_on": (dt.date.today() + dt.timedelta(days=3)).isoformat()}, "approved_on"),
])
def test_bad_input_is_422_and_saves_nothing(at_step6, client, api_token, db_session, fields,
                                            key):
    response = client.post("/api/v1/final-submission/", json=_body(at_step6.id, **fields),
                           headers=api_token("pengguna1"))
    assert response.status_code == 422 and key in response.get_json()["message"]
    assert _count(db_session) == 0
    assert item(db_session, at_step6.id, "s06@SETPRES").status == "ready"


def test_before_step6_opens_the_refusal_names_step5(at_step4, client, api_token, db_session):
    response = client.post("/api/v1/final-submission/", json=_body(at_step4.id),
                           headers=api_token("pengguna1"))
    assert response.status_code == 422
    assert "Langkah 5" in str(response.get_json()["message"]) and _count(db_session) == 0


def test_liaison_cannot_submit_for_another_unit(at_step6, client, api_token, db_session):
    other = item(db_session, at_step6.id, "s06@SETWAPRES").org_unit_id
    response = client.post("/api/v1/final-submission/", json=_body(at_step6.id,
                                                                   org_unit_id=other),
                           headers=api_token("pengguna1"))
    assert response.status_code == 404 and _count(db_session) == 0


def test_cycle_api_is_scoped_for_a_liaison(at_step6, client, api_token):
    mine = api_token("pengguna1")
    assert client.get(f"/api/v1/cycle/{at_step6.id}", headers=mine).status_code == 200
    rows = client.get("/api/v1/cycle/", headers=mine).get_json()["result"]
    assert [r["code"] for r in rows] == ["IKU-2027"]


WRITERS = {"admin", "karo", "kabag", "kasubbag", "staf", "pengguna1", "pengguna2"}


@pytest.mark.parametrize("username", list(ROLE_USERS))
def test_every_role(at_step6, client, api_token, db_session, username):
    headers = api_token(username)
    assert client.get("/api/v1/final-submission/", headers=headers).status_code == 200
    setkemen = item(db_session, at_step6.id, "s06@SETKEMEN").org_unit_id
    body = _body(at_step6.id) if username.startswith("pengguna") else _body(
        at_step6.id, org_unit_id=setkemen)
    response = client.post("/api/v1/final-submission/", json=body, headers=headers)
    if username not in WRITERS:
        assert response.status_code == 403
    elif username.startswith("pengguna") or username == "karo":
        assert response.status_code == 201, response.get_json()
    else:  # SETKEMEN is served by AK II: these are AK I's people, or no pelaksana (admin)
        assert response.status_code == 422
        assert "Hanya penghubung" in str(response.get_json()["message"])
