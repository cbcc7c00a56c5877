"""CSRF on every state change (issue 7, item 4): the REST API accepts the browser's session
cookie, which a cross-site form sends along; a cookie-authenticated write must therefore carry
the CSRF token (header X-CSRFToken), while a bearer-token call, which no other site can make
with the user's credentials, needs none."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models.org import OrgUnit
from tests.conftest import PASSWORD
from tests.secure_app import csrf_token, login, secure_app

UNITS = "/api/v1/org-unit/"


@pytest.fixture(scope="module")
def hardened(tmp_path_factory):
    path = tmp_path_factory.mktemp("csrf-api") / "iku.db"
    with secure_app(path, WTF_CSRF_ENABLED=True, RATELIMIT_ENABLED=False) as application:
        with application.app_context():
            db.session.add(OrgUnit(code="CSRF", name="Unit Uji CSRF", head_name="Awal"))
            db.session.commit()
            db.session.remove()
        yield application


def _unit(app, code="CSRF"):
    with app.app_context():
        unit = db.session.query(OrgUnit).filter_by(code=code).one_or_none()
        result = (unit.id, unit.head_name) if unit else None
        db.session.remove()
        return result


@pytest.fixture
def browser(hardened):
    """The admin logged in through the login form: the session cookie is all it carries."""
    client = hardened.test_client()
    assert login(client, "admin", with_csrf=True).status_code == 302
    return client


def _refused(response) -> bool:
    body = response.get_json() or {}
    return response.status_code == 400 and "expired" in body.get("message", "") or (
        response.status_code == 400 and "kedaluwarsa" in body.get("message", ""))


def test_cookie_authenticated_writes_without_the_token_change_nothing(hardened, browser):
    unit_id, _ = _unit(hardened)
    assert _refused(browser.put(f"{UNITS}{unit_id}", json={"head_name": "Penyerang"}))
    assert _refused(browser.post(UNITS, json={"code": "EVIL", "name": "Jahat"}))
    assert _refused(browser.delete(f"{UNITS}{unit_id}"))
    # An action endpoint of the cycle engine (start, complete, pause, ...) is refused before it
    # even looks for the item.
    assert _refused(browser.post("/api/v1/work-item/999999/start"))
    assert _unit(hardened) == (unit_id, "Awal")
    assert _unit(hardened, "EVIL") is None
    # Reading needs no token: a cross-site page cannot read the answer anyway.
    assert browser.get(f"{UNITS}{unit_id}").status_code == 200


def test_cookie_authenticated_writes_with_the_token_go_through(hardened, browser):
    unit_id, _ = _unit(hardened)
    headers = {"X-CSRFToken": csrf_token(browser, "/users/list/")}
    response = browser.put(f"{UNITS}{unit_id}", json={"head_name": "Ibu Kepala"}, headers=headers)
    assert response.status_code == 200, response.get_json()
    assert _unit(hardened) == (unit_id, "Ibu Kepala")
    assert browser.post("/api/v1/work-item/999999/start", headers=headers).status_code == 404


def test_bearer_token_writes_need_no_csrf_token(hardened):
    client = hardened.test_client()
    token = client.post("/api/v1/security/login", json={
        "username": "admin", "password": PASSWORD, "provider": "db"}).get_json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    unit_id, _ = _unit(hardened)
    response = client.put(f"{UNITS}{unit_id}", json={"head_name": "Lewat Token"}, headers=headers)
    assert response.status_code == 200, response.get_json()
    created = client.post(UNITS, json={"code": "TOKEN", "name": "Unit Token"}, headers=headers)
    assert created.status_code == 201, created.get_json()
    assert client.delete(f"{UNITS}999999", headers=headers).status_code == 404  # not a 400
    assert _unit(hardened) == (unit_id, "Lewat Token") and _unit(hardened, "TOKEN")


def test_swagger_ui_sends_the_token_with_its_requests(hardened, browser):
    """"Try it out" on /swagger/v1 runs with the session cookie: its requests carry the token."""
    page = browser.get("/swagger/v1").get_data(as_text=True)
    token = csrf_token(browser, "/users/list/")
    assert 'request.headers["X-CSRFToken"] = "' in page
    sent = page.split('request.headers["X-CSRFToken"] = "')[1].split('"')[0]
    unit_id, _ = _unit(hardened)
    response = browser.put(f"{UNITS}{unit_id}", json={"head_name": "Dari Swagger"},
                           headers={"X-CSRFToken": sent})
    assert token and response.status_code == 200
