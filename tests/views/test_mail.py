"""Mail pages: who may see the outbox and dispatch a document (every role), the dispatch from a
final document's page (preview, send, the delivery status on the page), the resend of a failed
email, the reason queued mail waits, the local mailbox, and a person's own email setting."""

from __future__ import annotations

import mailbox
from email.message import EmailMessage

import pytest
from sqlalchemy import select

from app.models.mail import MailStatus, OutboundMail
from app.models.org import IkuUser, OrgUnit
from app.services import mail
from tests.conftest import ROLE_USERS
from tests.services.test_documents_support import docs_env_fixture  # noqa: F401
from tests.smtp_support import smtp_fixture  # noqa: F401
from tests.views.test_cycles_support import (  # noqa: F401
    act,
    en_fixture,
    finish,
    item,
    start_cycle,
    team_fixture,
    visible,
)
from tests.views.test_documents import _final_doc

BUREAU = {"admin", "karo", "kabag", "kasubbag", "staf"}


@pytest.fixture(name="final_doc")
def final_doc_fixture(db_session, team, docs_env):
    cycle = start_cycle(db_session, team)
    finish(db_session, team, cycle.id, "s01")
    act(db_session, team, cycle.id, "complete", "s02.a.1")
    doc = _final_doc(db_session, team, cycle, unit_code="SETPRES")  # pengguna1's unit
    for unit in db_session.scalars(select(OrgUnit)):
        unit.head_email = f"pimpinan.{unit.code.lower()}@iku.test"
    db_session.commit()
    return doc


def _refused(response) -> bool:
    return response.status_code in (302, 403, 404)


@pytest.mark.parametrize("username", list(ROLE_USERS))
def test_outbox_dispatch_and_settings_per_role(final_doc, client, login, db_session, username):
    mail.queue(db_session, "tujuan@iku.test", "Surat uji outbox", "Isi")
    db_session.commit()
    login(client, username)
    outbox = client.get("/mailoutboxview/list/")
    dispatch = client.get(f"/mail/dispatch/{final_doc.id}")
    settings = client.get("/mail/settings/")
    assert settings.status_code == 200 and "mail_reminders" in settings.get_data(as_text=True)
    if username in ("admin", "auditor"):
        assert outbox.status_code == 200 and "Surat uji outbox" in outbox.get_data(as_text=True)
    else:
        assert _refused(outbox), username
    if username in BUREAU:
        assert dispatch.status_code == 200 and 'name="group"' in dispatch.get_data(as_text=True)
    else:
        assert _refused(dispatch), username
    resend = client.post("/mailoutboxview/action_post",
                         data={"action": "resend", "rowid": ["1"]})
    if username != "admin":
        assert _refused(resend)


def test_dispatch_from_the_document_page_and_its_delivery_status(final_doc, en, db_session,
                                                                 smtp):
    client = en("staf")
    show = visible(client.get(f"/documentview/show/{final_doc.id}").get_data(as_text=True))
    assert "Send by email" in show
    page = client.post(f"/mail/dispatch/{final_doc.id}", data={"group": "ak1", "preview": "1"})
    text = visible(page.get_data(as_text=True))
    assert "pimpinan.setpres@iku.test" in text and "pengguna1@iku.test" in text
    assert final_doc.number in text and "Bersama ini kami sampaikan" in text
    assert db_session.scalars(select(OutboundMail)).all() == []
    unconfirmed = client.post(f"/mail/dispatch/{final_doc.id}", data={"group": "ak1", "send": "1"})
    assert "Please tick the box to confirm." in unconfirmed.get_data(as_text=True)
    assert db_session.scalars(select(OutboundMail)).all() == []
    response = client.post(f"/mail/dispatch/{final_doc.id}",
                           data={"group": "ak1", "send": "1", "confirm": "1"})
    assert response.status_code == 302
    rows = db_session.scalars(select(OutboundMail)).all()
    assert rows and all(r.document_id == final_doc.id for r in rows)
    show = visible(client.get(f"/documentview/show/{final_doc.id}").get_data(as_text=True))
    assert "Sent by email" in show and "Queued" in show
    mail.deliver(db_session)
    show = visible(client.get(f"/documentview/show/{final_doc.id}").get_data(as_text=True))
    setpres = next(r for r in rows if r.to_addrs == ["pimpinan.setpres@iku.test"])
    db_session.refresh(setpres)
    assert setpres.message_id in show and "Sent" in show
    assert any(m["To"] == "pimpinan.setpres@iku.test" for m in smtp.messages)
    liaison = visible(en("pengguna1").get(f"/documentview/show/{final_doc.id}")
                      .get_data(as_text=True))
    assert "pimpinan.setpres@iku.test" in liaison and "Send by email" not in liaison
    others = [r.to_addrs[0] for r in rows if r.org_unit_id != setpres.org_unit_id]
    assert others and not any(address in liaison for address in others)


def test_dispatch_of_a_bad_address_names_it_and_queues_nothing(final_doc, en, db_session):
    unit = db_session.scalars(select(OrgUnit).filter_by(code="SETPRES")).one()
    unit.head_email = None
    db_session.commit()
    page = visible(en("staf").post(f"/mail/dispatch/{final_doc.id}",
                                   data={"group": "ak1", "send": "1", "confirm": "1"})
                    .get_data(as_text=True))
    assert unit.name in page and "alamat email pimpinan belum diisi" in page
    assert db_session.scalars(select(OutboundMail)).all() == []


def test_outbox_says_why_mail_waits_and_resends_a_failed_one(en, db_session, smtp):
    mail.queue(db_session, "ditolak@iku.test", "Surat yang gagal", "Isi")
    mail.queue(db_session, "menunggu@iku.test", "Surat yang menunggu", "Isi")
    db_session.commit()
    failed, waiting = db_session.scalars(select(OutboundMail).order_by(OutboundMail.id)).all()
    failed.status, failed.last_error = MailStatus.FAILED, "ditolak@iku.test: 550 user unknown"
    waiting.last_error = "ConnectionRefusedError: [Errno 111] Connection refused"
    db_session.commit()
    client = en("admin")
    page = visible(client.get("/mailoutboxview/list/").get_data(as_text=True))
    assert "Connection refused" in page and "Failed: 1" in page and "Queued: 1" in page
    only_failed = visible(client.get("/mailoutboxview/list/?_flt_0_status=failed")
                          .get_data(as_text=True))
    assert "Surat yang gagal" in only_failed and "Surat yang menunggu" not in only_failed
    shown = visible(client.get(f"/mailoutboxview/show/{failed.id}").get_data(as_text=True))
    assert "550 user unknown" in shown and "No attachment." in shown
    client.post("/mailoutboxview/action_post", data={"action": "resend", "rowid": [failed.id]})
    db_session.expire_all()
    assert db_session.get(OutboundMail, failed.id).status == MailStatus.QUEUED
    mail.deliver(db_session)
    assert "Surat yang gagal" in [m["Subject"] for m in smtp.messages]


def test_local_mailbox_lists_what_the_sink_received(en, app, tmp_path, monkeypatch):
    box = mailbox.Maildir(tmp_path / "maildir", create=True)
    message = EmailMessage()
    message["Subject"], message["From"], message["To"] = "Memorandum lokal", "a@iku.test", \
        "b@iku.test"
    message["Date"] = "Tue, 01 Dec 2026 10:00:00 +0000"
    message.set_content("Isi memorandum")
    key = box.add(message)
    monkeypatch.setitem(app.config, "IKU_MAIL_SINK_DIR", str(tmp_path / "maildir"))
    client = en("admin")
    page = visible(client.get("/mailbox/").get_data(as_text=True))
    assert "Memorandum lokal" in page and "01-12-2026 17:00" in page
    assert "Memorandum lokal" not in visible(client.get("/mailbox/?q=tidakada")
                                             .get_data(as_text=True))
    assert "Isi memorandum" in client.get(f"/mailbox/{key}").get_data(as_text=True)
    assert client.get("/mailbox/bukan-kunci").status_code == 404


def test_a_person_turns_reminder_emails_off(en, db_session):
    client = en("pengguna1")
    client.post("/mail/settings/", data={})
    db_session.expire_all()
    user = db_session.scalars(select(IkuUser).filter_by(username="pengguna1")).one()
    assert user.mail_reminders is False
    client.post("/mail/settings/", data={"mail_reminders": "1"})
    db_session.expire_all()
    assert db_session.get(IkuUser, user.id).mail_reminders is True


def test_completing_the_send_sub_step_on_the_item_page_dispatches(final_doc, en, db_session):
    from app.models.cycles import WorkItem

    send = None
    for _ in range(20):  # on through 2a's chain up to its "menyampaikan" sub-step
        db_session.expire_all()
        leaves = db_session.scalars(select(WorkItem).where(
            WorkItem.cycle_id == final_doc.cycle_id, WorkItem.is_leaf,
            WorkItem.code.like("s02.a.%"), WorkItem.status.in_(("ready", "in_progress")))
            .order_by(WorkItem.position)).all()
        send = next((x for x in leaves if mail.sendable_document(db_session, x.id)), None)
        if send or not leaves:
            break
        act(db_session, {}, final_doc.cycle_id, "complete", leaves[0].code)
    assert send is not None
    username = db_session.get(IkuUser, send.assignee_user_id).username
    client = en(username)
    page = client.get(f"/tasks/item/{send.id}").get_data(as_text=True)
    assert "Also send" in visible(page) and 'name="mail_group"' in page
    client.post(f"/tasks/item/{send.id}/complete", data={
        "complete-version": send.version_id, "mail_group": "ak1",
        "mail_document": final_doc.id})
    db_session.expire_all()
    assert db_session.get(WorkItem, send.id).status == "done"
    rows = db_session.scalars(select(OutboundMail).where(
        OutboundMail.document_id == final_doc.id)).all()
    assert rows and {r.work_item_id for r in rows} == {final_doc.work_item_id}


def test_outside_addresses_are_checked_and_the_bad_one_is_named(final_doc, en, db_session):
    client = en("staf")
    data = {"group": "people", "addresses": "tu@kemenpan.go.id\nbukan alamat@@x", "send": "1",
            "confirm": "1"}
    page = visible(client.post(f"/mail/dispatch/{final_doc.id}", data=data)
                   .get_data(as_text=True))
    assert "alamat@@x" in page and "tidak valid" in page
    assert db_session.scalars(select(OutboundMail)).all() == []
    data["addresses"] = "tu@kemenpan.go.id"
    client.post(f"/mail/dispatch/{final_doc.id}", data=data)
    rows = db_session.scalars(select(OutboundMail)).all()
    assert [r.to_addrs for r in rows] == [["tu@kemenpan.go.id"]]


def test_outbox_counts_stop_at_the_limit_and_say_so(en, db_session, monkeypatch):
    """A year's sent mail is not counted at every page: past the limit the summary says ">"."""
    from app.services.mail import reading

    monkeypatch.setattr(reading, "SUMMARY_LIMIT", 2)
    for i in range(3):
        mail.queue(db_session, f"penerima{i}@iku.test", f"Surat {i}", "Isi")
    mail.queue(db_session, "gagal@iku.test", "Surat gagal", "Isi")
    db_session.commit()
    failed = db_session.scalars(select(OutboundMail).where(
        OutboundMail.subject == "Surat gagal")).one()
    failed.status = MailStatus.FAILED
    db_session.commit()
    page = visible(en("admin").get("/mailoutboxview/list/").get_data(as_text=True))
    assert "Queued: > 2" in page and "Failed: 1" in page
