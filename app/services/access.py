"""Roles and accounts: the role spec (app.security.ROLE_SPEC) made real in the database, user
creation under the password policy, lockout and unlock, and "what can this user do"."""

from __future__ import annotations

from flask import current_app

from app.security import ROLE_SPEC, scope_unit_id
from app.services.passwords import validate_password


class UserCreateError(ValueError):
    """A user could not be created (duplicate username/email, unknown role, weak password)."""


def _sm():
    return current_app.appbuilder.sm


def sync_roles() -> list[str]:
    """Idempotent: every role of the spec exists, and every view's permissions are registered
    (so the access page can list them). Run by `flask iku init`, never at worker start."""
    sm = _sm()
    current_app.appbuilder.add_permissions(update_perms=True)
    for name in ROLE_SPEC:
        sm.add_role(name)
    sm.add_role(sm.auth_role_public)
    return list(ROLE_SPEC)


def create_user(username, first_name, last_name, email, role_names, password, **links):
    validate_password(password)
    sm = _sm()
    roles = []
    for name in role_names:
        role = sm.find_role(name)
        if role is None:
            raise UserCreateError(f"Peran tidak dikenal: {name}")
        roles.append(role)
    if sm.find_user(username=username) or sm.find_user(email=email):
        raise UserCreateError(f"Pengguna {username} atau email {email} sudah ada.")
    user = sm.add_user(username, first_name, last_name, email, roles, password=password)
    if not user:
        raise UserCreateError(f"Pengguna {username} tidak dapat dibuat.")
    for key, value in links.items():
        setattr(user, key, value)
    sm.session.commit()
    return user


def set_password(username: str, password: str) -> None:
    validate_password(password)
    sm = _sm()
    user = sm.find_user(username=username)
    if user is None:
        raise UserCreateError(f"Pengguna tidak ditemukan: {username}")
    sm.reset_password(user.id, password)


def unlock_user(username: str) -> None:
    sm = _sm()
    user = sm.find_user(username=username)
    if user is None:
        raise UserCreateError(f"Pengguna tidak ditemukan: {username}")
    user.locked_at = None
    user.fail_login_count = 0
    sm.session.commit()


def effective_access(user) -> dict:
    """Roles, the (view, permission) pairs the user reaches, its menus, and its unit scope."""
    sm = _sm()
    roles = sm.get_user_roles(user)
    granted = sorted(
        (view, perm)
        for perm, view in _all_permission_views(sm)
        if any(sm._has_access_builtin_roles(role, perm, view) for role in roles)
    )
    menus = sorted(view for view, perm in granted if perm == "menu_access")
    actions = [(view, perm) for view, perm in granted if perm != "menu_access"]
    unit_id = scope_unit_id(user)
    return {"roles": [r.name for r in roles], "menus": menus, "actions": actions,
            "unit_scope": unit_id}


def _all_permission_views(sm):
    from flask_appbuilder.security.sqla.models import Permission, PermissionView, ViewMenu

    rows = (
        sm.session.query(Permission.name, ViewMenu.name)
        .join(PermissionView, PermissionView.permission_id == Permission.id)
        .join(ViewMenu, PermissionView.view_menu_id == ViewMenu.id)
    )
    return list(rows)
