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

import functools
from dataclasses import dataclass

from sqlalchemy import bindparam, case, func, select
from sqlalchemy.orm import Session, aliased

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
    """Items of one or more cycles by id; each step's sequence from its position among the
    rows, or as given (`sequence`: step id -> its number, when the rows hold only some steps
    of their cycles)."""

    def __init__(self, rows, sequence: dict[int, int] | None = None):
        self.by_id = {row.id: row for row in rows}
        self.id_of = {row.code: row.id for row in self.by_id.values()}
        if sequence is not None:
            self.sequence = sequence
            return
        steps = sorted((r for r in self.by_id.values() if r.parent_id is None),
                       key=lambda r: (r.cycle_id, r.position))
        self.sequence = {}
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
    """One query: each item and its ancestors up to its step (a recursive CTE), small columns
    only, and each of those steps' number in its cycle (its steps counted up to its
    position). Loading every item of the items' steps and every step of their cycles cost
    ~1,100 rows and 13 ms of SQL for Tugas saya's 44 tasks."""
    ids = sorted({item.id for item in items})
    if not ids:
        return Family([])
    rows = session.execute(_family_statement(), {"ids": ids}).all()
    return Family(rows, {row.id: row.sequence for row in rows if row.parent_id is None})


@functools.cache
def _family_statement():
    """Built once, the ids bound: built per call, its aliases were new objects each time, so
    SQLAlchemy compiled the statement anew at every request (a fifth of Tugas saya)."""
    chain = (select(*FAMILY_COLUMNS).where(WorkItem.id.in_(bindparam("ids", expanding=True)))
             .cte("chain", recursive=True))
    parent = aliased(WorkItem)
    chain = chain.union(select(*(getattr(parent, c.key) for c in FAMILY_COLUMNS))
                        .join(chain, parent.id == chain.c.parent_id))
    step = aliased(WorkItem)
    number = (select(func.count()).where(step.cycle_id == chain.c.cycle_id,
                                         step.parent_id.is_(None),
                                         step.position <= chain.c.position)
              .scalar_subquery())
    return select(chain, case((chain.c.parent_id.is_(None), number)).label("sequence"))


def load_cycle_family(session: Session, cycle_id: int) -> Family:
    """Every item of one cycle (a few hundred small rows)."""
    return Family(session.execute(select(*FAMILY_COLUMNS).where(
        WorkItem.cycle_id == cycle_id)).all())
