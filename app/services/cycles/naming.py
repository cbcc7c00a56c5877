"""How a reader names a step and a work item: never by its internal code (`s06@SETMILPRES`).

A step's number is its sequence in the procedure (1-15 for IKU), with the printed label beside
it where the standard prints another: the seed's labels repeat (…8, 7, 8, 9…), so "langkah 8"
alone is ambiguous, "Langkah 10 (8)" is not. An item below a step adds the printed labels of
its sub-steps (and "sesi n" of a repeated step); a Bagian's or a unit's share adds whose share
it is: "Langkah 2 a 7) — Bagian AK I", "Langkah 6 — Sekretariat Militer Presiden",
"Langkah 5 sesi 1 b — Kelompok 1" (a discussion group's share, app.services.discussions).

Pure: works on WorkItem rows or any rows with the same attributes (id, parent_id, cycle_id,
position, label, kind, actor_name, code), so a page names its items from columns it already loads,
or with one query (load_family).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select, tuple_
from sqlalchemy.orm import Session

from app.models.cycles import WorkItem, WorkItemKind

STEP_WORD = "Langkah"
SESSION_WORD = "sesi"
BAGIAN_WORD = "Bagian"


def step_number(sequence: int, printed: str | None) -> str:
    """'9 (7)': the sequence, and the printed label beside it where it differs."""
    printed = (printed or "").strip()
    if not printed or printed == str(sequence):
        return str(sequence)
    return f"{sequence} ({printed})"


Label = tuple[bool, str]  # (a session of a repeated step?, the printed label)


@dataclass(frozen=True)
class ItemRef:
    """A reader's reference to an item: `text()` in full, `short_text()` for a row of the tree.
    The words ("Langkah", "sesi") are parameters so that a page can pass them translated."""

    step: str  # the step's number, "9 (7)"
    path: tuple[Label, ...]  # below the step: sessions and printed sub-step labels
    part: str | None  # whose share: "Bagian AK I", a unit's name
    own: Label | None = None  # the item's own label within its parent (None: the step)

    def text(self, word: str = STEP_WORD, session: str = SESSION_WORD) -> str:
        head = " ".join([f"{word} {self.step}", *(_word(p, session) for p in self.path)])
        return f"{head} — {self.part}" if self.part else head

    def short_text(self, session: str = SESSION_WORD) -> str:
        if self.own is None:
            return self.step
        return _word(self.own, session) if self.own[1] else (self.part or "")

    @property
    def short(self) -> str:
        return self.short_text()

    def __str__(self) -> str:
        return self.text()


def _word(label: Label, session: str) -> str:
    return f"{session} {label[1]}" if label[0] else label[1]


def _own(row) -> tuple[Label | None, str | None]:
    """(label within the path, share) of one row by its kind."""
    if row.kind == WorkItemKind.SESSION:
        return (True, row.label), None
    if row.kind == WorkItemKind.BAGIAN:
        return None, f"{BAGIAN_WORD} {row.label}"
    if row.kind in (WorkItemKind.UNIT, WorkItemKind.GROUP):  # whose share: a unit, a group
        return None, row.actor_name or row.label
    return (False, row.label), None


class Family:
    """Items of one or more cycles by id; each step's sequence from its position."""

    def __init__(self, rows):
        self.by_id = {row.id: row for row in rows}
        self.id_of = {row.code: row.id for row in self.by_id.values()}
        steps = sorted((r for r in self.by_id.values() if r.parent_id is None),
                       key=lambda r: (r.cycle_id, r.position))
        self.sequence: dict[int, int] = {}
        counts: dict[int, int] = {}
        for step in steps:
            counts[step.cycle_id] = counts.get(step.cycle_id, 0) + 1
            self.sequence[step.id] = counts[step.cycle_id]

    def ref(self, item_id: int | None) -> ItemRef | None:
        row = self.by_id.get(item_id)
        if row is None:
            return None
        chain = [row]
        while chain[-1].parent_id is not None and chain[-1].parent_id in self.by_id:
            chain.append(self.by_id[chain[-1].parent_id])
        step = chain[-1]
        number = step_number(self.sequence.get(step.id, 0), step.label)
        if step is row:
            return ItemRef(number, (), None)
        path, part = [], None
        for node in reversed(chain[:-1]):
            label, share = _own(node)
            if label:
                path.append(label)
            part = share or part
        label, _share = _own(row)
        return ItemRef(number, tuple(path), part, label or (False, ""))

    def name(self, item_id: int | None, word: str = STEP_WORD) -> str | None:
        found = self.ref(item_id)
        return found.text(word) if found else None


FAMILY_COLUMNS = (WorkItem.id, WorkItem.parent_id, WorkItem.cycle_id, WorkItem.position,
                  WorkItem.label, WorkItem.kind, WorkItem.actor_name, WorkItem.code)


def load_family(session: Session, items) -> Family:
    """One query: the steps of the items' cycles (for their sequence) and every item of the
    items' steps (for their path), small columns only."""
    items = list(items)
    if not items:
        return Family([])
    cycles = {i.cycle_id for i in items}
    steps = {(i.cycle_id, i.step_code) for i in items}
    rows = session.execute(select(*FAMILY_COLUMNS).where(
        WorkItem.cycle_id.in_(cycles),
        or_(WorkItem.parent_id.is_(None),
            tuple_(WorkItem.cycle_id, WorkItem.step_code).in_(list(steps))),
    )).all()
    return Family(rows)


def load_cycle_family(session: Session, cycle_id: int) -> Family:
    """Every item of one cycle (a few hundred small rows)."""
    return Family(session.execute(select(*FAMILY_COLUMNS).where(
        WorkItem.cycle_id == cycle_id)).all())
