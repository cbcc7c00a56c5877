"""Discussion groups of a cycle (seed 5a) and their work items.

Where the groups sit in the procedure comes from the standard's data, not from a step code:
the sub-step whose `action` is `discuss` (IKU: 5b "Setiap kelompok akan membahas draf IKU").
A step printed "2 kali @ 2 hari" has one such sub-step per session; every group gets one work
item under each (kind GROUP, parallel, assigned to the group's lead, its members as the
participants, no time of its own: it shares the step's clock) and one DiscussionSession that
points at it. Saving or deleting a group reconciles all of them (app.services.cycles.graft).

The groups may change until a group's discussion has started: after that, minutes and
decisions hang on them and the events recorded on their items are immutable history.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models.cycles import (
    Cycle,
    CycleUnit,
    WorkEventAction,
    WorkItem,
    WorkItemKind,
    WorkItemStatus,
)
from app.models.discussions import DiscussionGroup, DiscussionGroupUnit, DiscussionSession
from app.models.org import IkuUser, OrgUnit
from app.security import ROLE_ADMIN, ROLE_KABAG, ROLE_KEPALA_BIRO
from app.services.calendar import load_schedule
from app.services.cycles import rules
from app.services.cycles.action import add_event, commit, lock_cycle, real_now
from app.services.cycles.flow import Flow, Tree
from app.services.cycles.graft import Share, replace_shares, untouched
from app.services.cycles.people import Directory, Person
from app.services.discussions.errors import (
    DiscussionForbiddenError,
    DiscussionGroupInvalidError,
    DiscussionLockedError,
    DiscussionNotFoundError,
)
from app.services.working_time import Schedule

DEFINER_ROLES = frozenset({ROLE_ADMIN, ROLE_KEPALA_BIRO, ROLE_KABAG})
DISCUSS = "discuss"


def can_define(person: Person | None) -> bool:
    return person is not None and person.active and bool(person.roles & DEFINER_ROLES)


def check_can_define(person: Person | None) -> None:
    if not can_define(person):
        raise DiscussionForbiddenError(
            "Hanya Kepala Biro, Kepala Bagian atau Admin yang dapat menetapkan kelompok "
            "pembahasan.")


def discussion_items(content: dict, tree: Tree) -> list[WorkItem]:
    """The discussing sub-step of each session of the standard's discussion step, in session
    order (one item when the step is not repeated)."""
    for step in content.get("steps", []):
        for sub in step.get("substeps", []):
            if sub.get("action") != DISCUSS:
                continue
            suffix = sub["code"][len(step["code"]):]
            reps = step.get("repetitions", 1) or 1
            codes = ([f"{step['code']}#{i}{suffix}" for i in range(1, reps + 1)] if reps > 1
                     else [sub["code"]])
            return [tree.by_code[code] for code in codes if code in tree.by_code]
    return []


def load_tree(session: Session, cycle_id: int) -> Tree:
    return Tree(session.scalars(select(WorkItem).where(WorkItem.cycle_id == cycle_id)
                                .execution_options(populate_existing=True)).all())


def lock_reason(session: Session, tree: Tree, targets: list[WorkItem]) -> str | None:
    """Why the groups of this cycle can no longer change (None: they can)."""
    if not targets:
        return "Standar siklus ini tidak mempunyai sub-langkah pembahasan kelompok."
    if tree.step_of(targets[0]).status == WorkItemStatus.DONE:
        return "Langkah pembahasan sudah selesai; kelompok tidak dapat diubah lagi."
    for target in targets:
        kids = tree.children(target)
        if target.status == WorkItemStatus.DONE or (not kids and target.started_at):
            return "Pembahasan kelompok sudah dimulai; kelompok tidak dapat diubah lagi."
        if any(not untouched(session, kid) for kid in kids):
            return ("Pembahasan salah satu kelompok sudah dimulai; kelompok tidak dapat "
                    "diubah lagi.")
    return None


class _Change:
    """One locked, freshly loaded cycle for one change of its groups."""

    def __init__(self, session: Session, user, cycle_id: int, now, schedule):
        self.session, self.now = session, real_now(now)
        self.directory = Directory(session)
        self.person = self.directory.person(user.id)
        check_can_define(self.person)
        self.cycle: Cycle = lock_cycle(session, cycle_id)
        rules.check_cycle_open(self.cycle)
        self.tree = load_tree(session, cycle_id)
        self.targets = discussion_items(self.cycle.standard.content, self.tree)
        reason = lock_reason(session, self.tree, self.targets)
        if reason:
            raise DiscussionLockedError(reason)
        self.schedule = schedule or load_schedule(session)

    def groups(self) -> list[DiscussionGroup]:
        return list(self.session.scalars(select(DiscussionGroup).where(
            DiscussionGroup.cycle_id == self.cycle.id).order_by(DiscussionGroup.number)))

    def sync(self, note: str) -> None:
        """Every session's group items and DiscussionSession rows match the groups; the
        change is recorded on the cycle's history, then committed."""
        self.session.flush()
        groups = self.groups()
        flow = Flow(self.tree, self.schedule, self.now)
        for number, target in enumerate(self.targets, start=1):
            shares = [self.share(group, target, number) for group in groups]
            kids = replace_shares(self.session, flow.tree, target, WorkItemKind.GROUP, shares,
                                  flow)
            by_code = {kid.code: kid for kid in kids}
            for group in groups:
                item = by_code[f"{target.code}.g{group.number}"]
                found = next((s for s in group.sessions if s.number == number), None)
                if found is None:
                    group.sessions.append(DiscussionSession(number=number, work_item=item))
                elif found.work_item_id != item.id:
                    found.work_item = item
        flow.sync_shared()
        add_event(self.session, self.cycle, None, self.person, WorkEventAction.GROUPS,
                  self.now, note=note, details={"groups": [
                      {"name": g.name, "units": [u.org_unit.code for u in g.unit_links],
                       "lead": self.name(g.lead_user_id)} for g in groups]})
        commit(self.session)

    def name(self, user_id: int | None) -> str | None:
        person = self.directory.person(user_id)
        return person.name if person else None

    def share(self, group: DiscussionGroup, target: WorkItem, number: int) -> Share:
        lead = self.directory.person(group.lead_user_id)
        units = ", ".join(u.org_unit.name for u in group.unit_links)
        names = [self.name(m.id) or m.username for m in group.members]
        return Share(
            code=f"{target.code}.g{group.number}", label=group.name,
            title=f"{group.name} – Pembahasan sesi {number}: {units}",
            actor_name=group.name, assignee_user_id=group.lead_user_id,
            section_id=lead.section_id if lead else None, participants=names,
        )


def _check_people(change: _Change, lead_id: int | None, member_ids) -> list[int]:
    lead = change.directory.person(lead_id)
    if lead is None or not lead.is_bureau:
        raise DiscussionGroupInvalidError(
            "Ketua kelompok wajib dipilih dari pelaksana biro yang aktif.")
    members = [lead.user_id]
    for user_id in member_ids or []:
        person = change.directory.person(user_id)
        if person is None or not person.is_bureau:
            raise DiscussionGroupInvalidError(
                "Anggota kelompok hanya dapat dipilih dari pelaksana biro yang aktif.")
        if person.user_id not in members:
            members.append(person.user_id)
    return members


def _check_units(change: _Change, unit_ids, group_id: int | None) -> list[int]:
    wanted = list(dict.fromkeys(int(u) for u in unit_ids or []))
    if not wanted:
        raise DiscussionGroupInvalidError("Pilih sedikitnya satu satuan organisasi.")
    session, cycle_id = change.session, change.cycle.id
    in_cycle = set(session.scalars(select(CycleUnit.org_unit_id).where(
        CycleUnit.cycle_id == cycle_id)))
    names = dict(session.execute(select(OrgUnit.id, OrgUnit.name).where(
        OrgUnit.id.in_(wanted))).tuples().all())
    outside = [u for u in wanted if u not in in_cycle]
    if outside:
        raise DiscussionGroupInvalidError(
            f"{names.get(outside[0], 'Satuan organisasi ini')} tidak termasuk dalam siklus ini.")
    taken = session.execute(select(DiscussionGroupUnit.org_unit_id, DiscussionGroup.name).join(
        DiscussionGroup, DiscussionGroup.id == DiscussionGroupUnit.group_id).where(
        DiscussionGroupUnit.cycle_id == cycle_id, DiscussionGroupUnit.org_unit_id.in_(wanted),
        DiscussionGroup.id != (group_id or 0))).first()
    if taken is not None:
        raise DiscussionGroupInvalidError(
            f"{names[taken[0]]} sudah termasuk dalam {taken[1]}; satu satuan organisasi hanya "
            "dapat masuk satu kelompok.")
    return wanted


def save_group(session: Session, user, cycle_id: int, *, name: str, unit_ids, lead_id: int,
               member_ids=(), group_id: int | None = None, now: dt.datetime | None = None,
               schedule: Schedule | None = None) -> DiscussionGroup:
    """Define a new group of the cycle, or change one (group_id): its name, units, lead and
    members; then every session's group items follow."""
    change = _Change(session, user, cycle_id, now, schedule)
    name = (name or "").strip()
    group = None
    if group_id is not None:
        group = session.get(DiscussionGroup, group_id)
        if group is None or group.cycle_id != cycle_id:
            raise DiscussionNotFoundError("Kelompok pembahasan tidak ditemukan.")
    if not name:
        raise DiscussionGroupInvalidError("Nama kelompok wajib diisi.")
    if len(name) > 100:
        raise DiscussionGroupInvalidError("Nama kelompok paling panjang 100 karakter.")
    clash = session.scalar(select(DiscussionGroup.id).where(
        DiscussionGroup.cycle_id == cycle_id, DiscussionGroup.name == name,
        DiscussionGroup.id != (group_id or 0)))
    if clash is not None:
        raise DiscussionGroupInvalidError(f"Nama kelompok {name} sudah dipakai dalam siklus ini.")
    units = _check_units(change, unit_ids, group_id)
    members = _check_people(change, lead_id, member_ids)
    if group is None:
        number = (session.scalar(select(func.max(DiscussionGroup.number)).where(
            DiscussionGroup.cycle_id == cycle_id)) or 0) + 1
        group = DiscussionGroup(cycle_id=cycle_id, number=number)
        session.add(group)
    group.name, group.lead_user_id = name, members[0]
    # in the relationship's own order (by id), not whatever order the rows come back in
    group.members = list(session.scalars(
        select(IkuUser).where(IkuUser.id.in_(members)).order_by(IkuUser.id)))
    group.unit_links = [link for link in group.unit_links if link.org_unit_id in units] + [
        DiscussionGroupUnit(cycle_id=cycle_id, org_unit_id=unit_id) for unit_id in units
        if unit_id not in {link.org_unit_id for link in group.unit_links}]
    session.flush()
    for link in group.unit_links:
        session.refresh(link, ["org_unit"])
    change.sync(f"{name} disimpan.")
    return group


def delete_group(session: Session, user, group_id: int, *, now: dt.datetime | None = None,
                 schedule: Schedule | None = None) -> None:
    """Remove a group (and its never-started items) while the groups may still change."""
    group = session.get(DiscussionGroup, group_id)
    if group is None:
        raise DiscussionNotFoundError("Kelompok pembahasan tidak ditemukan.")
    change = _Change(session, user, group.cycle_id, now, schedule)
    name = group.name
    session.delete(group)
    session.flush()
    change.sync(f"{name} dihapus.")
