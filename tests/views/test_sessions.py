"""Ending access ends it now: a logout, a lock, a deactivation or a new password ends the
account's live sessions (a saved cookie replayed later) and its API tokens (issue 7, item 8)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from app.models.org import IkuUser
from tests.conftest import PASSWORD, FreshContextClient, statements

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


# --- the account kept between requests (app.sessions, migration 0003) -------------------------

def _sql(db_session, statement: str, **params) -> None:
    db_session.execute(text(statement), params)
    db_session.commit()


def _stamp(db_session, username: str) -> str:
    return db_session.execute(text("SELECT account_stamp FROM ab_user WHERE username = :u"),
                              {"u": username}).scalar_one()


def test_the_account_is_loaded_once_then_only_its_state_is_read(app, login):
    browser = app.test_client()
    login(browser, "kabag")
    token = _token(app.test_client(), "kabag")["access_token"]
    assert _logged_in(browser) and _token_works(app.test_client(), token)
    for check in (lambda: _logged_in(browser), lambda: _token_works(app.test_client(), token)):
        with statements() as seen:
            assert check()
        accounts = [s for s in seen if "ab_user" in s and "ab_user_role" in s]
        assert accounts == [], "the account with its roles was loaded again"
        assert any("account_stamp" in s for s in seen)


def test_roles_given_or_taken_by_hand_count_at_the_next_request(app, db_session, login):
    """Whatever makes the change: here SQL typed by hand, which no Python code sees."""
    browser = app.test_client()
    login(browser, "staf")
    assert browser.get("/users/list/").status_code != 200
    staf, admin_role = _user(db_session, "staf").id, _role_id(db_session, "Admin")
    _sql(db_session, "INSERT INTO ab_user_role (user_id, role_id) VALUES (:u, :r)",
         u=staf, r=admin_role)
    page = browser.get("/users/list/")
    assert page.status_code == 200 and "staf" in page.get_data(as_text=True)
    _sql(db_session, "DELETE FROM ab_user_role WHERE user_id = :u AND role_id = :r",
         u=staf, r=admin_role)
    assert browser.get("/users/list/").status_code != 200


def test_a_name_or_a_deactivation_by_hand_counts_at_the_next_request(app, db_session, login):
    browser = app.test_client()
    login(browser, "kasubbag")
    assert "Kasubbag" in browser.get("/users/userinfo/").get_data(as_text=True)
    _sql(db_session, "UPDATE ab_user SET first_name = 'Ratna' WHERE username = 'kasubbag'")
    assert "Ratna" in browser.get("/users/userinfo/").get_data(as_text=True)
    _sql(db_session, "UPDATE ab_user SET active = :off WHERE username = 'kasubbag'", off=False)
    assert not _logged_in(browser)


def test_every_change_to_an_account_gives_it_a_new_stamp(db_session):
    staf = _user(db_session, "staf").id
    stamps = [_stamp(db_session, "staf")]

    def changed(statement: str, **params) -> None:
        _sql(db_session, statement, **params)
        stamps.append(_stamp(db_session, "staf"))
        assert stamps[-1] is not None and stamps[-1] not in stamps[:-1], statement

    _sql(db_session, "INSERT INTO ab_group (name, label) VALUES ('Tim IKU', 'Tim IKU')")
    group = db_session.execute(text("SELECT id FROM ab_group WHERE name = 'Tim IKU'")).scalar()
    role = _role_id(db_session, "Auditor")
    changed("UPDATE ab_user SET email = 'staf.baru@iku.test' WHERE id = :u", u=staf)
    changed("INSERT INTO ab_user_group (user_id, group_id) VALUES (:u, :g)", u=staf, g=group)
    changed("INSERT INTO ab_group_role (group_id, role_id) VALUES (:g, :r)", g=group, r=role)
    changed("UPDATE ab_group SET label = 'Tim IKU 2027' WHERE id = :g", g=group)
    changed("UPDATE ab_role SET name = 'Pemeriksa' WHERE id = :r", r=role)
    changed("DELETE FROM ab_group_role WHERE group_id = :g", g=group)
    changed("DELETE FROM ab_user_group WHERE user_id = :u", u=staf)
    assert _stamp(db_session, "kabag") not in stamps  # another account: its own stamp


def test_an_account_with_roles_can_still_be_deleted(db_session):
    """The triggers on the role links fire while the account itself goes (PostgreSQL's
    cascade, the ORM's deletes of the links first)."""
    user = _user(db_session, "pengguna2")
    db_session.delete(user)
    db_session.commit()
    assert db_session.execute(text("SELECT count(*) FROM ab_user WHERE username = 'pengguna2'"
                                   )).scalar() == 0


def test_a_change_made_through_the_account_stays_in_its_request(app, db_session):
    """Each request works on its own copy of the kept account: a change made through it and
    rolled back (a failed request) is not what the next request sees."""
    sm = app.appbuilder.sm
    karo = _user(db_session, "karo")
    user_id, generation = karo.id, karo.session_generation or 0
    db_session.expunge_all()
    first = sm._current_generation(user_id, generation)
    first.first_name = "Diubah"
    db_session.rollback()
    db_session.expunge_all()
    second = sm._current_generation(user_id, generation)
    assert second.first_name == "Karo" and [r.name for r in second.roles] == ["Kepala Biro"]


def _role_id(db_session, name: str) -> int:
    return db_session.execute(text("SELECT id FROM ab_role WHERE name = :n"), {"n": name}).scalar()


def test_a_token_is_decoded_once_per_worker_and_refused_once_expired(app, db_session,
                                                                     monkeypatch):
    """The kept claims of a token (app/sessions.py, KeptTokenJWTManager) spare the decoding,
    never the expiry: a kept token that has expired is refused like any other."""
    import time
    from types import SimpleNamespace

    import jwt.api_jwt
    from flask_jwt_extended import create_access_token, jwt_manager

    decoded = []
    real_decode = jwt_manager._decode_jwt
    monkeypatch.setattr(jwt_manager, "_decode_jwt",
                        lambda **kw: decoded.append(kw["encoded_token"]) or real_decode(**kw))
    with app.test_request_context():
        short = create_access_token(identity=str(_user(db_session, "staf").id),
                                    expires_delta=dt.timedelta(seconds=30))
    assert _token_works(app.test_client(), short)
    assert _token_works(app.test_client(), short)
    assert decoded == [short]

    class _Later(dt.datetime):  # PyJWT's clock, a minute on
        @classmethod
        def now(cls, tz=None):
            return dt.datetime.now(tz) + dt.timedelta(minutes=1)

    monkeypatch.setattr(jwt.api_jwt, "datetime", _Later)
    monkeypatch.setattr("app.sessions.time", SimpleNamespace(time=lambda: time.time() + 60))
    refused = app.test_client().get("/api/v1/menu/", headers=_bearer(short))
    assert refused.status_code == 401
    assert "expired" in refused.get_data(as_text=True).lower()


def test_a_kept_token_still_ends_with_its_session(app, db_session, login):
    """Keeping a token's claims does not keep the account's access: a logout elsewhere ends
    the token at its next request, decoded or kept."""
    token = _token(app.test_client(), "kasubbag")["access_token"]
    assert _token_works(app.test_client(), token) and _token_works(app.test_client(), token)
    browser = app.test_client()
    login(browser, "kasubbag")
    browser.get("/logout/")
    assert not _token_works(app.test_client(), token)


def test_a_forged_token_is_never_kept(app):
    token = _token(app.test_client(), "staf")["access_token"]
    head, claims, signature = token.split(".")
    forged = f"{head}.{claims}.{signature[:-4]}AAAA"
    for _ in range(2):
        assert app.test_client().get("/api/v1/menu/", headers=_bearer(forged)).status_code \
            in (401, 422)
    assert _token_works(app.test_client(), token)
