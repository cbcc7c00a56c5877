"""On PostgreSQL, reads run outside a transaction; the first write opens one.

Every page and API answer paid two round trips to the server for nothing when it only read:
BEGIN before its first statement and ROLLBACK (Flask-SQLAlchemy closing the session) at its
end; with the pool's ping and the account's state row, that was two of a REST answer's five.
Under READ COMMITTED, PostgreSQL's default and the app's, every statement takes its own
snapshot whether or not it runs inside a transaction, so a SELECT run on its own sees what it
would have seen inside one. A transaction therefore starts in psycopg's autocommit mode; just
before its first statement that is not a plain SELECT (INSERT, UPDATE, DELETE, DDL, SAVEPOINT,
text SQL, a SELECT that names a write or takes a lock: FOR UPDATE, a data-modifying CTE, a
function with side effects; a server-side cursor, which lives in a transaction) it leaves
autocommit, psycopg sends BEGIN before that statement, and from there on everything up to
COMMIT or ROLLBACK is one transaction, as before. What a transaction must hold together, its
writes and its locks, is inside it. SQLAlchemy's own transaction (its events, the session's
commit and rollback) is unchanged; psycopg's commit and rollback do nothing when no
transaction is open.

This also keeps psycopg's prepared statements: it prepares a statement on the server once a
connection has run it five times, so PostgreSQL no longer parses and rewrites it, and it
forgets them all on ROLLBACK (a rolled-back transaction may have dropped what they refer to);
every request used to end with one. A prepared statement is still planned for its parameters'
values (plan_cache_mode = force_custom_plan): after five executions PostgreSQL would otherwise
try one generic plan, blind to the values; a title search matching 40,000 work items then took
130 ms instead of 2 (the trigram index chosen as if the term were rare). Measured in
bench/README.md ("Fourth step", "Sixth step").
"""

from __future__ import annotations

import functools
import re

from psycopg import ServerCursor
from psycopg.pq import TransactionStatus
from sqlalchemy import event
from sqlalchemy.sql import Select
from sqlalchemy.sql.selectable import CompoundSelect

_WRITING_WORDS = re.compile(
    r"\b(?:INSERT|UPDATE|DELETE|MERGE|INTO|CALL|COPY|LOCK"
    r"|pg_advisory_\w*|set_config|nextval|setval|pg_notify|txid_current\w*|pg_current_xact_id)\b")


@functools.lru_cache(maxsize=2048)
def _only_reads(sql: str) -> bool:
    """The SQL of a compiled SELECT names no writing keyword (uppercase: SQLAlchemy's own; a
    lowercase column such as updated_at is not one) and calls no function whose effect a
    transaction must hold (an advisory lock, a setting, a sequence). A false alarm only
    costs a BEGIN."""
    return _WRITING_WORDS.search(sql) is None


def _reads(cursor, statement: str, context) -> bool:
    compiled = getattr(context, "compiled", None)
    return (compiled is not None
            and isinstance(compiled.statement, (Select, CompoundSelect))
            and not isinstance(cursor, ServerCursor)
            and _only_reads(statement))


def install(engine, prepare: bool = True) -> None:
    """On PostgreSQL through psycopg only: SQLite keeps its own BEGIN (app/__init__.py).
    `prepare` False (IKU_PG_PREPARE): psycopg never prepares, for a pooler that hands each
    transaction another server connection and cannot follow named prepared statements
    (PgBouncer in transaction mode without max_prepared_statements)."""
    if engine.dialect.name != "postgresql" or engine.dialect.driver != "psycopg":
        return

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        if not prepare:
            dbapi_connection.prepare_threshold = None
            return
        dbapi_connection.execute("SET plan_cache_mode = force_custom_plan")
        dbapi_connection.commit()  # kept by the pool's rollback, as app/__init__.py's jit

    @event.listens_for(engine, "begin")
    def _begin(connection):
        """Marks the connections this module switched: one whose user asked for autocommit
        (`isolation_level="AUTOCOMMIT"`: VACUUM, CREATE INDEX CONCURRENTLY) stays in it for
        every statement, or VACUUM would be sent inside the BEGIN it refuses."""
        fairy = connection.connection
        dbapi_connection = fairy.dbapi_connection
        ours = (connection.get_execution_options().get("isolation_level") != "AUTOCOMMIT"
                and dbapi_connection.pgconn.transaction_status == TransactionStatus.IDLE)
        fairy.info["iku_reads"] = ours
        if ours and not dbapi_connection.autocommit:
            dbapi_connection.autocommit = True

    @event.listens_for(engine, "before_cursor_execute")
    def _before(connection, cursor, statement, _parameters, context, _many):
        dbapi_connection = cursor.connection
        if dbapi_connection.autocommit and connection.connection.info.get("iku_reads") \
                and not _reads(cursor, statement, context):
            dbapi_connection.autocommit = False
