"""What people read about mail: a document's deliveries, an admin's resend, the local mailbox.

The local mailbox is the maildir the development SMTP sink writes (`make run` starts
`python -m aiosmtpd ... -c aiosmtpd.handlers.Mailbox <dir>`), so a new user sees what the app
sent without a real mail server.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import mailbox
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.models.mail import MailStatus, OutboundMail
from app.services import audit
from app.services.mail.outbox import MailError, utcnow


class MailStateError(MailError):
    """Only a failed email can be resent."""


def document_deliveries(session: Session, document_id: int) -> list[OutboundMail]:
    """Every email that dispatched this document, oldest first (the document page's table)."""
    return list(session.scalars(select(OutboundMail).where(OutboundMail.document_id == document_id)
                                .order_by(OutboundMail.id)))


def resend(session: Session, user, mail_ids: list[int]) -> int:
    """Put failed emails back in the queue (fresh attempts, due now); commits. The email keeps
    its Message-ID: it is the same message, tried again."""
    mails = session.scalars(select(OutboundMail).where(OutboundMail.id.in_(mail_ids))).all()
    bad = [m for m in mails if m.status != MailStatus.FAILED]
    if not mails or bad:
        session.rollback()
        raise MailStateError("Hanya email yang gagal terkirim yang dapat dikirim ulang.")
    session.execute(update(OutboundMail).where(OutboundMail.id.in_([m.id for m in mails]))
                    .values(status=MailStatus.QUEUED, attempts=0, next_attempt_at=utcnow(),
                            lease_until=None, claim_token=None)
                    .execution_options(synchronize_session="fetch"))
    for mail in mails:
        audit.log_event(session, "mail_resend", "OutboundMail", mail.id,
                        {"subject": mail.subject, "to": mail.to_addrs})
    session.commit()
    return len(mails)


SUMMARY_LIMIT = 1_000  # the outbox keeps every email sent: a count stops here ("> 1000")


def queue_summary(session: Session) -> dict:
    """Counts per status and the newest error of a queued email: why mail is not leaving.
    Each count reads the status index up to SUMMARY_LIMIT + 1 rows (`capped` names the
    statuses past it): grouping a year's 200,000 sent emails was most of the outbox page.
    One SELECT of subqueries, not a statement per status (five round trips a page)."""
    def capped_count(status: MailStatus):
        found = select(OutboundMail.id).where(OutboundMail.status == status)
        return select(func.count()).select_from(
            found.limit(SUMMARY_LIMIT + 1).subquery()).scalar_subquery().label(status.value)

    waiting = (select(OutboundMail.last_error)
               .where(OutboundMail.status == MailStatus.QUEUED,
                      OutboundMail.last_error.is_not(None))
               .order_by(OutboundMail.next_attempt_at.desc()).limit(1).scalar_subquery())
    row = session.execute(select(*(capped_count(status) for status in MailStatus),
                                 waiting.label("waiting_error"))).one()
    counts, capped = {}, set()
    for status in MailStatus:
        found = row._mapping[status.value]
        counts[status.value] = min(found, SUMMARY_LIMIT)
        if found > SUMMARY_LIMIT:
            capped.add(status.value)
    return {"counts": counts, "capped": capped, "waiting_error": row.waiting_error}


@dataclass(frozen=True)
class SinkMessage:
    key: str
    subject: str
    sender: str
    to: str
    cc: str
    date: dt.datetime | None
    message_id: str
    attachments: list[str]
    text: str


def sink_dir() -> Path | None:
    configured = current_app.config.get("IKU_MAIL_SINK_DIR") or ""
    return Path(configured) if configured else None


def _parse(key: str, raw: bytes) -> SinkMessage:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    body = msg.get_body(preferencelist=("plain",))
    try:
        date = parsedate_to_datetime(msg["Date"]) if msg["Date"] else None
    except (TypeError, ValueError):
        date = None
    return SinkMessage(key, str(msg["Subject"] or ""), str(msg["From"] or ""),
                       str(msg["To"] or ""), str(msg["Cc"] or ""), date,
                       str(msg["Message-ID"] or ""),
                       [part.get_filename() or "-" for part in msg.iter_attachments()],
                       body.get_content() if body is not None else "")


def sink_messages(query: str = "", page: int = 0, page_size: int = 25
                  ) -> tuple[list[SinkMessage], int]:
    """The local mailbox's messages, newest first, filtered by a text in subject/from/to."""
    folder = sink_dir()
    if folder is None or not folder.exists():
        return [], 0
    box = mailbox.Maildir(folder, create=False)
    found = []
    for key in box.iterkeys():
        try:
            found.append(_parse(key, box.get_bytes(key)))
        except (KeyError, OSError):
            continue
    needle = (query or "").casefold().strip()
    if needle:
        found = [m for m in found if needle in f"{m.subject} {m.sender} {m.to} {m.cc}".casefold()]
    found.sort(key=lambda m: m.date or dt.datetime.min.replace(tzinfo=dt.UTC), reverse=True)
    return found[page * page_size:(page + 1) * page_size], len(found)


def sink_message(key: str) -> SinkMessage | None:
    folder = sink_dir()
    if folder is None or not folder.exists():
        return None
    try:
        return _parse(key, mailbox.Maildir(folder, create=False).get_bytes(key))
    except (KeyError, OSError):
        return None
