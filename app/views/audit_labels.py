"""How the audit trail words what it stores: actions, record types, field names and actors.

The trail stores codes (table and column names, "cli:root"), which is what keeps it exact; a
reader gets words. Record and field labels are the ones the CRUD pages already show, read from
the registered views (a model audited later is labelled by its own page, with no list to keep
here); a few cross-record references and the account table, whose page is FAB's, are named below.
"""

from __future__ import annotations

import json

from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import MANYTOONE

from app.models.audit import AuditAction
from app.services import audit_read
from app.views.cycles import format as fmt
from app.views.display import stored_text

AUDIT_ACTION_LABELS = {
    AuditAction.CREATE: _l("Created"), AuditAction.UPDATE: _l("Changed"),
    AuditAction.DELETE: _l("Deleted"), AuditAction.EXPORT: _l("Exported"),
    "import": _l("Imported"), "download": _l("Downloaded"), AuditAction.LOGIN_FAILED: _l("Failed login"),
    AuditAction.LOCK: _l("Account locked"), AuditAction.UNLOCK: _l("Account unlocked"),
}  # fmt: skip
ACTION_LABELS = {**AUDIT_ACTION_LABELS, **fmt.ACTION_LABELS}
KIND_LABELS = {
    audit_read.KIND_DATA: _l("Data change"), audit_read.KIND_CYCLE: _l("Cycle action"),
    audit_read.KIND_EXPORT: _l("Export"), audit_read.KIND_IMPORT: _l("Import"),
    audit_read.KIND_LOGIN: _l("Logins and lockouts"), audit_read.KIND_OTHER: _l("Other"),
}  # fmt: skip
# Record types a page does not name (FAB's own account page) or names in the plural only.
RECORD_LABELS = {
    "ab_user": _l("Application user"), "org_unit": _l("Organisation unit"),
    "org_unit_assignment": _l("Section assignment"), "section": _l("Section"),
    "position": _l("Position"), "pelaksana": _l("Pelaksana"), "competence": _l("Competence"),
    "competence_record": _l("Competence assessment"), "work_item": _l("Cycle item"),
    "AuditLog": _l("Audit trail"), "final_submission": _l("Final submission"),
    "document": _l("Document"), "document_template": _l("Document template"),
}  # fmt: skip
# References that mean the same in every record, whatever a page calls them locally.
FIELD_LABELS = {
    "org_unit": _l("Organisation unit"), "section": _l("Section"), "position": _l("Position"),
    "pelaksana": _l("Pelaksana"), "competence": _l("Competence"), "parent": _l("Parent section"),
    "roles": _l("Roles"), "password": _l("Password"), "locked_at": _l("Locked at"),
    "username": _l("User Name"), "first_name": _l("First Name"), "last_name": _l("Last Name"),
    "email": _l("Email"), "active": _l("Active"), "version": _l("Version"),
}  # fmt: skip
# Keys of the details an event other than a record change carries (exports, imports, logins).
DETAIL_LABELS = {
    "format": _l("Format"), "filters": _l("Filters"), "row_count": _l("Rows"),
    "order": _l("Order"), "created": _l("Rows created"), "updated": _l("Rows updated"),
    "failures": _l("Failed attempts in a row"), "bulk": _l("Statement"),
}  # fmt: skip
MASKED = "***"


def _registry() -> dict:
    """{table name or class name or permission name: (model, record label, field labels)},
    built once per app from the registered CRUD views."""
    ext = current_app.extensions.setdefault("iku_audit_labels", {})
    if not ext:
        for view in current_app.appbuilder.baseviews:
            model = getattr(getattr(view, "datamodel", None), "obj", None)
            table = getattr(model, "__tablename__", None)
            if not isinstance(table, str):
                continue
            label = RECORD_LABELS.get(table) or getattr(view, "list_title", None) or table
            entry = ext.get(table) or (model, label, {})
            # only what the view names itself (lazy text): FAB fills every other column it
            # shows with its own English ("Recorded By Id"), which hid the relation's label
            entry[2].update({k: v for k, v in (view.label_columns or {}).items()
                             if k not in entry[2] and not (
                                 type(v) is str and v == view._prettify_column(k))})
            for key in (table, model.__name__, getattr(view, "class_permission_name", None)):
                if key:
                    ext.setdefault(key, entry)
    return ext


def record_label(entity: str | None) -> str:
    if not entity:
        return "–"
    if entity in RECORD_LABELS:
        return str(RECORD_LABELS[entity])
    found = _registry().get(entity)
    return str(found[1]) if found else entity


def record_model(entity: str | None):
    found = _registry().get(entity or "")
    return found[0] if found else None


def field_label(entity: str | None, name: str) -> str:
    """A page's label for the field; a relation's key column reads as its relation, by the
    relation's label or else by what its target record is called ("standard_id": Standar
    Pelayanan)."""
    base = name[:-3] if name.endswith("_id") else name
    if base in FIELD_LABELS:
        return str(FIELD_LABELS[base])
    model, _label, labels = _registry().get(entity or "") or (None, None, {})
    for key in (name, base):
        if key in labels:
            return str(labels[key])
    relation = _relation_of(model, name)
    if relation is not None:
        if relation.key in labels:
            return str(labels[relation.key])
        return record_label(relation.mapper.local_table.name)
    return str(DETAIL_LABELS.get(name) or name.replace("_", " ").capitalize())


def _relation_of(model, column: str):
    """The many-to-one relation of `model` whose key is `column` (assignee_user_id:
    assignee), if any."""
    if model is None:
        return None
    for relation in sa_inspect(model).relationships:
        if relation.direction is MANYTOONE and [c.key for c in relation.local_columns] == [
                column]:
            return relation
    return None


def changed_fields(entity: str | None, changes) -> list[tuple[str, object]]:
    """(label, [old, new] or detail) per field; a foreign key beside its relation is the same
    change said twice, shown once (by the relation's name)."""
    if not isinstance(changes, dict):
        return []
    names = [n for n in changes if not (n.endswith("_id") and n[:-3] in changes)]
    return sorted(((field_label(entity, n), changes[n]) for n in names), key=lambda p: p[0])


def action_label(action: str | None) -> str:
    return fmt.label(ACTION_LABELS, action)


def actor_label(actor: str | None, name: str | None = None) -> str:
    """The person's name (and account), or what acted when no person did."""
    if not actor:
        return "–"
    if audit_read.is_command_line(actor):
        user = audit_read.os_user(actor)
        text = gettext("Command line")
        return f"{text} ({user})" if user else text
    if actor == "system":
        return gettext("System")
    if actor == "anonymous":
        return gettext("Not logged in")
    name = (name or "").strip()
    return f"{name} ({actor})" if name and name != actor else actor


def _cell(value) -> Markup:
    if value is None:
        return Markup('<span class="text-muted">&ndash;</span>')
    if value == MASKED:
        return Markup('<span class="text-muted">%s</span>') % gettext("(hidden)")
    if isinstance(value, bool):
        return escape(gettext("Yes") if value else gettext("No"))
    if isinstance(value, str):
        return escape(stored_text(value))
    if isinstance(value, list):
        return escape(", ".join(str(v) for v in value))
    return escape(json.dumps(value, ensure_ascii=False))


def render_changes(entity: str | None, changes) -> Markup:
    """{field: [old, new]} as a table of labelled old -> new; other details as label: value."""
    pairs = changed_fields(entity, changes)
    if not pairs:
        return Markup("")
    rows = []
    for label, value in pairs:
        if isinstance(value, list) and len(value) == 2:
            cells = f"<td>{_cell(value[0])}</td><td>&rarr;</td><td>{_cell(value[1])}</td>"
        else:
            cells = f'<td colspan="3">{_cell(value)}</td>'
        rows.append(f"<tr><th>{escape(label)}</th>{cells}</tr>")
    head = (f"<tr><th>{escape(_l('Field'))}</th><th>{escape(_l('Old value'))}</th><th></th>"
            f"<th>{escape(_l('New value'))}</th></tr>")
    return Markup(  # every piece above is escaped
        f'<table class="table table-condensed audit-changes">{head}{"".join(rows)}</table>'
    )
