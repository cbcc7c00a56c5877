"""Alembic environment. Targets Flask-AppBuilder's Model.metadata, which holds FAB's ab_* tables
AND ours: Flask-SQLAlchemy's own metadata would make autogenerate drop the ab_* tables."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app
from flask_appbuilder import Model

import app.models  # noqa: F401  (map every model before autogenerate compares)
from app.models.search import include_object

config = context.config
if config.config_file_name and not current_app.testing:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")
target_metadata = Model.metadata


def _engine():
    return current_app.extensions["migrate"].db.engine


def run_migrations_offline() -> None:
    context.configure(
        url=_engine().url.render_as_string(hide_password=False),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    def skip_empty(context_, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")

    with _engine().connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            process_revision_directives=skip_empty,
            render_as_batch=True,
            compare_type=True,
            include_object=include_object,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
