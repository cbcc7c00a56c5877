"""Login hardening seen through the login form: lockout, rate limit, CSRF, security headers,
redirects, registration, cookies and the SECRET_KEY check (issue: Security 1-4)."""

from __future__ import annotations

import datetime as dt
import html
import re
from urllib.parse import urlparse

import pytest
from flask_appbuilder.security.views import AuthDBView

from app import create_app
from app.models.org import IkuUser
from app.views.users import LOCKED_MESSAGE
from config import Config, DevConfig
from tests.conftest import PASSWORD
from tests.secure_app import config_for, csrf_token, secure_app
from tests.secure_app import login as secure_login


def _text(app, lazy) -> str:
    """A message as the page renders it, in whatever locale the catalog gives the app."""
    with app.test_request_context():
        return html.escape(str(lazy), quote=False)


def _attempt(client, username, password="Salah-Sekali-123!"):
    return client.post(
        "/login/", data={"username": username, "password": password}, follow_redirects=True
    ).get_data(as_text=True)


def _user(db_session, username):
    db_session.expire_all()
    return db_session.query(IkuUser).filter_by(username=username).one()


# --- lockout -----------------------------------------------------------------------------------


def test_fifth_failure_locks_and_the_right_password_no_longer_works(app, client, db_session):
    invalid, locked = _text(app, AuthDBView.invalid_login_message), _text(app, LOCKED_MESSAGE)
    for _ in range(4):
        page = _attempt(client, "staf")
        assert invalid in page and locked not in page
    assert _user(db_session, "staf").locked_at is None
    assert locked in _attempt(client, "staf")
    assert _user(db_session, "staf").locked_at is not None

    page = _attempt(client, "staf", PASSWORD)
    assert locked in page
    assert client.get("/users/userinfo/").status_code == 302  # still anonymous


def test_unknown_names_lock_alike_so_lockout_does_not_reveal_accounts(app, client):
    def messages(page):
        return re.findall(r'data-dismiss="alert">&times;</button>\s*(.*?)\s*</div>', page, re.S)

    for _ in range(5):
        real, ghost = _attempt(client, "kasubbag"), _attempt(client, "nobody-lockout-1")
        assert messages(real) == messages(ghost)
    assert _text(app, LOCKED_MESSAGE) in messages(ghost)[0]


def test_a_success_resets_the_count_of_consecutive_failures(client, db_session):
    for _ in range(4):
        _attempt(client, "kabag")
    _attempt(client, "kabag", PASSWORD)
    client.get("/logout/")
    for _ in range(4):
        _attempt(client, "kabag")
    assert _user(db_session, "kabag").locked_at is None


def test_threshold_comes_from_config(app, client, db_session, monkeypatch):
    monkeypatch.setitem(app.config, "IKU_LOCKOUT_THRESHOLD", 2)
    _attempt(client, "karo")
    assert _user(db_session, "karo").locked_at is None
    _attempt(client, "karo")
    assert _user(db_session, "karo").locked_at is not None


def test_locked_account_refused_by_the_api_login_too(app, db_session):
    user = _user(db_session, "staf")
    user.fail_login_count, user.locked_at = 5, dt.datetime.now()
    db_session.commit()
    response = app.test_client().post(
        "/api/v1/security/login", json={"username": "staf", "password": PASSWORD, "provider": "db"}
    )
    assert response.status_code == 401


def test_cli_unlock_lets_the_user_in_again(app, client, db_session):
    for _ in range(5):
        _attempt(client, "staf")
    result = app.test_cli_runner().invoke(args=["iku", "unlock", "staf"])
    assert result.exit_code == 0, result.output
    assert _user(db_session, "staf").locked_at is None
    assert _user(db_session, "staf").fail_login_count == 0
    assert (
        client.post("/login/", data={"username": "staf", "password": PASSWORD})
        .headers["Location"]
        .endswith("/")
    )


def test_lock_and_unlock_are_in_the_audit_trail(app, client, db_session):
    from app.models.audit import AuditEntry

    for _ in range(5):
        _attempt(client, "staf")
    staf = _user(db_session, "staf")
    app.test_cli_runner().invoke(args=["iku", "unlock", "staf"])
    events = db_session.query(AuditEntry).filter_by(entity="ab_user", entity_id=str(staf.id))
    actions = [e.action for e in events.order_by(AuditEntry.id)]
    assert actions.count("login_failed") == 5
    assert actions.index("lock") < actions.index("unlock")
    lock = events.filter_by(action="lock").one()
    assert lock.actor == "anonymous" and lock.changes == {"failures": 5}


# --- rate limit and CSRF (a second app: TestConfig turns both off) -------------------------------


@pytest.fixture(scope="module")
def hardened(tmp_path_factory):
    path = tmp_path_factory.mktemp("secure") / "iku.db"
    with secure_app(path, AUTH_RATE_LIMIT="3 per minute", WTF_CSRF_ENABLED=True) as application:
        yield application


def _client_from(app, address):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_form_login_is_rate_limited_per_address(hardened):
    client = _client_from(hardened, "10.0.0.1")
    for _ in range(3):
        response = secure_login(client, "nobody", "Salah-Sekali-123!", with_csrf=True)
        assert response.status_code == 302
    refused = secure_login(client, "admin", PASSWORD, with_csrf=True)
    assert refused.status_code == 429
    assert "Too many attempts" in refused.get_data(as_text=True) or "Terlalu" in refused.get_data(
        as_text=True
    )
    other = _client_from(hardened, "10.0.0.2")
    assert secure_login(other, "admin", PASSWORD, with_csrf=True).status_code == 302


def test_post_without_csrf_token_is_refused(hardened):
    client = _client_from(hardened, "10.0.0.3")
    refused = client.post("/login/", data={"username": "admin", "password": PASSWORD})
    assert refused.status_code == 400
    assert "form has expired" in refused.get_data(as_text=True) or "kedaluwarsa" in refused.get_data(
        as_text=True
    )
    assert client.get("/users/userinfo/").status_code == 302  # not logged in


def test_api_needs_no_csrf_token_it_authenticates_by_bearer_token(hardened):
    client = _client_from(hardened, "10.0.0.5")
    token = client.post("/api/v1/security/login", json={
        "username": "admin", "password": PASSWORD, "provider": "db"})
    assert token.status_code == 200
    headers = {"Authorization": f"Bearer {token.get_json()['access_token']}"}
    assert client.get("/api/v1/org-unit/", headers=headers).status_code == 200


def test_action_post_without_csrf_token_changes_nothing(hardened):
    client = _client_from(hardened, "10.0.0.4")
    assert secure_login(client, "admin", PASSWORD, with_csrf=True).status_code == 302
    with hardened.app_context():
        from app.extensions import db

        staf = db.session.query(IkuUser).filter_by(username="staf").one()
        staf.locked_at = dt.datetime.now()
        db.session.commit()
        staf_id = staf.id
    response = client.post("/users/action_post", data={"action": "unlock", "rowid": staf_id})
    assert response.status_code == 400
    with hardened.app_context():
        from app.extensions import db

        assert db.session.get(IkuUser, staf_id).locked_at is not None
        db.session.remove()
    token = csrf_token(client, "/users/list/")
    done = client.post("/users/action_post", data={"action": "unlock", "rowid": staf_id, "csrf_token": token})
    assert done.status_code == 302


# --- headers, redirects, registration --------------------------------------------------------


def test_security_headers_and_a_nonce_for_fabs_inline_scripts(client):
    response = client.get("/login/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    script_src = re.search(r"script-src ([^;]*)", csp).group(1)
    assert "unsafe-inline" not in script_src
    nonce = re.search(r"'nonce-([^']+)'", script_src).group(1)
    assert f'nonce="{nonce}"' in response.get_data(as_text=True)
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in response.headers  # FORCE_HTTPS is off


def test_swagger_ui_runs_under_the_policy(client, login):
    login(client, "admin")
    response = client.get("/swagger/v1")
    assert response.status_code == 200
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
    page = response.get_data(as_text=True)
    assert page.count(f'nonce="{nonce}"') >= 2 and "https://" not in page.split("<body")[0]


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"]
)
def test_login_never_redirects_off_site(client, target):
    def off_site(response):
        location = urlparse(response.headers["Location"].replace("\\", "/"))
        return location.netloc not in ("", "localhost") or location.scheme not in ("", "http")

    response = client.post(
        "/login/", query_string={"next": target}, data={"username": "admin", "password": PASSWORD}
    )
    assert response.status_code == 302 and not off_site(response)
    assert not off_site(client.get("/login/", query_string={"next": target}))


def test_login_follows_a_local_next(client):
    response = client.post(
        "/login/", query_string={"next": "/users/userinfo/"}, data={"username": "staf", "password": PASSWORD}
    )
    assert response.headers["Location"].endswith("/users/userinfo/")


def test_safe_redirect_hosts_allow_the_configured_host(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "FAB_SAFE_REDIRECT_HOSTS", ["intranet.example"])
    ok = client.post(
        "/login/",
        query_string={"next": "https://intranet.example/x"},
        data={"username": "staf", "password": PASSWORD},
    )
    assert ok.headers["Location"] == "https://intranet.example/x"


def test_no_self_registration(client, app):
    assert app.config["AUTH_USER_REGISTRATION"] is False
    assert client.get("/register/").status_code == 404
    assert client.get("/register/form").status_code == 404
    assert "Register" not in client.get("/login/").get_data(as_text=True)


# --- production configuration ----------------------------------------------------------------


def test_production_refuses_a_missing_or_default_secret_key():
    for key in ("", "change-me", "secret"):
        config = type("Prod", (Config,), {"SECRET_KEY": key, "ENV_NAME": "production"})
        with pytest.raises(RuntimeError, match="SECRET_KEY"):
            create_app(config)
    type("Prod", (Config,), {"SECRET_KEY": "x" * 48, "ENV_NAME": "production"}).check()


def test_production_cookies_are_secure_and_dev_relaxes_only_secure():
    assert (Config.SESSION_COOKIE_SECURE, Config.SESSION_COOKIE_HTTPONLY) == (True, True)
    assert Config.SESSION_COOKIE_SAMESITE == "Lax" and Config.REMEMBER_COOKIE_SECURE
    assert DevConfig.SESSION_COOKIE_SECURE is False and DevConfig.SESSION_COOKIE_HTTPONLY
    assert Config.WTF_CSRF_ENABLED and Config.RATELIMIT_ENABLED and not Config.FORCE_HTTPS


def test_https_deployment_sets_cookie_flags_hsts_and_redirects_http(tmp_path):
    settings = {"SESSION_COOKIE_SECURE": True, "FORCE_HTTPS": True}
    with secure_app(tmp_path / "iku.db", config_for(tmp_path / "iku.db", **settings)) as app:
        client = app.test_client()
        plain = client.get("/login/")
        assert plain.status_code == 302 and plain.headers["Location"].startswith("https://")
        secure = app.test_client()
        response = secure_login(secure, "admin", base_url="https://localhost")
        cookie = response.headers["Set-Cookie"]
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert "max-age=" in response.headers["Strict-Transport-Security"]


def test_every_redirect_is_kept_on_site(app):
    from flask import redirect

    from app.web import _keep_redirects_on_site

    with app.test_request_context("/"):
        assert _keep_redirects_on_site(redirect("https://evil.example/x")).location == "/"
        assert _keep_redirects_on_site(redirect("/users/list/")).location == "/users/list/"
        assert _keep_redirects_on_site(redirect("http://localhost/a")).location.endswith("/a")


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(tmp_path):
    with secure_app(tmp_path / "iku.db", AUTH_RATE_LIMIT="1 per minute",
                    TRUSTED_PROXY_COUNT=1) as app:
        client = app.test_client()

        def attempt(address):
            return client.post("/login/", data={"username": "x", "password": "y"},
                               headers={"X-Forwarded-For": address}).status_code

        assert [attempt("192.0.2.1"), attempt("192.0.2.2"), attempt("192.0.2.1")] == [
            302, 302, 429]
