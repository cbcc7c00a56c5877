"""The schema comes only from Alembic: a model change without its migration must fail here."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_appbuilder import Model

from app.extensions import db


def test_models_and_migrations_agree(app):
    connection = db.session.connection()
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    diff = compare_metadata(context, Model.metadata)
    assert diff == [], f"models differ from migrations, run `make migration-initial`: {diff}"


def test_fab_tables_are_migrated_not_created_at_start(app):
    assert app.config["FAB_CREATE_DB"] is False
    names = set(db.inspect(db.session.connection()).get_table_names())
    assert {"ab_user", "ab_role", "org_unit", "pelaksana", "alembic_version"} <= names
