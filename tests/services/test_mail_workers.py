"""Two mail workers on PostgreSQL deliver 500 messages with no duplicate.

The workers are threads with their own sessions on their own connections, outside the test's
rolled-back transaction: rows are really committed (and deleted afterwards), so the claims
really contend (FOR UPDATE SKIP LOCKED). PostgreSQL only: SQLite has a single writer anyway.
"""

from __future__ import annotations

import os
import threading

import pytest
from sqlalchemy import create_engine, delete, func, select
from sqlalchemy.orm import sessionmaker

from app.models.mail import MailStatus, OutboundMail
from app.services import mail
from tests.smtp_support import smtp_fixture  # noqa: F401

URL = os.environ.get("TEST_DATABASE_URL", "")
pytestmark = pytest.mark.skipif(not URL.startswith("postgresql"), reason="PostgreSQL only")


def test_two_workers_deliver_500_messages_once_each(app, smtp, monkeypatch):
    engine = create_engine(URL, pool_size=4)
    make = sessionmaker(bind=engine, expire_on_commit=True)
    monkeypatch.setitem(app.config, "IKU_MAIL_BATCH", 20)  # small claims: the workers interleave
    try:
        with make() as session:
            for n in range(500):
                mail.queue(session, f"penerima{n}@iku.test", f"Paralel {n}", "Isi")
            session.commit()
        sent = {}
        errors = []

        def worker(name):
            try:
                with app.app_context(), make() as session:
                    sent[name] = mail.work(session, once=True).sent
            except Exception as exc:  # noqa: BLE001  (reported by the assertion below)
                errors.append(exc)

        threads = [threading.Thread(target=worker, args=(n,)) for n in ("a", "b")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        assert not errors
        assert sent["a"] + sent["b"] == 500 and sent["a"] > 0 and sent["b"] > 0
        ids = smtp.handler.message_ids()
        assert len(ids) == 500 and len(set(ids)) == 500
        with make() as session:
            assert session.scalar(select(func.count()).select_from(OutboundMail).where(
                OutboundMail.status == MailStatus.SENT)) == 500
    finally:
        with make() as session:
            session.execute(delete(OutboundMail).where(OutboundMail.subject.like("Paralel %")))
            session.commit()
        engine.dispose()
