"""The audit trail: one append-only, HMAC-chained log of changes to core records and of events
that change nothing but must be accounted for (exports, failed logins, lockouts).

Which models are audited is opt-in, declared on the model itself so that the decision sits beside
the data: `__audited__ = True`, or an AuditSpec to name the fields (never a password hash) and the
path to the record's unit. app.services.audit writes the entries; nothing else may.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from flask_appbuilder import Model
from sqlalchemy import JSON, DateTime, Index, Integer, String, inspect
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.orm.interfaces import MANYTOMANY, MANYTOONE

HASHED_FIELDS = (
    "prev_hash", "occurred_at", "actor", "actor_ip", "action", "entity", "entity_id", "unit_id",
    "changes",
)  # fmt: skip


def _json_default(value):
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    if isinstance(value, decimal.Decimal):
        return str(value)
    return str(value)


def json_safe(value):
    """The value as the database will hand it back (dates ISO, Decimal as text, keys as
    strings): the hash is computed over this form, so it recomputes after a round trip."""
    return json.loads(json.dumps(value, default=_json_default))


def entry_hash(values: Mapping[str, Any], key: bytes) -> str:
    """HMAC-SHA256 under the chain key over a canonical JSON of the entry: sorted keys, no
    whitespace, microsecond timestamps. Keyed, because a plain hash can be recomputed by anyone
    who can write the table: edit an entry, rehash it and every later one, fix the head, and
    the chain proves itself again. The key lives outside the database (app.services.audit).
    The id is left out on purpose: it is only known after the insert, and the order it gives is
    already sealed by each entry naming its predecessor's hash."""
    payload = {name: values.get(name) for name in HASHED_FIELDS}
    payload["occurred_at"] = payload["occurred_at"].isoformat(timespec="microseconds")
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hmac.new(key, canonical.encode("utf-8"), hashlib.sha256).hexdigest()


ANCHOR_PREFIX = "IKU-AUDIT-ANCHOR v1"
_ANCHOR_RE = re.compile(
    re.escape(ANCHOR_PREFIX)
    + r" entry=(?P<entry_id>\d+) entries=(?P<entries>\d+) hash=(?P<hash>[0-9a-f]{64})"
    r" at=(?P<at>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ) sig=(?P<sig>[0-9a-f]{64})"
)


class AnchorInvalidError(ValueError):
    """The text is not an anchor, or its signature does not match the chain key."""


@dataclass(frozen=True)
class Anchor:
    """The head of the chain as it was at one moment, signed with the chain key, printed for an
    operator to keep OUTSIDE the database (a ticket, a mail, paper). A chain alone cannot show
    that it was cut after its last entry, nor that someone holding the key rebuilt it: the
    anchored entry must still be there, with the same hash and the same number of entries up
    to it."""

    entry_id: int
    entries: int
    hash: str
    taken_at: dt.datetime  # UTC, naive like occurred_at

    def _body(self) -> str:
        return (f"{ANCHOR_PREFIX} entry={self.entry_id} entries={self.entries} hash={self.hash}"
                f" at={self.taken_at:%Y-%m-%dT%H:%M:%S}Z")

    def signed(self, key: bytes) -> str:
        return f"{self._body()} sig={_anchor_signature(self._body(), key)}"

    @classmethod
    def parse(cls, text: str, key: bytes) -> Anchor:
        match = _ANCHOR_RE.fullmatch(text.strip())
        if match is None:
            raise AnchorInvalidError("bukan jangkar jejak audit yang sah")
        anchor = cls(int(match["entry_id"]), int(match["entries"]), match["hash"],
                     dt.datetime.strptime(match["at"], "%Y-%m-%dT%H:%M:%SZ"))
        if not hmac.compare_digest(_anchor_signature(anchor._body(), key), match["sig"]):
            raise AnchorInvalidError("tanda tangan jangkar tidak cocok: jangkar diubah atau "
                                     "kunci jejak audit (IKU_AUDIT_KEY) berbeda")
        return anchor


def _anchor_signature(body: str, key: bytes) -> str:
    """Same key as the chain; an anchor body starts with its prefix, an entry with "{", so
    neither can pass for the other."""
    return hmac.new(key, body.encode("utf-8"), hashlib.sha256).hexdigest()


class AuditAction(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    EXPORT = "export"
    LOGIN_FAILED = "login_failed"
    LOCK = "lock"
    UNLOCK = "unlock"


@dataclass(frozen=True)
class AuditSpec:
    """How one model is audited. `only` limits the trail to those attributes (an account's
    login counters change at every login and would drown the trail); `masked` records THAT a
    field changed but never its value; `unit` names the attribute holding the record's unit id,
    so the trail can later be scoped per unit like the records themselves."""

    only: frozenset[str] | None = None
    exclude: frozenset[str] = field(default_factory=frozenset)
    masked: frozenset[str] = field(default_factory=frozenset)
    unit: str | None = None

    @classmethod
    def of(cls, model: type) -> AuditSpec | None:
        value = getattr(model, "__audited__", None)
        if value is True:
            return cls()
        return value if isinstance(value, AuditSpec) else None

    def fields_of(self, model: type) -> list[tuple[str, str]]:
        """(attribute, kind) pairs: columns, many-to-one references ("ref", shown by their
        str()) and many-to-many collections ("coll", e.g. a user's roles). One-to-many sides
        are left out: the change is recorded on the row that holds the foreign key."""
        mapper = inspect(model)
        pks = {col.key for col in mapper.primary_key}
        fields = [(attr.key, "col") for attr in mapper.column_attrs if attr.key not in pks]
        for rel in mapper.relationships:
            if rel.direction is MANYTOONE:
                fields.append((rel.key, "ref"))
            elif rel.direction is MANYTOMANY:
                fields.append((rel.key, "coll"))
        return [(key, kind) for key, kind in fields
                if (self.only is None or key in self.only) and key not in self.exclude]


class AuditEntry(Model):
    """One accountable event. `changes` maps each field to [old, new] (JSON-safe). `hash` is the
    keyed hash (entry_hash) of the entry's own fields plus `prev_hash`, the hash of the entry
    before it (by id), so editing or removing any entry breaks the chain at that point: see verify_chain()."""

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_entity_entity_id", "entity", "entity_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    actor: Mapped[str] = mapped_column(String(128), index=True)
    actor_ip: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(30), index=True)
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    unit_id: Mapped[int | None] = mapped_column(Integer, index=True)
    changes: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Unique: two entries naming the same predecessor would be a fork, refused by the database
    # itself should the lock that serialises appends ever be bypassed.
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64))

    def fields_changed(self) -> str:
        """The list page shows which fields changed; the values are on the show page."""
        return ", ".join(sorted(self.changes or {}))

    def __str__(self) -> str:
        return f"#{self.id} {self.action} {self.entity} {self.entity_id or ''}".strip()


class AuditHead(Model):
    """The end of the chain: the last entry's id and hash and the number of entries. A chain
    alone cannot show that its newest entries were cut off; the head can. Its single row is
    also what appends lock, so concurrent writers (gunicorn workers, several machines) take
    turns and never fork the chain."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(primary_key=True)
    last_id: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str] = mapped_column(String(64), default="")
    entries: Mapped[int] = mapped_column(Integer, default=0)
