"""A second app for what TestConfig relaxes (rate limiting, CSRF, HTTPS, production cookies).

AppBuilder, the limiter and Talisman are per app, so create_app() with another config gives a
fully separate app. It gets its own SQLite file, migrated and seeded here, because the session
app's database is held inside a per-test transaction.
"""

from __future__ import annotations

import re
from contextlib import contextmanager

from flask_migrate import upgrade

from app import create_app
from app.extensions import db
from app.security import ROLE_SPEC
from config import TestConfig
from tests.conftest import PASSWORD, FreshContextClient

USERS = {"admin": "Admin", "staf": "Staf", "auditor": "Auditor"}


def config_for(db_path, **settings):
    """TestConfig on its own database, with rate limiting ON unless a setting says otherwise."""
    values = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}", "RATELIMIT_ENABLED": True, **settings}
    return type("SecureTestConfig", (TestConfig,), values)


@contextmanager
def secure_app(db_path, config=None, **settings):
    from app.services import access

    application = create_app(config or config_for(db_path, **settings))
    application.test_client_class = FreshContextClient
    with application.app_context():
        upgrade()
        # Only the role rows: builtin roles are checked in memory, and registering every
        # permission (sync_roles) costs seconds of commits on a SQLite file.
        for role in [*ROLE_SPEC, "Public"]:
            application.appbuilder.sm.add_role(role)
        for username, role in USERS.items():
            access.create_user(username, username.title(), "Uji", f"{username}@iku.test", [role], PASSWORD)
        db.session.remove()
    try:
        yield application
    finally:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


def csrf_token(client, url: str = "/login/") -> str:
    page = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match, "no CSRF token on " + url
    return match.group(1)


def login(client, username: str, password: str = PASSWORD, with_csrf: bool = False, **kw):
    data = {"username": username, "password": password}
    if with_csrf:
        data["csrf_token"] = csrf_token(client)
    return client.post("/login/", data=data, **kw)
