"""Application factory: binds the extensions, registers the views, APIs and CLI."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Flask
from flask_appbuilder import AppBuilder

from app import read_transactions
from app.extensions import db, mail, migrate

ROOT = Path(__file__).resolve().parent.parent


def _default_config():
    import config

    name = os.environ.get("IKU_CONFIG", "Config")
    return getattr(config, name)


SQLITE_BUSY_TIMEOUT_MS = 30_000
_READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _sqlite_begin_statement() -> str:
    """BEGIN IMMEDIATE takes the write lock when the transaction starts. A deferred transaction
    that has read and then writes must upgrade its lock, and SQLite refuses that at once
    ("database is locked", no busy wait) when another connection wrote meanwhile: with several
    gunicorn workers, half of concurrent saves failed. Page and API reads (GET) stay deferred,
    so they never queue behind writers (WAL lets them read while one writes); everything else
    (form posts, API writes, CLI, workers) waits its turn for the lock up to the busy timeout."""
    from flask import has_request_context, request

    if has_request_context() and request.method in _READ_ONLY_METHODS:
        return "BEGIN"
    return "BEGIN IMMEDIATE"


def _configure_postgresql(engine) -> None:
    """PostgreSQL compiles a query to machine code (JIT) once its estimated cost passes
    jit_above_cost; a list over a million rows is estimated far above it even with LIMIT 25,
    and the compilation took 23 ms of the audit trail's 24 (bench/run_lists.py). Pages run
    short queries: JIT is off for the app's connections, as PostgreSQL advises for OLTP.
    Parallel workers likewise: a liaison's first page of 20 events was planned as a parallel
    scan of the whole history, and starting the two workers made it 13-35 ms instead of
    1.5-2 ms (EXPLAIN ANALYZE, bench/README.md "Seventh step"); the audit trail 38 -> 27 ms.
    Set when a connection opens (not as a startup option, which a pooler such as PgBouncer
    may refuse), committed so that the pool's rollback keeps it."""
    if engine.dialect.name != "postgresql":
        return
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.execute("SET jit = off")
        dbapi_connection.execute("SET max_parallel_workers_per_gather = 0")
        dbapi_connection.commit()


def _configure_sqlite(engine) -> None:
    """pysqlite opens transactions lazily and breaks SAVEPOINTs (SQLAlchemy docs, "Serializable
    isolation / Savepoints"); take over BEGIN ourselves, and enforce foreign keys. A file
    database also gets WAL (readers do not block the writer nor it them) and a busy timeout, so
    that concurrent writers wait for each other instead of failing."""
    if engine.dialect.name != "sqlite":
        return
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA foreign_keys=ON")
        dbapi_connection.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        if engine.url.database not in (None, "", ":memory:"):
            dbapi_connection.execute("PRAGMA journal_mode=WAL")

    @event.listens_for(engine, "begin")
    def _begin(connection):
        connection.exec_driver_sql(_sqlite_begin_statement())


def create_app(config_class=None) -> Flask:
    config_class = config_class or _default_config()
    config_class.check()
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.from_object(config_class)
    from app import templating
    from app.web import init_routing

    templating.install(app)

    init_routing(app)
    # FAB warns at every start about column types it cannot offer as list filters (Time, and
    # relation columns of its own security API); nothing to act on, and it buries real output.
    logging.getLogger("flask_appbuilder.models.filters").setLevel(logging.ERROR)

    from app.security import ROLE_SPEC

    # The Public role is builtin too, with nothing in it (IkuSecurityManager.is_item_public).
    app.config["FAB_ROLES"] = {**ROLE_SPEC, app.config.get("AUTH_ROLE_PUBLIC", "Public"): []}
    db.init_app(app)
    with app.app_context():
        _configure_sqlite(db.engine)
        _configure_postgresql(db.engine)
        read_transactions.install(db.engine, prepare=app.config["IKU_PG_PREPARE"])
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    mail.init_app(app)

    from app import models  # noqa: F401  (every model must be mapped before FAB starts)
    from app.services import access, audit, org
    from app.services.complaints import figures as complaint_figures
    from app.views import register_views, translations
    from app.web import init_web

    with app.app_context():
        appbuilder = AppBuilder(app, db.session)
        register_views(appbuilder)
        appbuilder.post_init()
    audit.install(db)
    access.install(db)
    org.install(db)
    init_web(app)
    translations.install(app)
    complaint_figures.register()  # the evaluator's evidence, home counter, dashboard series

    from app import (
        cli_complaints,  # noqa: F401  (its commands join the iku group)
        cli_evaluation,  # noqa: F401  (its commands join the iku group)
    )
    from app.cli import iku

    app.cli.add_command(iku)
    return app
