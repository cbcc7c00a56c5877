"""Notices by email about work items: SLA reminders, a new assignment, a returned item.

Each is queued in the transaction of the change that causes it, at most once per person, item
and status (the outbox's unique `dedupe_key`), to people who have not turned reminder emails
off (IkuUser.mail_reminders) and have an address. An address the validator refuses is skipped
rather than failing the user's action: a notice is a courtesy, the item itself is the record.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models.cycles import Cycle, WorkItem
from app.models.mail import OutboundMail
from app.models.org import IkuUser
from app.services.cycles.people import user_name
from app.services.mail.outbox import MailError, add_many, queue_template

SUBJECTS = {
    "at_risk": "Pengingat: {title} mendekati batas waktu",
    "overdue": "Pengingat: {title} melewati batas waktu",
    "assigned": "Tugas baru: {title}",
    "returned": "Dikembalikan: {title}",
}


def item_url(item_id: int) -> str:
    base = (current_app.config.get("IKU_PUBLIC_BASE_URL") or "").rstrip("/")
    return f"{base}/tasks/item/{item_id}"


def _users(session: Session, ids: Iterable[int]) -> dict[int, IkuUser]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {u.id: u for u in session.scalars(select(IkuUser).where(IkuUser.id.in_(ids)))}


def _notify(session: Session, user: IkuUser | None, item: WorkItem, cycle: Cycle | None,
            status: str, *, known: set[str] | None = None, **extra) -> OutboundMail | None:
    """`known`: the dedupe keys already in the outbox, read once for a batch (the scan)."""
    if user is None or not user.active or not user.email or not user.mail_reminders:
        return
    key = f"{status}:{item.id}:{user.id}"
    if known is not None and key in known:
        return
    title = " ".join((item.title or "").split()).rstrip(".")[:200]
    context = {"status": status, "item": item, "cycle": cycle, "name": user_name(user),
               "url": item_url(item.id), **extra}
    try:
        return queue_template(session, user.email, "notice", context,
                       subject=SUBJECTS[status].format(title=title),
                       dedupe_key=key, check_dedupe=known is None, add=known is None,
                       cycle_id=item.cycle_id,
                       work_item_id=item.id, recipient_user_id=user.id,
                       recipient_label=user_name(user))
    except MailError:
        return None


def reminders(session: Session, rows: Iterable[tuple[int, int, str]],
              items: Iterable[WorkItem]) -> None:
    """The SLA scan's new reminders (item id, user id, kind) as emails, in a fixed number of
    statements whatever their count (`items`: the work items the scan loaded already)."""
    rows = list(rows)
    if not rows:
        return
    items = {i.id: i for i in items}
    cycles = {c.id: c for c in session.scalars(
        select(Cycle).where(Cycle.id.in_({i.cycle_id for i in items.values()})))}
    users = _users(session, (r[1] for r in rows))
    keys = [f"{kind}:{item_id}:{user_id}" for item_id, user_id, kind in rows]
    known = set(session.scalars(select(OutboundMail.dedupe_key)
                                .where(OutboundMail.dedupe_key.in_(keys))))
    prepared = []
    for item_id, user_id, kind in rows:
        item = items.get(item_id)
        if item is not None:
            prepared.append(_notify(session, users.get(user_id), item,
                                    cycles.get(item.cycle_id), kind, known=known))
    add_many(session, [m for m in prepared if m is not None])


def assigned(session: Session, item: WorkItem, user_id: int, *, by: str | None = None) -> None:
    """The new assignee of a reassigned item."""
    _notify(session, _users(session, [user_id]).get(user_id), item,
            session.get(Cycle, item.cycle_id), "assigned", by=by)


def returned(session: Session, reopened: Iterable[WorkItem], *, reason: str,
             by: str | None = None) -> None:
    """The assignees of the items a return reopened."""
    reopened = list(reopened)
    users = _users(session, (i.assignee_user_id for i in reopened))
    for item in reopened:
        _notify(session, users.get(item.assignee_user_id), item,
                session.get(Cycle, item.cycle_id), "returned", reason=reason, by=by)
