"""One validation, every path (issue 7, item 3): the API accepts what the form and the import
accept and nothing more, with the rules of app/services/validation.py."""

from __future__ import annotations

import pytest

from app.models.org import CompetenceRecord, OrgUnit, Pelaksana, Section
from app.services import validation
from app.services.import_columns import CellError, _email
from tests.conftest import UNIT_A

NIP = "199001012015031002"


def _unit(db_session, code=UNIT_A):
    db_session.expire_all()
    return db_session.query(OrgUnit).filter_by(code=code).one()


def test_api_refuses_a_malformed_pelaksana_email(client, api_token, db_session):
    response = client.post("/api/v1/pelaksana/", headers=api_token("admin"),
                           json={"name": "Andi", "nip": NIP, "email": "not-an-email"})
    assert response.status_code == 422
    assert response.get_json()["message"] == {
        "email": ["Alamat email tidak valid: not-an-email."]}
    assert db_session.query(Pelaksana).filter_by(nip=NIP).count() == 0


def test_liaison_cannot_store_a_malformed_head_email(client, api_token, db_session):
    unit = _unit(db_session)
    before = unit.head_email
    response = client.put(f"/api/v1/org-unit/{unit.id}", json={"head_email": "not-an-email"},
                          headers=api_token("pengguna1"))
    assert response.status_code == 422
    assert "Alamat email tidak valid" in response.get_json()["message"]["head_email"][0]
    assert _unit(db_session).head_email == before


def test_api_normalises_an_email_like_the_import(client, api_token, db_session):
    unit = _unit(db_session)
    response = client.put(f"/api/v1/org-unit/{unit.id}", json={"head_email": "Kepala@SetNeg.go.id"},
                          headers=api_token("pengguna1"))
    assert response.status_code == 200, response.get_json()
    assert _unit(db_session).head_email == _email("Kepala@SetNeg.go.id", {}) == "Kepala@setneg.go.id"


@pytest.mark.parametrize(("resource", "body", "field"), [
    ("org-unit", {"code": "BARU", "name": "Baru", "kind": "nonsense"}, "kind"),
    ("section", {"code": "BARU", "name": "Baru", "kind": "nonsense"}, "kind"),
])
def test_api_refuses_a_value_outside_the_choices(client, api_token, db_session, resource, body,
                                                 field):
    response = client.post(f"/api/v1/{resource}/", json=body, headers=api_token("admin"))
    assert response.status_code == 422
    assert "Nilai tidak dikenal: nonsense" in response.get_json()["message"][field][0]
    assert db_session.query(OrgUnit).filter_by(code="BARU").count() == 0
    assert db_session.query(Section).filter_by(code="BARU").count() == 0


def test_api_refuses_a_competence_level_outside_the_choices(client, api_token, db_session):
    from app.models.org import Competence

    person = Pelaksana(name="Andi", nip=NIP)
    db_session.add(person)
    db_session.commit()
    competence = db_session.query(Competence).first()
    response = client.post("/api/v1/competence-record/", headers=api_token("admin"), json={
        "pelaksana": person.id, "competence": competence.id, "level": "nonsense",
        "assessed_on": "2026-11-30"})
    assert response.status_code == 422 and "level" in response.get_json()["message"]
    assert db_session.query(CompetenceRecord).count() == 0


@pytest.mark.parametrize("name", ["", "   "])
def test_api_refuses_blank_required_text_like_the_form(client, api_token, db_session, name):
    response = client.post("/api/v1/org-unit/", headers=api_token("admin"),
                           json={"code": "KOSONG", "name": name, "kind": "satuan_organisasi"})
    assert response.status_code == 422
    assert response.get_json()["message"] == {"name": ["Wajib diisi."]}


def test_org_email_domains_are_accepted_everywhere_when_configured(app, client, api_token,
                                                                   db_session, monkeypatch):
    unit = _unit(db_session)
    headers = api_token("pengguna1")
    monkeypatch.setitem(app.config, "IKU_ORG_EMAIL_DOMAINS", [])
    refused = client.put(f"/api/v1/org-unit/{unit.id}", json={"head_email": "kepala@iku.local"},
                         headers=headers)
    assert refused.status_code == 422
    monkeypatch.setitem(app.config, "IKU_ORG_EMAIL_DOMAINS", ["iku.local"])
    accepted = client.put(f"/api/v1/org-unit/{unit.id}", json={"head_email": "kepala@IKU.local"},
                          headers=headers)
    assert accepted.status_code == 200, accepted.get_json()
    assert _unit(db_session).head_email == "kepala@iku.local"
    with app.app_context():
        assert _email("staf@iku.local", {}) == "staf@iku.local"
        with pytest.raises(validation.ValueInvalidError):
            validation.validate_email("bukan email@iku.local")


def test_import_and_form_share_the_email_rule(app, client, login, db_session):
    with app.app_context(), pytest.raises(CellError):
        _email("not-an-email", {})
    login(client, "admin")
    unit = _unit(db_session)
    page = client.post(f"/orgunitview/edit/{unit.id}", data={
        "code": unit.code, "name": unit.name, "kind": unit.kind, "head_email": "not-an-email",
        "active": "y"}, follow_redirects=True).get_data(as_text=True)
    assert "Alamat email tidak valid: not-an-email." in page
    assert _unit(db_session).head_email != "not-an-email"


def test_validate_record_refuses_a_kind_outside_the_choices(app, db_session):
    unit = OrgUnit(code="BARU", name="Baru", kind="nonsense")
    with pytest.raises(validation.FieldInvalidError) as refused:
        validation.validate_record(unit)
    assert refused.value.field == "kind"


def test_a_record_saved_before_a_rule_can_still_be_edited(db_session, client, api_token):
    unit = _unit(db_session)
    unit.head_email = "lama@iku.local"  # legacy value, before the rule
    db_session.commit()
    response = client.put(f"/api/v1/org-unit/{unit.id}", json={"head_name": "Baru"},
                          headers=api_token("pengguna1"))
    assert response.status_code == 200, response.get_json()


def test_cli_create_user_applies_the_email_rule(app, db_session):
    from app.models.org import IkuUser

    strong = "Kuat-Sekali-2026!"
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["iku", "create-user", "baru", "--email", "not-an-email",
                                  "--role", "Staf"], input=f"{strong}\n{strong}\n")
    assert refused.exit_code != 0 and "Alamat email tidak valid: not-an-email." in refused.output
    assert db_session.query(IkuUser).filter_by(username="baru").count() == 0
    created = runner.invoke(args=["iku", "create-user", "baru", "--email", "Baru@SetNeg.go.id",
                                  "--role", "Staf"], input=f"{strong}\n{strong}\n")
    assert created.exit_code == 0, created.output
    assert db_session.query(IkuUser).filter_by(username="baru").one().email == "Baru@setneg.go.id"
