"""Row-level scope and role permissions through the UI: what each role can reach.

A unit liaison (Pengguna) must never see another unit's data: by list, by guessing an id on
show/edit/delete, or by a filter trick. Bureau roles read everything; only Admin changes org data.
"""

import pytest

from app.models.org import OrgUnit
from tests.conftest import ROLE_USERS, UNIT_A, UNIT_B

ALL_USERS = list(ROLE_USERS)
BUREAU_READERS = ["admin", "karo", "kabag", "kasubbag", "staf", "auditor"]


def _unit(db_session, code):
    return db_session.query(OrgUnit).filter_by(code=code).one()


def _denied(response) -> bool:
    return response.status_code in (302, 403, 404) or "Access is Denied" in response.get_data(
        as_text=True
    )


@pytest.mark.parametrize("username", ALL_USERS)
def test_unit_list_scope_per_role(client, login, username):
    login(client, username)
    page = client.get("/orgunitview/list/?psize_OrgUnitView=50").get_data(as_text=True)
    if username == "pengguna1":
        assert "Sekretariat Presiden<" in page
        assert "Sekretariat Wakil Presiden" not in page and "Istana Kepresidenan Bogor" not in page
    elif username == "pengguna2":
        assert "Sekretariat Wakil Presiden" in page and "Istana Kepresidenan Bogor" not in page
    else:
        assert "Istana Kepresidenan Bogor" in page and "Sekretariat Kantor Staf Presiden" in page


@pytest.mark.parametrize("action", ["show", "edit"])
def test_liaison_guessing_another_units_id_gets_404(client, login, db_session, action):
    other = _unit(db_session, UNIT_B)
    login(client, "pengguna1")
    response = client.get(f"/orgunitview/{action}/{other.id}")
    assert response.status_code == 404
    assert "Sekretariat Wakil Presiden" not in response.get_data(as_text=True)


def test_liaison_cannot_delete_or_edit_another_unit_by_post(client, login, db_session):
    other = _unit(db_session, UNIT_B)
    login(client, "pengguna1")
    client.post(f"/orgunitview/edit/{other.id}", data={"head_name": "Penyusup"})
    client.post(f"/orgunitview/delete/{other.id}")
    db_session.expire_all()
    other = _unit(db_session, UNIT_B)
    assert other.head_name != "Penyusup"


def test_liaison_filter_trick_returns_nothing_from_other_units(client, login, db_session):
    other = _unit(db_session, UNIT_B)
    login(client, "pengguna1")
    page = client.get(f"/orgunitview/list/?_flt_0_code={other.code}").get_data(as_text=True)
    assert "Sekretariat Wakil Presiden" not in page


def test_liaison_updates_its_own_units_head(client, login, db_session):
    own = _unit(db_session, UNIT_A)
    login(client, "pengguna1")
    client.post(f"/orgunitview/edit/{own.id}", data={
        "code": own.code, "name": own.name, "kind": own.kind, "section": own.section_id,
        "head_name": "Dr. Kepala Baru", "head_title": "Sekretaris", "head_email": "kb@setneg.go.id",
        "active": "y",
    })
    db_session.expire_all()
    assert _unit(db_session, UNIT_A).head_name == "Dr. Kepala Baru"


def test_liaison_cannot_move_its_unit_to_another_section(client, login, db_session):
    own = _unit(db_session, UNIT_A)
    ak2 = own.section.parent  # any other section id will do: the biro itself
    login(client, "pengguna1")
    client.post(f"/orgunitview/edit/{own.id}", data={
        "code": own.code, "name": own.name, "kind": own.kind, "section": ak2.id, "active": "y",
    }, follow_redirects=True)
    db_session.expire_all()
    assert _unit(db_session, UNIT_A).section.code == "AK1"


@pytest.mark.parametrize("username", ALL_USERS)
def test_pelaksana_list_is_for_the_bureau_only(client, login, username):
    login(client, username)
    response = client.get("/pelaksanaview/list/")
    if username in BUREAU_READERS:
        assert response.status_code == 200 and "Pelaksana" in response.get_data(as_text=True)
    else:
        assert _denied(response)


@pytest.mark.parametrize("username", ALL_USERS)
def test_only_admin_may_add_units(client, login, db_session, username):
    login(client, username)
    before = db_session.query(OrgUnit).count()
    client.post("/orgunitview/add", data={"code": "BARU", "name": "Unit Baru", "kind": "satuan_kerja"})
    db_session.expire_all()
    expected = before + 1 if username == "admin" else before
    assert db_session.query(OrgUnit).count() == expected


def test_anonymous_is_sent_to_login(client):
    response = client.get("/orgunitview/list/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
