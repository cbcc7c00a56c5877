"""Rate-limit counters in an SQL database, shared by every worker that opens the same database.

Flask-Limiter's `memory://` store counts per process: with `make run`'s two gunicorn workers a
10-per-minute login limit let ~20 attempts through, and the lockout counter of unknown names
(app.services.access) locked them later than real accounts, which told an attacker which names
exist. Redis shares the counts, but a new machine does not have it; an SQLite file does the same
for every worker on one machine, and a PostgreSQL database for every machine.

Registered with `limits` (the library under Flask-Limiter) for the URI schemes
`db+sqlite:///path` and `db+postgresql+psycopg://...`: whatever follows "db+" is an SQLAlchemy
URL. The counters are a cache, not data: the table is created on first use, outside the
migrations, and a separate file (the default, instance/ratelimit.db) keeps the counters' write
locks away from the application's own SQLite database.
"""

from __future__ import annotations

import os
import random
import time
from pathlib import Path

from limits.storage import Storage
from sqlalchemy import (
    Column,
    Float,
    Integer,
    MetaData,
    Table,
    Text,
    create_engine,
    event,
    text,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

_metadata = MetaData()
_counters = Table(
    "iku_rate_limit",
    _metadata,
    Column("bucket", Text, primary_key=True),
    Column("hits", Integer, nullable=False),
    Column("expires_at", Float, nullable=False),
)

# One statement, atomic on both databases: a fresh window starts when the stored one expired.
_INCREMENT = text(
    "INSERT INTO iku_rate_limit (bucket, hits, expires_at) VALUES (:bucket, :amount, :expires) "
    "ON CONFLICT (bucket) DO UPDATE SET "
    "hits = CASE WHEN iku_rate_limit.expires_at <= :now THEN excluded.hits "
    "ELSE iku_rate_limit.hits + excluded.hits END, "
    "expires_at = CASE WHEN iku_rate_limit.expires_at <= :now THEN excluded.expires_at "
    "ELSE iku_rate_limit.expires_at END "
    "RETURNING hits"
)


class DatabaseStorage(Storage):
    """Fixed-window counters (Flask-Limiter's default strategy) as rows: bucket, hits, expiry."""

    STORAGE_SCHEME = ["db+sqlite", "db+postgresql", "db+postgresql+psycopg"]

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.url = make_url(uri.removeprefix("db+"))
        self._engine = None
        self._pid = None

    @property
    def base_exceptions(self):
        return SQLAlchemyError

    def _connect(self):
        """One engine per process: a pool must not cross gunicorn's fork."""
        if self._engine is None or self._pid != os.getpid():
            self._engine, self._pid = self._create_engine(), os.getpid()
        return self._engine

    def _create_engine(self):
        if self.url.get_backend_name() != "sqlite":
            engine = create_engine(self.url, pool_pre_ping=True)
            _metadata.create_all(engine)
            return engine
        if self.url.database:
            Path(self.url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(self.url, connect_args={"timeout": 10})

        @event.listens_for(engine, "connect")
        def _connect(dbapi_connection, _record):
            # WAL: readers never wait for a writer; BEGIN IMMEDIATE takes the write lock up
            # front, so two workers counting at once queue instead of failing.
            dbapi_connection.isolation_level = None
            dbapi_connection.execute("PRAGMA journal_mode=WAL")

        @event.listens_for(engine, "begin")
        def _begin(connection):
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        _metadata.create_all(engine)
        return engine

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = time.time()
        with self._connect().begin() as connection:
            if random.random() < 0.02:  # noqa: S311  (housekeeping, not security)
                connection.execute(_counters.delete().where(_counters.c.expires_at <= now))
            hits = connection.execute(_INCREMENT, {
                "bucket": key, "amount": amount, "expires": now + expiry, "now": now,
            }).scalar_one()
        return int(hits)

    def _row(self, key: str):
        with self._connect().connect() as connection:
            return connection.execute(
                _counters.select().where(_counters.c.bucket == key,
                                         _counters.c.expires_at > time.time())
            ).first()

    def get(self, key: str) -> int:
        row = self._row(key)
        return int(row.hits) if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        return row.expires_at if row else time.time()

    def clear(self, key: str) -> None:
        with self._connect().begin() as connection:
            connection.execute(_counters.delete().where(_counters.c.bucket == key))

    def reset(self) -> int | None:
        with self._connect().begin() as connection:
            return connection.execute(_counters.delete()).rowcount

    def check(self) -> bool:
        try:
            with self._connect().connect() as connection:
                connection.execute(text("SELECT 1"))
            return True
        except SQLAlchemyError:
            return False
