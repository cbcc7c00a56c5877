"""No server error on any input, and no database text in any answer: what the fuzzer found
(issue 7, items 1, 2 and part of 10), each on the REST API and on the pages."""

from __future__ import annotations

import pytest

from app.models.org import Competence, OrgUnit, Pelaksana, Position, Section
from tests.conftest import UNIT_A

BIG = 2**31  # one past PostgreSQL's INTEGER
HUGE = 2**70  # past SQLite's 64-bit INTEGER too
DB_WORDS = ("psycopg", "sqlite3", "UNIQUE constraint", "duplicate key", "INSERT INTO", "UPDATE ",
            "DELETE FROM", "violates", "Database exception", "IntegrityError")
NIP = "199001012015031002"


def _no_db_text(text: str) -> None:
    for word in DB_WORDS:
        assert word not in text, f"{word!r} reaches the user: {text}"


@pytest.fixture
def admin_headers(api_token):
    return api_token("admin")


def _existing(db_session, model, attr):
    return getattr(db_session.query(model).order_by(model.id).first(), attr)


# --- duplicate keys and other refused writes: 422 in words, naming the field --------------------


@pytest.mark.parametrize(("resource", "model", "field", "extra"), [
    ("org-unit", OrgUnit, "code", {"name": "Duplikat", "kind": "satuan_organisasi"}),
    ("section", Section, "code", {"name": "Duplikat", "kind": "bagian"}),
    ("position", Position, "code", {"name": "Duplikat", "level": 4}),
    ("competence", Competence, "code", {"description": "Duplikat"}),
])
def test_duplicate_code_on_create_is_a_422_naming_the_field(client, admin_headers, db_session,
                                                            resource, model, field, extra):
    taken = _existing(db_session, model, field)
    before = db_session.query(model).count()
    response = client.post(f"/api/v1/{resource}/", json={field: taken, **extra},
                           headers=admin_headers)
    assert response.status_code == 422, response.get_data(as_text=True)
    message = response.get_json()["message"]
    assert message == {field: ["Kode sudah dipakai oleh data lain."]}
    _no_db_text(response.get_data(as_text=True))
    assert db_session.query(model).count() == before


def test_duplicate_nip_on_create_is_a_422_naming_the_nip(client, admin_headers, db_session):
    body = {"name": "Andi", "nip": NIP, "email": "andi@setneg.go.id"}
    assert client.post("/api/v1/pelaksana/", json=body, headers=admin_headers).status_code == 201
    again = client.post("/api/v1/pelaksana/", json=body, headers=admin_headers)
    assert again.status_code == 422
    assert again.get_json()["message"] == {"nip": ["NIP sudah dipakai oleh data lain."]}
    assert db_session.query(Pelaksana).filter_by(nip=NIP).count() == 1


def test_duplicate_code_on_update_is_a_422_in_words(client, admin_headers, db_session):
    units = db_session.query(OrgUnit).order_by(OrgUnit.id).limit(2).all()
    response = client.put(f"/api/v1/org-unit/{units[1].id}", json={"code": units[0].code},
                          headers=admin_headers)
    assert response.status_code == 422
    assert response.get_json()["message"] == {"code": ["Kode sudah dipakai oleh data lain."]}
    _no_db_text(response.get_data(as_text=True))


def test_deleting_a_section_in_use_is_a_422_in_words(client, admin_headers, db_session):
    section = db_session.query(Section).filter_by(code="AK1").one()
    response = client.delete(f"/api/v1/section/{section.id}", headers=admin_headers)
    assert response.status_code == 422
    assert "masih dipakai oleh data lain" in response.get_json()["message"]
    _no_db_text(response.get_data(as_text=True))
    db_session.expire_all()
    assert db_session.get(Section, section.id) is not None


def test_page_delete_of_a_section_in_use_flashes_words_not_sql(client, login, db_session):
    login(client, "admin")
    section = db_session.query(Section).filter_by(code="AK1").one()
    page = client.post(f"/sectionview/delete/{section.id}", follow_redirects=True)
    text = page.get_data(as_text=True)
    assert "masih dipakai oleh data lain" in text
    _no_db_text(text)


# --- ids beyond the column's range: 404 -----------------------------------------------------------


@pytest.mark.parametrize("resource", ["org-unit", "org-unit-assignment", "section", "position",
                                      "pelaksana", "competence", "competence-record", "cycle",
                                      "work-item", "work-event"])
@pytest.mark.parametrize("pk", [BIG, HUGE])
def test_get_by_an_id_beyond_the_column_is_404(client, admin_headers, resource, pk):
    assert client.get(f"/api/v1/{resource}/{pk}", headers=admin_headers).status_code == 404


@pytest.mark.parametrize("resource", ["org-unit", "section", "position", "pelaksana", "competence",
                                      "competence-record"])
def test_put_and_delete_by_an_id_beyond_the_column_are_404(client, admin_headers, resource):
    url = f"/api/v1/{resource}/{BIG}"
    assert client.put(url, json={"name": "x"}, headers=admin_headers).status_code == 404
    assert client.delete(url, headers=admin_headers).status_code == 404


@pytest.mark.parametrize("url", [f"/api/v1/cycle/{BIG}/cancel", f"/api/v1/work-item/{BIG}/start",
                                 f"/api/v1/work-item/{HUGE}/complete"])
def test_cycle_actions_on_an_id_beyond_the_column_are_404(client, admin_headers, url):
    assert client.post(url, json={"reason": "x"}, headers=admin_headers).status_code == 404


@pytest.mark.parametrize("url", [f"/orgunitview/show/{BIG}", f"/orgunitview/edit/{BIG}",
                                 f"/sectionview/show/{HUGE}", f"/pelaksanaview/edit/{BIG}",
                                 f"/users/show/{BIG}"])
def test_pages_of_an_id_beyond_the_column_are_404(client, login, url):
    login(client, "admin")
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("section", [BIG, HUGE])
def test_relation_id_beyond_the_column_in_a_body_is_refused(client, admin_headers, db_session,
                                                            section):
    response = client.post("/api/v1/org-unit/", headers=admin_headers, json={
        "code": "BARU", "name": "Baru", "kind": "satuan_organisasi", "section": section})
    assert response.status_code == 422
    _no_db_text(response.get_data(as_text=True))
    assert db_session.query(OrgUnit).filter_by(code="BARU").count() == 0


@pytest.mark.parametrize("level", [BIG, HUGE])
def test_integer_value_beyond_the_column_in_a_body_is_422(client, admin_headers, level):
    response = client.post("/api/v1/position/", headers=admin_headers,
                           json={"code": "BESAR", "name": "Besar", "level": level})
    assert response.status_code in (201, 422)  # SQLite stores it; PostgreSQL refuses it
    _no_db_text(response.get_data(as_text=True))


def test_filter_by_a_relation_id_beyond_the_column_matches_nothing(client, admin_headers):
    q = f"(filters:!((col:section,opr:rel_o_m,value:{BIG})))"
    response = client.get(f"/api/v1/org-unit/?q={q}", headers=admin_headers)
    assert response.status_code == 200 and response.get_json()["count"] == 0


def test_filter_by_an_integer_beyond_the_column_is_400(client, admin_headers, login):
    q = f"(filters:!((col:level,opr:eq,value:{HUGE})))"
    response = client.get(f"/api/v1/position/?q={q}", headers=admin_headers)
    assert response.status_code in (200, 400), response.get_data(as_text=True)
    login(client, "admin")
    assert client.get(f"/positionview/list/?_flt_0_level={HUGE}").status_code in (200, 400)


# --- NUL bytes, broken rison, unknown actions ------------------------------------------------------


def test_nul_byte_in_a_list_filter_is_400(client, admin_headers, login):
    q = "(filters:!((col:name,opr:ct,value:'a%00b')))"
    response = client.get(f"/api/v1/org-unit/?q={q}", headers=admin_headers)
    assert response.status_code == 400
    assert "NUL" in response.get_json()["message"]
    login(client, "admin")
    page = client.get("/orgunitview/list/?_flt_2_name=a%00b")
    assert page.status_code == 400 and "karakter NUL" in page.get_data(as_text=True)


def test_nul_byte_in_a_body_is_400_and_nothing_is_saved(client, admin_headers, db_session):
    response = client.post("/api/v1/section/", headers=admin_headers,
                           json={"code": "NUL", "name": "a\x00b", "kind": "bagian"})
    assert response.status_code == 400
    assert db_session.query(Section).filter_by(code="NUL").count() == 0


def test_a_q_argument_prison_cannot_parse_is_400(client, admin_headers, db_session):
    unit_id = _existing(db_session, OrgUnit, "id")
    for url in (f"/api/v1/org-unit/{unit_id}?q=-1.0190696874409794e%2B291",
                "/api/v1/work-item/?q=1e%2B", "/api/v1/org-unit/_info?q=-1e%2B9"):
        assert client.get(url, headers=admin_headers).status_code == 400, url


@pytest.mark.parametrize("url", ["/orgunitview/action_post", "/users/action_post"])
def test_an_unknown_action_is_refused_not_a_server_error(client, login, db_session, url):
    login(client, "admin")
    unit_id = _existing(db_session, OrgUnit, "id")
    response = client.post(url, data={"action": "nonsense", "rowid": [str(unit_id)]})
    assert response.status_code == 400
    assert client.get("/orgunitview/action/nonsense/1").status_code == 404


# --- the spec, _info, bearer tokens --------------------------------------------------------------


def test_cycle_action_endpoints_declare_their_pk(client, admin_headers):
    paths = client.get("/api/v1/_openapi", headers=admin_headers).get_json()["paths"]
    for path in ["/api/v1/cycle/{pk}/cancel", *(f"/api/v1/work-item/{{pk}}/{verb}" for verb in (
            "start", "complete", "return", "pause", "resume", "reassign"))]:
        parameters = paths[path]["post"]["parameters"]
        assert {"in": "path", "name": "pk", "required": True,
                "schema": {"type": "integer", "minimum": 1}} in parameters, path


@pytest.mark.parametrize("resource", ["org-unit", "pelaksana", "work-item", "competence-record"])
def test_info_descriptions_carry_no_catalog_header(client, admin_headers, resource):
    response = client.get(f"/api/v1/{resource}/_info", headers=admin_headers)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Project-Id-Version" not in text and "Content-Type: text/plain" not in text
    fields = response.get_json().get("add_columns") or response.get_json().get("edit_columns") or []
    assert all(field["description"] == "" for field in fields)


def test_liaison_token_cannot_be_forged(client, api_token):
    token = api_token("pengguna1")["Authorization"]
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    response = client.get("/api/v1/org-unit/", headers={"Authorization": tampered})
    assert response.status_code == 401


def test_unit_a_liaison_put_keeps_working(client, api_token, db_session):
    unit = db_session.query(OrgUnit).filter_by(code=UNIT_A).one()
    response = client.put(f"/api/v1/org-unit/{unit.id}", json={"head_name": "Ibu Kepala"},
                          headers=api_token("pengguna1"))
    assert response.status_code == 200


def test_a_refused_edit_on_a_page_flashes_the_words_not_a_fixed_text(app):
    from app.services import db_errors

    view = next(v for v in app.appbuilder.baseviews if type(v).__name__ == "OrgUnitView")
    with app.test_request_context("/orgunitview/edit/1", method="POST"):
        assert str(view.database_error_message) == "Kesalahan Basis Data"
        db_errors.remember(db_errors.RecordRejectedError("Kode sudah dipakai oleh data lain."))
        assert view.database_error_message == "Kode sudah dipakai oleh data lain."
