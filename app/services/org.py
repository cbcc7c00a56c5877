"""Rules of the organisation: who serves which unit, and what a unit liaison may change."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from app.models.org import OrgUnit, OrgUnitAssignment
from app.security import current_scope_unit_id

LIAISON_EDITABLE = {"head_name", "head_title", "head_email"}
# How a refusal names a unit's fields to a person (the API's message; forms use their labels).
UNIT_FIELD_WORDS = {
    "code": "kode", "name": "nama", "kind": "jenis", "section": "Bagian", "section_id": "Bagian",
    "active": "status aktif",
}  # fmt: skip


class UnitEditForbiddenError(ValueError):
    """A liaison tried to change what only the bureau decides (code, Bagian, status...).
    `fields` names the attributes, so a form can point at them by their labels."""

    def __init__(self, message: str, fields: list[str]):
        super().__init__(message)
        self.fields = fields


def _actor_name() -> str | None:
    from flask import g, has_request_context

    if has_request_context() and getattr(g, "user", None) is not None:
        return getattr(g.user, "username", None)
    return None


def changed_fields(item) -> set[str]:
    state = inspect(item)
    return {attr.key for attr in state.attrs if attr.history.has_changes()}


def check_liaison_unit_edit(unit: OrgUnit) -> None:
    """A liaison keeps its unit's contact details current; the rest is the bureau's call."""
    if current_scope_unit_id() is None:
        return
    forbidden = changed_fields(unit) - LIAISON_EDITABLE
    if forbidden:
        raise UnitEditForbiddenError(
            "Anda hanya dapat mengubah nama, jabatan dan email pimpinan satuan organisasi. "
            "Kolom yang tidak boleh diubah: "
            f"{', '.join(sorted({UNIT_FIELD_WORDS.get(f, f) for f in forbidden}))}.",
            sorted(forbidden),
        )


def record_assignment(session: Session, unit: OrgUnit, now: dt.datetime | None = None) -> None:
    """Close the unit's open assignment and open one for its current Bagian."""
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)  # stored as UTC, shown in WIB
    if unit.id is not None:
        for open_row in session.query(OrgUnitAssignment).filter_by(
            org_unit_id=unit.id, valid_to=None
        ):
            open_row.valid_to = now
    row = OrgUnitAssignment(org_unit=unit, valid_from=now, changed_by=_actor_name())
    if unit.section is not None:
        row.section = unit.section
    else:
        row.section_id = unit.section_id
    session.add(row)


def _track_assignments(session: Session, _flush_context, _instances) -> None:
    for obj in list(session.new) + list(session.dirty):
        if not isinstance(obj, OrgUnit):
            continue
        state = inspect(obj)
        section_changed = (
            state.attrs.section.history.has_changes() or state.attrs.section_id.history.has_changes()
        )
        if obj in session.new or section_changed:
            with session.no_autoflush:
                record_assignment(session, obj)


def install(db) -> None:
    """Hook the history into every session, whatever writes the unit (form, API, import)."""
    if not event.contains(Session, "before_flush", _track_assignments):
        event.listen(Session, "before_flush", _track_assignments)
