"""The unit portal's landing-page section: for a unit's liaison, its cycles and where they
stand, what it must do next and by when, its IKU by status and its submissions
(app.services.portal.unit_home). templates/home/index.html includes portal/home_unit.html,
which calls iku_unit_home()."""

from __future__ import annotations

from flask import current_app

from app.extensions import db
from app.security import NO_UNIT, ROLE_PENGGUNA, scope_unit_id
from app.services import iku as iku_service
from app.services import portal


def liaison_unit_id(user) -> int | None:
    """The unit of a liaison (Pengguna linked to a unit), None for everyone else."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    unit_id = scope_unit_id(user)
    if unit_id in (None, NO_UNIT) or ROLE_PENGGUNA not in {r.name for r in user.roles}:
        return None
    return unit_id


def home_section():
    unit_id = liaison_unit_id(current_app.appbuilder.sm.current_user)
    if unit_id is None:
        return None
    return portal.unit_home(db.session, unit_id)


def status_label(code: str) -> str:
    label = iku_service.STATUS_LABELS.get(code)
    return str(label) if label is not None else code


def register(app) -> None:
    app.jinja_env.globals["iku_unit_home"] = home_section
    app.jinja_env.filters["iku_iku_status"] = status_label
