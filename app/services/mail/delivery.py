"""Deliver the outbox: claim due rows, send them on one SMTP connection, record each outcome.

Guarantee: at-least-once, with an idempotent claim. A row is claimed by exactly one worker
(PostgreSQL: SELECT ... FOR UPDATE SKIP LOCKED, then a conditional UPDATE that re-checks the
row is still due; SQLite: the same conditional UPDATE, which SQLite's single writer makes
atomic), under a lease. Outcomes are committed in small groups (IKU_MAIL_COMMIT_EVERY) as the
server answers, so a message is sent twice only if a worker dies between the server's "250 OK"
and the commit of its group; the lease then expires and another worker sends it again, with
the same Message-ID.

Failures: no connection, a timeout, a dropped connection or a 4xx answer are temporary (back to
queued, retried with exponential backoff, without limit); a 5xx answer is permanent and the
message ends failed with the server's words once it has had IKU_MAIL_MAX_ATTEMPTS tries.
"""

from __future__ import annotations

import datetime as dt
import smtplib
import time
import uuid
from dataclasses import dataclass, field

from flask import current_app
from flask_mail import Connection, Message
from sqlalchemy import DateTime, and_, bindparam, func, or_, select, update
from sqlalchemy.orm import Session, selectinload

from app.models.mail import MailStatus, OutboundMail
from app.services.documents import storage
from app.services.documents.errors import DocumentNotFoundError
from app.services.mail.outbox import utcnow


@dataclass
class DeliveryResult:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Outgoing:
    """A claimed row as plain values: sending must not reload rows after each commit."""

    id: int
    attempts: int
    message_id: str
    to: list[str]
    cc: list[str]
    subject: str
    text: str
    html: str | None
    files: list[tuple[str, str, str, str]]  # path, filename, mimetype, sha256


class _PermanentError(Exception):
    """This message can never be sent as it is (a 5xx answer, an altered attachment)."""


class SmtpConnection(Connection):
    """Flask-Mail's connection with a socket timeout: without one, a silent server would hang
    the worker forever instead of being a temporary failure."""

    def configure_host(self):
        timeout = float(current_app.config.get("IKU_MAIL_TIMEOUT_SECONDS") or 30)
        factory = smtplib.SMTP_SSL if self.mail.use_ssl else smtplib.SMTP
        host = factory(self.mail.server, self.mail.port, timeout=timeout)
        if self.mail.use_tls:
            host.starttls()
        if self.mail.username and self.mail.password:
            host.login(self.mail.username, self.mail.password)
        return host


def _config(name: str, default: int) -> int:
    return int(current_app.config.get(name) or default)


def backoff(attempts: int) -> dt.timedelta:
    """Wait before the next try: base * 2^(attempts-1), capped."""
    base = _config("IKU_MAIL_RETRY_BASE_SECONDS", 60)
    cap = _config("IKU_MAIL_RETRY_MAX_SECONDS", 3600)
    return dt.timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def _due(now: dt.datetime):
    return or_(and_(OutboundMail.status == MailStatus.QUEUED, OutboundMail.next_attempt_at <= now),
               and_(OutboundMail.status == MailStatus.SENDING, OutboundMail.lease_until < now))


def claim(session: Session, now: dt.datetime, batch: int) -> list[_Outgoing]:
    """Take up to `batch` due rows for this worker and commit the claim."""
    query = select(OutboundMail.id).where(_due(now)).order_by(
        OutboundMail.next_attempt_at, OutboundMail.id).limit(batch)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = session.scalars(query).all()
    if not ids:
        session.commit()
        return []
    token = uuid.uuid4().hex
    lease = dt.timedelta(seconds=_config("IKU_MAIL_LEASE_SECONDS", 300))
    session.execute(
        update(OutboundMail).where(OutboundMail.id.in_(ids), _due(now))
        .values(status=MailStatus.SENDING, claim_token=token, lease_until=now + lease,
                attempts=OutboundMail.attempts + 1)
        .execution_options(synchronize_session=False))
    session.commit()
    rows = session.scalars(
        select(OutboundMail).where(OutboundMail.claim_token == token,
                                   OutboundMail.status == MailStatus.SENDING)
        .options(selectinload(OutboundMail.attachments)).order_by(OutboundMail.id)).all()
    claimed = [_Outgoing(r.id, r.attempts, r.message_id, list(r.to_addrs), list(r.cc_addrs or []),
                         r.subject, r.body_text, r.body_html,
                         [(a.file_path, a.filename, a.mimetype, a.sha256) for a in r.attachments])
               for r in rows]
    session.commit()
    return claimed


def build_message(out: _Outgoing) -> Message:
    """The Flask-Mail message; the sender is configuration only, attachments re-hashed."""
    message = Message(subject=out.subject, recipients=out.to, cc=out.cc, body=out.text,
                      html=out.html, sender=current_app.config["MAIL_DEFAULT_SENDER"])
    message.msgId = out.message_id
    for path, filename, mimetype, digest in out.files:
        try:
            data = storage.read(path)
        except DocumentNotFoundError as exc:
            raise _PermanentError(f"Lampiran {filename}: {exc}") from None
        if storage.sha256(data) != digest:
            raise _PermanentError(f"Lampiran {filename} tidak sama dengan arsipnya.")
        message.attach(filename, mimetype, data)
    return message


def _answer(exc: Exception) -> tuple[int | None, str]:
    """The SMTP code and text of a refusal (the first refused recipient's, if several)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused) and exc.recipients:
        address, (code, text) = next(iter(exc.recipients.items()))
        return code, f"{address}: {code} {_text(text)}"
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code, f"{exc.smtp_code} {_text(exc.smtp_error)}"
    return None, f"{type(exc).__name__}: {exc}"


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


_T = OutboundMail.__table__
_OUTCOME = (update(_T).where(_T.c.id == bindparam("b_id"))
            .values(status=bindparam("b_status"), sent_at=bindparam("b_sent_at"),
                    last_error=bindparam("b_error"), claim_token=None, lease_until=None,
                    next_attempt_at=func.coalesce(bindparam("b_next", type_=DateTime),
                                                  _T.c.next_attempt_at)))


class Recorder:
    """Writes the outcomes, IKU_MAIL_COMMIT_EVERY at a time in one statement and commit: the
    window in which a crash makes a message go out twice is that many messages wide."""

    def __init__(self, session: Session, now: dt.datetime, result: DeliveryResult):
        self.session, self.now, self.result = session, now, result
        self.max_attempts = _config("IKU_MAIL_MAX_ATTEMPTS", 3)
        self.every = max(1, _config("IKU_MAIL_COMMIT_EVERY", 10))
        self.pending: list[dict] = []

    def _write(self, mail_id: int, status: str, *, sent_at=None, last_error=None,
               next_attempt_at=None) -> None:
        self.pending.append({"b_id": mail_id, "b_status": status, "b_sent_at": sent_at,
                             "b_error": last_error, "b_next": next_attempt_at})
        if len(self.pending) >= self.every:
            self.flush()

    def flush(self) -> None:
        """One executemany of a fixed statement (no per-row ORM work), then commit."""
        if self.pending:
            self.session.execute(_OUTCOME, self.pending)
            self.session.commit()
            self.pending = []

    def sent(self, out: _Outgoing) -> None:
        self.result.sent += 1
        self._write(out.id, status=MailStatus.SENT, sent_at=utcnow(), last_error=None)

    def temporary(self, out: _Outgoing, error: str) -> None:
        self.result.retried += 1
        self.result.errors.append(error)
        self._write(out.id, status=MailStatus.QUEUED, last_error=error[:2000],
                    next_attempt_at=self.now + backoff(out.attempts))

    def permanent(self, out: _Outgoing, error: str) -> None:
        if out.attempts < self.max_attempts:
            return self.temporary(out, error)
        self.result.failed += 1
        self.result.errors.append(error)
        self._write(out.id, status=MailStatus.FAILED, last_error=error[:2000])


def deliver(session: Session, *, batch: int | None = None,
            now: dt.datetime | None = None) -> DeliveryResult:
    """One round: claim a batch of due messages and send them on one connection."""
    now = (now.astimezone(dt.UTC).replace(tzinfo=None) if now is not None and now.tzinfo
           else now or utcnow())
    result = DeliveryResult()
    claimed = claim(session, now, batch or _config("IKU_MAIL_BATCH", 100))
    result.claimed = len(claimed)
    if not claimed:
        return result
    record = Recorder(session, now, result)
    pending = list(claimed)
    try:
        with SmtpConnection(current_app.extensions["mail"]) as connection:
            while pending:
                out = pending[0]
                try:
                    connection.send(build_message(out))
                except _PermanentError as exc:
                    record.permanent(out, str(exc))
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException) as exc:
                    code, text = _answer(exc)
                    if code is not None and 500 <= code < 600:
                        record.permanent(out, text)
                    else:
                        record.temporary(out, text)
                    if code == 421:  # the server closes the session: stop this round
                        pending.pop(0)
                        break
                else:
                    record.sent(out)
                pending.pop(0)
    except (OSError, smtplib.SMTPException) as exc:
        _code, text = _answer(exc)
        if pending:
            record.temporary(pending.pop(0), text)
    for out in pending:  # connection lost or closed: the rest waits for the next round
        record.temporary(out, result.errors[-1] if result.errors else "koneksi terputus")
    record.flush()
    return result


def work(session: Session, *, once: bool = False, poll_seconds: float = 5.0,
         should_stop=lambda: False, log=lambda _text: None) -> DeliveryResult:
    """The worker loop (`flask iku mail-worker`): deliver until stopped; with `once`, until
    nothing is due. A database hiccup (SQLite busy, a dropped connection) waits a round."""
    total = DeliveryResult()
    while not should_stop():
        try:
            result = deliver(session)
        except Exception as exc:  # the worker must outlive any one round
            session.rollback()
            log(f"mail-worker: {type(exc).__name__}: {exc}")
            if once:
                raise
            _nap(poll_seconds, should_stop)
            continue
        for name in ("claimed", "sent", "retried", "failed"):
            setattr(total, name, getattr(total, name) + getattr(result, name))
        if result.sent or result.failed or result.retried:
            log(f"mail-worker: {result.sent} sent, {result.retried} to retry, "
                f"{result.failed} failed")
        if not result.claimed:
            if once:
                break
            _nap(poll_seconds, should_stop)
    return total


def _nap(seconds: float, should_stop) -> None:
    """Wait, but notice a stop request within a fraction of a second."""
    end = time.monotonic() + seconds
    while not should_stop() and time.monotonic() < end:
        time.sleep(min(0.2, max(0.0, end - time.monotonic())))
