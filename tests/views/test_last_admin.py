"""The last door stays open (issue 7, item 10): the Admin role and the last active administrator
can be neither deleted nor stripped, by form or any other path (FAB's security API is off);
and pages made for a logged-in user are not stored by the browser (Cache-Control: no-store)."""

from __future__ import annotations

import pytest

from app.models.org import IkuUser
from app.services import access

LAST = "administrator aktif terakhir"  # the Indonesian message, as the default locale shows it
ROLE_KEPT = "Peran Admin tidak dapat dihapus"


def _user(db_session, username):
    db_session.expire_all()
    return db_session.query(IkuUser).filter_by(username=username).one()


def _role_id(app, name):
    return app.appbuilder.sm.find_role(name).id


def _is_active_admin(db_session, username) -> bool:
    user = _user(db_session, username)
    return user.active and "Admin" in {role.name for role in user.roles}


def _edit_form(user, **changes) -> dict:
    data = {"first_name": user.first_name, "last_name": user.last_name,
            "username": user.username, "email": user.email,
            "roles": [str(role.id) for role in user.roles], "active": "y"}
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_the_form_refuses_to_demote_deactivate_or_delete_the_last_admin(app, client, login,
                                                                      db_session):
    login(client, "admin")
    admin = _user(db_session, "admin")
    for form in (_edit_form(admin, roles=[str(_role_id(app, "Staf"))]),
                 _edit_form(admin, active=None)):
        page = client.post(f"/users/edit/{admin.id}", data=form, follow_redirects=True)
        assert LAST in page.get_data(as_text=True)
        assert _is_active_admin(db_session, "admin")
    page = client.post(f"/users/delete/{admin.id}", follow_redirects=True)
    assert LAST in page.get_data(as_text=True)
    assert _is_active_admin(db_session, "admin")


def test_with_a_second_admin_the_first_can_step_down(app, client, login, db_session):
    karo = _user(db_session, "karo")
    karo.roles = [app.appbuilder.sm.find_role("Admin")]
    db_session.commit()
    login(client, "karo")
    admin = _user(db_session, "admin")
    page = client.post(f"/users/edit/{admin.id}",
                       data=_edit_form(admin, roles=[str(_role_id(app, "Staf"))]),
                       follow_redirects=True)
    assert LAST not in page.get_data(as_text=True)
    assert not _is_active_admin(db_session, "admin")
    # ...and now karo is the last one.
    assert client.post(f"/users/delete/{karo.id}", follow_redirects=True).status_code == 200
    assert _is_active_admin(db_session, "karo")


def test_the_admin_role_cannot_be_renamed_or_deleted(app, client, login, db_session):
    role_id = _role_id(app, "Admin")
    login(client, "admin")
    page = client.post(f"/roles/edit/{role_id}", data={"name": "Bos"}, follow_redirects=True)
    assert "Peran ini ditetapkan oleh aplikasi" in page.get_data(as_text=True)
    page = client.post(f"/roles/delete/{role_id}", follow_redirects=True)
    assert ROLE_KEPT in page.get_data(as_text=True)
    db_session.expire_all()
    assert app.appbuilder.sm.find_role("Admin") is not None


def test_any_other_path_is_refused_when_it_saves(app, db_session):
    """A script or CLI command going straight through the ORM meets the flush-time guard."""
    admin = _user(db_session, "admin")
    admin.active = False
    with pytest.raises(access.LastAdminError):
        db_session.commit()
    db_session.rollback()
    assert _is_active_admin(db_session, "admin")
    role = app.appbuilder.sm.find_role("Admin")
    role.name = "Bos"
    with pytest.raises(access.LastAdminError):
        db_session.commit()
    db_session.rollback()


# --- Cache-Control ------------------------------------------------------------------------------


def test_pages_for_a_logged_in_user_are_not_stored(client, login, api_token):
    login(client, "staf")
    for path in ("/", "/users/userinfo/", "/orgunitview/list/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers.get("Cache-Control") == "no-store", path
    api = client.get("/api/v1/menu/", headers=api_token("staf"))
    assert api.status_code == 200 and api.headers.get("Cache-Control") == "no-store"


def test_static_files_stay_cacheable(client, login):
    login(client, "staf")
    response = client.get("/static/appbuilder/css/ab.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
