"""Mail: the outbox and its delivery to a real SMTP server (aiosmtpd on 127.0.0.1).

A dispatched memorandum arrives with its To/Cc/Subject and the archived bytes; with the server
down mail stays queued and then arrives exactly once; a 550 ends failed with the server's words;
a rolled-back action leaves no mail; a bad address is named and nothing is saved; SLA reminders,
assignments and returns go out once per person, item and status, unless the person opted out.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import func, select

from app.models.cycles import WorkItem
from app.models.mail import MailStatus, OutboundMail
from app.models.org import IkuUser, OrgUnit
from app.services import cycles, mail
from app.services.mail import delivery
from tests.services.test_cycles_support import SCHEDULE, bureau_fixture  # noqa: F401
from tests.services.test_documents import _finalise, _generate
from tests.services.test_documents_support import (  # noqa: F401
    at_2a_fixture,
    docs_env_fixture,
    wib,
)
from tests.smtp_support import smtp_fixture  # noqa: F401

T = dt.datetime(2027, 3, 8, 9, 0, tzinfo=dt.UTC)


def _count(session, **where) -> int:
    query = select(func.count()).select_from(OutboundMail)
    for key, value in where.items():
        query = query.where(getattr(OutboundMail, key) == value)
    return session.scalar(query)


def _drain(session, now) -> delivery.DeliveryResult:
    total = delivery.DeliveryResult()
    for _ in range(100):
        result = mail.deliver(session, now=now)
        total.sent += result.sent
        total.retried += result.retried
        total.failed += result.failed
        if not result.claimed:
            break
    return total


def _final_memo(run):
    doc = _generate(run)
    run.do("complete", "s02.a.2", wib(4, 11))
    return _finalise(run, doc)


def test_bad_address_is_named_and_nothing_is_saved(db_session):
    with pytest.raises(mail.MailAddressInvalidError, match="bukan-alamat@@iku.test"):
        mail.queue(db_session, ["staf@iku.test", "bukan-alamat@@iku.test"], "Hal", "Isi")
    with pytest.raises(mail.MailAddressInvalidError, match="x@lain.local"):
        mail.queue(db_session, "staf@iku.test", "Hal", "Isi", cc=["x@lain.local"])
    db_session.commit()
    assert _count(db_session) == 0


def test_subject_cannot_inject_headers_and_sender_is_configuration(db_session, smtp, app):
    with pytest.raises(mail.MailContentInvalidError, match="baris baru"):
        mail.queue(db_session, "staf@iku.test", "Hal\r\nBcc: korban@iku.test", "Isi")
    mail.queue(db_session, "staf@iku.test", "Hal biasa", "Isi")
    db_session.commit()
    assert _drain(db_session, T).sent == 1
    got = smtp.messages[0]
    assert got["From"] == app.config["MAIL_DEFAULT_SENDER"] and got["Bcc"] is None
    assert smtp.handler.envelopes[0][1] == ["staf@iku.test"]


def test_rolled_back_action_leaves_no_mail(at_2a, db_session):
    run = at_2a
    item = run.item("s02.a.2")

    def queue_then_refuse(session, done):
        mail.queue(session, "staf@iku.test", "Akan batal", "Isi", work_item_id=done.id)
        raise mail.MailContentInvalidError("ditolak")

    with pytest.raises(mail.MailContentInvalidError):
        cycles.complete_item(db_session, run.actor(item), item.id, now=wib(4, 11),
                             schedule=SCHEDULE, also=queue_then_refuse)
    db_session.rollback()
    assert _count(db_session) == 0
    assert db_session.get(WorkItem, item.id).status != "done"


def test_dispatched_memorandum_arrives_with_the_archived_file(at_2a, db_session, smtp, bureau):
    run = at_2a
    doc = _final_memo(run)
    units = db_session.scalars(select(OrgUnit).where(OrgUnit.code.in_(["SETPRES", "SETWAPRES"])))
    for unit in units:
        unit.head_email = f"pimpinan.{unit.code.lower()}@iku.test"
    db_session.commit()
    drafts = mail.preview(db_session, bureau["c_staf1"], doc.id, "ak1")
    setpres = next(d for d in drafts if d.recipient.label.startswith("Kementerian Sekretariat")
                   or "pimpinan.setpres@iku.test" in d.recipient.to)
    assert setpres.problem is None and doc.number in setpres.subject
    assert "Bersama ini kami sampaikan" in setpres.text and setpres.attachments
    sendable = [d for d in drafts if d.problem is None]
    blocked = [d for d in drafts if d.problem]
    if blocked:  # units without a head's address are named and stop the dispatch
        with pytest.raises(mail.MailContentInvalidError, match="alamat email pimpinan"):
            mail.dispatch(db_session, bureau["c_staf1"], doc.id, "ak1")
        assert _count(db_session) == 0
        for draft in blocked:
            db_session.get(OrgUnit, draft.recipient.org_unit_id).head_email = "tu@iku.test"
        db_session.commit()
    queued = mail.dispatch(db_session, bureau["c_staf1"], doc.id, "ak1")
    assert len(queued) == len(drafts) >= len(sendable) >= 1
    assert all(m.document_id == doc.id and m.cycle_id == doc.cycle_id
               and m.work_item_id == doc.work_item_id for m in queued)
    assert _drain(db_session, T).sent == len(queued)
    got = next(m for m in smtp.messages if m["To"] == "pimpinan.setpres@iku.test")
    assert got["Cc"] == "pengguna1@iku.test"  # the unit's liaison
    assert got["Subject"].strip() == f"{doc.title} Nomor {doc.number}"
    final = next(v for v in doc.versions if v.is_final)
    files = list(got.iter_attachments())
    assert [f.get_filename() for f in files] == [final.original_name]
    assert hashlib.sha256(files[0].get_content()).hexdigest() == final.sha256
    row = next(m for m in mail.document_deliveries(db_session, doc.id)
               if m.to_addrs == ["pimpinan.setpres@iku.test"])
    assert row.status == MailStatus.SENT and row.sent_at and row.message_id == got["Message-ID"]


def test_server_down_keeps_500_queued_then_delivers_each_exactly_once(db_session, smtp):
    for n in range(500):
        mail.queue(db_session, f"penerima{n}@iku.test", f"Memorandum {n}", "Isi")
    db_session.commit()
    smtp.stop()
    down = _drain(db_session, T)
    assert down.sent == 0 and down.retried == 500
    assert _count(db_session, status=MailStatus.QUEUED) == 500
    why = mail.queue_summary(db_session)["waiting_error"]
    assert "Connection refused" in why or "ConnectionRefused" in why
    assert _drain(db_session, T).retried == 0  # backing off: nothing due yet
    smtp.start()
    up = _drain(db_session, T + dt.timedelta(hours=2))
    assert up.sent == 500
    ids = smtp.handler.message_ids()
    assert len(ids) == 500 and len(set(ids)) == 500
    assert _count(db_session, status=MailStatus.SENT) == 500
    assert _drain(db_session, T + dt.timedelta(days=1)).sent == 0


def test_permanent_550_ends_failed_with_the_servers_answer(db_session, smtp, app):
    smtp.handler.refuse.add("tidak.ada@iku.test")
    smtp.handler.defer.add("sibuk@iku.test")
    mail.queue(db_session, "tidak.ada@iku.test", "Gagal", "Isi")
    mail.queue(db_session, "sibuk@iku.test", "Ditunda", "Isi")
    db_session.commit()
    now = T
    for _ in range(app.config["IKU_MAIL_MAX_ATTEMPTS"]):
        _drain(db_session, now)
        now += dt.timedelta(days=1)
    failed = db_session.scalars(select(OutboundMail).filter_by(subject="Gagal")).one()
    assert failed.status == MailStatus.FAILED and "550" in failed.last_error
    assert "user unknown" in failed.last_error
    deferred = db_session.scalars(select(OutboundMail).filter_by(subject="Ditunda")).one()
    assert deferred.status == MailStatus.QUEUED and "451" in deferred.last_error
    smtp.handler.refuse.clear()
    admin = db_session.scalars(select(IkuUser).filter_by(username="admin")).one()
    with pytest.raises(mail.MailStateError):
        mail.resend(db_session, admin, [deferred.id])
    assert mail.resend(db_session, admin, [failed.id]) == 1
    assert _drain(db_session, now).sent == 1
    assert [m["Subject"] for m in smtp.messages] == ["Gagal"]


def test_a_worker_killed_mid_send_leaves_the_message_to_be_retried(db_session, smtp, app):
    mail.queue(db_session, "staf@iku.test", "Terputus", "Isi")
    db_session.commit()
    claimed = delivery.claim(db_session, T.replace(tzinfo=None), 10)  # ...and the worker dies
    assert len(claimed) == 1
    assert _drain(db_session, T).sent == 0  # still leased to the dead worker
    later = T + dt.timedelta(seconds=app.config["IKU_MAIL_LEASE_SECONDS"] + 1)
    assert _drain(db_session, later).sent == 1
    assert len(smtp.messages) == 1


def _scan(run, at):
    return cycles.scan_sla(run.session, at, schedule=SCHEDULE)


def test_reminders_by_mail_once_per_person_item_and_status_with_opt_out(at_2a, db_session,
                                                                        bureau):
    run = at_2a
    bureau["c_ppk1"].mail_reminders = False  # the Kasubbag turned reminder emails off
    db_session.commit()
    _scan(run, wib(11, 9))  # a week later: 2a.2 is overdue
    rows = db_session.scalars(select(OutboundMail).where(OutboundMail.kind == "notice")).all()
    to = {tuple(m.to_addrs) for m in rows}
    assert ("c_staf1@iku.test",) in to and ("c_ppk1@iku.test",) not in to
    notice = next(m for m in rows if m.to_addrs == ["c_staf1@iku.test"])
    assert "batas waktu" in notice.subject and "Staf menyusun konsep" in notice.subject
    assert f"/tasks/item/{run.item('s02.a.2').id}" in notice.body_text
    _scan(run, wib(12, 9))
    keys = set(db_session.scalars(select(OutboundMail.dedupe_key)).all())
    item_id, staf = run.item("s02.a.2").id, bureau["c_staf1"].id
    assert {f"at_risk:{item_id}:{staf}", f"overdue:{item_id}:{staf}"} <= keys
    before = len(keys)
    _scan(run, wib(13, 9))
    assert _count(db_session, kind="notice") == before


def test_assignment_and_return_notify_by_mail(at_2a, db_session, bureau):
    run = at_2a
    item = run.item("s02.a.2")
    cycles.reassign_item(db_session, bureau["c_ppk1"], item.id, bureau["c_staf1b"].id,
                         now=wib(4, 10))
    notice = db_session.scalars(select(OutboundMail).where(
        OutboundMail.dedupe_key == f"assigned:{item.id}:{bureau['c_staf1b'].id}")).one()
    assert notice.to_addrs == ["c_staf1b@iku.test"] and notice.subject.startswith("Tugas baru")
    run.do("complete", "s02.a.2", wib(4, 11))
    run.do("return", "s02.a.3", wib(4, 12), reason="Lampiran belum lengkap")
    returned = db_session.scalars(select(OutboundMail).where(
        OutboundMail.subject.like("Dikembalikan%"))).one()
    assert returned.to_addrs == ["c_staf1b@iku.test"]
    assert "Lampiran belum lengkap" in returned.body_text


def test_long_lines_are_folded_so_the_server_takes_them(db_session, smtp):
    words = " ".join(f"kata{n}" for n in range(600))  # one 5,000-character line
    mail.queue(db_session, "staf@iku.test", "Baris panjang", words, html=f"<p>{words}</p>")
    db_session.commit()
    assert _drain(db_session, T).sent == 1
    body = smtp.messages[0].get_body(preferencelist=("plain",)).get_content()
    assert body.split() == words.split()


def test_completing_a_menyampaikan_sub_step_dispatches_in_the_same_action(at_2a, db_session,
                                                                         bureau):
    run = at_2a
    doc = _final_memo(run)
    sends = []
    for _ in range(20):  # on through the chain up to its "menyampaikan" (send) sub-step
        leaves = sorted(run.open_leaves("s02.a"), key=lambda i: i.position)
        sends = [leaf for leaf in leaves if mail.sendable_document(db_session, leaf.id)]
        if sends or not leaves:
            break
        run.do("complete", leaves[0].code, wib(5, 9))
    assert sends, "the chain reaches its send sub-step with the final memorandum"
    leaf = sends[0]
    assert mail.sendable_document(db_session, leaf.id).id == doc.id
    user = run.actor(leaf)
    with pytest.raises(mail.DispatchRefusedError, match="alamat email pimpinan"):
        cycles.complete_item(db_session, user, leaf.id, now=wib(5, 10), schedule=SCHEDULE,
                             also=mail.on_complete(user, doc.id, "ak1"))
    db_session.rollback()
    assert _count(db_session) == 0 and db_session.get(WorkItem, leaf.id).status != "done"
    for unit in db_session.scalars(select(OrgUnit)):
        unit.head_email = f"pimpinan.{unit.code.lower()}@iku.test"
    db_session.commit()
    cycles.complete_item(db_session, user, leaf.id, now=wib(5, 10), schedule=SCHEDULE,
                         also=mail.on_complete(user, doc.id, "ak1"))
    assert db_session.get(WorkItem, leaf.id).status == "done"
    assert _count(db_session, document_id=doc.id) >= 1


def test_the_worker_loop_stops_when_asked_and_drains_with_once(db_session, smtp):
    mail.queue(db_session, "staf@iku.test", "Satu", "Isi")
    db_session.commit()
    assert mail.work(db_session, once=True).sent == 1
    asked = iter([False, False, True])
    total = mail.work(db_session, poll_seconds=0.05, should_stop=lambda: next(asked, True))
    assert total.sent == 0 and len(smtp.messages) == 1


def test_queue_summary_counts_each_status_up_to_its_cap_in_one_statement(db_session,
                                                                       monkeypatch):
    from sqlalchemy import event

    from app.extensions import db
    from app.services.mail import reading

    monkeypatch.setattr(reading, "SUMMARY_LIMIT", 3)
    for n in range(5):
        mail.queue(db_session, f"penerima{n}@iku.test", f"Memorandum {n}", "Isi")
    failed = mail.queue(db_session, "gagal@iku.test", "Gagal", "Isi")
    failed.status, failed.last_error = MailStatus.FAILED, "550 tidak ada"
    waiting = mail.queue(db_session, "sibuk@iku.test", "Ditunda", "Isi")
    waiting.last_error = "421 sibuk"
    db_session.commit()
    seen = []
    listen = lambda *args: seen.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        summary = mail.queue_summary(db_session)
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)
    assert summary["counts"] == {"queued": 3, "sending": 0, "sent": 0, "failed": 1}
    assert summary["capped"] == {"queued"}  # six queued: "> 3"
    assert summary["waiting_error"] == "421 sibuk"  # a failed email's answer is not "waiting"
    assert len([s for s in seen if s.lstrip().upper().startswith("SELECT")]) == 1
