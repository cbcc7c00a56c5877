"""Telling the complainant that its complaint was answered.

Called by handling.send_response in the same transaction as the answer, so the notice exists
if and only if the answer does. The mail outbox is wired here at merge (an email to
`complaint.complainant_email` with the response and the status page's address); until then
the notice is an event in the complaint's history.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from app.models.complaints import Complaint, ComplaintEvent, ComplaintEventAction
from app.services.cycles.flow import to_db


def response_sent(session: Session, complaint: Complaint, now: dt.datetime) -> None:
    session.add(ComplaintEvent(
        complaint_id=complaint.id, action=ComplaintEventAction.COMMENT, public=False,
        note="Pemberitahuan jawaban kepada pelapor dicatat.",
        details={"notice": "response_sent", "email": bool(complaint.complainant_email)},
        occurred_at=to_db(now)))
