"""The audit trail as the services see it: entries land with the change, the chain proves
itself, and tampering behind the app's back is reported at the exact entry."""

from __future__ import annotations

import datetime as dt
import decimal
import os
import threading

import pytest
from flask import current_app
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from app.extensions import db
from app.models.audit import AuditEntry, AuditHead
from app.models.org import OrgUnit, Pelaksana, Position
from app.services import access, audit

NIP = "198503152010121001"


def _new_entries(session, after_id):
    return session.query(AuditEntry).filter(AuditEntry.id > after_id).order_by(AuditEntry.id).all()


def _last_id(session):
    return session.query(db.func.max(AuditEntry.id)).scalar() or 0


def _pelaksana(session, **values):
    person = Pelaksana(name="Siti Rahma", nip=NIP, email="siti@setneg.go.id", **values)
    session.add(person)
    session.commit()
    return person


def test_create_update_delete_land_with_old_and_new_values(db_session):
    start = _last_id(db_session)
    staf = db_session.query(Position).filter_by(code="STAF").one()
    person = _pelaksana(db_session, position=staf)
    person.name, person.email = "Siti Rahmawati", None
    db_session.commit()
    person_id = person.id
    db_session.delete(person)
    db_session.commit()

    created, updated, deleted = _new_entries(db_session, start)
    assert (created.action, created.entity, created.entity_id) == ("create", "pelaksana", str(person_id))
    assert created.actor == "system" and created.actor_ip is None
    assert created.changes["nip"] == [None, NIP]
    assert created.changes["position"] == [None, str(staf)]
    assert updated.action == "update"
    assert updated.changes == {"name": ["Siti Rahma", "Siti Rahmawati"], "email": ["siti@setneg.go.id", None]}
    assert deleted.action == "delete" and deleted.changes["name"] == ["Siti Rahmawati", None]
    assert audit.verify_chain(db_session) is None


def test_old_value_is_known_even_for_an_expired_record(db_session):
    person = _pelaksana(db_session)
    start = _last_id(db_session)
    db_session.expire_all()  # as after any commit: nothing of the row is loaded any more
    person.name = "Nama Baru"
    db_session.commit()
    (entry,) = _new_entries(db_session, start)
    assert entry.changes == {"name": ["Siti Rahma", "Nama Baru"]}


def test_actor_can_be_named_outside_a_request(db_session):
    start = _last_id(db_session)
    with audit.acting_as("import:pegawai.xlsx"):
        _pelaksana(db_session)
    assert _new_entries(db_session, start)[0].actor == "import:pegawai.xlsx"


def test_a_rolled_back_change_leaves_no_entry(db_session):
    start, head = _last_id(db_session), audit.count_entries(db_session)
    db_session.add(Pelaksana(name="Batal", nip=NIP))
    db_session.flush()
    assert len(_new_entries(db_session, start)) == 1  # written with the change...
    db_session.rollback()
    assert _new_entries(db_session, start) == []  # ...and gone with it
    assert audit.count_entries(db_session) == head
    assert audit.verify_chain(db_session) is None


def test_an_unchanged_save_and_unaudited_fields_write_nothing(db_session):
    person = _pelaksana(db_session)
    user = current_app.appbuilder.sm.find_user(username="staf")
    start = _last_id(db_session)
    person.name = person.name
    user.login_count = (user.login_count or 0) + 1  # every login does this
    user.last_login = dt.datetime.now()
    db_session.commit()
    assert _new_entries(db_session, start) == []


def test_account_changes_are_audited_but_never_the_password_hash(db_session):
    sm = current_app.appbuilder.sm
    start = _last_id(db_session)
    access.set_password("staf", "Sandi-Baru-Yang-Kuat-2026!")
    user = sm.find_user(username="staf")
    user.roles.append(sm.find_role("Auditor"))
    user.active = False
    db_session.commit()
    entries = _new_entries(db_session, start)
    assert [e.changes for e in entries] == [
        {"password": ["***", "***"]},
        {"roles": [["Staf"], ["Auditor", "Staf"]], "active": [True, False]},
    ]
    assert all(e.entity == "ab_user" and e.entity_id == str(user.id) for e in entries)
    assert user.password not in str([e.changes for e in entries])


def test_unit_records_carry_their_unit_for_scoping(db_session):
    unit = db_session.query(OrgUnit).filter_by(code="SETPRES").one()
    start = _last_id(db_session)
    unit.head_name = "Kepala Baru"
    db_session.commit()
    (entry,) = _new_entries(db_session, start)
    assert (entry.entity, entry.unit_id) == ("org_unit", unit.id)


def test_log_event_records_non_orm_events_json_safe(db_session):
    entry_id = audit.log_event(
        db_session,
        "export",
        "Pelaksana",
        details={
            "format": "xlsx",
            "rows": 12,
            "on": dt.date(2026, 3, 1),
            "amount": decimal.Decimal("1.50"),
        },
        unit_id=3,
    )
    db_session.commit()
    entry = db_session.get(AuditEntry, entry_id)
    assert (entry.action, entry.entity, entry.entity_id, entry.unit_id) == ("export", "Pelaksana", None, 3)
    assert entry.changes == {"format": "xlsx", "rows": 12, "on": "2026-03-01", "amount": "1.50"}
    assert audit.verify_chain(db_session) is None


def test_each_entry_names_its_predecessor(db_session):
    first = audit.log_event(db_session, "export", "x")
    second = audit.log_event(db_session, "export", "y")
    a, b = db_session.get(AuditEntry, first), db_session.get(AuditEntry, second)
    assert b.prev_hash == a.hash and a.hash != b.hash
    head = db_session.get(AuditHead, audit.HEAD_ID)
    assert (head.last_id, head.last_hash) == (b.id, b.hash)


def _three_entries(session):
    ids = [audit.log_event(session, "export", "x", details={"n": n}) for n in range(3)]
    session.commit()
    return ids


def test_an_edited_entry_is_reported_exactly(db_session):
    _, middle, _ = _three_entries(db_session)
    db_session.execute(text("UPDATE audit_entry SET changes = '{\"n\": 99}' WHERE id = :id"), {"id": middle})
    broken = audit.verify_chain(db_session)
    assert broken.entry_id == middle and "diubah" in broken.reason
    assert broken.occurred_at is not None


def test_a_rehashed_edit_is_caught_at_the_next_entry(db_session):
    first, middle, last = _three_entries(db_session)
    db_session.execute(
        text("UPDATE audit_entry SET actor = 'someone', hash = :h WHERE id = :id"),
        {"id": middle, "h": "0" * 64},
    )
    assert audit.verify_chain(db_session).entry_id == middle
    row = db_session.get(AuditEntry, middle)
    db_session.expire(row)
    values = {
        c: getattr(row, c)
        for c in (
            "prev_hash",
            "occurred_at",
            "actor",
            "actor_ip",
            "action",
            "entity",
            "entity_id",
            "unit_id",
            "changes",
        )
    }
    from app.models.audit import entry_hash

    db_session.execute(
        text("UPDATE audit_entry SET hash = :h WHERE id = :id"),
        {"id": middle, "h": entry_hash(values, audit.chain_key())},
    )
    broken = audit.verify_chain(db_session)
    assert broken.entry_id == last and "sebelum" in broken.reason


def test_a_deleted_entry_is_caught(db_session):
    _, middle, last = _three_entries(db_session)
    db_session.execute(text("DELETE FROM audit_entry WHERE id = :id"), {"id": middle})
    assert audit.verify_chain(db_session).entry_id == last


def test_a_deleted_last_entry_is_caught_by_the_head(db_session):
    *_, last = _three_entries(db_session)
    db_session.execute(text("DELETE FROM audit_entry WHERE id = :id"), {"id": last})
    broken = audit.verify_chain(db_session)
    assert broken is not None and "terakhir dihapus" in broken.reason


def test_verify_streams_in_batches(db_session):
    _three_entries(db_session)
    assert audit.verify_chain(db_session, batch_size=2) is None


def test_the_orm_cannot_change_or_remove_the_trail(db_session):
    entry = db_session.get(AuditEntry, audit.log_event(db_session, "export", "x"))
    db_session.commit()
    entry.actor = "someone else"
    with pytest.raises(audit.AuditTrailImmutableError):
        db_session.flush()
    db_session.rollback()
    db_session.delete(entry)
    with pytest.raises(audit.AuditTrailImmutableError):
        db_session.flush()
    db_session.rollback()
    with pytest.raises(audit.AuditTrailImmutableError):
        db_session.query(AuditEntry).filter_by(id=entry.id).update({"actor": "x"})
    db_session.rollback()
    db_session.add(
        AuditEntry(
            actor="forged", action="create", entity="x", occurred_at=dt.datetime.now(), prev_hash="", hash=""
        )
    )
    with pytest.raises(audit.AuditTrailImmutableError):
        db_session.flush()
    db_session.rollback()
    assert db_session.get(AuditEntry, entry.id).actor != "someone else"


def test_a_bulk_update_of_audited_rows_is_still_logged(db_session):
    _pelaksana(db_session)
    start = _last_id(db_session)
    db_session.query(Pelaksana).filter_by(nip=NIP).update({"active": False})
    db_session.commit()
    (entry,) = _new_entries(db_session, start)
    assert (entry.action, entry.entity) == ("update", "pelaksana") and entry.changes["bulk"]


def test_cli_audit_verify_reports_ok_then_the_break(app, db_session):
    ids = _three_entries(db_session)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["iku", "audit-verify"])
    assert result.exit_code == 0 and result.output.startswith("OK: ")
    assert f"{audit.count_entries(db_session)} entri" in result.output
    db_session.execute(text("UPDATE audit_entry SET action = 'delete' WHERE id = :id"), {"id": ids[0]})
    result = runner.invoke(args=["iku", "audit-verify"])
    assert result.exit_code == 1
    assert f"entri #{ids[0]}" in result.output


# --- concurrency (PostgreSQL only: SQLite serialises every writer anyway) ----------------------

PG_URL = os.environ.get("TEST_DATABASE_URL", "")


@pytest.mark.skipif(not PG_URL.startswith("postgresql"), reason="needs PostgreSQL")
def test_concurrent_writers_never_fork_the_chain(app):
    """Own engine and committed transactions: the per-test rollback cannot reach them, so the
    test removes its entries and restores the head itself."""
    engine = create_engine(PG_URL, pool_size=4)
    with engine.begin() as conn:
        head = conn.execute(text("SELECT last_id, last_hash, entries FROM audit_head")).first()
    per_thread, errors, barrier = 25, [], threading.Barrier(2)

    def write(name):
        try:
            barrier.wait()
            with app.app_context():  # the chain key is the app's
                for n in range(per_thread):
                    with Session(engine) as session, audit.acting_as(name):
                        audit.log_event(session, "export", "concurrency", details={"n": n})
                        session.commit()
        except Exception as exc:  # noqa: BLE001  (reported by the assertion below)
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(f"worker{i}",)) for i in range(2)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        with Session(engine) as session:
            assert audit.verify_chain(session) is None
            assert audit.count_entries(session) == head.entries + 2 * per_thread
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM audit_entry WHERE id > :id"), {"id": head.last_id})
            conn.execute(
                text("UPDATE audit_head SET last_id = :last_id, last_hash = :last_hash, entries = :entries"),
                dict(head._mapping),
            )
        engine.dispose()
