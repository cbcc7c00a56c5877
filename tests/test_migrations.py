"""The schema comes only from Alembic: a model change without its migration must fail here."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_appbuilder import Model

from app.extensions import db
from app.models.search import include_object


def test_models_and_migrations_agree(app):
    connection = db.session.connection()
    context = MigrationContext.configure(connection, opts={
        "compare_type": True, "include_object": include_object})
    diff = compare_metadata(context, Model.metadata)
    assert diff == [], f"models differ from migrations, run `make migration-initial`: {diff}"


def test_fab_tables_are_migrated_not_created_at_start(app):
    assert app.config["FAB_CREATE_DB"] is False
    names = set(db.inspect(db.session.connection()).get_table_names())
    assert {"ab_user", "ab_role", "org_unit", "pelaksana", "alembic_version"} <= names


def test_text_search_is_indexed_on_postgresql(app):
    """A "Contains" filter over a million events is served by a trigram index (0002)."""
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        return
    indexes = {index["name"] for index in db.inspect(connection).get_indexes("work_event")}
    assert "trgm_work_event_note" in indexes
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")  # an empty table: force it
    plan = "\n".join(connection.exec_driver_sql(
        "EXPLAIN SELECT id FROM work_event WHERE note ILIKE '%%rapat%%'").scalars())
    assert "trgm_work_event_note" in plan
