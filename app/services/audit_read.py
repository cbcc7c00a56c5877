"""Reading the trail: record changes, exports, logins and cycle actions in ONE list.

An auditor asks "what happened, who did it, when", not "which table": the audit chain
(AuditEntry, written by app.services.audit) and the cycle history (WorkEvent, written by the
cycle engine) are two stores for one question. AuditTimelineRow maps a class onto a UNION ALL
of both, so a Flask-AppBuilder list pages, filters, orders and counts it like any table; it is
read-only by construction (a SELECT) and not part of the schema (no table, no migration). The
hash chain is neither read nor touched here.

Each row carries `kind` (what sort of event: see KINDS), the actor's username and display name
(joined from the accounts, so a renamed person reads under their current name), and for a cycle
action the cycle and item it concerns.
"""

from __future__ import annotations

from flask_appbuilder import Model
from sqlalchemy import String, case, cast, literal, null, select, union_all
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


def _display_name(user):
    return user.c.first_name + literal(" ") + user.c.last_name


def _timeline():
    entries, events = AuditEntry.__table__, WorkEvent.__table__
    items, cycles = WorkItem.__table__, Cycle.__table__
    actor, by = IkuUser.__table__.alias("audit_actor"), IkuUser.__table__.alias("event_user")
    kind = case(
        *[(entries.c.action.in_([str(a) for a in actions]), literal(name))
          for name, actions in KINDS.items()],
        else_=literal(KIND_OTHER),
    )
    audit_rows = select(
        literal("a").concat(cast(entries.c.id, String)).label("key"),
        literal(SOURCE_AUDIT).label("source"),
        entries.c.id.label("source_id"),
        kind.label("kind"),
        entries.c.occurred_at,
        entries.c.actor,
        _display_name(actor).label("actor_name"),
        entries.c.actor_ip,
        entries.c.action,
        entries.c.entity,
        entries.c.entity_id,
        entries.c.unit_id,
        entries.c.changes.label("details"),
        cast(null(), String).label("note"),
        cast(null(), String).label("cycle_code"),
        cast(null(), String).label("item_label"),
        cast(null(), String).label("item_title"),
    ).select_from(entries.outerjoin(actor, actor.c.username == entries.c.actor))
    event_rows = select(
        literal("w").concat(cast(events.c.id, String)).label("key"),
        literal(SOURCE_CYCLE).label("source"),
        events.c.id.label("source_id"),
        literal(KIND_CYCLE).label("kind"),
        events.c.occurred_at,
        by.c.username.label("actor"),
        _display_name(by).label("actor_name"),
        cast(null(), String).label("actor_ip"),
        events.c.action,
        literal("work_item").label("entity"),
        cast(events.c.item_id, String).label("entity_id"),
        items.c.org_unit_id.label("unit_id"),
        events.c.details,
        events.c.note,
        cycles.c.code.label("cycle_code"),
        items.c.label.label("item_label"),
        items.c.title.label("item_title"),
    ).select_from(
        events.join(cycles, cycles.c.id == events.c.cycle_id)
        .outerjoin(items, items.c.id == events.c.item_id)
        .outerjoin(by, by.c.id == events.c.user_id)
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
