"""The IKU matrix through the REST API: JSON rows and XLSX, within the token's unit scope."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from app.models.audit import AuditEntry
from app.models.iku import Indicator
from app.services.iku_demo import load_demo_iku
from tests.conftest import ROLE_USERS
from tests.iku_expect import enacted

URL = "/api/v1/indicator/matrix?start_year=2025&end_year=2029"


@pytest.fixture
def demo(db_session):
    load_demo_iku()
    return {i.code + f"v{i.version}": i for i in db_session.query(Indicator)}


@pytest.mark.parametrize("username", list(ROLE_USERS))
def test_every_role_gets_the_rows_of_its_scope(client, api_token, demo, username):
    response = client.get(URL, headers=api_token(username))
    assert response.status_code == 200
    body = response.get_json()
    codes = [(row["unit_code"], row["code"]) for row in body["rows"]]
    if username == "pengguna1":
        assert codes == [("SETPRES", "IKU-1.1")] and body["unit"] == "SETPRES"
    elif username == "pengguna2":
        assert codes == [("SETWAPRES", code) for code in enacted("SETWAPRES")]
    else:
        assert [code for _, code in codes] == enacted()
        assert codes[0] == (None, "IKU-K.1") and ("ISTANA-BOGOR", "IKU-4.1") in codes
        assert body["unit"] == "semua"
    assert body["years"] == [2025, 2026, 2027, 2028, 2029]
    assert body["statuses"] == ["final", "ditetapkan"]


def test_rows_carry_formula_targets_and_the_chosen_statuses(client, api_token, demo):
    response = client.get(f"{URL}&unit=ISTANA-BOGOR&status=draft,ditetapkan",
                          headers=api_token("staf"))
    (row,) = response.get_json()["rows"]
    assert row["version"] == 2 and row["status"] == "draft"  # the amendment replaces v1
    assert row["formula"] == ("Jumlah benda cagar budaya dalam kondisi baik / "
                              "Jumlah seluruh benda cagar budaya × 100%")
    assert row["targets"] == {"2025": 89, "2026": 90, "2027": 91, "2028": 92, "2029": 95}
    ministry = client.get(f"{URL}&unit=kementerian", headers=api_token("karo")).get_json()
    assert ministry["rows"][0]["targets"]["2025"] == 3.45


def test_liaison_token_cannot_read_another_units_matrix(client, api_token, demo):
    headers = api_token("pengguna1")
    for unit in ("SETWAPRES", "kementerian", "TIDAK-ADA"):
        assert client.get(f"{URL}&unit={unit}", headers=headers).status_code == 404
        assert client.get(f"/api/v1/indicator/matrix/xlsx?unit={unit}",
                          headers=headers).status_code == 404


@pytest.mark.parametrize("query", ["start_year=2029&end_year=2025", "start_year=x&end_year=2029",
                                   "start_year=2025&end_year=2029&status=selesai",
                                   "start_year=2025"])
def test_a_bad_request_is_400_in_words(client, api_token, demo, query):
    response = client.get(f"/api/v1/indicator/matrix?{query}", headers=api_token("admin"))
    assert response.status_code == 400 and response.get_json()["message"]


def test_without_a_period_the_latest_is_taken(client, api_token, demo):
    body = client.get("/api/v1/indicator/matrix", headers=api_token("admin")).get_json()
    assert (body["start_year"], body["end_year"]) == (2025, 2029) and len(body["rows"]) == len(enacted())


def test_unauthenticated_is_401(client, demo):
    assert client.get(URL).status_code == 401


def test_xlsx_variant_is_the_printed_matrix_and_is_recorded(client, api_token, db_session, demo):
    response = client.get("/api/v1/indicator/matrix/xlsx?start_year=2025&end_year=2029",
                          headers=api_token("pengguna2"))
    assert response.status_code == 200
    assert "matriks-iku_setwapres_2025-2029_" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet["A1"].value == "Matriks IKU Sekretariat Wakil Presiden Periode 2025–2029"
    assert sheet["C5"].value.startswith("IKU-2.1 ") and sheet["F5"].value == 3.35
    entry = db_session.query(AuditEntry).filter_by(action="export").order_by(
        AuditEntry.id.desc()).first()
    assert (entry.entity, entry.actor) == ("IndicatorMatrix", "pengguna2")
    assert entry.changes["row_count"] == len(enacted("SETWAPRES"))
