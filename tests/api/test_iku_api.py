"""The IKU registry through the REST API: the same scope and rules as the pages."""

import pytest

from app.models.iku import Indicator
from app.models.org import OrgUnit
from app.services.iku_demo import load_demo_iku
from tests.views.test_cycles_support import at_step4_fixture, team_fixture  # noqa: F401


@pytest.fixture
def demo(db_session):
    load_demo_iku()
    return {i.code + f"v{i.version}": i for i in db_session.query(Indicator)}


def _body(db_session, **fields):
    body = {"org_unit": db_session.query(OrgUnit).filter_by(code="SETPRES").one().id,
            "start_year": 2025, "end_year": 2029, "sasaran_code": "SS1",
            "sasaran_text": "Meningkatnya kualitas dukungan", "code": "IKU-1.9",
            "name": "Persentase surat dijawab tepat waktu", "calculation_type": "persentase",
            "satuan": "%"}
    body.update(fields)
    return body


def test_liaison_token_lists_only_its_unit_and_gets_404_elsewhere(client, api_token, demo):
    headers = api_token("pengguna1")
    rows = client.get("/api/v1/indicator/?q=(page_size:100)", headers=headers).get_json()["result"]
    assert {row["org_unit"]["name"] for row in rows} == {"Sekretariat Presiden"}
    other = demo["IKU-4.1v1"].id
    assert client.get(f"/api/v1/indicator/{other}", headers=headers).status_code == 404
    put = client.put(f"/api/v1/indicator/{other}", json={"name": "X"}, headers=headers)
    assert put.status_code == 404
    assert client.post(f"/api/v1/indicator/{other}/amend", headers=headers).status_code == 404
    target = demo["IKU-4.1v1"].targets[0].id
    assert client.get(f"/api/v1/indicator-target/{target}", headers=headers).status_code == 404


def test_bureau_reads_all_with_targets(client, api_token, demo):
    body = client.get(f"/api/v1/indicator/{demo['IKU-K.2v1'].id}",
                      headers=api_token("auditor")).get_json()["result"]
    assert body["name"] == "Nilai SAKIP Kementerian Sekretariat Negara"
    assert not body["org_unit"] and body["status"] == "ditetapkan"
    assert [t["year"] for t in body["targets"]] == [2025, 2026, 2027, 2028, 2029]


def test_create_duplicate_code_is_422_in_words(client, api_token, db_session, demo):
    headers = api_token("staf")
    ok = client.post("/api/v1/indicator/", json=_body(db_session), headers=headers)
    assert ok.status_code == 201, ok.get_json()
    dup = client.post("/api/v1/indicator/", json=_body(db_session, code="IKU-1.1"), headers=headers)
    assert dup.status_code == 422
    assert "sudah digunakan" in str(dup.get_json()["message"])


def test_enacted_iku_edit_refused_and_amend_makes_version_2(client, api_token, demo):
    headers = api_token("kabag")
    enacted = demo["IKU-1.1v1"].id
    put = client.put(f"/api/v1/indicator/{enacted}", json={"name": "Diubah"}, headers=headers)
    assert put.status_code == 422 and "tidak pernah diubah" in str(put.get_json()["message"])
    amended = client.post(f"/api/v1/indicator/{enacted}/amend", headers=headers)
    assert amended.status_code == 201 and amended.get_json()["version"] == 2


def test_status_step_and_target_checks(client, api_token, demo):
    headers = api_token("kabag")
    draft = demo["IKU-1.2v1"].id
    wrong = client.post(f"/api/v1/indicator/{draft}/status", json={"status": "final"},
                        headers=headers)
    assert wrong.status_code == 422 and "berikutnya atau sebelumnya" in wrong.get_json()["message"]
    ok = client.post(f"/api/v1/indicator/{draft}/status", json={"status": "dibahas"},
                     headers=headers)
    assert ok.status_code == 200 and ok.get_json()["status"] == "dibahas"
    bad = client.post("/api/v1/indicator-target/", json={
        "indicator": demo["IKU-1.1v1"].id, "year": 2031, "value": 50}, headers=headers)
    assert bad.status_code == 422
    out = client.post("/api/v1/indicator-target/", json={
        "indicator": draft, "year": 2031, "value": 50}, headers=headers)
    assert out.status_code == 422 and "di luar periode" in str(out.get_json()["message"])


def test_target_for_an_unknown_indicator_is_422(client, api_token):
    response = client.post("/api/v1/indicator-target/", headers=api_token("admin"),
                           json={"indicator": 99999, "value": 100, "year": 2026})
    assert response.status_code == 422


def test_liaison_cannot_add_a_target_to_another_units_iku(client, api_token, db_session, demo, at_step4):
    other = demo["IKU-2.1v1"]  # SETWAPRES, enacted; a draft of its own is the same
    other.status = "draft"
    db_session.commit()
    headers = api_token("pengguna1")
    response = client.post("/api/v1/indicator-target/", headers=headers,
                           json={"indicator": other.id, "value": "3.9", "year": 2026})
    assert response.status_code == 422
    own = demo["IKU-1.2v1"].targets[1]  # its own unit's draft
    ok = client.put(f"/api/v1/indicator-target/{own.id}", headers=headers, json={"value": "81"})
    assert ok.status_code == 200, ok.get_json()
    db_session.expire_all()
    assert str(db_session.get(type(own), own.id).value) == "81.00"


def test_enacted_iku_cannot_be_deleted_through_the_api(client, api_token, db_session, demo):
    enacted = demo["IKU-K.1v1"].id
    response = client.delete(f"/api/v1/indicator/{enacted}", headers=api_token("admin"))
    assert response.status_code == 422 and "tidak pernah diubah" in response.get_json()["message"]
    db_session.expire_all()
    assert db_session.get(Indicator, enacted) is not None
