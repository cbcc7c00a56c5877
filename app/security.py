"""Who may do what, and on which rows.

Roles are FAB "builtin roles" (FAB_ROLES): regexes over (view, permission) evaluated in memory.
That is FAB's own mechanism for roles defined in code; it keeps the spec reviewable in one place
and spares every page the per-request permission queries of DB-stored roles.

Row-level scope is enforced by ONE filter, UnitScopeFilter, which the base view and base API
classes put in front of every query (list, show, edit, delete, actions, export, REST): a unit
liaison's queries only ever return its own unit's rows, so guessing an id yields 404.
"""

from __future__ import annotations

from flask import current_app, has_request_context, request
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.filters import get_field_setup_query
from flask_appbuilder.security.sqla.manager import SecurityManager

from app.models.org import IkuUser

ROLE_ADMIN = "Admin"
ROLE_KEPALA_BIRO = "Kepala Biro"
ROLE_KABAG = "Kepala Bagian"
ROLE_KASUBBAG = "Kepala Subbagian"
ROLE_STAF = "Staf"
ROLE_PENGGUNA = "Pengguna"
ROLE_AUDITOR = "Auditor"

# Every logged-in user may see the menu, their own profile and change their own password.
_SELF_SERVICE = [
    ("UserDBModelView", "can_userinfo"),
    ("UserInfoEditView", "can_this_form_(get|post)"),
    ("ResetMyPasswordView", "can_this_form_(get|post)"),
    ("MenuApi", "can_get"),
    ("LocaleView", ".*"),
]
_READ = "can_(read|export)"
_BUREAU_VIEWS = "(OrgUnit|OrgUnitAssignment|Section|Position|Pelaksana|Competence|CompetenceRecord|ServiceStandard)"  # noqa: E501
_BUREAU_MENUS = "(Organisation|Units|Assignment history|Sections|Positions|Pelaksana|Competences|Competence records|Standards|Standard versions)"  # noqa: E501

ROLE_SPEC: dict[str, list[tuple[str, str]]] = {
    ROLE_ADMIN: [(".*", ".*")],
    ROLE_AUDITOR: [
        *_SELF_SERVICE,
        (".*", "can_(read|export|list|show|get|info)"),
        (".*", "menu_access"),
        ("UserAccessView", "can_show"),
    ],
    ROLE_KEPALA_BIRO: [
        *_SELF_SERVICE,
        (_BUREAU_VIEWS, _READ),
        ("CompetenceRecord", "can_(add|edit)"),
        (_BUREAU_MENUS, "menu_access"),
    ],
    ROLE_KABAG: [
        *_SELF_SERVICE,
        (_BUREAU_VIEWS, _READ),
        ("CompetenceRecord", "can_(add|edit)"),
        (_BUREAU_MENUS, "menu_access"),
    ],
    ROLE_KASUBBAG: [*_SELF_SERVICE, (_BUREAU_VIEWS, _READ), (_BUREAU_MENUS, "menu_access")],
    ROLE_STAF: [*_SELF_SERVICE, (_BUREAU_VIEWS, _READ), (_BUREAU_MENUS, "menu_access")],
    ROLE_PENGGUNA: [
        *_SELF_SERVICE,
        ("OrgUnit", "can_(read|export|edit)"),
        ("ServiceStandard", "can_read"),
        ("(Organisation|Units|Standards|Standard versions)", "menu_access"),
    ],
}

# Roles whose holders see every unit's rows; a user holding none of them is scoped to its unit.
UNSCOPED_ROLES = {ROLE_ADMIN, ROLE_AUDITOR, ROLE_KEPALA_BIRO, ROLE_KABAG, ROLE_KASUBBAG, ROLE_STAF}

# FAB names a permission after the view method; these collapse them so that a ModelView and
# the ModelRestApi of the same entity share one set of permissions ("can_read on OrgUnit").
METHOD_PERMISSIONS = {
    "list": "read", "show": "read", "get": "read", "get_list": "read", "info": "read",
    "download": "read", "api": "read", "api_read": "read", "api_get": "read",
    "api_column_add": "add", "api_column_edit": "edit", "api_readvalues": "read",
    "add": "add", "post": "add", "api_create": "add",
    "edit": "edit", "put": "edit", "api_update": "edit",
    "delete": "delete", "api_delete": "delete",
    "action": "edit", "action_post": "edit",
    "export": "export",
}  # fmt: skip

NO_UNIT = -1


def scope_unit_id(user) -> int | None:
    """The unit a user is confined to, None if it sees all units. A liaison without a unit is
    confined to no unit at all (NO_UNIT) rather than, by accident, to every unit."""
    if user is None or not getattr(user, "is_authenticated", False):
        return NO_UNIT
    role_names = {role.name for role in user.roles}
    if role_names & UNSCOPED_ROLES:
        return None
    return user.org_unit_id or NO_UNIT


def current_scope_unit_id() -> int | None:
    """Memoised on the request (not on `g`, which outlives a request when an app context was
    already pushed, as in tests and CLI code): the filter runs on every query of a page."""
    if not has_request_context():
        return None
    if "iku.scope" not in request.environ:
        request.environ["iku.scope"] = scope_unit_id(current_app.appbuilder.sm.current_user)
    return request.environ["iku.scope"]


class UnitScopeFilter(BaseFilter):
    """Confines a query to the current user's unit. The column is the record's path to its
    unit: "id" for OrgUnit itself, "org_unit" (or a dotted path) for everything owned by one."""

    name = "Unit scope"
    arg_name = "unitscope"

    def apply(self, query, value):
        unit_id = current_scope_unit_id()
        if unit_id is None:
            return query
        query, field = get_field_setup_query(query, self.model, self.column_name)
        if self.column_name != "id" and hasattr(field, "property") and hasattr(
            field.property, "mapper"
        ):
            return query.filter(field.has(id=unit_id))
        return query.filter(field == unit_id)


def scope_filters(column: str | None) -> list:
    """The base_filters entry that scopes a view or API; empty for bureau-only entities."""
    return [[column, UnitScopeFilter, None]] if column else []


class IkuSecurityManager(SecurityManager):
    user_model = IkuUser
