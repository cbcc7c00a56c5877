"""User administration as an admin uses it: the password policy on every form, the account's
links (pelaksana, unit), unlock, and the "what can this user see and do" page."""

from __future__ import annotations

import datetime as dt
import html

import pytest

from app.models.org import IkuUser, OrgUnit, Pelaksana
from app.services import access
from app.services.passwords import POLICY_HINT
from tests.conftest import UNIT_A

STRONG = "Kuat-Sekali-2026!"
WEAK = "lemah"


@pytest.fixture
def admin(client, login):
    login(client, "admin")
    return client


def _user(db_session, username):
    db_session.expire_all()
    return db_session.query(IkuUser).filter_by(username=username).one_or_none()


def _role_id(app, name):
    return app.appbuilder.sm.find_role(name).id


def _new_user(app, role, **extra):
    return {"first_name": "Baru", "last_name": "Uji", "username": "baru", "active": "y",
            "email": "baru@iku.test", "roles": _role_id(app, role), "password": STRONG,
            "conf_password": STRONG, **extra}


def _page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_add_form_refuses_a_weak_password(app, admin, db_session):
    page = _page(admin.post("/users/add", data=_new_user(app, "Staf", password=WEAK,
                                                          conf_password=WEAK)))
    assert "The password needs" in page or "Kata sandi" in page
    assert _user(db_session, "baru") is None


def test_add_form_applies_the_one_email_rule(app, admin, db_session):
    """The same rule as the API, the import and the CLI: an own-domain address (.local) is
    taken and normalised, a malformed one refused in words, nothing saved."""
    page = _page(admin.post("/users/add", data=_new_user(app, "Staf", email="bukan email")))
    assert "Alamat email tidak valid: bukan email." in page
    assert _user(db_session, "baru") is None
    admin.post("/users/add", data=_new_user(app, "Staf", email="Baru@IKU.LOCAL"))
    assert _user(db_session, "baru").email == "Baru@iku.local"


def test_add_form_describes_the_policy(app, admin):
    page = _page(admin.get("/users/add"))
    with app.test_request_context():
        assert str(POLICY_HINT) in page


def test_pengguna_needs_a_unit_and_nothing_is_saved_without_one(app, admin, db_session):
    page = _page(admin.post("/users/add", data=_new_user(app, "Pengguna")))
    with app.test_request_context():
        assert str(access.PENGGUNA_NEEDS_UNIT) in page
    assert _user(db_session, "baru") is None

    unit = db_session.query(OrgUnit).filter_by(code=UNIT_A).one()
    admin.post("/users/add", data=_new_user(app, "Pengguna", org_unit=unit.id))
    assert _user(db_session, "baru").org_unit_id == unit.id


def test_edit_links_a_pelaksana_and_keeps_the_pengguna_rule(app, admin, db_session):
    staf = _user(db_session, "staf")
    pelaksana = Pelaksana(name="Staf Uji", nip="198503152010121001")
    db_session.add(pelaksana)
    db_session.commit()
    form = {"first_name": "Staf", "last_name": "Uji", "username": "staf", "active": "y",
            "email": "staf@iku.test", "roles": _role_id(app, "Staf"), "pelaksana": pelaksana.id}
    admin.post(f"/users/edit/{staf.id}", data=form)
    assert _user(db_session, "staf").pelaksana_id == pelaksana.id

    admin.post(f"/users/edit/{staf.id}", data={**form, "roles": _role_id(app, "Pengguna")})
    assert [r.name for r in _user(db_session, "staf").roles] == ["Staf"]


def test_admin_reset_password_form_applies_the_policy(app, admin, client, db_session, login):
    staf = _user(db_session, "staf")
    url = f"/resetpassword/form?pk={staf.id}"
    page = _page(admin.post(url, data={"password": WEAK, "conf_password": WEAK}))
    assert "The password needs" in page or "Kata sandi" in page
    admin.post(url, data={"password": STRONG, "conf_password": STRONG})
    admin.get("/logout/")
    assert "/login" not in login(client, "staf", STRONG).request.path


def test_reset_my_password_applies_the_policy(client, login, db_session):
    login(client, "staf")
    page = _page(client.post("/resetmypassword/form",
                             data={"password": WEAK, "conf_password": WEAK}))
    assert "The password needs" in page or "Kata sandi" in page
    assert "does not check this for you" not in page


def _lock(db_session, username):
    user = _user(db_session, username)
    user.locked_at, user.fail_login_count = dt.datetime.now(), 5
    db_session.commit()
    return user.id


def test_list_shows_the_unit_and_the_lock(admin, db_session):
    _lock(db_session, "staf")
    page = _page(admin.get("/users/list/?psize_UserDBModelView=50"))
    assert "Sekretariat Presiden" in page  # pengguna1's unit
    assert dt.date.today().isoformat() in page


def test_admin_unlocks_from_the_list(admin, db_session, client, login):
    user_id = _lock(db_session, "staf")
    response = admin.post("/users/action_post", data={"action": "unlock", "rowid": user_id},
                          follow_redirects=True)
    assert "staf" in _page(response) and _user(db_session, "staf").locked_at is None
    assert _user(db_session, "staf").fail_login_count == 0


def test_admin_unlocks_from_the_show_page(admin, db_session):
    user_id = _lock(db_session, "staf")
    show = _page(admin.get(f"/users/show/{user_id}"))
    assert f"/users/action/unlock/{user_id}" in show
    admin.post(f"/users/action/unlock/{user_id}")
    assert _user(db_session, "staf").locked_at is None


def test_auditor_sees_users_but_cannot_unlock(client, login, db_session):
    user_id = _lock(db_session, "staf")
    login(client, "auditor")
    show = _page(client.get(f"/users/show/{user_id}"))
    assert "/users/action/unlock/" not in show and f"/users/access/{user_id}" in show
    client.post("/users/action_post", data={"action": "unlock", "rowid": user_id})
    assert _user(db_session, "staf").locked_at is not None


def test_access_page_of_a_liaison_names_its_unit_and_menus(admin, db_session):
    user = _user(db_session, "pengguna1")
    page = _page(admin.get(f"/users/access/{user.id}"))
    assert "Pengguna" in page and "Sekretariat Presiden" in page
    assert "<tr><td>Satuan Organisasi</td><td>lihat, ubah, ekspor</td></tr>" in page
    assert "<td>Bagian</td>" not in page and "<td>Pelaksana</td>" not in page
    assert "<tr><td>Akun pengguna</td><td>lihat profil sendiri</td></tr>" in page
    assert "OrgUnit" not in page and "can_" not in page


def test_access_page_of_bureau_staff_says_all_units(admin, db_session):
    page = _page(admin.get(f"/users/access/{_user(db_session, 'kabag').id}"))
    assert "All units" in page or "Semua unit" in page


def test_access_page_for_auditor_yes_staff_no(client, login, db_session):
    user_id = _user(db_session, "admin").id
    login(client, "auditor")
    assert client.get(f"/users/access/{user_id}").status_code == 200
    client.get("/logout/")
    login(client, "staf")
    assert client.get(f"/users/access/{user_id}").status_code != 200
    assert client.get("/users/access/999999").status_code != 200


def test_effective_access_counts_database_roles_too(app, db_session):
    sm = app.appbuilder.sm
    role = sm.add_role("Pembaca Unit")
    sm.add_permission_role(role, sm.find_permission_view_menu("can_read", "Section"))
    user = _user(db_session, "pengguna2")
    user.roles.append(role)
    db_session.commit()
    with app.test_request_context():
        result = access.effective_access(user)
    assert ("Section", "can_read") in result["actions"]
    assert result["unit_name"] == "Sekretariat Wakil Presiden"
