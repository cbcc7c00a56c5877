"""Login tells nothing and limits for real (issue 7, item 7): the login limit and the lockout hold
across all workers of `make run`, whose default storage is shared by processes; and an unknown
name answers exactly like a real one, attempt for attempt.

Two app instances stand for two gunicorn workers: each has its own memory (its own limiter, its
own `memory://` store); they share what two workers share, the database and the configured
rate-limit storage."""

from __future__ import annotations

import re

import pytest

from app import create_app
from app.extensions import db
from config import Config
from tests.conftest import FreshContextClient
from tests.secure_app import config_for, secure_app

WRONG = "Salah-Sekali-123!"


def _default_storage_for(tmp_path) -> str:
    """Config's default, pointed at the test's directory instead of instance/."""
    default = Config.RATELIMIT_STORAGE_URI
    assert default.startswith("db+sqlite:///") and default.endswith("instance/ratelimit.db")
    return f"db+sqlite:///{tmp_path / 'ratelimit.db'}"


@pytest.fixture
def two_workers(tmp_path, request):
    settings = {"RATELIMIT_STORAGE_URI": _default_storage_for(tmp_path),
                **getattr(request, "param", {})}
    with secure_app(tmp_path / "iku.db", **settings) as first:
        second = create_app(config_for(tmp_path / "iku.db", **settings))
        second.test_client_class = FreshContextClient
        try:
            yield first, second
        finally:
            with second.app_context():
                db.session.remove()
                db.engine.dispose()


def _form_login(app, username, password=WRONG, address="10.1.1.1"):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client.post("/login/", data={"username": username, "password": password},
                       follow_redirects=True)


def _api_login(app, username, password=WRONG, address="10.1.1.1"):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client.post("/api/v1/security/login",
                       json={"username": username, "password": password, "provider": "db"})


@pytest.mark.parametrize("two_workers", [{"AUTH_RATE_LIMIT": "10 per minute"}], indirect=True)
def test_the_login_limit_holds_in_total_across_workers(two_workers):
    """The measurement of the issue: 30 attempts over 2 workers against 10 per minute."""
    first, second = two_workers
    statuses = [_form_login((first, second)[i % 2], f"nobody-{i}").status_code
                for i in range(30)]
    assert statuses.count(200) == 10 and statuses.count(429) == 20
    assert statuses[:10] == [200] * 10  # the first ten pass, whichever worker took them
    # The API login's limit (its own count) holds in total too; another address has its own.
    api = [_api_login((first, second)[i % 2], "admin", address="10.1.1.2").status_code
           for i in range(12)]
    assert api == [401] * 10 + [429] * 2
    assert _form_login(second, "admin", address="10.1.1.3").status_code == 200


def _flash(response) -> list[str]:
    page = response.get_data(as_text=True)
    return re.findall(r'data-dismiss="alert">&times;</button>\s*(.*?)\s*</div>', page, re.S)


@pytest.mark.parametrize("two_workers", [{"AUTH_RATE_LIMIT": "100 per minute"}], indirect=True)
def test_an_unknown_name_locks_at_the_same_attempt_as_a_real_one(two_workers):
    first, second = two_workers
    real, ghost = [], []
    for attempt in range(7):
        worker = (first, second)[attempt % 2]
        real.append(_flash(_form_login(worker, "staf")))
        ghost.append(_flash(_form_login(worker, "nobody-at-all")))
    assert real == ghost
    assert real[3] != real[4] and real[4] == real[5] == real[6]  # locked from the 5th on
    # The API login refuses both alike too.
    assert _api_login(second, "staf").get_json() == _api_login(first, "nobody-at-all").get_json()
