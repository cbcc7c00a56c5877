"""The audit trail pages: read-only, newest first, in words and in office time (WIB).

"Audit trail" (AuditTimelineView) is what the menu opens: record changes, exports, imports,
logins and cycle actions in one list (app.services.audit_read), filtered by kind, person,
record, time. Each row opens its source: an audit entry (AuditEntryView: the old and new
values, and the hashes that seal them) or a cycle event (the cycle pages).

Reaching them takes can_read on "AuditLog", which only Admin and Auditor hold (app.security);
the bureau roles' regexes name their own views and so never match it.
"""

from __future__ import annotations

from flask import abort, g, redirect, url_for
from flask_appbuilder import expose
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.models.audit import AuditEntry
from app.services import audit_read
from app.services.audit_read import AuditTimelineRow
from app.views import audit_labels as words
from app.views.base import BaseModelView, display_value
from app.views.computed import computed_columns
from app.views.cycles import format as fmt
from app.views.search_form import ChoiceSearchMixin

render_changes = words.render_changes  # kept importable under its old name

# FAB builds its search form from a table column's flags (nullable, unique), which the columns
# of a SELECT do not have: every column of the merged trail may be empty and none is unique.
for _column in AuditTimelineRow.__table__.c:
    _column.nullable, _column.unique = True, False


def _when(value):
    return fmt.when(value) if value else display_value(value)


def _actor_names() -> dict[str, str]:
    """Username -> display name, once per request (the raw entry page shows a few rows)."""
    if "iku_actor_names" not in g:
        from app.models.org import IkuUser

        rows = db.session.query(IkuUser.username, IkuUser.first_name, IkuUser.last_name)
        g.iku_actor_names = {user: f"{first or ''} {last or ''}".strip()
                             for user, first, last in rows}
    return g.iku_actor_names


def _named_in(changes, action: str) -> str | None:
    """A deleted or created record's name, from the values the entry itself recorded."""
    if not isinstance(changes, dict):
        return None
    for key in ("name", "code", "username", "title"):
        pair = changes.get(key)
        if isinstance(pair, list) and len(pair) == 2:
            value = pair[0] if action == "delete" else pair[1]
            if value:
                return str(value)
    return None


def record_text(row) -> str:
    """Which record: its type and its name (today's, or the one recorded), never a table."""
    if row.source == audit_read.SOURCE_CYCLE:
        item = " ".join(p for p in (row.item_label, row.item_title) if p)
        if len(item) > 100:
            item = item[:100] + "…"
        return f"{row.cycle_code} — {item}" if item else (row.cycle_code or "–")
    label = words.record_label(row.entity)
    if not row.entity_id:
        return label
    model = words.record_model(row.entity)
    page = g.get("iku_record_names") or {}
    name = (page[(model, row.entity_id)] if (model, row.entity_id) in page
            else audit_read.record_name(db.session, model, row.entity_id))
    name = name or _named_in(row.details, row.action) or f"#{row.entity_id}"
    return f"{label}: {name}"


def summary_text(row) -> str:
    """The gist of the event; the full values are on the entry's own page."""
    details = row.details if isinstance(row.details, dict) else {}
    if row.source == audit_read.SOURCE_CYCLE:
        note = row.note or ""
        return note if len(note) <= 120 else note[:120] + "…"
    if "bulk" in details:
        return gettext("Several records at once")
    if row.kind == audit_read.KIND_DATA:
        labels = [label for label, _value in words.changed_fields(row.entity, details)]
        return gettext("Fields: %(fields)s", fields=", ".join(labels)) if labels else ""
    if row.kind == audit_read.KIND_EXPORT:
        return gettext("%(format)s, %(rows)s rows", format=str(details.get("format", "")).upper(),
                       rows=details.get("row_count", "–"))
    if row.kind == audit_read.KIND_IMPORT:
        return gettext("%(created)s created, %(updated)s updated",
                       created=details.get("created", 0), updated=details.get("updated", 0))
    if "failures" in details:
        return gettext("Failed attempts in a row: %(n)s", n=details["failures"])
    return ""


def _load_page_records(rows) -> None:
    """The records a page of the trail names, one SELECT per record type (record_text)."""
    wanted: dict[type, set[str]] = {}
    for row in rows:
        model = words.record_model(row.entity) if row.source != audit_read.SOURCE_CYCLE else None
        if model is not None and row.entity_id:
            wanted.setdefault(model, set()).add(row.entity_id)
    g.iku_record_names = audit_read.record_names(db.session, wanted)


class AuditTimelineView(ChoiceSearchMixin, BaseModelView):
    datamodel = SQLAInterface(AuditTimelineRow)
    scope_column = "unit_id"  # only unscoped roles read the trail today; should that change
    class_permission_name = "AuditLog"
    base_permissions = ["can_read", "can_export"]
    list_template = "audit/timeline.html"
    list_title = _l("Audit trail")
    list_columns = ["occurred_at", "kind", "who", "action", "record", "summary", "actor_ip"]
    search_columns = ["kind", "occurred_at", "actor_name", "actor", "action", "entity",
                      "entity_id", "cycle_code", "actor_ip"]
    order_columns = ["occurred_at", "kind", "action"]
    base_order = ("occurred_at", "desc")
    search_choices = {"kind": words.KIND_LABELS, "action": words.ACTION_LABELS,
                      "entity": words.RECORD_LABELS}
    formatters_columns = {"occurred_at": _when}
    extra_args = {"audit_kinds": list(words.KIND_LABELS.items())}
    label_columns = {
        "occurred_at": _l("Time (WIB)"), "kind": _l("Kind"), "who": _l("Person"),
        "actor_name": _l("Person"), "actor": _l("User Name"), "action": _l("Action"),
        "record": _l("Record"), "entity": _l("Record type"), "entity_id": _l("Record id"),
        "summary": _l("Details"), "cycle_code": _l("Cycle"), "actor_ip": _l("IP address"),
    }  # fmt: skip

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        computed_columns(
            self,
            on_page=_load_page_records,
            kind=lambda row: fmt.label(words.KIND_LABELS, row.kind),
            who=lambda row: words.actor_label(row.actor, row.actor_name),
            action=lambda row: words.action_label(row.action),
            record=record_text,
            summary=summary_text,
        )

    @expose("/show/<pk>")
    @has_access
    def show(self, pk):
        """A row is one of two sources: open it where its full record lives."""
        source, number = pk[:1], pk[1:]
        if not number.isdigit() or source not in ("a", "w"):
            abort(404)
        if source == "a":
            return redirect(url_for("AuditEntryView.show", pk=number))
        return redirect(url_for("WorkEventView.show", pk=number))


class AuditEntryView(BaseModelView):
    """One entry as stored, in words: the old and new values, and the hashes that seal them."""

    datamodel = SQLAInterface(AuditEntry)
    scope_column = "unit_id"
    class_permission_name = "AuditLog"
    base_permissions = ["can_read", "can_export"]
    list_title = show_title = _l("Audit trail")
    list_columns = [
        "occurred_at", "actor", "action", "entity", "entity_id", "fields_changed", "actor_ip",
    ]  # fmt: skip
    show_columns = [
        "id", "occurred_at", "actor", "actor_ip", "action", "entity", "entity_id", "unit_id",
        "changes", "prev_hash", "hash",
    ]  # fmt: skip
    search_columns = ["occurred_at", "actor", "action", "entity", "entity_id", "actor_ip",
                      "unit_id"]
    order_columns = ["occurred_at", "actor", "action", "entity"]
    base_order = ("id", "desc")  # the chain's order; ties on occurred_at cannot occur
    formatters_columns = {"occurred_at": _when}
    label_columns = {
        "id": _l("Entry"), "occurred_at": _l("Time (WIB)"), "actor": _l("Person"),
        "actor_ip": _l("IP address"), "action": _l("Action"), "entity": _l("Record type"),
        "entity_id": _l("Record id"), "unit_id": _l("Unit id"), "changes": _l("Changes"),
        "fields_changed": _l("Fields"), "prev_hash": _l("Previous hash"), "hash": _l("Hash"),
    }  # fmt: skip

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        computed_columns(
            self,
            actor=lambda e: words.actor_label(e.actor, _actor_names().get(e.actor)),
            action=lambda e: words.action_label(e.action),
            entity=lambda e: words.record_label(e.entity),
            changes=lambda e: words.render_changes(e.entity, e.changes),
            fields_changed=lambda e: ", ".join(
                label for label, _v in words.changed_fields(e.entity, e.changes))
            if e.action in audit_read.KINDS[audit_read.KIND_DATA] else "",
        )


def register(appbuilder) -> None:
    appbuilder.add_view(
        AuditTimelineView,
        "Audit trail",
        label=_l("Audit trail"),
        icon="fa-shield",
        category="Audit",
        category_label=_l("Audit"),
    )
    appbuilder.add_view_no_menu(AuditEntryView)
