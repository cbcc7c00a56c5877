"""Demo mail (`flask iku demo`): the units' heads get addresses, and the first final memorandum
of the demo cycle is dispatched to the units served by Bagian AK I, so that `make run` shows a
memorandum going out (the worker delivers it to the local sink) and its delivery status."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models.documents import Document, DocumentStatus
from app.models.mail import OutboundMail
from app.models.org import IkuUser, OrgUnit
from app.services.mail.dispatch import dispatch


def load_demo_mail() -> list[str]:
    """Idempotent: nothing once any email exists."""
    if db.session.scalar(select(OutboundMail.id).limit(1)) is not None:
        return ["Email demo sudah ada."]
    for unit in db.session.scalars(select(OrgUnit).where(OrgUnit.head_email.is_(None))):
        unit.head_email = f"pimpinan.{unit.code.lower()}@iku.local"
    db.session.commit()
    doc = db.session.scalar(select(Document).where(
        Document.kind == "memorandum",
        Document.status.in_((DocumentStatus.FINAL, DocumentStatus.SIGNED)))
        .order_by(Document.finalised_at, Document.id).limit(1))
    sender = db.session.scalar(select(IkuUser).where(IkuUser.username == "staf1"))
    if doc is None or sender is None:
        return ["Email demo: belum ada memorandum final untuk dikirim."]
    queued = dispatch(db.session, sender, doc.id, "ak1")
    return [f"Email demo: {doc.title} Nomor {doc.number} dikirim ke {len(queued)} unit "
            "(Bagian AK I); lihat Surat elektronik › Kotak surat lokal."]
