"""The complaint API per role: the whole route through /api/v1/complaint/<pk>/act/<verb>, each
refusal a 422 in Indonesian, another unit's complaint a 404, the identity never shown."""

from __future__ import annotations

from app.services import complaints
from tests.views.test_cycles_support import team_fixture  # noqa: F401


def test_the_route_through_the_api(db_session, team, client, api_token):
    filed = complaints.file_complaint(
        db_session, team["pengguna1"], kind="pengaduan", subject="Lewat API",
        description="Uraian.", complainant_name="Nama Rahasia", confidential=True)
    pk = filed.complaint.id

    def act(username, verb, **body):
        return client.post(f"/api/v1/complaint/{pk}/act/{verb}", json=body,
                           headers=api_token(username))

    refused = act("kabag", "verify", user_id=team["kabag"].id)
    assert refused.status_code == 422 and "Kepala Biro" in refused.get_data(as_text=True)
    assert act("pengguna2", "comment", note="x").status_code == 404
    assert act("auditor", "comment", note="x").status_code == 403
    assert act("karo", "verify", user_id=team["kabag"].id).get_json()["result"][
        "status"] == "delegated"
    assert act("kabag", "assign", user_id=team["staf"].id).status_code == 200
    assert act("staf", "draft", response="Sudah diperbaiki.").status_code == 200
    assert act("staf", "send").status_code == 422
    sent = act("kabag", "send")
    assert sent.get_json()["result"]["status"] == "closed"
    assert act("pengguna1", "reopen", note="Belum tuntas.").get_json()["result"][
        "status"] == "delegated"
    assert act("karo", "nothing").status_code == 404
    for username in ("karo", "kabag", "pengguna1", "auditor"):
        shown = client.get(f"/api/v1/complaint/{pk}", headers=api_token(username))
        assert shown.status_code == 200
        assert "Nama Rahasia" not in shown.get_data(as_text=True)
        assert shown.get_json()["result"]["complainant_listed"] == "dirahasiakan"
