"""Telling the complainant that its complaint was answered.

Called by handling.send_response in the same transaction as the answer, so the email exists
if and only if the answer does (the outbox delivers it after the commit). A complaint filed
without an email address, or with one the outbox refuses, gets a history event saying so
instead: the answer itself must not fail because the notice cannot be sent.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app
from sqlalchemy.orm import Session

from app.models.complaints import Complaint, ComplaintEvent, ComplaintEventAction
from app.services import mail
from app.services.cycles.flow import to_db


def status_url() -> str:
    base = (current_app.config.get("IKU_PUBLIC_BASE_URL") or "").rstrip("/")
    return f"{base}/pengaduan/status"


def response_sent(session: Session, complaint: Complaint, now: dt.datetime) -> None:
    note, sent = "Jawaban dikirim kepada pelapor melalui email.", False
    if not complaint.complainant_email:
        note = "Pelapor tidak mencantumkan email; jawaban dapat dibaca di halaman status."
    else:
        try:
            with session.begin_nested():
                mail.queue_template(
                    session, complaint.complainant_email, "complaint_response",
                    {"complaint": complaint, "url": status_url(),
                     "name": "Bapak/Ibu" if complaint.confidential
                     else complaint.complainant_name or "Bapak/Ibu"},
                    subject=f"Jawaban atas pengaduan {complaint.ticket}",
                    dedupe_key=f"complaint:{complaint.id}:response:{to_db(now).isoformat()}",
                    kind="complaint_confidential" if complaint.confidential else None,
                    recipient_label="Pelapor (dirahasiakan)" if complaint.confidential
                    else "Pelapor", org_unit_id=complaint.org_unit_id)
            sent = True
        except mail.MailError as exc:
            note = f"Email jawaban tidak dapat dikirim: {exc}"
    session.add(ComplaintEvent(
        complaint_id=complaint.id, action=ComplaintEventAction.COMMENT, public=False, note=note,
        details={"notice": "response_sent", "email": sent}, occurred_at=to_db(now)))
