"""Reading the trail: record changes, exports, logins and cycle actions in ONE list.

An auditor asks "what happened, who did it, when", not "which table": the audit chain
(AuditEntry, written by app.services.audit) and the cycle history (WorkEvent, written by the
cycle engine) are two stores for one question. AuditTimelineRow maps a class onto a UNION ALL
of both, so a Flask-AppBuilder list pages, filters, orders and counts it like any table; it is
read-only by construction (a SELECT) and not part of the schema (no table, no migration). The
hash chain is neither read nor touched here.

Each row carries `kind` (what sort of event: see KINDS), the actor's username and display name
(looked up in the accounts, so a renamed person reads under their current name), and for a
cycle action the cycle and item it concerns.
"""

from __future__ import annotations

from flask_appbuilder import Model
from sqlalchemy import Text, case, cast, literal, null, select, union_all
from sqlalchemy.orm import Session

from app.models.audit import AuditAction, AuditEntry
from app.models.cycles import Cycle, WorkEvent, WorkItem
from app.models.org import IkuUser

KIND_DATA, KIND_CYCLE, KIND_EXPORT, KIND_IMPORT, KIND_LOGIN, KIND_OTHER = (
    "data", "cycle", "export", "import", "login", "other",
)  # fmt: skip
# The audit actions of each kind; every WorkEvent is of KIND_CYCLE.
KINDS = {
    KIND_DATA: (AuditAction.CREATE, AuditAction.UPDATE, AuditAction.DELETE),
    KIND_EXPORT: (AuditAction.EXPORT,),
    KIND_IMPORT: ("import",),
    KIND_LOGIN: (AuditAction.LOGIN_FAILED, AuditAction.LOCK, AuditAction.UNLOCK),
}
SOURCE_AUDIT, SOURCE_CYCLE = "audit", "cycle"
CLI_PREFIX = "cli:"


def _text(value):
    """Every text column as TEXT in both branches: PostgreSQL merges a UNION ALL into one scan
    per table (and so can read a page off the occurred_at indexes) only when the branches'
    column types match exactly, varchar lengths included."""
    return cast(literal(value) if isinstance(value, str) else value, Text)


def _display_name(users, match):
    return _text(select(users.c.first_name + literal(" ") + users.c.last_name).where(match)
                 .scalar_subquery())


def _timeline():
    """Each branch reads ONE table and looks the rest up by scalar subqueries, not joins: a
    page (ORDER BY occurred_at DESC LIMIT 25) is then a merge of two index scans that stops
    after 25 rows, and the look-ups run for those rows only. With joins, PostgreSQL built and
    sorted the whole union: 1.1 s a page at 700,000 events."""
    entries, events = AuditEntry.__table__, WorkEvent.__table__
    items, cycles, users = WorkItem.__table__, Cycle.__table__, IkuUser.__table__
    kind = case(
        *[(entries.c.action.in_([str(a) for a in actions]), _text(name))
          for name, actions in KINDS.items()],
        else_=_text(KIND_OTHER),
    )
    nothing = cast(null(), Text)

    def item(column):
        return select(column).where(items.c.id == events.c.item_id).scalar_subquery()

    audit_rows = select(
        _text("a").concat(_text(entries.c.id)).label("key"),
        _text(SOURCE_AUDIT).label("source"),
        entries.c.id.label("source_id"),
        kind.label("kind"),
        entries.c.occurred_at,
        _text(entries.c.actor).label("actor"),
        _display_name(users, users.c.username == entries.c.actor).label("actor_name"),
        _text(entries.c.actor_ip).label("actor_ip"),
        _text(entries.c.action).label("action"),
        _text(entries.c.entity).label("entity"),
        _text(entries.c.entity_id).label("entity_id"),
        entries.c.unit_id,
        entries.c.changes.label("details"),
        nothing.label("note"),
        nothing.label("cycle_code"),
        nothing.label("item_label"),
        nothing.label("item_title"),
    )
    event_rows = select(
        _text("w").concat(_text(events.c.id)).label("key"),
        _text(SOURCE_CYCLE).label("source"),
        events.c.id.label("source_id"),
        _text(KIND_CYCLE).label("kind"),
        events.c.occurred_at,
        _text(select(users.c.username).where(users.c.id == events.c.user_id).scalar_subquery())
        .label("actor"),
        _display_name(users, users.c.id == events.c.user_id).label("actor_name"),
        nothing.label("actor_ip"),
        _text(events.c.action).label("action"),
        _text("work_item").label("entity"),
        _text(events.c.item_id).label("entity_id"),
        events.c.org_unit_id.label("unit_id"),
        events.c.details,
        _text(events.c.note).label("note"),
        _text(select(cycles.c.code).where(cycles.c.id == events.c.cycle_id).scalar_subquery())
        .label("cycle_code"),
        _text(item(items.c.label)).label("item_label"),
        _text(item(items.c.title)).label("item_title"),
    )
    return union_all(audit_rows, event_rows).subquery("audit_timeline")


class AuditTimelineRow(Model):
    """One event of the merged trail (see the module docstring); `key` is "a<entry id>" or
    "w<work event id>", `details` the entry's changes or the event's details."""

    __tablename__ = "audit_timeline"  # a name for exports; no such table exists
    __table__ = _timeline()
    __mapper_args__ = {"primary_key": [__table__.c.key]}

    def __str__(self) -> str:
        return f"{self.source} {self.source_id}"


def is_command_line(actor: str | None) -> bool:
    return bool(actor) and actor.startswith(CLI_PREFIX)


def os_user(actor: str) -> str | None:
    """The operating-system account a command ran under, when it was known."""
    name = actor[len(CLI_PREFIX):] if is_command_line(actor) else ""
    return name if name and name != "unknown" else None


def record_names(session: Session, wanted: dict[type, set[str]]) -> dict:
    """{(model, record id): record_name} for the records a page of the trail names, with
    one SELECT per type instead of one per row; a record that is gone is named None."""
    names: dict = {}
    for model, record_ids in wanted.items():
        keys = {int(key) for key in record_ids if key and key.isdigit()}
        found = {row.id: str(row) for row in session.scalars(
            select(model).where(model.id.in_(keys)))} if keys else {}
        names.update({(model, key): found.get(int(key)) if key and key.isdigit() else None
                      for key in record_ids})
    return names


def record_name(session: Session, model: type | None, record_id: str | None) -> str | None:
    """How a record reads today (its str()), or None if it is gone or has no such id."""
    if model is None or not record_id:
        return None
    try:
        key = int(record_id)
    except ValueError:
        return None
    found = session.get(model, key)
    return str(found) if found is not None else None
