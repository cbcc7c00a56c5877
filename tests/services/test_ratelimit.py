"""The rate-limit storage in an SQL database (app/services/ratelimit.py): fixed windows that
count atomically across processes, on SQLite (make run's default) and PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid

import pytest
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy.engine import make_url

import app.services.ratelimit  # noqa: F401  (registers the db+ schemes)
from tests.conftest import _recreate_postgres_database

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _uris(tmp_path) -> list[str]:
    uris = [f"db+sqlite:///{tmp_path / 'ratelimit.db'}"]
    url = os.environ.get("TEST_DATABASE_URL", "")
    if url.startswith("postgresql"):
        # A database of its own: the store creates its table where it is pointed, and the
        # app's test database must keep exactly the migrations' schema.
        own = make_url(url).set(database=f"{make_url(url).database}_ratelimit")
        _recreate_postgres_database(own.render_as_string(hide_password=False))
        uris.append("db+" + own.render_as_string(hide_password=False))
    return uris


@pytest.fixture(params=["sqlite", "postgresql"])
def uri(request, tmp_path):
    uris = {u.split(":")[0].split("+")[1]: u for u in _uris(tmp_path)}
    if request.param not in uris:
        pytest.skip("PostgreSQL only with TEST_DATABASE_URL")
    return uris[request.param]


def test_a_window_counts_then_starts_again_when_it_expires(uri):
    storage = storage_from_string(uri)
    key = f"test-{uuid.uuid4().hex}"
    assert storage.check()
    assert [storage.incr(key, 1) for _ in range(3)] == [1, 2, 3]
    assert storage.get(key) == 3 and time.time() < storage.get_expiry(key) <= time.time() + 1
    time.sleep(1.1)
    assert storage.get(key) == 0
    assert storage.incr(key, 60, amount=2) == 2
    storage.clear(key)
    assert storage.get(key) == 0


def test_flask_limiters_strategy_refuses_past_the_limit(uri):
    limiter = FixedWindowRateLimiter(storage_from_string(uri))
    limit, who = parse("3 per minute"), uuid.uuid4().hex
    assert [limiter.hit(limit, who) for _ in range(5)] == [True, True, True, False, False]


_COUNT_IN_ANOTHER_PROCESS = """
import sys
import app.services.ratelimit
from limits.storage import storage_from_string
storage = storage_from_string(sys.argv[1])
for _ in range(int(sys.argv[3])):
    storage.incr(sys.argv[2], 60)
"""


def test_two_processes_counting_at_once_lose_no_hit(uri):
    key, each = f"test-{uuid.uuid4().hex}", 40
    other = subprocess.Popen([sys.executable, "-c", _COUNT_IN_ANOTHER_PROCESS, uri, key,
                              str(each)], cwd=ROOT, env={**os.environ, "PYTHONPATH": ROOT})
    storage = storage_from_string(uri)
    for _ in range(each):
        storage.incr(key, 60)
    assert other.wait(timeout=60) == 0
    assert storage.get(key) == 2 * each
