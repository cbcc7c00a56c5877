"""Roles and accounts: the role spec (app.security.ROLE_SPEC) made real in the database, user
creation under the password policy, lockout and unlock, and "what can this user do"."""

from __future__ import annotations

import datetime as dt
import logging

from flask import current_app, has_app_context, has_request_context, request
from flask_babel import lazy_gettext
from limits.storage import storage_from_string
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from app.models.org import IkuUser, OrgUnit
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


def create_user(username, first_name, last_name, email, role_names, password, *,
                commit: bool = True, **links):
    """`commit=False`: the caller commits, with what else it changes in the same transaction."""
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
    user = sm.add_user(username, first_name, last_name, email, roles, password=password,
                       commit=commit)
    if not user:
        raise UserCreateError(f"Pengguna {username} tidak dapat dibuat.")
    for key, value in links.items():
        setattr(user, key, value)
    if commit:
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
        user.locked_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)  # stored as UTC
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


# A real account stays locked until an administrator unlocks it; a name without an account
# stays "locked" long enough that waiting to see it unlock is no practical way to tell the two
# apart (a day would be).
UNKNOWN_FAILURE_TTL = 90 * 24 * 3600


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


# --- the last door stays open ------------------------------------------------------------------
# Without an active administrator nobody can unlock, create or repair accounts from the
# application. Pages and APIs check before saving (check_admin_kept, check_admin_role_kept) to
# answer with a clear message; a flush-time guard (install) refuses the same change from any
# other path (the CLI, a script, FAB's group pages).

ADMIN_ROLE_KEPT = lazy_gettext(
    "The Admin role cannot be deleted or renamed: without it nobody could manage the accounts."
)
LAST_ADMIN_KEPT = lazy_gettext(
    "This is the last active administrator: give another active account the Admin role "
    "before deactivating, deleting or demoting this one."
)


class LastAdminError(ValueError):
    """A change would leave the application without an active administrator or Admin role."""


def _admin_role_name() -> str:
    return current_app.config.get("AUTH_ROLE_ADMIN", "Admin")


def active_admin_ids(session) -> set[int]:
    """Active accounts holding the Admin role, directly or through a group (as FAB grants it),
    as the database has them (the caller decides whether pending changes are flushed)."""
    from flask_appbuilder.security.sqla.models import Group, Role

    admin = Role.name == _admin_role_name()
    rows = session.execute(
        select(IkuUser.id).where(
            IkuUser.active.is_(True),
            IkuUser.roles.any(admin) | IkuUser.groups.any(Group.roles.any(admin)),
        )
    )
    return set(rows.scalars())


def _is_active_admin(user) -> bool:
    roles = [*user.roles, *(role for group in user.groups for role in group.roles)]
    return bool(user.active) and _admin_role_name() in {role.name for role in roles}


def check_admin_kept(user, *, deleting: bool = False) -> None:
    """Before saving `user` (its pending changes) or deleting it: refuse if it is the last
    active administrator and would stop being one."""
    session = _sm().session
    with session.no_autoflush:
        admins = active_admin_ids(session)
    if user.id not in admins or admins - {user.id}:
        return
    if deleting or not _is_active_admin(user):
        raise LastAdminError(str(LAST_ADMIN_KEPT))


def check_admin_role_kept(role, *, deleting: bool = False) -> None:
    """The Admin role (AUTH_ROLE_ADMIN) is neither deleted nor renamed."""
    old = inspect(role).attrs.name.history.deleted
    original = old[0] if old else role.name
    if original == _admin_role_name() and (deleting or role.name != original):
        raise LastAdminError(str(ADMIN_ROLE_KEPT))


def install(db) -> None:
    """The guard behind every path: a flush that deletes or renames the Admin role, or after
    which no active administrator is left where one was before, fails and is rolled back."""
    if not event.contains(Session, "before_flush", _admins_before_flush):
        event.listen(Session, "before_flush", _admins_before_flush)
        event.listen(Session, "after_flush", _admins_after_flush)


def _admins_before_flush(session, _context, _instances) -> None:
    from flask_appbuilder.security.sqla.models import Group, Role, User

    if not has_app_context():
        return
    touched = False
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, Role) and _role_admin_change(obj, obj in session.deleted):
            raise LastAdminError(str(ADMIN_ROLE_KEPT))
        if isinstance(obj, (User, Group)):
            # A login updates its counters on every account: only these can cost an admin.
            attrs = inspect(obj).attrs
            names = ("active", "roles", "groups") if isinstance(obj, User) else ("roles", "users")
            touched = touched or obj in session.deleted or any(
                attrs[name].history.has_changes() for name in names)
    if touched:
        with session.no_autoflush:
            session.info["iku.admins_before"] = len(active_admin_ids(session))


def _role_admin_change(role, deleting: bool) -> bool:
    try:
        check_admin_role_kept(role, deleting=deleting)
    except LastAdminError:
        return True
    return False


def _admins_after_flush(session, _context) -> None:
    before = session.info.pop("iku.admins_before", None)
    if before and not active_admin_ids(session):
        raise LastAdminError(str(LAST_ADMIN_KEPT))


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
