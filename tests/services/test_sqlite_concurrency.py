"""The embedded default (a SQLite file, gunicorn with several workers) under concurrent saves.

Each writer is a thread with its own connection, as each gunicorn worker has: before WAL, a busy
timeout and write transactions that take the lock up front, a deferred transaction that had
read could not upgrade to a write while another held it, and SQLite answered "database is
locked" at once (99 of 200 API edits failed with 8 clients)."""

from __future__ import annotations

import threading

from sqlalchemy import text

from app.extensions import db
from app.models.org import OrgUnit
from tests.conftest import PASSWORD
from tests.secure_app import secure_app

WRITERS, UPDATES = 8, 25


def _token(client) -> dict:
    response = client.post("/api/v1/security/login",
                           json={"username": "admin", "password": PASSWORD, "provider": "db"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return {"Authorization": f"Bearer {response.get_json()['access_token']}"}


def test_concurrent_api_edits_on_a_sqlite_file_all_succeed(tmp_path):
    with secure_app(tmp_path / "iku.db", RATELIMIT_ENABLED=False) as app:
        with app.app_context():
            units = [OrgUnit(code=f"U{n}", name=f"Unit {n}") for n in range(WRITERS)]
            db.session.add_all(units)
            db.session.commit()
            unit_ids = [unit.id for unit in units]
            journal = db.session.execute(text("PRAGMA journal_mode")).scalar()
            db.session.remove()
        assert journal == "wal"
        headers = _token(app.test_client())
        failures: list[str] = []
        start = threading.Barrier(WRITERS)

        def writer(n: int) -> None:
            client = app.test_client()
            start.wait()
            for i in range(UPDATES):
                unit_id = unit_ids[(n + i) % WRITERS]  # writers cross each other's units
                response = client.put(f"/api/v1/org-unit/{unit_id}", headers=headers,
                                      json={"head_name": f"Kepala {n}-{i}"})
                if response.status_code != 200:
                    failures.append(f"{response.status_code} {response.get_data(as_text=True)[:200]}")

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == [], f"{len(failures)} of {WRITERS * UPDATES} failed: {failures[:3]}"
        with app.app_context():
            from app.services import audit

            assert audit.verify_chain(db.session) is None
            assert audit.count_entries(db.session) >= WRITERS * UPDATES
            db.session.remove()
