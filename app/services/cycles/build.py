"""From a standard version's procedure to a cycle's tree of work items, routed to people.

Reads only the normalised standard (`ServiceStandard.content`): steps in printed order, their
sub-steps, actors from the catalogue, durations, repetitions, relative deadlines, `parallel`,
`substep_time_policy`.

Routing decisions (each one generic, driven by the standard's data and the org tables):
- A leaf is done by its primary actor: the step's `performed_by`, else the first actor printed.
- bureau actor: the holder of its position (`position`, else its own code = Position.actor_code)
  in its Bagian: a fixed Bagian as printed ("Kabag AK I"), or for bagian "serving" the Bagian
  serving the units concerned. When the units concerned are served by SEVERAL Bagian, the item
  is split into one part per serving Bagian, run side by side ("Staf Bagian AK I/Bagian AK II
  menyampaikan ..." is each Bagian's staff for its own units): more faithful than letting one
  Bagian lead, and each Kabag sees and answers for their own share.
- external/team actor (Deputi, Menteri, Biro Tata Usaha, the Tim): recorded on their behalf by
  the most junior pelaksana of the Bagian carrying the chain (the Bagian of the previous routed
  item in the same chain, else the cycle's lead Bagian); `on_behalf_of` names the actor.
- pengguna actor (the units themselves): one item per unit concerned, assigned to the unit's
  liaison; the Bagian serving that unit may record it on the unit's behalf.
- repetitions n > 1 ("2 kali @ 2 hari"): n sessions one after another, each with the step's
  duration and its own copy of the sub-steps; the step's own time is n times the duration.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models.cycles import WorkItem, WorkItemKind, WorkItemStatus
from app.models.org import OrgUnit
from app.services.cycles.errors import CycleUnitsEmptyError
from app.services.cycles.people import Directory, Person
from app.services.standards_schema.validate import SERVING


@dataclass(frozen=True)
class UnitRoute:
    org_unit_id: int
    code: str
    name: str
    section_id: int | None


@dataclass
class Node:
    code: str
    step_code: str
    label: str
    title: str
    kind: WorkItemKind
    parallel: bool = False
    time_policy: str | None = None
    actor_code: str | None = None
    actor_kind: str | None = None
    actor_name: str | None = None
    on_behalf_of: str | None = None
    section_id: int | None = None
    org_unit_id: int | None = None
    assignee: Person | None = None
    duration: dict | None = None
    time_text: str | None = None
    relative_deadline: dict | None = None
    documents: list[str] = field(default_factory=list)
    participants: list[str] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)


class Builder:
    def __init__(self, content: dict, directory: Directory, units: list[UnitRoute],
                 lead_section_id: int | None):
        self.content = content
        self.directory = directory
        self.units = units
        self.lead = lead_section_id
        self.actors = {a["code"]: a for a in content["actors"]}
        self.bagian_short = {b["code"]: b["short_name"]
                             for b in content["scope"]["executors"]["bagian"]}
        self.serving = serving_sections(content, directory, units)

    # ------------------------------------------------------------------ tree
    def steps(self) -> list[Node]:
        return [self.step(step) for step in self.content["steps"]]

    def step(self, step: dict) -> Node:
        reps = step.get("repetitions", 1)
        duration = step.get("duration")
        node = Node(
            code=step["code"], step_code=step["code"], label=step["label"], title=step["title"],
            kind=WorkItemKind.STEP, parallel=bool(step.get("parallel")),
            time_policy=step.get("substep_time_policy"),
            duration=({"value": duration["value"] * reps, "unit": duration["unit"]}
                      if duration else None),
            time_text=step.get("time_text"), relative_deadline=step.get("relative_deadline"),
            documents=list(step.get("documents", [])), participants=_displays(step["actors"]),
        )
        primary = step.get("performed_by") or (step["actors"][0] if step["actors"] else None)
        if reps > 1:
            for i in range(1, reps + 1):
                session = Node(
                    code=f"{step['code']}#{i}", step_code=step["code"], label=f"{i}",
                    title=f"{step['title']} (sesi {i} dari {reps})", kind=WorkItemKind.SESSION,
                    duration=dict(duration), time_text=f"{duration['value']} {duration['unit']}",
                )
                session.participants = _displays(step["actors"])
                self.fill(session, step["substeps"], primary, step["code"], f"{step['code']}#{i}")
                node.children.append(session)
        else:
            self.fill(node, step["substeps"], primary, step["code"], step["code"])
        return node

    def fill(self, node: Node, subs: list[dict], primary: dict | None, old: str, new: str) -> None:
        """Children from sub-steps (codes re-rooted under a session), or route the node itself."""
        if not subs:
            self.route(node, primary, self.lead)
            return
        context = self.lead
        for sub in subs:
            child = Node(
                code=new + sub["code"][len(old):], step_code=node.step_code, label=sub["label"],
                title=sub["text"], kind=WorkItemKind.SUBSTEP, duration=sub.get("duration"),
                time_text=sub.get("time_text"), documents=list(sub.get("documents", [])),
                participants=_displays(sub["actors"]),
            )
            if sub["substeps"]:
                self.fill(child, sub["substeps"], None, sub["code"], child.code)
            else:
                self.route(child, sub["actors"][0] if sub["actors"] else None, context)
            node.children.append(child)
            if child.section_id is not None and not node.parallel:
                context = child.section_id

    # ------------------------------------------------------------------ routing
    def route(self, node: Node, ref: dict | None, context: int | None) -> None:
        if ref is None:
            return
        actor = self.actors[ref["actor"]]
        node.actor_code, node.actor_kind = actor["code"], actor["kind"]
        short = actor.get("short_name") or actor["name"]
        if actor["kind"] == "pengguna":
            node.actor_name, node.parallel = short, True
            node.children = [self.unit_part(node, unit) for unit in self.units]
        elif actor["kind"] == "bureau":
            bagian = ref.get("bagian") or actor.get("bagian")
            if bagian == SERVING and len(self.serving) > 1:
                node.actor_name, node.parallel = ref.get("display") or short, True
                node.children = [self.bagian_part(node, actor, sid) for sid in self.serving]
                return
            if bagian == SERVING:
                section = self.serving[0] if self.serving else self.lead
            elif bagian:
                info = self.directory.by_code.get(bagian)
                section = info.id if info else None
            else:
                section = None
            self.assign_bureau(node, actor, section, bool(bagian))
        else:  # external, team: bureau staff record their act
            node.actor_name = node.on_behalf_of = actor["name"]
            node.section_id = context
            node.assignee = self.directory.pick(self.directory.juniors(context))

    def assign_bureau(self, node: Node, actor: dict, section: int | None, named: bool) -> None:
        position = actor.get("position") or actor["code"]
        short = actor.get("short_name") or actor["name"]
        node.section_id = section
        node.actor_name = f"{short} {self.bagian_label(section)}".strip() if named else short
        node.assignee = self.directory.pick(
            self.directory.holders(position, section, actor.get("subbagian"))
        )

    def bagian_part(self, parent: Node, actor: dict, section_id: int) -> Node:
        code = self.directory.sections[section_id].code
        part = Node(code=f"{parent.code}@{code}", step_code=parent.step_code,
                    label=self.bagian_label(section_id), title=parent.title,
                    kind=WorkItemKind.BAGIAN, participants=parent.participants)
        self.assign_bureau(part, actor, section_id, True)
        part.actor_code, part.actor_kind = actor["code"], actor["kind"]
        return part

    def unit_part(self, parent: Node, unit: UnitRoute) -> Node:
        liaison = self.directory.liaisons(unit.org_unit_id)
        return Node(code=f"{parent.code}@{unit.code}", step_code=parent.step_code,
                    label=unit.code, title=f"{unit.name}: {parent.title}",
                    kind=WorkItemKind.UNIT, actor_code=parent.actor_code,
                    actor_kind=parent.actor_kind, actor_name=unit.name,
                    section_id=unit.section_id, org_unit_id=unit.org_unit_id,
                    assignee=liaison[0] if liaison else None, participants=parent.participants)

    def bagian_label(self, section_id: int | None) -> str:
        if section_id is None:
            return ""
        info = self.directory.sections[section_id]
        return self.bagian_short.get(info.code, info.code)


def _displays(refs: list[dict]) -> list[str]:
    """Everyone the standard prints for an item ('Kasubbag AK I/AK II', 'Staf AK I/AK II'):
    the first acts, the others take part."""
    return [ref["display"] for ref in refs]


def units_concerned(session: Session, content: dict, directory: Directory,
                    unit_ids: Iterable[int] | None) -> list[UnitRoute]:
    """The units a cycle concerns (default: every active one), in the standard's order."""
    query = select(OrgUnit).where(OrgUnit.active.is_(True))
    wanted = None if unit_ids is None else set(unit_ids)
    if wanted is not None:
        query = query.where(OrgUnit.id.in_(wanted))
    units = session.scalars(query).all()
    if wanted is not None and len(units) != len(wanted):
        raise CycleUnitsEmptyError("Sebagian unit yang dipilih tidak ada atau tidak aktif.")
    if not units:
        raise CycleUnitsEmptyError("Tidak ada unit aktif yang dapat diikutsertakan dalam siklus.")
    listed = [u["code"] for b in content["scope"]["executors"]["bagian"] for u in b["units"]]
    order = {code: i for i, code in enumerate(listed)}
    units = sorted(units, key=lambda u: (order.get(u.code, len(order)), u.code))
    return [UnitRoute(u.id, u.code, u.name, directory.bagian_of(u.section_id)) for u in units]


def serving_sections(content: dict, directory: Directory, units: list[UnitRoute]) -> list[int]:
    """The Bagian serving the units concerned: the standard's own order first, then by code."""
    order = {b["code"]: i for i, b in enumerate(content["scope"]["executors"]["bagian"])}
    found = {directory.bagian_of(u.section_id) for u in units if u.section_id is not None}
    found.discard(None)
    return sorted(found, key=lambda sid: (order.get(directory.sections[sid].code, len(order)),
                                          directory.sections[sid].code))


def lead_section(content: dict, directory: Directory, units: list[UnitRoute]) -> int | None:
    """The first Bagian of the standard serving a unit concerned; with none of the standard's
    own, the Bagian serving the most units concerned."""
    serving = serving_sections(content, directory, units)
    listed = {b["code"] for b in content["scope"]["executors"]["bagian"]}
    for sid in serving:
        if directory.sections[sid].code in listed:
            return sid
    if not serving:
        return None
    counts = {sid: sum(1 for u in units if directory.bagian_of(u.section_id) == sid)
              for sid in serving}
    return max(serving, key=lambda sid: (counts[sid], -serving.index(sid)))


def to_items(cycle_id: int, steps: list[Node]) -> list[WorkItem]:
    """The tree as rows in pre-order (`position`), parents before children."""
    rows: list[WorkItem] = []

    def walk(node: Node, parent: WorkItem | None, depth: int, policy: str | None) -> None:
        duration = node.duration or {}
        item = WorkItem(
            cycle_id=cycle_id, position=len(rows) + 1, depth=depth, code=node.code,
            step_code=node.step_code, label=node.label, title=node.title, kind=node.kind,
            parallel=node.parallel, substep_time_policy=policy if node.children else None,
            is_leaf=not node.children, actor_code=node.actor_code,
            actor_kind=node.actor_kind, actor_name=node.actor_name,
            on_behalf_of=node.on_behalf_of, section_id=node.section_id,
            org_unit_id=node.org_unit_id,
            assignee_user_id=node.assignee.user_id if node.assignee else None,
            duration_value=duration.get("value"), duration_unit=duration.get("unit"),
            time_text=node.time_text, relative_deadline=node.relative_deadline,
            documents=node.documents, participants=node.participants,
            status=WorkItemStatus.WAITING, paused_minutes=0.0,
            parent=parent,
        )
        rows.append(item)
        for child in node.children:
            walk(child, item, depth + 1, policy)

    for step in steps:  # the step's policy holds at every level of its tree
        walk(step, None, 0, step.time_policy)
    return rows
