"""Database objects that are not in the models: PostgreSQL's trigram indexes for text search
(migrations/versions/0002_trigram_search.py). Autogenerate and the models-vs-migrations test
compare the models with the database; they must not read these as indexes to drop."""

TRIGRAM_PREFIX = "trgm_"


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's include_object hook: everything but the trigram indexes."""
    return not (type_ == "index" and (name or "").startswith(TRIGRAM_PREFIX))
