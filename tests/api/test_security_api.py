"""The security REST API: login rate limit and lockout, and the password policy on FAB's users
API, which hashes passwords itself instead of asking the security manager."""

from __future__ import annotations

import datetime as dt
import socket
import uuid

import pytest

from app.models.org import IkuUser
from app.services import access
from app.views.users import LOCKED_MESSAGE
from tests.conftest import PASSWORD
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
        assert client.get("/api/v1/org-unit/").status_code == 401


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


# --- FAB's security API (users, roles, permissions) is off ---------------------------------------


@pytest.mark.parametrize("path", [USERS, "/api/v1/security/roles/", "/api/v1/security/groups/",
                                  "/api/v1/security/permissions/", "/api/v1/security/resources/",
                                  "/api/v1/security/permissions-resources/"])
def test_fab_security_api_is_off(client, api_token, path):
    """Accounts are managed on the pages (unit link, last admin); roles are defined in code."""
    headers = api_token("admin")
    assert client.get(path, headers=headers).status_code == 404
    assert client.post(path, json={"name": "x"}, headers=headers).status_code in (404, 405)


def test_malformed_bearer_token_is_401(client):
    for value in ("Bearer not-a-token", "Bearer a.b.c", "Bearer "):
        response = client.get("/api/v1/org-unit/", headers={"Authorization": value})
        assert response.status_code == 401, (value, response.get_data(as_text=True))
