"""Who can take work: the bureau's people, their sections and levels, and the units' liaisons.

Routing a standard's actors to people, deciding who may record an item and finding a person's
superior all need the same picture of the organisation. It is loaded once per service call in
a fixed number of queries (sections, users with their pelaksana and roles, open workload), so
nothing downstream queries per item.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.models.cycles import OPEN_STATUSES, WorkItem
from app.models.org import IkuUser, Pelaksana, Position, Section, SectionKind
from app.security import ROLE_PENGGUNA


@dataclass(frozen=True)
class Person:
    """A login as the engine sees it. `pelaksana_id` set = bureau staff; `org_unit_id` set with
    the Pengguna role = a unit's liaison."""

    user_id: int
    name: str
    roles: frozenset[str]
    pelaksana_id: int | None = None
    position_code: str | None = None  # Position.actor_code: kepala_biro, kabag, ...
    level: int | None = None  # 1 = most senior
    section_id: int | None = None
    org_unit_id: int | None = None
    active: bool = True

    @property
    def is_bureau(self) -> bool:
        return self.pelaksana_id is not None and self.active

    @property
    def is_liaison(self) -> bool:
        return self.org_unit_id is not None and ROLE_PENGGUNA in self.roles and self.active


@dataclass(frozen=True)
class SectionInfo:
    id: int
    code: str
    name: str
    kind: str
    parent_id: int | None


def user_name(user: IkuUser | None) -> str | None:
    if user is None:
        return None
    full = f"{user.first_name or ''} {user.last_name or ''}".strip()
    return full or user.username


class Directory:
    """The organisation, loaded once: sections as a tree, people by user id, workload."""

    def __init__(self, session: Session, *, with_workload: bool = False,
                 only: Iterable[int | None] | None = None):
        """`only`: the user ids an action needs (itself, an item's assignee), instead of every
        account of the organisation, which an action on one item never reads."""
        self.sections = {
            row.id: SectionInfo(row.id, row.code, row.name, row.kind, row.parent_id)
            for row in session.execute(
                select(Section.id, Section.code, Section.name, Section.kind, Section.parent_id)
            )
        }
        self.by_code = {s.code: s for s in self.sections.values()}
        query = select(IkuUser).options(
            selectinload(IkuUser.roles),
            joinedload(IkuUser.pelaksana).joinedload(Pelaksana.position),
        )
        if only is not None:
            query = query.where(IkuUser.id.in_({i for i in only if i is not None}))
        users = session.scalars(query).all()
        self.people: dict[int, Person] = {}
        for user in users:
            person = user.pelaksana
            position: Position | None = person.position if person else None
            self.people[user.id] = Person(
                user_id=user.id,
                name=(person.name if person else None) or user_name(user),
                roles=frozenset(role.name for role in user.roles),
                pelaksana_id=person.id if person and person.active else None,
                position_code=position.actor_code if position else None,
                level=position.level if position else None,
                section_id=person.section_id if person else None,
                org_unit_id=user.org_unit_id,
                active=bool(user.active),
            )
        self.workload: dict[int, int] = defaultdict(int)
        if with_workload:
            rows = session.execute(
                select(WorkItem.assignee_user_id, func.count())
                .where(WorkItem.status.in_(OPEN_STATUSES + ("waiting",)),
                       WorkItem.assignee_user_id.is_not(None))
                .group_by(WorkItem.assignee_user_id)
            )
            self.workload.update({user_id: count for user_id, count in rows})

    # ------------------------------------------------------------------ sections
    def lineage(self, section_id: int | None) -> list[int]:
        """The section and its ancestors, nearest first."""
        out: list[int] = []
        while section_id is not None and section_id not in out:
            out.append(section_id)
            section_id = self.sections[section_id].parent_id if section_id in self.sections else None
        return out

    def bagian_of(self, section_id: int | None) -> int | None:
        """The Bagian a section belongs to (itself, or the Bagian above a Subbagian)."""
        for sid in self.lineage(section_id):
            if self.sections[sid].kind == SectionKind.BAGIAN:
                return sid
        return section_id

    def same_line(self, user_section: int | None, item_section: int | None) -> bool:
        """A user may act for a section above, at or below their own: a Subbagian's staff for
        their Bagian, the Kepala Biro for every Bagian, never AK II staff for AK I."""
        if item_section is None:
            return True
        return item_section in self.lineage(user_section) or user_section in self.lineage(
            item_section
        )

    def subtree(self, section_id: int) -> set[int]:
        return {sid for sid in self.sections if section_id in self.lineage(sid)}

    def section_name(self, section_id: int | None) -> str | None:
        return self.sections[section_id].name if section_id in self.sections else None

    # ------------------------------------------------------------------ people
    def person(self, user_id: int | None) -> Person | None:
        return self.people.get(user_id) if user_id is not None else None

    def _bureau(self) -> list[Person]:
        return [p for p in self.people.values() if p.is_bureau]

    def pick(self, candidates: list[Person]) -> Person | None:
        """The least loaded candidate (open and waiting items), then the first by user id: the
        Kasubbag who "menugaskan staf" can still reassign."""
        if not candidates:
            return None
        return min(candidates, key=lambda p: (self.workload[p.user_id], p.user_id))

    def holders(self, position: str, section_id: int | None, subbagian: str | None = None) -> list[
        Person
    ]:
        """People holding `position` in the section's subtree (anywhere when no section); a
        Subbagian (Section '<bagian>-<subbagian>') narrows it when one exists and is staffed."""
        people = [p for p in self._bureau() if p.position_code == position]
        if section_id is None:
            return people
        if subbagian:
            sub = self.by_code.get(f"{self.sections[section_id].code}-{subbagian}")
            if sub is not None:
                narrowed = [p for p in people if p.section_id in self.subtree(sub.id)]
                if narrowed:
                    return narrowed
        scope = self.subtree(section_id)
        return [p for p in people if p.section_id in scope]

    def juniors(self, section_id: int | None) -> list[Person]:
        """The most junior pelaksana (highest level number) of a section's subtree: the staff who
        record what outside actors did. Data-driven (Position.level), no position code named."""
        scope = self.subtree(section_id) if section_id is not None else None
        people = [p for p in self._bureau() if p.level is not None
                  and (scope is None or p.section_id in scope)]
        if not people:
            return []
        lowest = max(p.level for p in people)
        return [p for p in people if p.level == lowest]

    def liaisons(self, org_unit_id: int) -> list[Person]:
        return sorted((p for p in self.people.values()
                       if p.is_liaison and p.org_unit_id == org_unit_id), key=lambda p: p.user_id)

    def superior(self, person: Person) -> Person | None:
        """The nearest more senior pelaksana up the person's section line: Staf -> Kasubbag of
        the Subbagian -> Kabag of the Bagian -> Kepala Biro."""
        if not person.is_bureau or person.level is None:
            return None
        for sid in self.lineage(person.section_id):
            above = [p for p in self._bureau() if p.section_id == sid and p.level is not None
                     and p.level < person.level]
            if above:
                return min(above, key=lambda p: (-p.level, p.user_id))
        return None

    def head_of(self, section_id: int | None) -> Person | None:
        """The most senior pelaksana sitting in the section, else up its line."""
        for sid in self.lineage(section_id):
            here = [p for p in self._bureau() if p.section_id == sid and p.level is not None]
            if here:
                return min(here, key=lambda p: (p.level, p.user_id))
        return None
