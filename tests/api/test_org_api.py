"""The REST API under the same permissions and unit scope as the pages."""

import pytest

from app.models.org import OrgUnit, Pelaksana
from tests.conftest import ROLE_USERS, UNIT_A, UNIT_B

BUREAU_READERS = {"admin", "karo", "kabag", "kasubbag", "staf", "auditor"}


def _unit(db_session, code):
    return db_session.query(OrgUnit).filter_by(code=code).one()


@pytest.mark.parametrize("username", list(ROLE_USERS))
def test_unit_list_scope_per_role(client, api_token, username):
    body = client.get("/api/v1/org-unit/?q=(page_size:100)", headers=api_token(username)).get_json()
    names = {row["name"] for row in body["result"]}
    if username == "pengguna1":
        assert names == {"Sekretariat Presiden"} and body["count"] == 1
    elif username == "pengguna2":
        assert names == {"Sekretariat Wakil Presiden"}
    else:
        assert body["count"] == 13 and "Istana Kepresidenan Cipanas" in names


def test_liaison_gets_404_for_another_units_record(client, api_token, db_session):
    other = _unit(db_session, UNIT_B)
    headers = api_token("pengguna1")
    assert client.get(f"/api/v1/org-unit/{other.id}", headers=headers).status_code == 404
    put = client.put(f"/api/v1/org-unit/{other.id}", json={"head_name": "X"}, headers=headers)
    assert put.status_code == 404
    assert client.delete(f"/api/v1/org-unit/{other.id}", headers=headers).status_code in (403, 404)


def test_liaison_updates_own_head_but_not_its_section(client, api_token, db_session):
    own = _unit(db_session, UNIT_A)
    headers = api_token("pengguna1")
    ok = client.put(f"/api/v1/org-unit/{own.id}", json={"head_name": "Ibu Kepala"}, headers=headers)
    assert ok.status_code == 200, ok.get_json()
    refused = client.put(f"/api/v1/org-unit/{own.id}", json={"code": "LAIN"}, headers=headers)
    assert refused.status_code == 422
    assert "tidak boleh diubah" in refused.get_json()["message"]
    db_session.expire_all()
    unit = _unit(db_session, UNIT_A)
    assert unit.head_name == "Ibu Kepala" and unit.code == UNIT_A


@pytest.mark.parametrize("username", list(ROLE_USERS))
def test_pelaksana_api_read_permission(client, api_token, username):
    response = client.get("/api/v1/pelaksana/", headers=api_token(username))
    assert response.status_code == (200 if username in BUREAU_READERS else 403)


@pytest.mark.parametrize("username", list(ROLE_USERS))
def test_only_admin_creates_pelaksana(client, api_token, db_session, username):
    response = client.post("/api/v1/pelaksana/", headers=api_token(username), json={
        "name": "Andi", "nip": "199001012015031002", "email": "andi@setneg.go.id",
    })
    created = db_session.query(Pelaksana).filter_by(nip="199001012015031002").count()
    if username == "admin":
        assert response.status_code == 201 and created == 1
    else:
        assert response.status_code == 403 and created == 0


def test_bad_nip_through_the_api_is_a_422_with_the_reason(client, api_token, db_session):
    response = client.post("/api/v1/pelaksana/", headers=api_token("admin"),
                           json={"name": "Andi", "nip": "199013012015031002"})
    assert response.status_code == 422
    assert "tanggal lahir" in str(response.get_json()["message"])
    assert db_session.query(Pelaksana).filter_by(name="Andi").count() == 0


def test_openapi_document_lists_our_endpoints(client, login):
    login(client, "admin")
    spec = client.get("/api/v1/_openapi").get_json()
    assert "/api/v1/org-unit/" in spec["paths"] and "/api/v1/pelaksana/{pk}" in spec["paths"]
