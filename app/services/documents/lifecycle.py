"""Writing documents: generate, upload a corrected version, finalise (number), signed scan.

Every action runs as one work item's action (the item page's): the cycle row is locked (actions
on one cycle take turns, as in the cycle engine), the item must be open and the user must be
the one who may act on it (app.services.cycles.rules.acting_as), and the document must belong
to the step that item is part of. One commit per action; any refusal or failure rolls back,
so a finalisation that fails after taking a number gives the number back.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session

from app.models.cycles import Cycle, WorkItem, WorkItemStatus
from app.models.documents import (
    Document,
    DocumentStatus,
    DocumentVersion,
    DocumentVersionKind,
)
from app.models.org import OrgUnit
from app.models.standards import ServiceStandard
from app.services.cycles import rules
from app.services.cycles.action import lock_cycle
from app.services.cycles.flow import to_db
from app.services.cycles.people import Directory
from app.services.documents import render, storage
from app.services.documents.errors import (
    DocumentForbiddenError,
    DocumentNotFoundError,
    DocumentNumberError,
    DocumentStateError,
)
from app.services.documents.numbering import Scheme, allocate_number, check_unique
from app.services.working_time import DEFAULT_TZ

MAX_FIELD_CHARS = 5000
STATUS_WORDS = {DocumentStatus.DRAFT: "masih draf", DocumentStatus.FINAL: "sudah final",
                DocumentStatus.SIGNED: "sudah ditandatangani"}


@dataclass
class Step:
    """The item a user acts on, the step (anchor) that produces documents, and its cycle."""

    item: WorkItem
    anchor: WorkItem
    cycle: Cycle
    user_id: int


def now_or(now: dt.datetime | None) -> dt.datetime:
    return now or dt.datetime.now(dt.UTC)


def anchor_of(session: Session, item: WorkItem) -> WorkItem | None:
    """The item itself or its nearest ancestor whose `documents` names documents."""
    current: WorkItem | None = item
    while current is not None:
        if current.documents:
            return current
        current = session.get(WorkItem, current.parent_id) if current.parent_id else None
    return None


_SPECS: dict[tuple[int, str], dict[str, dict]] = {}  # (standard id, content hash) -> specs


def document_specs(cycle: Cycle) -> dict[str, dict]:
    """The documents of the cycle's standard version. A version's content never changes, so
    it is read and parsed once per process (keyed by its hash: a rolled-back test database
    may give the same id to another standard), not on every action."""
    session = object_session(cycle)
    digest = session.scalar(select(ServiceStandard.content_sha256)
                            .where(ServiceStandard.id == cycle.standard_id))
    key = (cycle.standard_id, digest or "")
    specs = _SPECS.get(key)
    if specs is None:
        content = session.scalar(select(ServiceStandard.content)
                                 .where(ServiceStandard.id == cycle.standard_id)) or {}
        specs = {d["code"]: d for d in content.get("documents", [])}
        if digest:
            _SPECS[key] = specs
    return specs


def spec_of(cycle: Cycle, code: str) -> dict:
    spec = document_specs(cycle).get(code)
    if spec is None:
        raise DocumentNotFoundError(f"Jenis dokumen {code} tidak dikenal dalam standar ini.")
    return spec


def _prepare(session: Session, user, item_id: int, code: str | None = None) -> Step:
    cycle_id = session.scalar(select(WorkItem.cycle_id).where(WorkItem.id == item_id))
    if cycle_id is None:
        raise DocumentNotFoundError("Butir pekerjaan tidak ditemukan.")
    cycle = lock_cycle(session, cycle_id)
    rules.check_cycle_open(cycle)
    item = session.scalars(select(WorkItem).where(WorkItem.id == item_id)
                           .execution_options(populate_existing=True)).one()
    anchor = anchor_of(session, item)
    if anchor is None or (code is not None and code not in anchor.documents):
        raise DocumentForbiddenError("Langkah ini tidak menghasilkan dokumen tersebut.")
    if not item.is_leaf or item.status not in (WorkItemStatus.READY, WorkItemStatus.IN_PROGRESS):
        raise DocumentStateError(
            "Dokumen hanya dapat dibuat atau diubah pada butir yang sedang menjadi giliran "
            "Anda (siap atau sedang dikerjakan).")
    directory = Directory(session, only=(user.id, item.assignee_user_id))
    unit = session.get(OrgUnit, item.org_unit_id) if item.org_unit_id else None
    rules.acting_as(directory, item, directory.person(user.id), unit.name if unit else None)
    return Step(item, anchor, cycle, user.id)


def _document(session: Session, step: Step, document_id: int) -> Document:
    doc = session.scalars(select(Document).where(Document.id == document_id)
                          .execution_options(populate_existing=True)).one_or_none()
    if doc is None or doc.work_item_id != step.anchor.id:
        raise DocumentNotFoundError("Dokumen tidak ditemukan pada langkah ini.")
    return doc


def current_document(session: Session, anchor_id: int, code: str) -> Document | None:
    return session.scalars(
        select(Document).where(Document.work_item_id == anchor_id, Document.code == code,
                               Document.superseded_by_id.is_(None))
        .order_by(Document.id.desc()).limit(1)).first()


def clean_fields(code: str, fields: dict | None) -> dict[str, str]:
    """Only the free-text parts the document type offers; text trimmed and bounded."""
    allowed = {name for name, _label in render.editable_fields(code)}
    cleaned = {}
    for name, value in (fields or {}).items():
        if name in allowed and value is not None:
            text = str(value).strip()
            if len(text) > MAX_FIELD_CHARS:
                raise DocumentStateError(
                    f"Isian {name} terlalu panjang (maksimum {MAX_FIELD_CHARS} karakter).")
            cleaned[name] = text
    return cleaned


def _add_version(session: Session, doc: Document, step: Step | None, data: bytes, *, kind: str,
                 file_format: str, name: str, now: dt.datetime, context: dict | None = None,
                 template_id: int | None = None, is_final: bool = False,
                 note: str | None = None, n: int | None = None,
                 user_id: int | None = None) -> DocumentVersion:
    """A new version row (not yet flushed), its file stored; `n` when the caller knows it.
    Without a step (a document outside any cycle) the version names `user_id` as its maker."""
    if n is None:
        n = (session.scalar(select(func.max(DocumentVersion.n))
                            .where(DocumentVersion.document_id == doc.id)) or 0) + 1
    stored = storage.store(data, name)
    version = DocumentVersion(
        document_id=doc.id, n=n, kind=kind, file_format=file_format, file_path=stored.path,
        sha256=stored.sha256, size=stored.size, original_name=name[:255], is_final=is_final,
        item_id=step.item.id if step else None, template_id=template_id, context=context,
        note=note, created_by_id=step.user_id if step else user_id, created_at=to_db(now))
    session.add(version)
    return version


def _run(session: Session, work):
    """One action: commit on success, roll back everything (a taken number too) on failure."""
    try:
        result = work()
        session.commit()
    except Exception:
        session.rollback()
        raise
    return result


def generate(session: Session, user, item_id: int, doc_code: str, fields: dict | None = None,
             *, correction: bool = False, now: dt.datetime | None = None) -> Document:
    """Render the document from its template and keep it as a new draft version. A final
    document is not touched: with `correction`, a new document supersedes it."""
    now = now_or(now)

    def work() -> Document:
        step = _prepare(session, user, item_id, doc_code)
        spec = spec_of(step.cycle, doc_code)
        doc = current_document(session, step.anchor.id, doc_code)
        previous = None
        if doc is not None and doc.status != DocumentStatus.DRAFT:
            if not correction:
                raise DocumentStateError(
                    f"{spec['title']} {STATUS_WORDS[DocumentStatus(doc.status)]}; buat koreksi "
                    "untuk menggantikannya.")
            previous, doc = doc, None
        values = clean_fields(doc_code, fields)
        context = render.build_context(session, doc_code, step.anchor.id, None, values)
        template, template_id = render.active_template(session, doc_code)
        data = render.render(template, context)
        if doc is None:
            doc = Document(
                code=doc_code, title=spec["title"][:400], kind=spec.get("kind") or "",
                cycle_id=step.cycle.id, work_item_id=step.anchor.id,
                step_code=step.anchor.step_code, org_unit_id=step.anchor.org_unit_id,
                status=DocumentStatus.DRAFT, verify_token=secrets.token_urlsafe(24),
                created_by_id=user.id, created_at=to_db(now))
            session.add(doc)
            session.flush()
            if previous is not None:
                previous.superseded_by_id = doc.id
        _add_version(session, doc, step, data, kind=DocumentVersionKind.GENERATED,
                     file_format="docx", name=f"{doc_code}.docx", now=now,
                     context={"fields": values, "values": context}, template_id=template_id)
        return doc

    return _run(session, work)


def upload_version(session: Session, user, item_id: int, document_id: int, filename: str,
                   data: bytes, *, note: str | None = None,
                   now: dt.datetime | None = None) -> DocumentVersion:
    """A reviewer's corrected file (DOCX or PDF): a new version, the earlier ones kept."""
    now = now_or(now)

    def work() -> DocumentVersion:
        step = _prepare(session, user, item_id)
        doc = _document(session, step, document_id)
        if doc.status != DocumentStatus.DRAFT:
            raise DocumentStateError(
                f"Dokumen {STATUS_WORDS[DocumentStatus(doc.status)]}; versi baru tidak dapat "
                "ditambahkan. Buat koreksi untuk menggantikannya.")
        file_format = storage.check_upload(filename, data)
        return _add_version(session, doc, step, data, kind=DocumentVersionKind.UPLOADED,
                            file_format=file_format, name=filename, now=now,
                            note=(note or "").strip()[:500] or None)

    return _run(session, work)


def latest_version(session: Session, document_id: int) -> DocumentVersion | None:
    return session.scalars(select(DocumentVersion).where(
        DocumentVersion.document_id == document_id).order_by(DocumentVersion.n.desc())
        .limit(1)).first()


def _number(session: Session, doc: Document, scheme: Scheme, manual: str | None,
            when: dt.datetime) -> None:
    """Give the document its number: the next of its series, or the one typed by hand."""
    if not scheme.numbered:
        return
    if scheme.manual:
        if not (manual or "").strip():
            return  # numbered later by Biro Tata Usaha, recorded with the signed scan
        seq, year, number = scheme.parse_manual(manual, when)
        check_unique(session, scheme.series, number, doc.id)
        doc.number_manual = True
    else:
        year = when.year
        seq = allocate_number(session, scheme.series, year)
        number = scheme.format(seq, when)
        check_unique(session, scheme.series, number, doc.id)
    doc.number, doc.number_series, doc.number_year, doc.number_seq = (
        number, scheme.series, year, seq)


def finalise(session: Session, user, item_id: int, document_id: int, *,
             manual_number: str | None = None, now: dt.datetime | None = None,
             with_pdf: bool = True) -> Document:
    """Number the document (inside this transaction), render the reviewed draft's values once
    more with its number, date and verification QR code, hash it, and freeze it. Its PDF is made
    afterwards (make_pdf)."""
    now = now_or(now)
    when = now.astimezone(ZoneInfo(DEFAULT_TZ))

    def work() -> Document:
        step = _prepare(session, user, item_id)
        doc = _document(session, step, document_id)
        if doc.status != DocumentStatus.DRAFT:
            raise DocumentStateError(f"Dokumen {STATUS_WORDS[DocumentStatus(doc.status)]}.")
        latest = latest_version(session, doc.id)
        if latest is None:
            raise DocumentStateError("Dokumen belum mempunyai berkas.")
        generated = latest.kind == DocumentVersionKind.GENERATED
        template, template_id = None, None
        if generated:  # read before numbering: a query would flush the number on its own
            template, template_id = render.active_template(session, doc.code)
        _number(session, doc, Scheme(spec_of(step.cycle, doc.code)), manual_number, when)
        url = render.verify_url(doc.verify_token)
        png = render.qr_png(url)
        lines = [f"Nomor: {doc.number}" if doc.number else "", f"Verifikasi: {url}"]
        context = None
        if generated:
            fields = (latest.context or {}).get("fields") or {}
            values = render.finalised_context(doc.code, (latest.context or {}).get("values") or {},
                                              doc.number, when.date(),
                                              {**fields, "verifikasi_url": url})
            data = render.render(template, values, png, [f"Verifikasi: {url}"])
            context, name = {"fields": fields, "values": values}, f"{doc.code}-final.docx"
        elif latest.file_format == "docx":
            data = render.stamp(storage.read(latest.file_path), [x for x in lines if x], png)
            name = latest.original_name
        else:
            data, name = storage.read(latest.file_path), latest.original_name
        doc.status, doc.finalised_by_id, doc.finalised_at = (
            DocumentStatus.FINAL, user.id, to_db(now))
        _add_version(session, doc, step, data, kind=latest.kind, file_format=latest.file_format,
                     name=name, now=now, context=context, template_id=template_id,
                     is_final=True, n=latest.n + 1)
        return doc  # one flush, at commit: the number, the status and the final version

    doc = _run(session, work)
    if with_pdf:
        from app.services.documents.reading import make_pdf

        final = latest_version(session, doc.id)
        if final is not None and final.file_format == "docx":
            make_pdf(session, final)  # no LibreOffice: the page says PDF is unavailable
    return doc


def upload_signed_scan(session: Session, user, item_id: int, document_id: int, filename: str,
                       data: bytes, *, manual_number: str | None = None,
                       now: dt.datetime | None = None) -> DocumentVersion:
    """The scan of the signed paper (PDF), hashed and kept; the document becomes signed. A
    decree or regulation numbered by hand gets its number here if it has none yet."""
    now = now_or(now)
    when = now.astimezone(ZoneInfo(DEFAULT_TZ))

    def work() -> DocumentVersion:
        step = _prepare(session, user, item_id)
        doc = _document(session, step, document_id)
        if doc.status != DocumentStatus.FINAL:
            raise DocumentStateError("Pindaian bertanda tangan hanya untuk dokumen final yang "
                                     "belum ditandatangani.")
        scheme = Scheme(spec_of(step.cycle, doc.code))
        if scheme.numbered and scheme.manual and doc.number is None:
            if not (manual_number or "").strip():
                raise DocumentNumberError(
                    "Nomor dari Biro Tata Usaha wajib diisi untuk dokumen ini.")
            _number(session, doc, scheme, manual_number, when)
        file_format = storage.check_upload(filename, data, ("pdf",))
        version = _add_version(session, doc, step, data, kind=DocumentVersionKind.SIGNED_SCAN,
                               file_format=file_format, name=filename, now=now)
        doc.status, doc.signed_at = DocumentStatus.SIGNED, to_db(now)
        return version

    return _run(session, work)
