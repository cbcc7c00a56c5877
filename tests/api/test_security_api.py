"""The security REST API: login rate limit and lockout, and the password policy on FAB's users
API, which hashes passwords itself instead of asking the security manager."""

from __future__ import annotations

import datetime as dt
import socket
import uuid

import pytest

from app.models.org import IkuUser, OrgUnit
from app.services import access
from app.views.users import LOCKED_MESSAGE
from tests.conftest import PASSWORD, UNIT_A
from tests.secure_app import secure_app

LOGIN = "/api/v1/security/login"
USERS = "/api/v1/security/users/"
STRONG = "Kuat-Sekali-2026!"


def _login(client, username, password=PASSWORD):
    return client.post(LOGIN, json={"username": username, "password": password, "provider": "db"})


def _role_id(app, name):
    return app.appbuilder.sm.find_role(name).id


def _new_user(app, role="Staf", **extra):
    return {"first_name": "Baru", "last_name": "Uji", "username": "baru-api",
            "email": "baru-api@iku.test", "roles": [_role_id(app, role)], "password": STRONG,
            **extra}


def _user(db_session, username):
    db_session.expire_all()
    return db_session.query(IkuUser).filter_by(username=username).one_or_none()


# --- login ---------------------------------------------------------------------------------------


def test_api_failures_count_towards_the_lockout(app, db_session):
    client = app.test_client()
    for _ in range(5):
        assert _login(client, "kasubbag", "Salah-Sekali-123!").status_code == 401
    assert _user(db_session, "kasubbag").locked_at is not None
    assert _login(client, "kasubbag").status_code == 401


def test_unlocked_account_logs_in_through_the_api(app, db_session):
    user = _user(db_session, "kasubbag")
    user.locked_at, user.fail_login_count = dt.datetime.now(), 5
    db_session.commit()
    access.unlock(_user(db_session, "kasubbag"))
    assert _login(app.test_client(), "kasubbag").status_code == 200


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


def test_api_login_is_rate_limited(tmp_path):
    with secure_app(tmp_path / "iku.db", AUTH_RATE_LIMIT="3 per minute") as app:
        client = app.test_client()
        assert [_login(client, "admin", "Salah-Sekali-123!").status_code for _ in range(3)] == [
            401, 401, 401]
        refused = _login(client, "admin")
        assert refused.status_code == 429
        assert "message" in refused.get_json()
        # Only the login is throttled, not the rest of the API.
        assert client.get(USERS).status_code == 401


def _forget(prefix: str) -> None:
    import redis

    client = redis.Redis(host="127.0.0.1", port=6379)
    for key in client.scan_iter(f"*{prefix}*"):
        client.delete(key)


@pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")
def test_redis_storage_is_shared_between_apps(tmp_path, request):
    """Two apps stand for two gunicorn workers: with Redis they share one count, for the rate
    limit and for the lockout of unknown names alike."""
    prefix = f"iku-test-{uuid.uuid4().hex}"
    settings = {"AUTH_RATE_LIMIT": "3 per minute", "IKU_LOCKOUT_THRESHOLD": 2,
                "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379", "RATELIMIT_KEY_PREFIX": prefix}
    request.addfinalizer(lambda: _forget(prefix))
    with secure_app(tmp_path / "a.db", **settings) as first, \
            secure_app(tmp_path / "b.db", **settings) as second:
        assert _login(first.test_client(), "ghost", "Salah-Sekali-123!").status_code == 401
        assert _login(second.test_client(), "ghost", "Salah-Sekali-123!").status_code == 401
        page = second.test_client().post("/login/", data={"username": "ghost", "password": "x"},
                                         follow_redirects=True).get_data(as_text=True)
        with second.test_request_context():
            assert str(LOCKED_MESSAGE) in page
        assert _login(first.test_client(), "admin").status_code == 200
        assert _login(second.test_client(), "admin").status_code == 429


# --- users API -----------------------------------------------------------------------------------


def test_users_api_refuses_a_weak_password_on_create(app, client, api_token, db_session):
    response = client.post(USERS, json=_new_user(app, password="lemah"),
                           headers=api_token("admin"))
    assert response.status_code == 400
    assert "password" in response.get_json()["message"]
    assert _user(db_session, "baru-api") is None


def test_users_api_creates_a_user_with_a_strong_password(app, client, api_token, db_session):
    response = client.post(USERS, json=_new_user(app), headers=api_token("admin"))
    assert response.status_code == 201, response.get_json()
    assert _login(app.test_client(), "baru-api", STRONG).status_code == 200


def test_users_api_refuses_a_pengguna_it_cannot_link_to_a_unit(app, client, api_token,
                                                                db_session):
    response = client.post(USERS, json=_new_user(app, "Pengguna"), headers=api_token("admin"))
    assert response.status_code == 400 and "roles" in response.get_json()["message"]
    assert _user(db_session, "baru-api") is None


def test_users_api_role_change_to_pengguna_needs_a_unit(app, client, api_token, db_session):
    headers = api_token("admin")
    staf = _user(db_session, "staf")
    body = {"roles": [_role_id(app, "Pengguna")]}
    assert client.put(f"{USERS}{staf.id}", json=body, headers=headers).status_code == 400
    staf = _user(db_session, "staf")
    staf.org_unit_id = db_session.query(OrgUnit).filter_by(code=UNIT_A).one().id
    db_session.commit()
    assert client.put(f"{USERS}{staf.id}", json=body, headers=headers).status_code == 200


def test_users_api_refuses_a_weak_password_on_update(app, client, api_token, db_session):
    headers = api_token("admin")
    staf = _user(db_session, "staf")
    weak = client.put(f"{USERS}{staf.id}", json={"password": "lemah"}, headers=headers)
    assert weak.status_code == 400 and "password" in weak.get_json()["message"]
    assert _login(app.test_client(), "staf").status_code == 200
    ok = client.put(f"{USERS}{staf.id}", json={"password": STRONG}, headers=headers)
    assert ok.status_code == 200, ok.get_json()
    assert _login(app.test_client(), "staf", STRONG).status_code == 200


def test_users_api_is_for_admins_only(client, api_token):
    assert client.get(USERS, headers=api_token("auditor")).status_code == 200
    assert client.post(USERS, json={}, headers=api_token("auditor")).status_code == 403
    assert client.get(USERS, headers=api_token("staf")).status_code == 403
