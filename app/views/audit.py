"""The audit trail page: read-only, newest first, filterable by who, what, which record, when.

Reaching it takes can_read on "AuditLog", which only Admin and Auditor hold (app.security); the
bureau roles' regexes name their own views and so never match it.
"""

from __future__ import annotations

import json

from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from app.models.audit import AuditEntry
from app.views.base import BaseModelView
from app.views.display import stored_text


def _cell(value) -> Markup:
    if value is None:
        return Markup('<span class="text-muted">&ndash;</span>')
    if isinstance(value, str):
        return escape(stored_text(value))
    return escape(json.dumps(value, ensure_ascii=False))


def render_changes(changes) -> Markup:
    """{field: [old, new]} as a table of old -> new; any other details as key: value rows."""
    if not changes:
        return Markup("")
    rows = []
    for name in sorted(changes):
        value = changes[name]
        if isinstance(value, list) and len(value) == 2:
            cells = f"<td>{_cell(value[0])}</td><td>&rarr;</td><td>{_cell(value[1])}</td>"
        else:
            cells = f'<td colspan="3">{_cell(value)}</td>'
        rows.append(f"<tr><th>{escape(name)}</th>{cells}</tr>")
    head = (f"<tr><th>{escape(_l('Field'))}</th><th>{escape(_l('Old value'))}</th><th></th>"
            f"<th>{escape(_l('New value'))}</th></tr>")
    return Markup(  # every piece above is escaped
        f'<table class="table table-condensed audit-changes">{head}{"".join(rows)}</table>'
    )


class AuditEntryView(BaseModelView):
    datamodel = SQLAInterface(AuditEntry)
    class_permission_name = "AuditLog"
    base_permissions = ["can_read", "can_export"]
    count_limit = 10_000  # a log that only grows: filters, not page 4,000, find an entry
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
    formatters_columns = {"changes": render_changes}
    label_columns = {
        "id": _l("Entry"), "occurred_at": _l("Time"), "actor": _l("Actor"),
        "actor_ip": _l("IP address"), "action": _l("Action"), "entity": _l("Record type"),
        "entity_id": _l("Record id"), "unit_id": _l("Unit id"), "changes": _l("Changes"),
        "fields_changed": _l("Fields"), "prev_hash": _l("Previous hash"), "hash": _l("Hash"),
    }  # fmt: skip


def register(appbuilder) -> None:
    appbuilder.add_view(
        AuditEntryView,
        "Audit trail",
        label=_l("Audit trail"),
        icon="fa-shield",
        category="Audit",
        category_label=_l("Audit"),
    )
