"""Official documents (naskah dinas): the memoranda, letters, decrees and copies a cycle produces.

A step of the standard names the documents it produces (the standard's `documents:` section:
code, title, kind memorandum/surat/keputusan/peraturan/salinan). On the item page the staff
member generates one from its DOCX template; every later file (a corrected upload, the numbered
final, the signed scan) is a new DocumentVersion beside the earlier ones, never in their place.

Life of a Document: draft (versions come and go) -> final (numbered, its file frozen, hashed,
given a QR code to the public verification page) -> signed (the scan of the signed paper
uploaded and hashed too). A final or signed document is immutable: a correction is a new
Document that supersedes it (`superseded_by`). The guards at the bottom refuse any other change
at flush time, whoever tries.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from flask_appbuilder import Model
from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    event,
    inspect,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.audit import AuditSpec
from app.models.cycles import Cycle, WorkItem
from app.models.org import IkuUser, OrgUnit, Pelaksana


class DocumentStatus(StrEnum):
    DRAFT = "draft"
    FINAL = "final"
    SIGNED = "signed"


class DocumentVersionKind(StrEnum):
    GENERATED = "generated"  # rendered from the template
    UPLOADED = "uploaded"  # a corrected file a reviewer uploaded
    SIGNED_SCAN = "signed_scan"  # the scan of the signed paper


class DocumentTemplate(Model):
    """One version of the DOCX template of one document type (a code of the standard's
    `documents:`). An administrator uploads a new version; it is checked (a DOCX, not too
    large, valid Jinja, only the variables that document type knows, a test render in the
    sandbox) and refused with the reasons, nothing saved. The newest active version renders;
    without one, the template shipped in templates/docx/<code>.docx does. Versions are kept
    (the archive says which template made which file) and their bytes never change."""

    __tablename__ = "document_template"
    __table_args__ = (UniqueConstraint("code", "version", name="uq_document_template_version"),)
    __audited__ = AuditSpec(exclude=frozenset({"data"}))

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(80), index=True)
    version: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    original_name: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    uploaded_by: Mapped[IkuUser | None] = relationship()
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime)

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"


class Document(Model):
    """One official document of a cycle, produced at one step (`work_item`: the step or
    sub-step whose `documents` list names it, so every person of its review chain sees it).

    `org_unit` is set when the document concerns one unit only: a unit's liaison sees those of
    its own unit and no other. A personal document (a written reprimand, an evaluation report)
    belongs to no cycle and names the pelaksana it concerns (`pelaksana`): only that person,
    its maker and the heads who may read personnel matters see it (app.services.documents.
    reading.personal_clause). Numbering: `number_series`/`number_year`/`number_seq` from the
    sequence at finalisation (app.services.documents.numbering), or `number_manual` for a
    decree or regulation numbered by Biro Tata Usaha ("NOMOR 12 TAHUN 2027"); unique per
    series. `verify_token` is the random, unguessable key of the public page
    /verifikasi/<token>."""

    __tablename__ = "document"
    __table_args__ = (
        UniqueConstraint("number_series", "number", name="uq_document_number"),
        Index("ix_document_cycle_code", "cycle_id", "code"),
        Index("ix_document_created", "created_at", "id"),
    )
    __audited__ = AuditSpec(unit="org_unit_id")

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(80), index=True)
    title: Mapped[str] = mapped_column(String(400))
    kind: Mapped[str] = mapped_column(String(20))
    cycle_id: Mapped[int | None] = mapped_column(ForeignKey("cycle.id", ondelete="CASCADE"))
    cycle: Mapped[Cycle | None] = relationship()
    pelaksana_id: Mapped[int | None] = mapped_column(ForeignKey("pelaksana.id"), index=True)
    pelaksana: Mapped[Pelaksana | None] = relationship()
    work_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("work_item.id", ondelete="CASCADE"), index=True)
    work_item: Mapped[WorkItem | None] = relationship()
    step_code: Mapped[str | None] = mapped_column(String(50))
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    org_unit: Mapped[OrgUnit | None] = relationship()
    number: Mapped[str | None] = mapped_column(String(120), index=True)
    number_series: Mapped[str | None] = mapped_column(String(80))
    number_year: Mapped[int | None] = mapped_column(Integer)
    number_seq: Mapped[int | None] = mapped_column(Integer)
    number_manual: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), default=DocumentStatus.DRAFT, index=True)
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))
    superseded_by: Mapped[Document | None] = relationship(remote_side="Document.id")
    verify_token: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    created_by: Mapped[IkuUser | None] = relationship(foreign_keys=[created_by_id])
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    finalised_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    finalised_by: Mapped[IkuUser | None] = relationship(foreign_keys=[finalised_by_id])
    finalised_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    signed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    versions: Mapped[list[DocumentVersion]] = relationship(
        back_populates="document", order_by="DocumentVersion.n")

    def __str__(self) -> str:
        return f"{self.number or self.title}"


class DocumentVersion(Model):
    """One file of a document, numbered 1, 2, 3... and never overwritten nor deleted.

    The bytes live content-addressed under the documents folder (<sha256>); the row keeps the
    hash, size and original name, who made it on which work item and when, and for a generated
    file the exact context it was rendered with (`context`). `is_final` marks the version frozen
    at finalisation; its PDF (LibreOffice, when installed) is an extra file of that version
    (`pdf_*`), written once."""

    __tablename__ = "document_version"
    __table_args__ = (UniqueConstraint("document_id", "n", name="uq_document_version_n"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"))
    document: Mapped[Document] = relationship(back_populates="versions")
    n: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    file_format: Mapped[str] = mapped_column(String(10))  # docx | pdf
    file_path: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(Integer)
    original_name: Mapped[str] = mapped_column(String(255))
    is_final: Mapped[bool] = mapped_column(Boolean, default=False)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("work_item.id", ondelete="SET NULL"))
    template_id: Mapped[int | None] = mapped_column(ForeignKey("document_template.id"))
    context: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(String(500))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    created_by: Mapped[IkuUser | None] = relationship()
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    pdf_path: Mapped[str | None] = mapped_column(String(300))
    pdf_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    pdf_size: Mapped[int | None] = mapped_column(Integer)


class NumberSequence(Model):
    """The next number of one series (e.g. "memorandum") in one year. Allocation increments it
    in the transaction that makes a document final (app.services.documents.numbering): a
    rolled-back finalisation gives its number back, a committed one never reuses it."""

    __tablename__ = "number_sequence"
    __table_args__ = (UniqueConstraint("series", "year", name="uq_number_sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    series: Mapped[str] = mapped_column(String(80))
    year: Mapped[int] = mapped_column(Integer)
    next_value: Mapped[int] = mapped_column(Integer, default=1)


class DocumentImmutableError(ValueError):
    """Code tried to change a final document, rewrite a version, or delete either."""


# What may still change on a final or signed document: signing it, recording a number given by
# hand (once), and pointing at the document that supersedes it.
_FROZEN_OPEN = frozenset({"status", "signed_at", "superseded_by_id", "superseded_by",
                          "number", "number_series", "number_year", "number_manual", "versions"})


def _changed(target) -> dict[str, tuple]:
    state = inspect(target)
    found = {}
    for attr in state.mapper.column_attrs:
        history = state.attrs[attr.key].history
        if history.has_changes():
            found[attr.key] = (history.deleted[0] if history.deleted else None,
                               history.added[0] if history.added else None)
    return found


@event.listens_for(Document, "before_update")
def _guard_document(_mapper, _connection, target: Document) -> None:
    changes = _changed(target)
    old_status = changes.get("status", (target.status, None))[0]
    if old_status not in (DocumentStatus.FINAL, DocumentStatus.SIGNED):
        return
    bad = set(changes) - _FROZEN_OPEN
    if "status" in changes and changes["status"][1] != DocumentStatus.SIGNED:
        bad.add("status")
    for key in ("number", "superseded_by_id"):
        if key in changes and changes[key][0] is not None:
            bad.add(key)
    if bad:
        raise DocumentImmutableError(
            "Dokumen final tidak dapat diubah; buat koreksi yang menggantikannya.")


@event.listens_for(Document, "before_delete")
def _guard_document_delete(_mapper, _connection, target: Document) -> None:
    if target.status != DocumentStatus.DRAFT or target.versions:
        raise DocumentImmutableError("Dokumen yang sudah mempunyai berkas tidak dapat dihapus.")


@event.listens_for(DocumentVersion, "before_update")
def _guard_version(_mapper, _connection, target: DocumentVersion) -> None:
    changes = _changed(target)
    pdf_once = {"pdf_path", "pdf_sha256", "pdf_size"}
    if set(changes) - pdf_once or any(old is not None for old, _ in changes.values()):
        raise DocumentImmutableError("Versi dokumen tidak dapat diubah; unggah versi baru.")


@event.listens_for(DocumentVersion, "before_delete")
def _guard_version_delete(_mapper, _connection, _target) -> None:
    raise DocumentImmutableError("Versi dokumen tidak dapat dihapus.")


@event.listens_for(DocumentTemplate, "before_update")
def _guard_template(_mapper, _connection, target: DocumentTemplate) -> None:
    if set(_changed(target)) - {"active"}:
        raise DocumentImmutableError(
            "Versi templat tidak dapat diubah; unggah versi baru.")
