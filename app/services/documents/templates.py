"""Templates are content: an administrator uploads a new version of a document type's DOCX.

The upload is checked before anything is saved: a document type of a standard in force, a
DOCX, not too large, then the docx helper's validate_template (Jinja syntax, only the variables
that document type knows, a test render in the sandbox: a template reaching for
`''.__class__` is refused and nothing of it runs). Refused: TemplateInvalidError with every
reason, nothing written. Accepted: version n+1, active; earlier versions are kept.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models.documents import DocumentTemplate
from app.services.cycles.flow import to_db
from app.services.documents import render, storage
from app.services.documents.errors import TemplateInvalidError
from app.services.standards import current_standards


def document_types(session: Session) -> dict[str, str]:
    """code -> title of every document of the standards in force."""
    found = {}
    for standard in current_standards(session):
        for doc in (standard.content or {}).get("documents", []):
            found.setdefault(doc["code"], doc.get("title") or doc["code"])
    return found


def upload_template(session: Session, user, code: str, filename: str, data: bytes,
                    now: dt.datetime | None = None) -> DocumentTemplate:
    now = now or dt.datetime.now(dt.UTC)
    problems = []
    if code not in document_types(session):
        problems.append(f"Jenis dokumen {code or '(kosong)'} tidak dikenal.")
    if not data:
        problems.append("Berkas kosong.")
    elif len(data) > storage.max_bytes():
        problems.append(
            f"Berkas terlalu besar (maksimum {storage.max_bytes() / (1024 * 1024):.0f} MB).")
    elif storage.sniff(data) != "docx":
        problems.append("Berkas bukan DOCX.")
    if not problems:
        try:
            problems = list(render.docx_render().validate_template(code, data))
        except ValueError as exc:
            problems = [str(exc)]
    if problems:
        raise TemplateInvalidError(problems)
    version = (session.scalar(select(func.max(DocumentTemplate.version))
                              .where(DocumentTemplate.code == code)) or 0) + 1
    row = DocumentTemplate(code=code, version=version, data=data, sha256=storage.sha256(data),
                           size=len(data), original_name=(filename or f"{code}.docx")[:255],
                           active=True, uploaded_by_id=getattr(user, "id", None),
                           uploaded_at=to_db(now))
    session.add(row)
    try:
        session.commit()
    except Exception:
        session.rollback()
        raise
    return row
