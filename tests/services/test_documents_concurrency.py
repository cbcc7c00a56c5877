"""Number allocation under concurrency, on PostgreSQL with real connections and threads: 8
workers, each with its own session, allocate numbers of one series at once, some of them
rolling back; the committed numbers have no duplicate and no gap."""

from __future__ import annotations

import os
import threading

import pytest
from sqlalchemy import create_engine, delete
from sqlalchemy.orm import sessionmaker

from app.models.documents import NumberSequence
from app.services.documents import allocate_number

URL = os.environ.get("TEST_DATABASE_URL", "")
pytestmark = pytest.mark.skipif(not URL.startswith("postgresql"), reason="needs PostgreSQL")
SERIES = "uji/konkuren"
WORKERS, EACH = 8, 15


def test_eight_threads_allocate_without_duplicate_or_gap(app):
    engine = create_engine(URL, pool_size=WORKERS + 2)
    factory = sessionmaker(engine)
    barrier = threading.Barrier(WORKERS)
    committed: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(index: int) -> None:
        try:
            barrier.wait()
            for round_ in range(EACH):
                with factory() as session:
                    number = allocate_number(session, SERIES, 2027)
                    if (index + round_) % 4 == 0:  # a finalisation that fails: given back
                        session.rollback()
                        continue
                    session.commit()
                    with lock:
                        committed.append(number)
        except BaseException as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(WORKERS)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert not errors, errors
        assert len(committed) == len(set(committed)), "duplicate number"
        assert sorted(committed) == list(range(1, len(committed) + 1)), "gap in the numbers"
        assert len(committed) == sum(1 for i in range(WORKERS) for r in range(EACH)
                                     if (i + r) % 4)
    finally:
        with engine.begin() as conn:
            conn.execute(delete(NumberSequence.__table__).where(
                NumberSequence.__table__.c.series == SERIES))
        engine.dispose()
