"""Units and their liaisons: which units have no active liaison, and giving one a liaison.

A liaison is an active account with the role Pengguna linked to the unit (IkuUser.org_unit).
Assigning one links an existing Pengguna account without a unit, or creates the account
(password generated under the policy, shown once); in the same transaction the unit's shares
of the active cycles that nobody holds (no assignee: the unit had no liaison when the cycle
started) go to the new liaison, each with a REASSIGN event, so the cycle's history says who
gave the work to whom. The account change itself is in the audit trail (IkuUser.org_unit).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from app.models.cycles import (
    Cycle,
    CycleStatus,
    WorkEventAction,
    WorkItem,
    WorkItemKind,
    WorkItemStatus,
)
from app.models.org import IkuUser, OrgUnit
from app.security import ROLE_ADMIN, ROLE_KABAG, ROLE_KEPALA_BIRO, ROLE_PENGGUNA
from app.services import access
from app.services.cycles.action import add_event, lock_cycle, real_now
from app.services.cycles.people import Directory
from app.services.passwords import generate_password
from app.services.validation import ValueInvalidError, validate_email

ASSIGNER_ROLES = frozenset({ROLE_ADMIN, ROLE_KEPALA_BIRO, ROLE_KABAG})
UNFINISHED = (WorkItemStatus.WAITING, WorkItemStatus.READY, WorkItemStatus.IN_PROGRESS,
              WorkItemStatus.PAUSED)


class LiaisonAssignError(ValueError):
    """The assignment is refused; str(self) says why."""

    def __init__(self, message: str, field: str | None = None):
        self.field = field
        super().__init__(message)


@dataclass(frozen=True)
class Assigned:
    user: IkuUser
    password: str | None  # the generated password of a new account, shown once
    items_moved: int


def has_liaison_clause():
    """SQL: the unit (OrgUnit) has an active liaison."""
    return exists().where(IkuUser.org_unit_id == OrgUnit.id, IkuUser.active.is_(True),
                          IkuUser.roles.any(name=ROLE_PENGGUNA))


def free_liaisons(session: Session) -> list[IkuUser]:
    """Active Pengguna accounts linked to no unit: candidates to become a unit's liaison."""
    return [u for u in session.scalars(select(IkuUser).where(
        IkuUser.active.is_(True), IkuUser.org_unit_id.is_(None)).order_by(IkuUser.username))
        if any(r.name == ROLE_PENGGUNA for r in u.roles)]


def _check_actor(user) -> None:
    if not {r.name for r in getattr(user, "roles", [])} & ASSIGNER_ROLES:
        raise LiaisonAssignError(gettext(
            "Only the Kepala Biro, a Kepala Bagian or an administrator assigns liaisons."))


def assign_liaison(session: Session, actor, unit_id: int, *, user_id: int | None = None,
                   new_account: dict | None = None, now: dt.datetime | None = None) -> Assigned:
    """Give the unit a liaison: the account `user_id`, or a new one from `new_account`
    ({username, first_name, last_name, email}). One transaction."""
    now = real_now(now)
    _check_actor(actor)
    unit = session.get(OrgUnit, unit_id)
    if unit is None or not unit.active:
        raise LiaisonAssignError(gettext("The unit was not found or is not active."))
    password = None
    if user_id:
        user = session.get(IkuUser, user_id)
        if user is None or user not in free_liaisons(session):
            raise LiaisonAssignError(gettext(
                "Choose an active account with the role Pengguna that has no unit yet."), "user")
        user.org_unit_id = unit.id
    elif new_account:
        password = generate_password()
        fields = {k: (new_account.get(k) or "").strip() for k in
                  ("username", "first_name", "last_name", "email")}
        for key in ("username", "first_name", "email"):
            if not fields[key]:
                raise LiaisonAssignError(gettext("Required."), key)
        try:
            fields["email"] = validate_email(fields["email"])
        except ValueInvalidError as exc:
            raise LiaisonAssignError(str(exc), "email") from None
        try:
            user = access.create_user(fields["username"], fields["first_name"],
                                      fields["last_name"] or "-", fields["email"],
                                      [ROLE_PENGGUNA], password, commit=False,
                                      org_unit_id=unit.id)
        except access.UserCreateError as exc:
            session.rollback()
            raise LiaisonAssignError(str(exc), "username") from None
    else:
        raise LiaisonAssignError(gettext(
            "Choose an existing account or fill in the new account."), "user")
    session.flush()
    moved = _give_open_shares(session, actor, unit, user, now)
    session.commit()
    return Assigned(user, password, moved)


def _give_open_shares(session: Session, actor, unit: OrgUnit, user: IkuUser,
                      now: dt.datetime) -> int:
    items = session.scalars(select(WorkItem).join(Cycle, Cycle.id == WorkItem.cycle_id).where(
        Cycle.status == CycleStatus.ACTIVE, WorkItem.org_unit_id == unit.id,
        WorkItem.kind == WorkItemKind.UNIT, WorkItem.is_leaf,
        WorkItem.assignee_user_id.is_(None), WorkItem.status.in_(UNFINISHED))).all()
    person = Directory(session, only=(actor.id,)).person(actor.id)
    for item in items:
        cycle = lock_cycle(session, item.cycle_id)
        item.assignee_user_id = user.id
        add_event(session, cycle, item, person, WorkEventAction.REASSIGN, now,
                  note=gettext("New liaison of %(unit)s.", unit=unit.name),
                  details={"from_user_id": None, "to_user_id": user.id})
    current_app.logger.info("liaison %s assigned to %s, %d items", user.username, unit.code,
                            len(items))
    return len(items)
