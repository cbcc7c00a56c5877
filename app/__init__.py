"""Application factory: binds the extensions, registers the views, APIs and CLI."""

from __future__ import annotations

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


def create_app(config_class=None) -> Flask:
    config_class = config_class or _default_config()
    config_class.check()
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.from_object(config_class)

    from app.security import ROLE_SPEC

    app.config["FAB_ROLES"] = ROLE_SPEC
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    mail.init_app(app)

    from app import models  # noqa: F401  (every model must be mapped before FAB starts)
    from app.services import audit, org
    from app.views import register_views
    from app.web import init_web

    with app.app_context():
        appbuilder = AppBuilder(app, db.session)
        register_views(appbuilder)
        appbuilder.post_init()
    audit.install(db)
    org.install(db)
    init_web(app)

    from app.cli import iku

    app.cli.add_command(iku)
    return app
