"""Ending access ends it now: a logout, a lock, a deactivation or a new password ends the
account's live sessions (a saved cookie replayed later) and its API tokens (issue 7, item 8)."""

from __future__ import annotations

import datetime as dt

import pytest

from app.models.org import IkuUser
from tests.conftest import PASSWORD, FreshContextClient

STRONG = "Kuat-Sekali-2026!"


@pytest.fixture(autouse=True)
def _fresh_context_per_request(app):
    app.test_client_class = FreshContextClient


def _user(db_session, username):
    db_session.expire_all()
    return db_session.query(IkuUser).filter_by(username=username).one()


def _set_active(admin_client, db_session, user_id, active: bool) -> None:
    """The admin's user edit page, as an admin deactivates or re-activates an account."""
    user = db_session.get(IkuUser, user_id)
    data = {"first_name": user.first_name, "last_name": user.last_name,
            "username": user.username, "email": user.email,
            "roles": [str(role.id) for role in user.roles]}
    if active:
        data["active"] = "y"
    page = admin_client.post(f"/users/edit/{user_id}", data=data, follow_redirects=True)
    assert page.status_code == 200
    db_session.expire_all()
    assert db_session.get(IkuUser, user_id).active is active


def _logged_in(client) -> bool:
    return client.get("/users/userinfo/").status_code == 200


def _token(client, username, password=PASSWORD, refresh=False):
    response = client.post("/api/v1/security/login", json={
        "username": username, "password": password, "provider": "db", "refresh": refresh})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def _token_works(client, token) -> bool:
    return client.get("/api/v1/menu/", headers=_bearer(token)).status_code == 200


def test_a_cookie_saved_before_logout_no_longer_logs_in(app, login):
    browser = app.test_client()
    login(browser, "staf")
    saved = browser.get_cookie("session").value
    assert _logged_in(browser)
    browser.get("/logout/")
    assert not _logged_in(browser)

    attacker = app.test_client()
    attacker.set_cookie("session", saved)
    assert not _logged_in(attacker)
    login(browser, "staf")  # logging in again works, with a new cookie
    assert _logged_in(browser)


def test_logout_ends_the_accounts_api_tokens_too(app, login):
    browser = app.test_client()
    login(browser, "staf")
    token = _token(app.test_client(), "staf")["access_token"]
    assert _token_works(app.test_client(), token)
    browser.get("/logout/")
    assert not _token_works(app.test_client(), token)


def test_the_lockout_ends_sessions_and_tokens_already_open(app, login):
    browser = app.test_client()
    login(browser, "kasubbag")
    tokens = _token(app.test_client(), "kasubbag", refresh=True)
    assert _logged_in(browser) and _token_works(app.test_client(), tokens["access_token"])

    attacker = app.test_client()
    for _ in range(5):
        attacker.post("/login/", data={"username": "kasubbag", "password": "Salah-Sekali-123!"})

    assert not _logged_in(browser)
    assert not _token_works(app.test_client(), tokens["access_token"])
    refreshed = app.test_client().post("/api/v1/security/refresh",
                                       headers=_bearer(tokens["refresh_token"]))
    assert refreshed.status_code == 401


def test_an_admin_lock_set_directly_also_ends_access(app, db_session, login):
    """However the lock is set (the CLI, a script, an administrator's query through the ORM)."""
    browser = app.test_client()
    login(browser, "kabag")
    token = _token(app.test_client(), "kabag")["access_token"]
    _user(db_session, "kabag").locked_at = dt.datetime.now()
    db_session.commit()
    assert not _logged_in(browser) and not _token_works(app.test_client(), token)


def test_deactivating_ends_access_and_reactivating_does_not_revive_it(app, db_session, login):
    browser = app.test_client()
    login(browser, "staf")
    token = _token(app.test_client(), "staf")["access_token"]
    staf_id = _user(db_session, "staf").id
    admin = app.test_client()
    login(admin, "admin")
    _set_active(admin, db_session, staf_id, False)
    assert not _logged_in(browser) and not _token_works(app.test_client(), token)

    _set_active(admin, db_session, staf_id, True)
    assert not _logged_in(browser) and not _token_works(app.test_client(), token)
    login(browser, "staf")
    assert _logged_in(browser)


def test_a_new_password_set_by_the_admin_ends_the_old_sessions(app, login):
    browser = app.test_client()
    login(browser, "auditor")
    token = _token(app.test_client(), "auditor")["access_token"]
    result = app.test_cli_runner().invoke(
        args=["iku", "set-password", "auditor"], input=f"{STRONG}\n{STRONG}\n")
    assert result.exit_code == 0, result.output
    assert not _logged_in(browser) and not _token_works(app.test_client(), token)


def test_changing_ones_own_password_keeps_this_session_and_ends_the_others(app, login):
    here, elsewhere = app.test_client(), app.test_client()
    login(here, "karo")
    login(elsewhere, "karo")
    response = here.post("/resetmypassword/form",
                         data={"password": STRONG, "conf_password": STRONG})
    assert response.status_code == 302
    assert _logged_in(here)
    assert not _logged_in(elsewhere)
    here.get("/logout/")
    login(elsewhere, "karo", STRONG)
    assert _logged_in(elsewhere)
