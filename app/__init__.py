"""Application factory: binds the extensions, registers the views, APIs and CLI."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Flask
from flask_appbuilder import AppBuilder

from app.extensions import db, mail, migrate

ROOT = Path(__file__).resolve().parent.parent


def _default_config():
    import config

    name = os.environ.get("IKU_CONFIG", "Config")
    return getattr(config, name)


def _configure_sqlite(engine) -> None:
    """pysqlite opens transactions lazily and breaks SAVEPOINTs (SQLAlchemy docs, "Serializable
    isolation / Savepoints"); take over BEGIN ourselves, and enforce foreign keys."""
    if engine.dialect.name != "sqlite":
        return
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA foreign_keys=ON")

    @event.listens_for(engine, "begin")
    def _begin(connection):
        connection.exec_driver_sql("BEGIN")


def create_app(config_class=None) -> Flask:
    config_class = config_class or _default_config()
    config_class.check()
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.from_object(config_class)
    # FAB warns at every start about column types it cannot offer as list filters (Time, and
    # relation columns of its own security API); nothing to act on, and it buries real output.
    logging.getLogger("flask_appbuilder.models.filters").setLevel(logging.ERROR)

    from app.security import ROLE_SPEC

    app.config["FAB_ROLES"] = ROLE_SPEC
    db.init_app(app)
    with app.app_context():
        _configure_sqlite(db.engine)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    mail.init_app(app)

    from app import models  # noqa: F401  (every model must be mapped before FAB starts)
    from app.services import access, audit, org
    from app.views import register_views
    from app.web import init_web

    with app.app_context():
        appbuilder = AppBuilder(app, db.session)
        register_views(appbuilder)
        appbuilder.post_init()
    audit.install(db)
    access.install(db)
    org.install(db)
    init_web(app)

    from app.cli import iku

    app.cli.add_command(iku)
    return app
