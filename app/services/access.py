"""Roles and accounts: the role spec (app.security.ROLE_SPEC) made real in the database, user
creation under the password policy, lockout and unlock, and "what can this user do"."""

from __future__ import annotations

import datetime as dt
import logging

from flask import current_app, has_request_context, request
from flask_babel import lazy_gettext
from limits.storage import storage_from_string

from app.models.org import OrgUnit
from app.security import NO_UNIT, ROLE_PENGGUNA, ROLE_SPEC, scope_unit_id
from app.services import audit, permission_words
from app.services.passwords import validate_password

log = logging.getLogger(__name__)


PENGGUNA_NEEDS_UNIT = lazy_gettext(
    "A user with the role Pengguna must be linked to the unit it acts for."
)


def lacks_unit(role_names, org_unit_id) -> bool:
    """A unit liaison without a unit would see nothing at all (scope NO_UNIT): refused when an
    account is saved rather than discovered by a puzzled user."""
    return ROLE_PENGGUNA in set(role_names) and org_unit_id is None


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
    unlock(user)


# --- lockout -----------------------------------------------------------------------------------
# FAB counts failed logins but never acts on them. An account locks at the threshold-th
# consecutive failure and stays locked until an administrator unlocks it (no timed unlock: an
# attacker guessing slowly would otherwise get threshold tries per period, forever).


def lockout_threshold() -> int:
    """0 or less turns lockout off."""
    return int(current_app.config.get("IKU_LOCKOUT_THRESHOLD", 5))


def count_failure(user) -> None:
    """Called by the security manager before FAB commits the failure counter: the lock and its
    audit entries land in the same commit."""
    threshold = lockout_threshold()
    failures = (user.fail_login_count or 0) + 1
    _audit("login_failed", user, {"failures": failures})
    if threshold > 0 and user.locked_at is None and failures >= threshold:
        user.locked_at = dt.datetime.now()
        _audit("lock", user, {"failures": failures})


def unlock(user) -> None:
    """Let the account log in again, with a fresh count of failures."""
    was_locked = user.locked_at
    user.locked_at = None
    user.fail_login_count = 0
    if was_locked is not None:
        _audit("unlock", user, {"locked_at": was_locked.isoformat()})
    _sm().session.commit()


def login_locked(account, typed_name: str | None) -> bool:
    """Whether a login must be refused before the password is even looked at."""
    if account is not None:
        return account.locked_at is not None
    threshold = lockout_threshold()
    return threshold > 0 and bool(typed_name) and _unknown_failures(typed_name) >= threshold


def after_failed_login(account, typed_name: str) -> bool:
    """Record a failure FAB does not count (an unknown name); True if the login is now locked.
    Unknown names lock like real ones so that "locked" does not reveal which names exist."""
    if account is not None:
        return account.locked_at is not None
    threshold = lockout_threshold()
    if threshold <= 0:
        return False
    return _unknown_failures(typed_name, increment=True) >= threshold


def flag_locked_login() -> None:
    """Tell the login page (which only gets None from FAB) that the refusal was a lock. Kept on
    the request, not on `g`, which outlives a request when an app context is already pushed."""
    if has_request_context():
        request.environ["iku.login_locked"] = True


def login_was_locked() -> bool:
    return has_request_context() and bool(request.environ.get("iku.login_locked"))


UNKNOWN_FAILURE_TTL = 24 * 3600


def _unknown_failures(typed_name: str, increment: bool = False) -> int:
    """Failures of a name with no account, kept in the rate-limit storage (Redis in production,
    so every worker sees them); memory:// in one process. A storage outage must not stop logins:
    it only loses this counter."""
    ext = current_app.extensions
    if "iku_login_failures" not in ext:
        uri = current_app.config.get("RATELIMIT_STORAGE_URI") or "memory://"
        ext["iku_login_failures"] = storage_from_string(
            uri, **current_app.config.get("RATELIMIT_STORAGE_OPTIONS", {})
        )
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX", "")
    key = f"{prefix}iku:login-failures:{typed_name.strip().lower()[:200]}"
    try:
        if increment:
            return ext["iku_login_failures"].incr(key, UNKNOWN_FAILURE_TTL)
        return ext["iku_login_failures"].get(key)
    except Exception:  # noqa: BLE001  (any storage error: the lockout of real accounts holds)
        log.warning("Login failure counter unavailable", exc_info=True)
        return 0


def _audit(action: str, user, details: dict) -> None:
    """Into the audit trail when it exists (looked up at call time: it is optional here)."""
    log_event = getattr(audit, "log_event", None)
    if log_event is not None:
        log_event(_sm().session, action, "ab_user", entity_id=user.id, details=details,
                  unit_id=user.org_unit_id)


# --- "what can this user see and do" -----------------------------------------------------------


def effective_access(user) -> dict:
    """Roles, the (view, permission) pairs the user reaches, its menus, its unit scope, and the
    same in words (permission_words) for the page that shows them."""
    sm = _sm()
    roles = sm.get_user_roles(user)
    granted = granted_pairs(roles)
    menus = sorted(view for view, perm in granted if perm == "menu_access")
    actions = [(view, perm) for view, perm in granted if perm != "menu_access"]
    unit_id = scope_unit_id(user)
    unit_name = None
    if unit_id not in (None, NO_UNIT):
        unit = sm.session.get(OrgUnit, unit_id)
        unit_name = unit.name if unit else None
    return {"roles": sorted({r.name for r in roles}), "menus": menus, "actions": actions,
            "unit_scope": unit_id, "unit_name": unit_name,
            "menu_words": permission_words.menu_words(granted),
            "permission_words": permission_words.describe(actions)}


def role_access(role_name: str) -> dict:
    """What one role grants, in words: its menus and [(entity, [verbs])]; empty for an unknown
    role name."""
    role = _sm().find_role(role_name)
    granted = granted_pairs([role]) if role is not None else []
    return {"menu_words": permission_words.menu_words(granted),
            "permission_words": permission_words.describe(
                [(view, perm) for view, perm in granted if perm != "menu_access"])}


def granted_pairs(roles) -> list[tuple[str, str]]:
    """The (view, permission) pairs any of `roles` grants. Mirrors FAB's own check
    (_has_view_access): builtin roles by the spec's regexes, roles an administrator created in
    the database by their stored permissions."""
    sm = _sm()
    stored = {
        (pv.view_menu.name, pv.permission.name)
        for role in roles
        if role.name not in sm.builtin_roles
        for pv in role.permissions
    }
    return sorted(
        (view, perm)
        for perm, view in _all_permission_views(sm)
        if (view, perm) in stored
        or any(
            role.name in sm.builtin_roles and sm._has_access_builtin_roles(role, perm, view)
            for role in roles
        )
    )


def _all_permission_views(sm):
    from flask_appbuilder.security.sqla.models import Permission, PermissionView, ViewMenu

    rows = (
        sm.session.query(Permission.name, ViewMenu.name)
        .join(PermissionView, PermissionView.permission_id == Permission.id)
        .join(ViewMenu, PermissionView.view_menu_id == ViewMenu.id)
    )
    return list(rows)
