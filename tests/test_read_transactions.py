"""A transaction that only read ends with COMMIT on PostgreSQL (app/read_transactions.py), so
that psycopg keeps its prepared statements; one that wrote anything is still rolled back."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from sqlalchemy import create_engine, delete, insert, select, text
from sqlalchemy.orm import Session

from app import read_transactions
from app.models.calendar import Holiday

URL = os.environ.get("TEST_DATABASE_URL", "")
pytestmark = pytest.mark.skipif(not URL.startswith("postgresql"),
                                reason="PostgreSQL through psycopg only")
DAY = dt.date(2031, 3, 3)


@pytest.fixture
def engine(app):
    """An engine of its own: the tests' shared connection sits in an outer transaction."""
    own = create_engine(URL, pool_size=1, max_overflow=0)
    read_transactions.install(own)
    yield own
    with own.begin() as conn:
        conn.execute(delete(Holiday).where(Holiday.date == DAY))
    own.dispose()


def _prepared(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM pg_prepared_statements")).scalar()


def _holidays(engine) -> int:
    with engine.connect() as conn:
        return len(conn.execute(select(Holiday.id).where(Holiday.date == DAY)).all())


def test_reads_keep_their_prepared_statements(engine):
    statement = select(Holiday.name).where(Holiday.date == DAY)
    for _ in range(8):
        with Session(engine) as session:  # closing the session rolls back
            session.execute(statement).all()
    assert _prepared(engine) >= 1


def test_without_it_a_rollback_forgets_them(app):
    plain = create_engine(URL, pool_size=1, max_overflow=0)
    try:
        for _ in range(8):
            with Session(plain) as session:
                session.execute(select(Holiday.name).where(Holiday.date == DAY)).all()
        assert _prepared(plain) == 0
    finally:
        plain.dispose()


@pytest.mark.parametrize("write", [
    lambda s: s.add(Holiday(date=DAY, name="Uji")) or s.flush(),
    lambda s: s.execute(insert(Holiday).values(date=DAY, name="Uji", category="manual",
                                               source="admin", active=True)),
    lambda s: s.execute(text("INSERT INTO holiday (date, name, category, source, active) "
                             "VALUES ('2031-03-03', 'Uji', 'manual', 'admin', true)")),
    lambda s: s.execute(select(text("1")).add_cte(
        insert(Holiday).values(date=DAY, name="Uji", category="manual", source="admin",
                               active=True).cte("made"))),
], ids=["orm flush", "core insert", "text", "cte"])
def test_a_transaction_that_wrote_is_still_rolled_back(engine, write):
    with Session(engine) as session:
        session.execute(select(Holiday.id)).all()  # a read first: the transaction started clean
        write(session)
    assert _holidays(engine) == 0


def test_a_failed_transaction_is_rolled_back(engine):
    with Session(engine) as session:
        session.execute(select(Holiday.id)).all()
        with pytest.raises(Exception, match="division by zero"):
            session.execute(select(text("1/0"))).all()
    with Session(engine) as session:
        assert session.execute(select(text("1"))).scalar() == 1


def test_prepared_statements_are_planned_for_their_values(engine):
    """No generic plan: a search term's own selectivity picks the plan, every time."""
    with engine.connect() as conn:
        assert conn.execute(text("SHOW plan_cache_mode")).scalar() == "force_custom_plan"


def test_behind_a_transaction_pooler_nothing_is_prepared(app):
    """IKU_PG_PREPARE=false: psycopg prepares nothing, however often a statement runs."""
    plain = create_engine(URL, pool_size=1, max_overflow=0)
    read_transactions.install(plain, prepare=False)
    try:
        for _ in range(8):
            with plain.connect() as conn:
                conn.execute(select(Holiday.name).where(Holiday.date == DAY)).all()
                conn.commit()
        assert _prepared(plain) == 0
    finally:
        plain.dispose()
