"""Shared fixtures.

Backend: SQLite in memory by default; PostgreSQL when TEST_DATABASE_URL is set (`make test`
runs both). The schema is built once per run by the Alembic migrations (the same path as
production), roles and reference data loaded by the real init code. Each test then runs inside a
transaction that is rolled back, with the app's commits turned into savepoints, so tests see a
fresh database without paying for a migration each.

Fixtures: `app` (app context pushed), `db_session`, `client`, `users` (one user per role, all
with password PASSWORD; the liaison "pengguna1" acts for unit UNIT_A, "pengguna2" for UNIT_B),
`login(client, username)` and `api_token(username)`.
"""

from __future__ import annotations

import gc
import os
from contextlib import contextmanager

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url

from app import create_app
from app.extensions import db
from config import TestConfig
from tests.i18n_support import catalog, translations  # noqa: F401  (fixtures of the i18n tests)

PASSWORD = "Rahasia-Uji-2026!"
ROLE_USERS = {
    "admin": "Admin",
    "karo": "Kepala Biro",
    "kabag": "Kepala Bagian",
    "kasubbag": "Kepala Subbagian",
    "staf": "Staf",
    "auditor": "Auditor",
    "pengguna1": "Pengguna",
    "pengguna2": "Pengguna",
}
UNIT_A, UNIT_B = "SETPRES", "SETWAPRES"


def _recreate_postgres_database(url: str) -> None:
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


def _seed_users() -> None:
    from app.models.org import OrgUnit
    from app.services import access

    for username, role in ROLE_USERS.items():
        links = {}
        if username.startswith("pengguna"):
            code = UNIT_A if username == "pengguna1" else UNIT_B
            links["org_unit_id"] = db.session.query(OrgUnit).filter_by(code=code).one().id
        access.create_user(username, username.title(), "Uji", f"{username}@iku.test", [role],
                           PASSWORD, **links)


def pytest_unconfigure(config):
    """The interpreter's last garbage collection at exit walked the whole suite's heap (1.8 GB
    on PostgreSQL) for a minute and a half after the results were printed; objects frozen
    here are left out of it, and the process ends anyway."""
    gc.freeze()


@pytest.fixture(scope="session")
def app():
    url = os.environ.get("TEST_DATABASE_URL", "")
    if url.startswith("postgresql"):
        _recreate_postgres_database(url)
    application = create_app(TestConfig)
    application.test_client_class = FreshContextClient  # any test's app.test_client(), always
    with application.app_context():
        from flask_migrate import upgrade

        from app.services import access, demo

        upgrade()
        access.sync_roles()
        demo.load_reference_data()
        _seed_users()
        yield application
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _rollback_each_test(app):
    """Flask-SQLAlchemy's Session.get_bind() answers with the app's engine and ignores a
    session-level bind, so the test swaps the engine entry for one connection in an outer
    transaction; the app's commits become savepoint releases and everything is rolled back."""
    engines = db._app_engines[app]
    engine = engines[None]
    connection = engine.connect()
    outer = connection.begin()
    db.session.remove()
    factory = db.session.session_factory
    saved = dict(factory.kw)
    factory.configure(join_transaction_mode="create_savepoint")
    engines[None] = connection
    try:
        yield
    finally:
        db.session.remove()
        engines[None] = engine
        factory.kw.clear()
        factory.kw.update(saved)
        outer.rollback()
        connection.close()


@pytest.fixture
def db_session(app):
    return db.session


class FreshContextClient(FlaskClient):
    """Each request in its own app context, as in production. Flask reuses an app context that
    is already pushed (the session fixture pushes one), and with it `g`, where Flask-Login
    caches the logged-in user: without this, the previous request's user would leak."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def client(app):
    app.test_client_class = FreshContextClient
    return app.test_client()


@pytest.fixture
def login():
    def _login(client, username: str, password: str = PASSWORD):
        response = client.post(
            "/login/", data={"username": username, "password": password}, follow_redirects=True
        )
        return response

    return _login


@pytest.fixture
def api_token(app):
    def _token(username: str, password: str = PASSWORD) -> dict:
        app.test_client_class = FreshContextClient
        client = app.test_client()
        response = client.post(
            "/api/v1/security/login",
            json={"username": username, "password": password, "provider": "db"},
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        return {"Authorization": f"Bearer {response.get_json()['access_token']}"}

    return _token


@contextmanager
def statements():
    """Every SQL statement any engine or connection runs inside the block."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", record)
