"""On PostgreSQL, reads run outside a transaction and the first write opens one
(app/read_transactions.py): no BEGIN and no ROLLBACK for a request that only read, psycopg keeps
its prepared statements, and whatever a transaction must hold together (its writes, its row and
advisory locks, a server-side cursor) is still inside one."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from psycopg.pq import TransactionStatus
from sqlalchemy import create_engine, delete, func, insert, select, text
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


def _server_status(session) -> TransactionStatus:
    return session.connection().connection.dbapi_connection.pgconn.transaction_status


def test_reads_open_no_transaction_and_the_first_write_does(engine):
    with Session(engine) as session:
        session.execute(select(Holiday.id)).all()
        session.execute(select(Holiday.name).where(Holiday.date == DAY)).all()
        assert _server_status(session) == TransactionStatus.IDLE  # no BEGIN was sent
        session.add(Holiday(date=DAY, name="Uji"))
        session.flush()
        assert _server_status(session) == TransactionStatus.INTRANS
        session.commit()
    assert _holidays(engine) == 1
    with Session(engine) as session:  # the next transaction reads without one again
        session.execute(select(Holiday.id)).all()
        assert _server_status(session) == TransactionStatus.IDLE


@pytest.mark.parametrize("locking, probe", [
    (lambda s: s.execute(select(Holiday.id).where(Holiday.date == DAY).with_for_update()).all(),
     "SELECT count(*) FROM (SELECT id FROM holiday WHERE date = '2031-03-03' "
     "FOR UPDATE SKIP LOCKED) AS free"),
    (lambda s: s.execute(select(func.pg_advisory_xact_lock(4242))).all(),
     "SELECT count(*) FROM (SELECT 1 WHERE pg_try_advisory_xact_lock(4242)) AS free"),
], ids=["for update", "advisory lock"])
def test_a_lock_is_held_until_the_transaction_ends(engine, locking, probe):
    with Session(engine) as session:
        session.add(Holiday(date=DAY, name="Uji"))
        session.commit()
    other = create_engine(URL, pool_size=1, max_overflow=0)
    try:
        with Session(engine) as session:
            locking(session)
            with other.connect() as conn:
                assert conn.execute(text(probe)).scalar() == 0, "the lock was let go"
        with other.connect() as conn:
            assert conn.execute(text(probe)).scalar() == 1
    finally:
        other.dispose()


def test_a_server_side_cursor_runs_in_a_transaction(engine):
    """yield_per streams through a named cursor, which PostgreSQL declares only inside one."""
    expected = _count_all(engine)
    with Session(engine) as session:
        streamed = session.execute(select(Holiday.id).execution_options(yield_per=2))
        assert len(streamed.all()) == expected > 2


def _count_all(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Holiday)).scalar()


def test_a_connection_asked_for_autocommit_stays_in_it(engine):
    """VACUUM refuses to run inside a transaction: what a caller put in autocommit itself
    (bench/seed_large.py, a migration's CREATE INDEX CONCURRENTLY) gets no BEGIN."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM holiday")
        conn.execute(insert(Holiday).values(date=DAY, name="Uji"))
        status = conn.connection.dbapi_connection.pgconn.transaction_status
    assert status == TransactionStatus.IDLE
    assert _holidays(engine) == 1
    with Session(engine) as session:  # the pool's next user is switched as before
        session.execute(text("SELECT 1"))
        session.execute(delete(Holiday).where(Holiday.date == DAY))
        assert session.connection().connection.dbapi_connection.pgconn.transaction_status \
            == TransactionStatus.INTRANS
    assert _holidays(engine) == 1  # rolled back
