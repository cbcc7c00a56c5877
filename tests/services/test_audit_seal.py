"""The audit trail cannot be re-sealed: its chain is keyed (HMAC under IKU_AUDIT_KEY, outside the
database), and an anchor kept outside catches what a chain alone cannot prove (a cut after the
anchor; a rebuild by someone holding the key)."""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import func, select, text, update

from app.models.audit import HASHED_FIELDS, AuditEntry, AuditHead, entry_hash
from app.services import audit


def _entries(session, n=4) -> list[int]:
    ids = [audit.log_event(session, "export", "x", details={"n": i}) for i in range(n)]
    session.commit()
    return ids


def _plain_sha256(values) -> str:
    """The chain as it was before the key: what anyone with table access can recompute."""
    payload = {name: values.get(name) for name in HASHED_FIELDS}
    payload["occurred_at"] = payload["occurred_at"].isoformat(timespec="microseconds")
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _reseal(session, from_id: int, hasher) -> None:
    """An attacker with write access: edit an entry, recompute it and every later hash with
    `hasher`, and set the head to match."""
    table, heads = AuditEntry.__table__, AuditHead.__table__
    session.execute(update(table).where(table.c.id == from_id).values(actor="penyusup"))
    prev = session.execute(select(table.c.hash).where(table.c.id < from_id)
                           .order_by(table.c.id.desc()).limit(1)).scalar() or ""
    rows = session.execute(select(table).where(table.c.id >= from_id).order_by(table.c.id)).mappings().all()
    for row in rows:
        values = {**row, "prev_hash": prev}
        prev = hasher(values)
        session.execute(update(table).where(table.c.id == row["id"])
                        .values(prev_hash=values["prev_hash"], hash=prev))
    session.execute(update(heads).where(heads.c.id == audit.HEAD_ID).values(last_hash=prev))


def _truncate_after(session, keep_last_id: int) -> None:
    """Cut the newest entries and "repair" the head so the shortened chain proves itself."""
    table = AuditEntry.__table__
    session.execute(text("DELETE FROM audit_entry WHERE id > :id"), {"id": keep_last_id})
    last = session.execute(select(table.c.hash).where(table.c.id == keep_last_id)).scalar()
    count = session.execute(select(func.count()).select_from(table)).scalar()
    session.execute(update(AuditHead.__table__).where(AuditHead.__table__.c.id == audit.HEAD_ID)
                    .values(last_id=keep_last_id, last_hash=last, entries=count))


def test_an_edit_resealed_with_plain_sha256_is_detected(db_session):
    _, second, *_ = _entries(db_session)
    assert audit.verify_chain(db_session) is None
    _reseal(db_session, second, _plain_sha256)
    broken = audit.verify_chain(db_session)
    assert broken is not None and broken.entry_id is not None and broken.entry_id <= second
    assert "diubah" in broken.reason


def test_the_chain_depends_on_the_key_kept_outside_the_database(app, db_session):
    _entries(db_session, 2)
    assert audit.verify_chain(db_session) is None
    app.config["IKU_AUDIT_KEY"] = "another-key-somewhere-else"
    try:
        assert audit.verify_chain(db_session) is not None
    finally:
        app.config["IKU_AUDIT_KEY"] = ""


def test_truncation_after_the_anchor_is_detected(db_session):
    ids = _entries(db_session)
    anchor = audit.parse_anchor(audit.make_anchor(db_session))
    assert anchor.entry_id == ids[-1] and audit.verify_anchor(db_session, anchor) is None
    _truncate_after(db_session, ids[1])
    assert audit.verify_chain(db_session) is None  # the chain alone cannot tell
    broken = audit.verify_anchor(db_session, anchor)
    assert broken is not None and broken.entry_id == ids[-1] and "dipotong" in broken.reason


def test_a_rebuild_with_the_key_is_caught_by_the_anchor(db_session):
    ids = _entries(db_session)
    anchor = audit.parse_anchor(audit.make_anchor(db_session))
    key = audit.chain_key()
    _reseal(db_session, ids[1], lambda values: entry_hash(values, key))
    assert audit.verify_chain(db_session) is None  # an insider holding the key re-sealed it
    broken = audit.verify_anchor(db_session, anchor)
    assert broken is not None and "ditulis ulang" in broken.reason


def test_entries_after_the_anchor_keep_it_valid(db_session):
    _entries(db_session, 2)
    anchor = audit.parse_anchor(audit.make_anchor(db_session))
    _entries(db_session, 2)
    assert audit.verify_chain(db_session) is None and audit.verify_anchor(db_session, anchor) is None


def test_a_forged_or_foreign_anchor_is_refused(app, db_session):
    _entries(db_session, 1)
    line = audit.make_anchor(db_session)
    forged = line.replace("entries=", "entries=1", 1)
    with pytest.raises(audit.AnchorInvalidError):
        audit.parse_anchor(forged)
    with pytest.raises(audit.AnchorInvalidError):
        audit.parse_anchor("hello")
    app.config["IKU_AUDIT_KEY"] = "another-key-somewhere-else"
    try:
        with pytest.raises(audit.AnchorInvalidError):
            audit.parse_anchor(line)
    finally:
        app.config["IKU_AUDIT_KEY"] = ""


def test_cli_anchor_then_verify_against_it_string_and_file(app, db_session, tmp_path):
    ids = _entries(db_session)
    runner = app.test_cli_runner()
    printed = runner.invoke(args=["iku", "audit-anchor"])
    assert printed.exit_code == 0 and printed.output.startswith("IKU-AUDIT-ANCHOR v1 ")
    line = printed.output.strip()
    anchors = tmp_path / "anchors.txt"
    anchors.write_text(f"# kept by the operator\n{line}\n", encoding="utf-8")
    for value in (line, str(anchors)):
        ok = runner.invoke(args=["iku", "audit-verify", "--anchor", value])
        assert ok.exit_code == 0 and "cocok dengan 1 jangkar" in ok.output, ok.output
    _truncate_after(db_session, ids[0])
    assert runner.invoke(args=["iku", "audit-verify"]).exit_code == 0
    cut = runner.invoke(args=["iku", "audit-verify", "--anchor", str(anchors)])
    assert cut.exit_code == 1 and f"entri #{ids[-1]}" in cut.output and "dipotong" in cut.output
    bad = runner.invoke(args=["iku", "audit-verify", "--anchor", line.replace("sig=", "sig=0")])
    assert bad.exit_code != 0 and "jangkar" in bad.output
