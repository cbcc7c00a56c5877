"""The discussion through the REST API: read-only, the same scope as the pages (a liaison reads
its own groups and sessions and its own IKU's decisions; any other id answers 404)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models.discussions import DiscussionGroup
from app.services import discussions
from tests.conftest import ROLE_USERS
from tests.services.test_discussions_support import (  # noqa: F401
    at_step5_fixture,
    grouped_fixture,
    session_of,
    team_fixture,
)

BUREAU = {"admin", "karo", "kabag", "kasubbag", "staf", "auditor"}


@pytest.fixture(name="decided")
def decided_fixture(db_session, grouped):
    first = session_of(db_session, grouped, "Kelompok 1", 1)
    ind = grouped.indicators
    discussions.record_minutes(db_session, grouped.team["kasubbag"], first.id,
                               text="Notulen sesi 1")
    discussions.record_decisions(db_session, grouped.team["kasubbag"], first.id, [
        (ind["SETPRES"].id, "changed", "Target 2027 menjadi 90%"),
        (ind["SETWAPRES"].id, "kept", "")])
    return grouped


@pytest.mark.parametrize("username", list(ROLE_USERS))
def test_each_role_reads_what_its_scope_holds(decided, client, api_token, db_session,
                                              username):
    headers = api_token(username)
    groups = client.get("/api/v1/discussion-group/", headers=headers)
    assert groups.status_code == 200
    names = sorted(row["name"] for row in groups.get_json()["result"])
    sessions = client.get("/api/v1/discussion-session/", headers=headers).get_json()["result"]
    decisions = client.get("/api/v1/discussion-decision/", headers=headers).get_json()["result"]
    codes = sorted(row["indicator"]["code"] for row in decisions)
    if username in BUREAU:
        assert names == ["Kelompok 1", "Kelompok 2"] and len(sessions) == 4
        assert codes == ["IKU-SP-1", "IKU-SW-1"]
    else:
        assert names == ["Kelompok 1"] and len(sessions) == 2
        assert codes == (["IKU-SP-1"] if username == "pengguna1" else ["IKU-SW-1"])
    first = next(row for row in sessions if row["number"] == 1
                 and row["group"]["name"] == "Kelompok 1")
    assert first["minutes"] == "Notulen sesi 1" and first["work_item"]["code"] == "s05#1.b.g1"
    assert first["work_item"]["status"] == "in_progress"


def test_decision_fields_and_another_units_records_are_404(decided, client, api_token,
                                                           db_session):
    admin = api_token("admin")
    rows = client.get("/api/v1/discussion-decision/", headers=admin).get_json()["result"]
    changed = next(row for row in rows if row["decision"] == "changed")
    assert changed["change"] == "Target 2027 menjadi 90%"
    assert changed["recorded_by"]["username"] == "kasubbag"
    kept = next(row for row in rows if row["decision"] == "kept")
    liaison = api_token("pengguna1")
    by_id = {r["id"]: r for r in rows}
    assert client.get(f"/api/v1/discussion-decision/{changed['id']}",
                      headers=liaison).status_code == 200
    assert client.get(f"/api/v1/discussion-decision/{kept['id']}",
                      headers=liaison).status_code == 404  # SETWAPRES's IKU
    assert by_id[kept["id"]]["indicator"]["code"] == "IKU-SW-1"
    other = db_session.scalars(select(DiscussionGroup).filter_by(name="Kelompok 2")).one()
    assert client.get(f"/api/v1/discussion-group/{other.id}", headers=liaison).status_code == 404
    second = session_of(db_session, decided, "Kelompok 2", 1)
    assert client.get(f"/api/v1/discussion-session/{second.id}",
                      headers=liaison).status_code == 404
    assert client.get(f"/api/v1/discussion-session/{second.id}",
                      headers=api_token("auditor")).status_code == 200
    group = client.get(f"/api/v1/discussion-group/{other.id}", headers=admin).get_json()
    assert group["result"]["units"] == [{"code": "SETKEMEN",
                                         "name": "Sekretariat Kementerian"}]


def test_the_api_changes_nothing(decided, client, api_token, db_session):
    admin = api_token("admin")
    group = db_session.scalars(select(DiscussionGroup).filter_by(name="Kelompok 1")).one()
    assert client.post("/api/v1/discussion-group/", json={"name": "X"},
                       headers=admin).status_code == 405
    assert client.put(f"/api/v1/discussion-group/{group.id}", json={"name": "X"},
                      headers=admin).status_code == 405
    assert client.delete(f"/api/v1/discussion-group/{group.id}",
                         headers=admin).status_code == 405
    assert client.get("/api/v1/discussion-group/", headers={}).status_code == 401
