"""The outbox: every email the application sends is first a row here.

A row is written in the same transaction as the action that caused it (dispatching a
memorandum, a reminder, a returned item): if the action rolls back the email never existed; if
it commits, a worker (`flask iku mail-worker`, app.services.mail.delivery) delivers it later and
retries until the mail server takes it or refuses it for good. Bodies are rendered when queued,
so what is sent is exactly what the person previewed; attachments are references to archived
files (a DocumentVersion's DOCX or PDF, or any content-addressed stored file) and are re-read
and re-hashed at sending time, so an email can only carry the archived bytes.

Life of a row: queued -> sending (claimed by one worker, under a lease) -> sent (Message-ID,
time) | failed (the server's answer). A temporary failure puts it back to queued with a later
`next_attempt_at`; a worker killed mid-send leaves it `sending` with an expired lease, which any
worker claims again.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from flask_appbuilder import Model
from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.cycles import Cycle, WorkItem
from app.models.documents import Document, DocumentVersion
from app.models.org import IkuUser, OrgUnit


class MailStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class OutboundMail(Model):
    """One email: recipients, subject and both bodies as rendered, what it is about (document,
    cycle, work item, unit) and its delivery state.

    `message_id` is fixed when queued, so a message sent twice after a crash carries the same
    Message-ID and a receiving server or reader can tell it is one message. `dedupe_key` (unique)
    makes "at most once" notices (a reminder per person, item and status) a database rule rather
    than a check that two concurrent scans could both pass. `lease_until` bounds a claim: past
    it, a `sending` row belongs to nobody and is taken again."""

    __tablename__ = "outbound_mail"
    __table_args__ = (
        Index("ix_outbound_mail_due", "status", "next_attempt_at"),
        Index("ix_outbound_mail_document", "document_id"),
        Index("ix_outbound_mail_created", "created_at"),  # the outbox lists newest first
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), default="notice")  # the template's name
    to_addrs: Mapped[list[str]] = mapped_column(JSON)
    cc_addrs: Mapped[list[str]] = mapped_column(JSON, default=list)
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=MailStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTime)
    lease_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    claim_token: Mapped[str | None] = mapped_column(String(40), index=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    created_by: Mapped[IkuUser | None] = relationship(foreign_keys=[created_by_id])
    recipient_user_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    recipient_user: Mapped[IkuUser | None] = relationship(foreign_keys=[recipient_user_id])
    recipient_label: Mapped[str | None] = mapped_column(String(300))
    document_id: Mapped[int | None] = mapped_column(
        ForeignKey("document.id", ondelete="SET NULL"))
    document: Mapped[Document | None] = relationship()
    cycle_id: Mapped[int | None] = mapped_column(ForeignKey("cycle.id", ondelete="SET NULL"))
    cycle: Mapped[Cycle | None] = relationship()
    work_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("work_item.id", ondelete="SET NULL"))
    work_item: Mapped[WorkItem | None] = relationship()
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    org_unit: Mapped[OrgUnit | None] = relationship()

    attachments: Mapped[list[MailAttachment]] = relationship(
        back_populates="mail", order_by="MailAttachment.id", cascade="all, delete-orphan")

    def __str__(self) -> str:
        return self.subject


class MailAttachment(Model):
    """A file an email carries, by reference: a document version (its DOCX, or its PDF with
    `file_format` "pdf") or a content-addressed stored file (`file_path`). `sha256` is the hash
    of the archived bytes when queued; delivery refuses bytes that no longer match it."""

    __tablename__ = "mail_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    mail_id: Mapped[int] = mapped_column(
        ForeignKey("outbound_mail.id", ondelete="CASCADE"), index=True)
    mail: Mapped[OutboundMail] = relationship(back_populates="attachments")
    document_version_id: Mapped[int | None] = mapped_column(ForeignKey("document_version.id"))
    document_version: Mapped[DocumentVersion | None] = relationship()
    file_format: Mapped[str] = mapped_column(String(10))  # docx | pdf
    file_path: Mapped[str] = mapped_column(String(300))
    filename: Mapped[str] = mapped_column(String(255))
    mimetype: Mapped[str] = mapped_column(String(120))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)

    def __str__(self) -> str:
        return self.filename
