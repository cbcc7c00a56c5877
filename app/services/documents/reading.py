"""Reading documents: what an item page shows, downloads (scoped, logged), PDF copies, and the
public verification by token or by file.

Scope: a unit's liaison reads only the documents of its own unit (Document.org_unit); for
anyone else a document outside that scope does not exist (404), as everywhere in the app.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from app.models.cycles import WorkItem
from app.models.documents import Document, DocumentStatus, DocumentVersion
from app.security import NO_UNIT, personal_clause, scope_unit_id
from app.services import audit
from app.services.documents import pdf, storage
from app.services.documents.errors import DocumentNotFoundError, PdfUnavailableError
from app.services.documents.lifecycle import anchor_of, document_specs


def visible(session: Session, user, document_id: int) -> Document:
    query = select(Document).where(Document.id == document_id)
    personal = personal_clause(Document, user)
    doc = session.scalars(query if personal is None else query.where(personal)).first()
    unit = scope_unit_id(user)
    if doc is None or (unit is not None and (unit == NO_UNIT or doc.org_unit_id != unit)):
        raise DocumentNotFoundError("Dokumen tidak ditemukan.")
    return doc


def version_of(session: Session, doc: Document, n: int | None) -> DocumentVersion:
    query = select(DocumentVersion).where(DocumentVersion.document_id == doc.id)
    query = query.where(DocumentVersion.n == n) if n is not None else query.order_by(
        DocumentVersion.n.desc()).limit(1)
    version = session.scalars(query).first()
    if version is None:
        raise DocumentNotFoundError("Versi dokumen tidak ditemukan.")
    return version


@dataclass(frozen=True)
class Download:
    filename: str
    data: bytes
    mimetype: str


def download(session: Session, user, document_id: int, n: int | None = None,
             file_format: str = "docx") -> Download:
    """The bytes of one version (the latest by default) as DOCX or PDF, logged in the audit
    trail (who, which document, which version, which format)."""
    doc = visible(session, user, document_id)
    version = version_of(session, doc, n)
    if file_format not in ("docx", "pdf"):
        raise DocumentNotFoundError("Format unduhan tidak dikenal.")
    if file_format == version.file_format:
        data = storage.read(version.file_path)
    elif file_format == "pdf":
        data = pdf_of(session, version)
    else:
        raise DocumentNotFoundError("Versi ini hanya tersedia sebagai PDF.")
    audit.log_event(session, "download", "document", doc.id,
                    {"version": version.n, "format": file_format, "sha256": version.sha256},
                    unit_id=doc.org_unit_id)
    session.commit()
    stem = (doc.number or doc.code).replace("/", "-").replace(" ", "_")
    return Download(f"{stem}-v{version.n}.{file_format}", data, storage.MIME[file_format])


def pdf_of(session: Session, version: DocumentVersion) -> bytes:
    """The version's PDF: read when made at finalisation, else made now (and kept)."""
    if version.pdf_path:
        return storage.read(version.pdf_path)
    data = make_pdf(session, version)
    if data is None:
        raise PdfUnavailableError(
            "PDF tidak tersedia: LibreOffice tidak terpasang di server. Unduh DOCX.")
    return data


def make_pdf(session: Session, version: DocumentVersion) -> bytes | None:
    """Convert a DOCX version once and keep the PDF as its extra file; None without
    LibreOffice. Commits (the PDF columns are written once, see DocumentVersion)."""
    if version.file_format != "docx" or version.pdf_path:
        return None
    data = pdf.convert_to_pdf(storage.read(version.file_path))
    if data is None:
        return None
    stored = storage.store(data, "dokumen.pdf")
    version.pdf_path, version.pdf_sha256, version.pdf_size = stored.path, stored.sha256, stored.size
    session.commit()
    return data


def make_missing_pdfs(session: Session, limit: int = 50) -> int:
    """PDFs of final DOCX versions made while LibreOffice was absent or off (the demo, or a
    server it was installed on later), converted in one LibreOffice run; how many were made."""
    versions = session.scalars(
        select(DocumentVersion).where(DocumentVersion.is_final.is_(True),
                                      DocumentVersion.file_format == "docx",
                                      DocumentVersion.pdf_path.is_(None))
        .order_by(DocumentVersion.id).limit(limit)).all()
    made = 0
    for version, data in zip(versions, pdf.convert_many(
            [storage.read(v.file_path) for v in versions]), strict=True):
        if data is not None:
            stored = storage.store(data, "dokumen.pdf")
            version.pdf_path, version.pdf_sha256, version.pdf_size = (
                stored.path, stored.sha256, stored.size)
            made += 1
    session.commit()
    return made


# ----------------------------------------------------------------------- the item page
@dataclass(frozen=True)
class DocumentSlot:
    """One document the item's step produces: its type, and the documents made for it
    (current first, then those it superseded)."""

    code: str
    title: str
    kind: str
    manual_number: bool
    documents: list[Document]

    @property
    def current(self) -> Document | None:
        return self.documents[0] if self.documents else None


def item_documents(session: Session, item_id: int) -> tuple[WorkItem | None, list[DocumentSlot]]:
    """The step producing documents that the item belongs to, and its document slots. Every
    item of the step's chain sees the same documents (and so the latest version)."""
    from app.services.documents.numbering import Scheme

    item = session.get(WorkItem, item_id)
    anchor = anchor_of(session, item) if item is not None else None
    if anchor is None:
        return None, []
    specs = document_specs(item.cycle)
    docs = session.scalars(
        select(Document).where(Document.work_item_id == anchor.id)
        .options(selectinload(Document.versions).selectinload(DocumentVersion.created_by))
        .order_by(Document.superseded_by_id.is_not(None), Document.id.desc())).all()
    slots = []
    for code in anchor.documents:
        spec = specs.get(code, {"code": code, "title": code})
        scheme = Scheme(spec)
        slots.append(DocumentSlot(code, spec.get("title") or code, spec.get("kind") or "",
                                  scheme.numbered and scheme.manual,
                                  [d for d in docs if d.code == code]))
    return anchor, slots


# ----------------------------------------------------------------------- verification
PUBLIC_STATUSES = (DocumentStatus.FINAL, DocumentStatus.SIGNED)


def verify_token(session: Session, token: str) -> Document | None:
    """A final or signed document by its token (drafts are not public)."""
    if not token or len(token) > 64:
        return None
    return session.scalars(
        select(Document).where(Document.verify_token == token,
                               Document.status.in_(PUBLIC_STATUSES))
        .options(selectinload(Document.versions))).first()


@dataclass(frozen=True)
class FileMatch:
    document: Document
    version: DocumentVersion
    as_pdf: bool


def verify_file(session: Session, data: bytes) -> FileMatch | None:
    """Which registered document (and version) a file is, by its SHA-256: the final version
    (DOCX or its PDF) or the signed scan of a final or signed document."""
    digest = storage.sha256(data)
    version = session.scalars(
        select(DocumentVersion).join(Document, Document.id == DocumentVersion.document_id)
        .where(or_(DocumentVersion.sha256 == digest, DocumentVersion.pdf_sha256 == digest),
               Document.status.in_(PUBLIC_STATUSES),
               or_(DocumentVersion.is_final.is_(True), DocumentVersion.kind == "signed_scan"))
        .order_by(DocumentVersion.id)).first()
    if version is None:
        return None
    return FileMatch(version.document, version, version.sha256 != digest)
