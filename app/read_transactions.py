"""A transaction that only read ends with COMMIT, so that PostgreSQL keeps its query plans.

psycopg prepares a statement on the server once a connection has run it five times, and then
PostgreSQL parses and plans it no more: the ~0.3-0.7 ms of planning a list's SELECT with its
joins is gone. But psycopg forgets every prepared statement on ROLLBACK (a rolled-back
transaction may have dropped what a plan refers to), and every request ends with one:
Flask-SQLAlchemy closes the session, which rolls back. So no statement was ever prepared,
and every request planned each of its statements again (bench/README.md).

For a transaction that ran nothing but SELECTs, COMMIT and ROLLBACK end it alike: no row
changes either way, locks and snapshot are released either way. When SQLAlchemy is about to
roll back such a transaction, it is committed first, and the rollback then finds no
transaction to end. Any other statement (an INSERT, UPDATE or DELETE, text SQL, a SELECT that
names one of them, e.g. a data-modifying CTE or FOR UPDATE) marks the transaction as
written, and it is rolled back as before; so is a failed one.
"""

from __future__ import annotations

import functools
import re

from sqlalchemy import event
from sqlalchemy.sql import Select
from sqlalchemy.sql.selectable import CompoundSelect

WROTE = "iku_wrote"
_WRITING_WORDS = re.compile(r"\b(?:INSERT|UPDATE|DELETE|MERGE|INTO|CALL|COPY|LOCK)\b")


@functools.lru_cache(maxsize=2048)
def _only_reads(sql: str) -> bool:
    """The SQL of a compiled SELECT names no writing keyword (uppercase: SQLAlchemy's own;
    a lowercase column such as updated_at is not one). A false alarm only means a rollback."""
    return _WRITING_WORDS.search(sql) is None


def install(engine) -> None:
    """On PostgreSQL through psycopg only: other drivers keep their prepared statements or
    have none to keep."""
    if engine.dialect.name != "postgresql" or engine.dialect.driver != "psycopg":
        return

    @event.listens_for(engine, "begin")
    def _begin(connection):
        connection.info[WROTE] = False

    @event.listens_for(engine, "before_cursor_execute")
    def _before(connection, _cursor, statement, _parameters, context, _many):
        compiled = getattr(context, "compiled", None)
        reads = (compiled is not None
                 and isinstance(compiled.statement, (Select, CompoundSelect))
                 and _only_reads(statement))
        if not reads:
            connection.info[WROTE] = True

    @event.listens_for(engine, "rollback")
    def _rollback(connection):
        if connection.info.get(WROTE, True):
            return
        dbapi_connection = connection.connection.dbapi_connection
        from psycopg.pq import TransactionStatus

        if dbapi_connection.pgconn.transaction_status == TransactionStatus.INTRANS:
            dbapi_connection.commit()
