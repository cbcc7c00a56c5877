"""Dispatch a final memorandum or letter by email (seed B.2a, B.2c, B.3, B.11, B.13).

Staff pick a group of recipients: the units served by Bagian AK I or AK II, every unit of the
cycle, the team (the bureau's pelaksana), or chosen people. Each unit gets its own email,
addressed to its head with its liaisons in copy; a person gets one to themself. The final
version's DOCX (and its PDF when there is one) is attached by reference to the archive. Every
email is an outbox row tied to the document, its cycle and its step, written in one
transaction: all of them or none.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models.cycles import CycleUnit, WorkItem
from app.models.documents import Document, DocumentStatus
from app.models.mail import OutboundMail
from app.models.org import IkuUser, OrgUnit, Pelaksana, Section
from app.security import ROLE_ADMIN
from app.services import audit
from app.services.cycles.errors import CycleError
from app.services.cycles.people import Directory, user_name
from app.services.mail.outbox import (
    FileRef,
    MailContentInvalidError,
    MailError,
    check_address,
    queue_template,
    render,
)

GROUPS = {"ak1": "AK1", "ak2": "AK2", "all": None, "team": None, "people": None}
TEMPLATE = "memorandum"


class MailForbiddenError(MailError):
    """The user may not dispatch this document."""


class DispatchRefusedError(CycleError, MailError):
    """A dispatch asked for with a completion was refused: the completion rolls back too (a
    CycleError, so the item page flashes it like any refusal of the engine)."""


@dataclass
class Recipient:
    """One email to be: its addressees and what it concerns."""

    label: str
    to: list[str]
    cc: list[str] = field(default_factory=list)
    org_unit_id: int | None = None
    user_id: int | None = None
    greeting: str = ""


@dataclass
class Draft:
    recipient: Recipient
    subject: str
    text: str
    html: str | None
    attachments: list[str]
    problem: str | None = None


def _document(session: Session, user, document_id: int) -> Document:
    doc = session.get(Document, document_id)
    if doc is None:
        raise MailContentInvalidError("Dokumen tidak ditemukan.")
    person = Directory(session, only=(user.id,)).person(user.id)
    is_admin = any(role.name == ROLE_ADMIN for role in getattr(user, "roles", []))
    if not is_admin and (person is None or not person.is_bureau):
        raise MailForbiddenError("Hanya pelaksana biro yang dapat mengirim naskah dinas.")
    if doc.status not in (DocumentStatus.FINAL, DocumentStatus.SIGNED):
        raise MailContentInvalidError("Hanya dokumen final yang dapat dikirim.")
    return doc


def _liaison_emails(session: Session, unit_ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for unit_id, email in session.execute(
            select(IkuUser.org_unit_id, IkuUser.email)
            .where(IkuUser.org_unit_id.in_(unit_ids), IkuUser.active.is_(True))
            .order_by(IkuUser.id)):
        if email:
            found.setdefault(unit_id, []).append(email)
    return found


def recipients(session: Session, doc: Document, group: str,
               user_ids: list[int] | tuple = (), addresses: list[str] | tuple = ()
               ) -> list[Recipient]:
    """The emails a group means for this document's cycle, in the standard's order of units."""
    if group not in GROUPS:
        raise MailContentInvalidError(f"Kelompok penerima '{group}' tidak dikenal.")
    if group == "people":
        users = session.scalars(select(IkuUser).where(IkuUser.id.in_(list(user_ids)))
                                .order_by(IkuUser.first_name)).all()
        outside = [a.strip() for a in addresses if a.strip()]  # e.g. an office outside
        if not users and not outside:
            raise MailContentInvalidError("Pilih sekurang-kurangnya satu penerima.")
        return [*(Recipient(user_name(u), [u.email], user_id=u.id, greeting=user_name(u))
                  for u in users),
                *(Recipient(a, [a], greeting="Bapak/Ibu") for a in outside)]
    if group == "team":
        rows = session.execute(select(Pelaksana.name, Pelaksana.email, IkuUser.id)
                               .outerjoin(IkuUser, IkuUser.pelaksana_id == Pelaksana.id)
                               .where(Pelaksana.active.is_(True), Pelaksana.email.is_not(None))
                               .order_by(Pelaksana.name)).all()
        return [Recipient(name, [email], user_id=uid, greeting=name) for name, email, uid in rows]
    query = (select(OrgUnit).join(CycleUnit, CycleUnit.org_unit_id == OrgUnit.id)
             .outerjoin(Section, CycleUnit.section_id == Section.id)
             .where(CycleUnit.cycle_id == doc.cycle_id))
    if GROUPS[group]:
        query = query.where(Section.code == GROUPS[group])
    units = session.scalars(query.order_by(OrgUnit.sort_order, OrgUnit.name)).all()
    cc = _liaison_emails(session, [u.id for u in units])
    return [Recipient(u.name, [u.head_email] if u.head_email else [], cc.get(u.id, []),
                      org_unit_id=u.id, greeting=u.head_title or f"Pimpinan {u.name}")
            for u in units]


def _attachments(doc: Document) -> list[FileRef]:
    final = next((v for v in reversed(doc.versions) if v.is_final), None)
    if final is None and doc.versions:
        final = doc.versions[-1]
    if final is None:
        raise MailContentInvalidError("Dokumen belum mempunyai berkas final.")
    refs = [FileRef(version_id=final.id)]
    if final.pdf_path:
        refs.append(FileRef(version_id=final.id, file_format="pdf"))
    return refs


def _context(doc: Document, recipient: Recipient) -> dict:
    base = (current_app.config.get("IKU_PUBLIC_BASE_URL") or "").rstrip("/")
    return {"document": doc, "recipient": recipient, "greeting": recipient.greeting,
            "verify_url": f"{base}/verifikasi/{doc.verify_token}",
            "cycle": doc.cycle}


def subject_of(doc: Document) -> str:
    return " ".join(f"{doc.title} Nomor {doc.number or '-'}".split())


def _problem(recipient: Recipient) -> str | None:
    if not recipient.to:
        return f"{recipient.label}: alamat email pimpinan belum diisi."
    try:
        for address in (*recipient.to, *recipient.cc):
            check_address(address)
    except MailError as exc:
        return f"{recipient.label}: {exc}"
    return None


def preview(session: Session, user, document_id: int, group: str,
            user_ids: list[int] | tuple = (), addresses: list[str] | tuple = ()) -> list[Draft]:
    """Each email as it would go out, with what stands in its way (a missing address)."""
    doc = _document(session, user, document_id)
    refs = _attachments(doc)
    names = [f"{(v.original_name.rsplit('.', 1)[0] + '.pdf') if r.file_format == 'pdf' else v.original_name}"
             for r in refs for v in doc.versions if v.id == r.version_id]
    drafts = []
    for recipient in recipients(session, doc, group, user_ids, addresses):
        subject = subject_of(doc)
        text, html = render(TEMPLATE, {**_context(doc, recipient), "subject": subject})
        drafts.append(Draft(recipient, subject, text, html, names, _problem(recipient)))
    return drafts


def queue_dispatch(session: Session, user, document_id: int, group: str,
                   user_ids: list[int] | tuple = (), addresses: list[str] | tuple = ()
                   ) -> list[OutboundMail]:
    """Queue the dispatch in the caller's transaction (no commit): for a hook such as
    completing a "menyampaikan" sub-step, which commits with its own change."""
    doc = _document(session, user, document_id)
    targets = recipients(session, doc, group, user_ids, addresses)
    if not targets:
        raise MailContentInvalidError("Tidak ada penerima dalam kelompok ini.")
    problems = [p for p in (_problem(r) for r in targets) if p]
    if problems:
        raise MailContentInvalidError("Belum dapat dikirim: " + " ".join(problems))
    refs, subject = _attachments(doc), subject_of(doc)
    queued = []
    for recipient in targets:
        queued.append(queue_template(
            session, recipient.to, TEMPLATE, _context(doc, recipient), subject=subject,
            cc=recipient.cc, attachments=refs, document_id=doc.id, cycle_id=doc.cycle_id,
            work_item_id=doc.work_item_id, org_unit_id=recipient.org_unit_id,
            recipient_user_id=recipient.user_id, recipient_label=recipient.label,
            created_by_id=user.id))
    audit.log_event(session, "mail_dispatch", "Document", doc.id,
                    {"group": group, "emails": len(queued), "number": doc.number})
    return queued


def dispatch(session: Session, user, document_id: int, group: str,
             user_ids: list[int] | tuple = (), addresses: list[str] | tuple = ()
             ) -> list[OutboundMail]:
    """Queue the emails and commit: every one of them, or (on any refusal) none."""
    try:
        queued = queue_dispatch(session, user, document_id, group, user_ids, addresses)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return queued


def _action(item: WorkItem) -> str | None:
    """The standard's action of an item (draft, review, number, send...), by its code
    (s02.a.5, s02.a.7@AK1: the step, then the labels of its sub-steps)."""
    parts = item.code.split("@")[0].split("#")[0].split(".")
    node = next((s for s in item.cycle.standard.content.get("steps", [])
                 if s["code"] == parts[0]), {})
    for label in parts[1:]:
        node = next((s for s in node.get("substeps", [])
                     if str(s.get("label", "")).rstrip(")") == label), {})
    return node.get("action")


def sendable_document(session: Session, item_id: int) -> Document | None:
    """For a "menyampaikan" (send) sub-step: the final document of its step, which completing
    the sub-step may dispatch in the same action; None for any other item."""
    from app.services import documents

    item = session.get(WorkItem, item_id)
    if item is None or _action(item) != "send":
        return None
    _anchor, slots = documents.item_documents(session, item_id)
    finals = [slot.current for slot in slots if slot.current is not None
              and slot.current.status in (DocumentStatus.FINAL, DocumentStatus.SIGNED)]
    return finals[0] if finals else None


def on_complete(user, document_id: int, group: str, user_ids=()):
    """The `also` of cycles.complete_item: queue the dispatch in the completion's transaction;
    a refusal (a unit without an address...) refuses the completion too, nothing saved."""

    def also(session: Session, _item) -> None:
        try:
            queue_dispatch(session, user, document_id, group, user_ids)
        except MailError as exc:
            raise DispatchRefusedError(str(exc)) from exc

    return also
