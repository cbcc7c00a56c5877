"""A transaction that only read ends with COMMIT, so that psycopg keeps its prepared statements.

psycopg prepares a statement on the server once a connection has run it five times; PostgreSQL
then no longer parses and rewrites it. But psycopg forgets every prepared statement on
ROLLBACK (a rolled-back transaction may have dropped what they refer to), and every request
ended with one: Flask-SQLAlchemy closes the session, which rolls back. No statement was ever
prepared, and each was parsed again on every request.

For a transaction that ran nothing but SELECTs, COMMIT and ROLLBACK end it alike: no row
changes either way, locks and snapshot are released either way. When SQLAlchemy is about to
roll back such a transaction, it is committed first, and the rollback then finds no
transaction to end. Any other statement (an INSERT, UPDATE or DELETE, text SQL, a SELECT that
names one of them, e.g. a data-modifying CTE or FOR UPDATE) marks the transaction as
written, and it is rolled back as before; so is a failed one.

A prepared statement is still planned for its parameters' values (plan_cache_mode =
force_custom_plan): after five executions PostgreSQL would otherwise try one generic plan,
blind to the values; a title search matching 40,000 work items then took 130 ms instead of 2
(the trigram index chosen as if the term were rare), and the SLA board's scans of completed
steps half as long again. Measured in bench/README.md ("Fourth step").
"""

from __future__ import annotations

import functools
import re

from psycopg.pq import TransactionStatus
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


def install(engine, prepare: bool = True) -> None:
    """On PostgreSQL through psycopg only: other drivers keep their prepared statements or
    have none to keep. `prepare` False (IKU_PG_PREPARE): psycopg never prepares, for a pooler
    that hands each transaction another server connection and cannot follow named prepared
    statements (PgBouncer in transaction mode without max_prepared_statements)."""
    if engine.dialect.name != "postgresql" or engine.dialect.driver != "psycopg":
        return

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        if not prepare:
            dbapi_connection.prepare_threshold = None
            return
        dbapi_connection.execute("SET plan_cache_mode = force_custom_plan")
        dbapi_connection.commit()  # kept by the pool's rollback, as app/__init__.py's jit

    if not prepare:
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
        if dbapi_connection.pgconn.transaction_status == TransactionStatus.INTRANS:
            dbapi_connection.commit()
