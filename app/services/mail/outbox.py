"""Queue an email: validate, render, and add the outbox row to the caller's transaction.

Nothing here commits. The row lands when the action that caused it commits, and not at all if
it rolls back: that is the whole point of an outbox (DESIGN.md, principle 4).
"""

from __future__ import annotations

import datetime as dt
import functools
import socket
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from email.utils import make_msgid

from flask import current_app, render_template
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from app.models.documents import DocumentVersion
from app.models.mail import MailAttachment, MailStatus, OutboundMail
from app.services import validation
from app.services.documents import storage

SUBJECT_MAX = 300


class MailError(ValueError):
    """Base of the mail refusals; str(self) is the message for the person."""


class MailAddressInvalidError(MailError):
    """An address email-validator refuses; the message names it."""

    def __init__(self, address: str, reason: str = ""):
        self.address = address
        super().__init__(f"Alamat email tidak valid: {address!r}" + (f" ({reason})" if reason
                                                                      else "") + ".")


class MailContentInvalidError(MailError):
    """No recipient, an empty or multi-line subject, an unknown template or attachment."""


@dataclass(frozen=True)
class FileRef:
    """An attachment by reference: a document version (`version_id`, DOCX or its PDF) or a
    content-addressed stored file (`path` "documents/<sha256>" with its `filename`)."""

    version_id: int | None = None
    file_format: str = "docx"
    path: str | None = None
    filename: str | None = None


@functools.cache
def _host() -> str:
    """The Message-ID's domain: socket.getfqdn() may ask DNS, so once per process."""
    return socket.getfqdn()


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def check_address(address: str) -> str:
    """One address, normalised; the organisation's own domains (IKU_ORG_EMAIL_DOMAINS) pass
    even where email-validator refuses their special-use names."""
    text = (address or "").strip()
    if not text or "\n" in text or "\r" in text or "," in text:
        raise MailAddressInvalidError(text, "kosong atau memuat pemisah")
    try:
        checked = validation.validate_email(text)
    except validation.ValueInvalidError:
        raise MailAddressInvalidError(text) from None
    if not checked:
        raise MailAddressInvalidError(text)
    return checked


def check_subject(subject: str) -> str:
    """A one-line subject: CR/LF (header injection) refused, not silently joined."""
    text = (subject or "").strip()
    if "\r" in text or "\n" in text:
        raise MailContentInvalidError("Subjek email tidak boleh memuat baris baru.")
    if not text:
        raise MailContentInvalidError("Subjek email wajib diisi.")
    if len(text) > SUBJECT_MAX:
        raise MailContentInvalidError(f"Subjek email paling panjang {SUBJECT_MAX} karakter.")
    return text


def _addresses(values: Iterable[str] | str) -> list[str]:
    if isinstance(values, str):
        values = [values]
    return list(dict.fromkeys(check_address(value) for value in values))


def _attachment(session: Session, ref: FileRef) -> MailAttachment:
    if ref.version_id is not None:
        version = session.get(DocumentVersion, ref.version_id)
        if version is None:
            raise MailContentInvalidError("Lampiran tidak ditemukan di arsip.")
        if ref.file_format == "pdf":
            if not version.pdf_path:
                raise MailContentInvalidError("Versi dokumen ini belum mempunyai PDF.")
            stem = version.original_name.rsplit(".", 1)[0]
            return MailAttachment(document_version_id=version.id, file_format="pdf",
                                  file_path=version.pdf_path, filename=f"{stem}.pdf",
                                  mimetype=storage.PDF_MIME, sha256=version.pdf_sha256,
                                  size=version.pdf_size or 0)
        return MailAttachment(document_version_id=version.id, file_format=version.file_format,
                              file_path=version.file_path, filename=version.original_name,
                              mimetype=storage.MIME.get(version.file_format, "application/"
                                                        "octet-stream"),
                              sha256=version.sha256, size=version.size)
    if not ref.path:
        raise MailContentInvalidError("Lampiran tanpa berkas.")
    data = storage.read(ref.path)
    kind = storage.sniff(data) or "bin"
    return MailAttachment(file_format=kind, file_path=ref.path,
                          filename=ref.filename or f"lampiran.{kind}",
                          mimetype=storage.MIME.get(kind, "application/octet-stream"),
                          sha256=storage.sha256(data), size=len(data))


def fold(body: str | None, width: int = 900) -> str | None:
    """Lines of at most `width` characters, broken at spaces: Flask-Mail sends UTF-8 bodies
    unencoded (8bit), and SMTP refuses a line over 998 bytes with a permanent 500."""
    if body is None or all(len(line) <= width for line in body.splitlines()):
        return body
    return "\n".join("\n".join(textwrap.wrap(line, width, break_long_words=False,
                                             break_on_hyphens=False)) if len(line) > width
                     else line for line in body.splitlines())


def queue(session: Session, to: Iterable[str] | str, subject: str, text: str, *,
          html: str | None = None, cc: Iterable[str] = (), attachments: Iterable[FileRef] = (),
          kind: str = "notice", dedupe_key: str | None = None, check_dedupe: bool = True,
          add: bool = True, **links) -> OutboundMail | None:
    """Add one email to the outbox in the caller's transaction (never commits).

    `links`: document_id, cycle_id, work_item_id, org_unit_id, recipient_user_id,
    recipient_label, created_by_id. With `dedupe_key`, an email already queued under that key
    (ever) makes this a no-op returning None: "once per person, item and status" (a caller
    that read the existing keys for a whole batch passes check_dedupe=False, and add=False to
    insert the rows itself, see add_many)."""
    to_list, cc_list = _addresses(to), _addresses(cc)
    if not to_list:
        raise MailContentInvalidError("Email harus mempunyai sekurang-kurangnya satu penerima.")
    cc_list = [address for address in cc_list if address not in to_list]
    subject = check_subject(subject)
    if dedupe_key is not None and check_dedupe and session.scalar(
            select(OutboundMail.id).where(OutboundMail.dedupe_key == dedupe_key)) is not None:
        return None
    files = [_attachment(session, ref) for ref in attachments]
    now = utcnow()
    domain = current_app.config.get("IKU_MAIL_MESSAGE_ID_DOMAIN") or _host()
    mail = OutboundMail(kind=kind, to_addrs=to_list, cc_addrs=cc_list, subject=subject,
                        body_text=fold(text), body_html=fold(html), message_id=make_msgid("iku", domain),
                        dedupe_key=dedupe_key, status=MailStatus.QUEUED, attempts=0,
                        next_attempt_at=now, created_at=now, attachments=files, **links)
    if add:
        session.add(mail)
    return mail


_COLUMNS = [c.key for c in OutboundMail.__table__.columns if c.key != "id"]


def add_many(session: Session, mails: list[OutboundMail]) -> None:
    """Insert prepared emails without attachments in one statement (a scan's batch)."""
    if mails:
        session.execute(insert(OutboundMail.__table__),
                        [{key: getattr(m, key) for key in _COLUMNS} for m in mails])


def render(template: str, context: dict) -> tuple[str, str | None]:
    """templates/mail/<template>.txt and, when it exists, .html: the text and HTML bodies."""
    env = current_app.jinja_env
    try:
        text = render_template(f"mail/{template}.txt", **context)
    except Exception as exc:  # a missing template is a programming error the caller must see
        if type(exc).__name__ == "TemplateNotFound":
            raise MailContentInvalidError(f"Templat email '{template}' tidak ada.") from exc
        raise
    try:
        env.get_template(f"mail/{template}.html")
    except Exception:
        return text, None
    return text, render_template(f"mail/{template}.html", **context)


def queue_template(session: Session, to: Iterable[str] | str, template: str, context: dict, *,
                   subject: str, cc: Iterable[str] = (), attachments: Iterable[FileRef] = (),
                   dedupe_key: str | None = None, check_dedupe: bool = True,
                   add: bool = True, kind: str | None = None,
                   **links) -> OutboundMail | None:
    """Render templates/mail/<template>.txt (+ .html) with `context` and queue the email
    (its `kind` is the template's name unless given).

    The entry point for other domains (complaints, evaluations): validate, render, add to the
    caller's transaction; the caller commits with its own change."""
    text, html = render(template, {**context, "subject": subject})
    return queue(session, to, subject, text, html=html, cc=cc, attachments=attachments,
                 kind=kind or template, dedupe_key=dedupe_key, check_dedupe=check_dedupe,
                 add=add, **links)
