"""The complainant is told by email, through the outbox, when its complaint is answered; a
confidential complainant's address is delivered to but never shown in the outbox."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from app.models.complaints import ComplaintEvent
from app.models.mail import OutboundMail
from app.services import complaints, mail
from tests.services.test_complaints import MONDAY, SCHEDULE, _file, _unit
from tests.smtp_support import smtp_fixture  # noqa: F401
from tests.views.test_cycles_support import team_fixture  # noqa: F401


def _answer(db_session, team, **kw):
    filed = _file(db_session, team["staf"], channel="email",
                  org_unit_id=_unit(db_session, "SETWAPRES").id, **kw)
    c = filed.complaint
    later = MONDAY + dt.timedelta(hours=2)
    complaints.verify(db_session, team["karo"], c.id, delegate_user_id=team["kabag"].id,
                      now=later, schedule=SCHEDULE)
    complaints.assign(db_session, team["kabag"], c.id, handler_user_id=team["staf"].id,
                      now=later, schedule=SCHEDULE)
    complaints.draft_response(db_session, team["staf"], c.id, response="Jadwal sudah diperbaiki.",
                              now=later, schedule=SCHEDULE)
    complaints.send_response(db_session, team["kabag"], c.id, now=later, schedule=SCHEDULE)
    return c


def _mails(db_session):
    return db_session.scalars(select(OutboundMail)).all()


def test_the_answer_reaches_the_complainant_by_email(db_session, team, smtp):
    c = _answer(db_session, team, complainant_name="Sari Wulandari",
                complainant_email="sari@iku.test")
    [row] = _mails(db_session)
    assert row.to_addrs == ["sari@iku.test"] and c.ticket in row.subject
    assert mail.deliver(db_session, now=dt.datetime.now(dt.UTC)).sent == 1
    got = smtp.messages[0]
    body = got.get_body(("plain",)).get_content()
    assert got["To"] == "sari@iku.test" and c.ticket in got["Subject"]
    assert "Yth. Sari Wulandari" in body and "Jadwal sudah diperbaiki." in body
    assert "/pengaduan/status" in body


def test_confidential_complainant_is_mailed_without_being_named(db_session, team, client, login):
    _answer(db_session, team, complainant_name="Rahasia Sekali", complainant_email="r@iku.test",
            confidential=True)
    [row] = _mails(db_session)
    assert row.kind == "complaint_confidential" and "Rahasia Sekali" not in row.body_text
    db_session.commit()
    login(client, "admin")
    page = client.get("/mailoutboxview/list/").get_data(as_text=True)
    assert "dirahasiakan" in page and "r@iku.test" not in page
    shown = client.get(f"/mailoutboxview/show/{row.id}").get_data(as_text=True)
    assert "r@iku.test" not in shown and "Rahasia Sekali" not in shown


def test_no_email_no_mail_but_the_history_says_so(db_session, team):
    c = _answer(db_session, team, complainant_name="Tanpa Email")
    assert _mails(db_session) == []
    notes = [e.note for e in db_session.scalars(select(ComplaintEvent).filter_by(complaint_id=c.id))]
    assert any("tidak mencantumkan email" in (n or "") for n in notes)
