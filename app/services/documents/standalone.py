"""Documents outside a cycle: a written reprimand (teguran tertulis) to a pelaksana, an annual
evaluation report (laporan evaluasi). No step of the procedure produces them, so there is no
review chain: the superior who issues one fills in its free-text parts and it is numbered,
QR-stamped, archived and final in one go, inside the caller's own action (a supervision record,
an evaluation being locked), so that the record and its letter exist together or not at all.

The document is personal (Document.pelaksana): only the pelaksana, its maker and the heads
who read personnel matters see it (app.security.PERSONNEL_ROLES).
"""

from __future__ import annotations

import datetime as dt
import secrets
from zoneinfo import ZoneInfo

from app.models.documents import Document, DocumentStatus, DocumentVersionKind
from app.services import document_spec as spec
from app.services.cycles.flow import to_db
from app.services.documents import render
from app.services.documents.errors import DocumentNotFoundError
from app.services.documents.lifecycle import _add_version, _number, clean_fields, now_or
from app.services.documents.numbering import Scheme
from app.services.working_time import DEFAULT_TZ

PERSONAL_KINDS = ("teguran", "laporan")


def issue(session, user, doc_code: str, *, pelaksana_id: int, fields: dict | None = None,
          values: dict | None = None, org_unit_id: int | None = None,
          now: dt.datetime | None = None) -> Document:
    """Render, number and freeze `doc_code` about the pelaksana `pelaksana_id` (Pelaksana.id); flushed,
    not committed. `fields`: the document's editable parts (as on the item page) plus
    `tahun`; `values`: figures the caller owns that the template shows (an evaluation's
    `hasil_kerja`, `perilaku_kerja`, `predikat`, `kompetensi`...), over what the database gives.
    A failure raises before anything is added; the caller's rollback undoes the number."""
    try:
        kind = spec.kind(doc_code)
    except LookupError:
        kind = ""
    if kind not in PERSONAL_KINDS:
        raise DocumentNotFoundError(f"Jenis naskah {doc_code} bukan naskah perorangan.")
    now = now_or(now)
    when = now.astimezone(ZoneInfo(DEFAULT_TZ))
    typed = clean_fields(doc_code, fields)
    tahun = (fields or {}).get("tahun")
    doc = Document(
        code=doc_code, title=str(spec.document(doc_code).get("title") or doc_code)[:400],
        kind=kind, cycle_id=None, work_item_id=None, org_unit_id=org_unit_id,
        pelaksana_id=pelaksana_id, status=DocumentStatus.FINAL,
        verify_token=secrets.token_urlsafe(24), created_by_id=user.id,
        created_at=to_db(now), finalised_by_id=user.id, finalised_at=to_db(now))
    template, template_id = render.active_template(session, doc_code)
    _number(session, doc, Scheme({"code": doc_code, "kind": kind}), None, when)
    url = render.verify_url(doc.verify_token)
    context_fields = {**typed, "pelaksana_id": pelaksana_id, "verifikasi_url": url,
                      **({"tahun": tahun} if tahun else {})}
    if not typed.get("tanggal"):
        context_fields["tanggal"] = when.date().isoformat()
    context = render.build_context(session, doc_code, None, doc.number, context_fields)
    context.update({k: render.plain(v) for k, v in (values or {}).items() if k in context})
    data = render.render(template, context, render.qr_png(url), [f"Verifikasi: {url}"])
    session.add(doc)
    session.flush()
    _add_version(session, doc, None, data, kind=DocumentVersionKind.GENERATED,
                 file_format="docx", name=f"{doc_code}-final.docx", now=now,
                 context={"fields": typed, "values": context}, template_id=template_id,
                 is_final=True, n=1, user_id=user.id)
    return doc  # audited as any Document row (Document.__audited__)
