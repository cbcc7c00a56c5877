"""The audit trail: every change to an audited record, and every event other modules report
through log_event(), appended to ONE HMAC chain in the same transaction as the change.

Why session listeners and not SQLAlchemy-Continuum (2.0, which does run on FAB's Model and
SQLAlchemy 2.1): Continuum keeps one shadow `<table>_version` table per model plus a
`transaction` table, doubling the migrations, and spreads one change over several tables, so a
single ordered hash chain would have to be rebuilt from joins over all of them; it has no
notion of a chain, of non-ORM events (exports, failed logins) nor of masking a field. Two flush
hooks here do the whole job in one table.

- before_flush: refuses any ORM change to the trail itself, loads what a deletion would lose.
- after_flush: primary keys exist and attribute history still holds old -> new; one entry per
  audited instance is appended through the flush's own connection, so a rolled-back change
  leaves no entry and a committed one cannot lack its entry.
- each hash is keyed (chain_key(): IKU_AUDIT_KEY, kept outside the database), so whoever can
  only write the tables cannot re-seal an edited chain; an anchor (make_anchor) kept outside
  the database also catches a chain cut after its end or rebuilt by someone holding the key.
- appends lock the single AuditHead row first (SQLite: the write it starts with takes the
  database lock), so concurrent workers take turns and the chain never forks.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import hashlib
import hmac
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import click
from flask import current_app, g, has_request_context, request
from flask_appbuilder import Model
from sqlalchemy import event, func, insert, inspect, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, configure_mappers

from app.models import org
from app.models.audit import (
    Anchor,
    AnchorInvalidError,  # noqa: F401  (raised by parse_anchor, caught by callers)
    AuditAction,
    AuditEntry,
    AuditHead,
    AuditSpec,
    entry_hash,
    json_safe,
)

HEAD_ID = 1
_INSERT_IGNORING = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
MASK = "***"
# An account's login counters and timestamps change at every login: only what an
# administrator decides is audited, and of the password only the fact that it changed.
USER_FIELDS = frozenset({
    "username", "first_name", "last_name", "email", "active", "roles", "org_unit",
    "org_unit_id", "pelaksana", "pelaksana_id", "locked_at", "password",
})  # fmt: skip
# The org models predate the trail; a new model opts in with `__audited__` on its class.
DEFAULT_AUDITED: dict[type, AuditSpec] = {
    org.OrgUnit: AuditSpec(unit="id"),
    org.OrgUnitAssignment: AuditSpec(unit="org_unit_id"),
    **{model: AuditSpec() for model in (org.Section, org.Position, org.Pelaksana, org.Competence,
                                        org.CompetenceRecord)},
    org.IkuUser: AuditSpec(only=USER_FIELDS, masked=frozenset({"password"}), unit="org_unit_id"),
}

_specs: dict[type, AuditSpec | None] = {}  # None: looked at, not audited
_fields: dict[type, list[tuple[str, str]]] = {}
_actor_override: contextvars.ContextVar[str | None] = contextvars.ContextVar("actor", default=None)


class AuditTrailImmutableError(RuntimeError):
    """Someone tried to add, change or delete trail entries other than through this module."""


@dataclass(frozen=True)
class ChainBreak:
    """The first place where the chain no longer proves itself, and why."""

    entry_id: int | None
    occurred_at: dt.datetime | None
    reason: str


def chain_key() -> bytes:
    """The key of the chain's HMAC: IKU_AUDIT_KEY, else one derived from SECRET_KEY. Either way
    it never sits in the database the trail is stored in. Changing it makes every existing
    entry fail verification: set IKU_AUDIT_KEY once and keep it when SECRET_KEY rotates."""
    config = current_app.config
    if config.get("IKU_AUDIT_KEY"):
        return config["IKU_AUDIT_KEY"].encode("utf-8")
    return hmac.new(config["SECRET_KEY"].encode("utf-8"), b"iku-audit-chain", hashlib.sha256).digest()


@contextmanager
def acting_as(actor: str) -> Iterator[None]:
    """Name the actor for work done outside a request (a worker, an import, a scheduled job)."""
    token = _actor_override.set(actor)
    try:
        yield
    finally:
        _actor_override.reset(token)


def current_actor() -> tuple[str, str | None]:
    """(actor, ip): the logged-in user of the request (page or JWT API), else an explicit
    acting_as(), else `cli:<os user>` under `flask ...`, else "system"."""
    override = _actor_override.get()
    if has_request_context():
        user = getattr(g, "user", None)
        name = getattr(user, "username", None) if getattr(user, "is_authenticated", False) else None
        return override or name or "anonymous", request.remote_addr
    if override:
        return override, None
    if click.get_current_context(silent=True) is not None:
        return f"cli:{os.environ.get('USER') or os.environ.get('LOGNAME') or 'unknown'}", None
    return "system", None


def _render(kind: str, value):
    if kind == "coll":
        return sorted(str(item) for item in value or ())
    if kind == "ref":
        return None if value is None else str(value)
    return value


def _changes(obj, action: str) -> dict:
    spec, state = _spec(type(obj)), inspect(obj)
    changes = {}
    for key, kind in _fields[type(obj)]:
        if action == AuditAction.UPDATE:
            hist = state.attrs[key].history
            if not hist.has_changes():
                continue
            if kind == "coll":
                old = _render(kind, [*hist.unchanged, *hist.deleted])
                new = _render(kind, [*hist.unchanged, *hist.added])
            else:
                old = _render(kind, hist.deleted[0] if hist.deleted else None)
                new = _render(kind, hist.added[0] if hist.added else None)
        else:
            value = _render(kind, state.dict.get(key))
            if value is None or value == []:
                continue
            old, new = (None, value) if action == AuditAction.CREATE else (value, None)
        if old != new:
            if key in spec.masked:
                old, new = (None if v is None else MASK for v in (old, new))
            changes[key] = [old, new]
    return json_safe(changes)


def _record(obj, action: str) -> dict | None:
    changes = _changes(obj, action)
    if action == AuditAction.UPDATE and not changes:
        return None
    mapper, spec = inspect(obj).mapper, _spec(type(obj))
    unit_id = inspect(obj).dict.get(spec.unit) if spec.unit else None
    return {
        "action": str(action),
        "entity": mapper.local_table.name,
        "entity_id": ",".join(str(v) for v in mapper.primary_key_from_instance(obj)),
        "unit_id": unit_id if isinstance(unit_id, int) else None,
        "changes": changes,
    }


def _ensure_head(conn) -> None:
    """Create the head row on first use, from the last entry if there is one (a head lost
    with entries behind it is rebuilt rather than stopping every write)."""
    entries, heads = AuditEntry.__table__, AuditHead.__table__
    last = conn.execute(select(entries.c.id, entries.c.hash).order_by(entries.c.id.desc())
                        .limit(1)).first()
    count = conn.execute(select(func.count()).select_from(entries)).scalar_one() if last else 0
    values = {"id": HEAD_ID, "last_id": last.id if last else 0,
              "last_hash": last.hash if last else "", "entries": count}
    # Two first writers may race here: the loser's insert is ignored, and it reads the winner's.
    conn.execute(_INSERT_IGNORING[conn.dialect.name](heads).values(**values)
                 .on_conflict_do_nothing())


def _lock_head(conn):
    heads = AuditHead.__table__
    if conn.dialect.name == "sqlite":  # SQLite locks on the first write, never on a read
        conn.execute(update(heads).where(heads.c.id == HEAD_ID).values(entries=heads.c.entries))
    query = select(heads).where(heads.c.id == HEAD_ID).with_for_update()
    head = conn.execute(query).first()
    if head is None:
        _ensure_head(conn)
        head = conn.execute(query).first()
    return head


def _append(conn, records: list[dict]) -> list[int]:
    actor, actor_ip = current_actor()
    head = _lock_head(conn)
    occurred_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    prev_hash, rows, key = head.last_hash, [], chain_key()
    for record in records:
        row = {"occurred_at": occurred_at, "actor": actor[:128], "actor_ip": actor_ip,
               **record, "prev_hash": prev_hash}
        row["hash"] = prev_hash = entry_hash(row, key)
        rows.append(row)
    table = AuditEntry.__table__
    ids = list(conn.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True),
                            rows).scalars())
    conn.execute(update(AuditHead.__table__).where(AuditHead.__table__.c.id == HEAD_ID).values(
        last_id=ids[-1], last_hash=prev_hash, entries=AuditHead.__table__.c.entries + len(ids)))
    return ids


def log_event(session: Session, action: str, entity: str, entity_id=None, details=None,
              unit_id: int | None = None) -> int:
    """Record an event that changes no audited row (an export, a failed login, a lockout) in
    the caller's transaction: it lands when the caller commits, and not if it rolls back.
    `details` is any JSON-able dict; returns the entry id."""
    record = {"action": str(action), "entity": entity,
              "entity_id": None if entity_id is None else str(entity_id),
              "unit_id": unit_id, "changes": json_safe(details) if details else None}
    return _append(session.connection(), [record])[0]


def verify_chain(session: Session, batch_size: int = 5000) -> ChainBreak | None:
    """Recompute every hash up to the head, in id order, a batch at a time (memory stays flat
    at any size). Entries appended while it runs lie beyond the head read first: not judged."""
    conn = session.connection()
    entries, heads = AuditEntry.__table__, AuditHead.__table__
    head = conn.execute(select(heads).where(heads.c.id == HEAD_ID)).first()
    prev_hash, last_id, count, key = "", 0, 0, chain_key()
    while True:
        query = select(entries).where(entries.c.id > last_id).order_by(entries.c.id)
        if head is not None:
            query = query.where(entries.c.id <= head.last_id)
        rows = conn.execute(query.limit(batch_size)).mappings().all()
        for row in rows:
            if row["prev_hash"] != prev_hash:
                return ChainBreak(row["id"], row["occurred_at"],
                                  "tidak menyambung ke entri sebelumnya: ada entri sebelum ini "
                                  "yang dihapus atau diubah")
            if entry_hash(row, key) != row["hash"]:
                return ChainBreak(row["id"], row["occurred_at"],
                                  "isinya tidak cocok dengan hash-nya: entri ini diubah")
            prev_hash, last_id, count = row["hash"], row["id"], count + 1
        if len(rows) < batch_size:
            break
    if head is None:
        return ChainBreak(None, None, "kepala rantai hilang") if count else None
    if (head.last_id, head.last_hash, head.entries) != (last_id, prev_hash, count):
        return ChainBreak(last_id or None, None,
                          f"rantai berakhir di entri {last_id} ({count} entri), kepala rantai "
                          f"mencatat entri {head.last_id} ({head.entries} entri): entri "
                          "terakhir dihapus")
    return None


def make_anchor(session: Session) -> str | None:
    """The signed head, one line for an operator to store outside the database; None while the
    trail is empty."""
    heads = AuditHead.__table__
    head = session.execute(select(heads).where(heads.c.id == HEAD_ID)).first()
    if head is None or not head.last_id:
        return None
    taken_at = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    return Anchor(head.last_id, head.entries, head.last_hash, taken_at).signed(chain_key())


def parse_anchor(text: str) -> Anchor:
    """Raises AnchorInvalidError on anything but an anchor signed with this chain key."""
    return Anchor.parse(text, chain_key())


def verify_anchor(session: Session, anchor: Anchor) -> ChainBreak | None:
    """After verify_chain(): the anchored entry must still be in the chain, with the hash and
    the number of entries up to it that the anchor recorded. Catches a chain cut back to before
    the anchor (head "repaired" to match) and a chain rebuilt by someone holding the key."""
    entries, heads = AuditEntry.__table__, AuditHead.__table__
    head = session.execute(select(heads).where(heads.c.id == HEAD_ID)).first()
    row = session.execute(select(entries.c.id, entries.c.hash, entries.c.occurred_at)
                          .where(entries.c.id == anchor.entry_id)).first()
    if row is None or head is None or head.last_id < anchor.entry_id:
        when = f"{anchor.taken_at:%Y-%m-%d %H:%M:%S}"
        return ChainBreak(anchor.entry_id, None,
                          f"entri #{anchor.entry_id} yang dijangkar pada {when} UTC tidak ada lagi: "
                          "rantai dipotong setelah jangkar dibuat")
    count = session.execute(select(func.count()).select_from(entries)
                            .where(entries.c.id <= anchor.entry_id)).scalar_one()
    if not hmac.compare_digest(row.hash, anchor.hash) or count != anchor.entries:
        return ChainBreak(anchor.entry_id, row.occurred_at,
                          "tidak cocok dengan jangkar: rantai sampai entri ini ditulis ulang "
                          f"({count} entri, jangkar mencatat {anchor.entries})")
    return None


def count_entries(session: Session) -> int:
    heads = AuditHead.__table__
    return session.execute(select(heads.c.entries).where(heads.c.id == HEAD_ID)).scalar() or 0


_TRAIL = (AuditEntry, AuditHead)


def _before_flush(session: Session, _flush_context, _instances) -> None:
    for obj in session.new:
        if isinstance(obj, _TRAIL):
            raise AuditTrailImmutableError("Jejak audit hanya ditulis lewat log_event().")
    for obj in session.dirty:
        if isinstance(obj, _TRAIL) and session.is_modified(obj):
            raise AuditTrailImmutableError("Entri jejak audit tidak dapat diubah.")
    for obj in session.deleted:
        if isinstance(obj, _TRAIL):
            raise AuditTrailImmutableError("Entri jejak audit tidak dapat dihapus.")
        if _spec(type(obj)):  # what is deleted must be readable in the trail afterwards
            with session.no_autoflush:
                for key, kind in _fields[type(obj)]:
                    if kind == "col":
                        getattr(obj, key)


def _after_flush(session: Session, _flush_context) -> None:
    records = []
    for objects, action in ((session.new, AuditAction.CREATE), (session.dirty, AuditAction.UPDATE),
                            (session.deleted, AuditAction.DELETE)):
        for obj in objects:
            if _spec(type(obj)) and (record := _record(obj, action)) is not None:
                records.append(record)
    if records:
        _append(session.connection(), records)


def _on_orm_execute(state) -> None:
    """Bulk INSERT/UPDATE/DELETE skips the flush: refused on the trail, logged coarsely (the
    statement, not per-row values) on audited models."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    classes = {mapper.class_ for mapper in state.all_mappers}
    if classes & set(_TRAIL):
        raise AuditTrailImmutableError("Jejak audit hanya ditulis lewat log_event().")
    for cls in filter(_spec, classes):
        action = (AuditAction.CREATE if state.is_insert else
                  AuditAction.UPDATE if state.is_update else AuditAction.DELETE)
        log_event(state.session, action, inspect(cls).local_table.name,
                  details={"bulk": str(state.statement)})


def _active_history(*_args) -> None:
    """A no-op "set" listener registered with active_history=True: SQLAlchemy then loads the
    old value before an expired attribute is overwritten, so the trail always has `old`."""


def _spec(cls: type) -> AuditSpec | None:
    """Resolved once per class: a model imported after install() is still audited."""
    if cls not in _specs:
        spec = DEFAULT_AUDITED.get(cls) or AuditSpec.of(cls)
        _specs[cls] = spec
        if spec is not None:
            _fields[cls] = spec.fields_of(cls)
            for key, _kind in _fields[cls]:
                attr = getattr(cls, key)
                if not event.contains(attr, "set", _active_history):
                    event.listen(attr, "set", _active_history, active_history=True)
    return _specs[cls]


def install(db) -> None:
    """Hook the trail into every session (idempotent: tests build several apps)."""
    configure_mappers()
    for mapper in Model.registry.mappers:
        _spec(mapper.class_)
    for name, hook in (("before_flush", _before_flush), ("after_flush", _after_flush),
                       ("do_orm_execute", _on_orm_execute)):
        if not event.contains(Session, name, hook):
            event.listen(Session, name, hook)
