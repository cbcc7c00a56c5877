"""The service satisfaction survey (SKM, PermenPANRB 14/2017): index, grade, per-cycle results.

Index = Σ(mean score of each element × 0.111) × 25, i.e. the weighted mean on the 1–4 scale
brought to 25–100. Grades: A from 88.31, B from 76.61, C from 65.00, D below.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models.cycles import Cycle, CycleUnit
from app.models.survey import ELEMENTS, SurveyResponse

WEIGHT = 0.111
GRADES = ((88.31, "A"), (76.61, "B"), (65.00, "C"))
ELEMENT_LABELS = {
    "requirements": "Persyaratan", "procedure": "Sistem, mekanisme, dan prosedur",
    "time": "Waktu penyelesaian", "cost": "Biaya/tarif", "product": "Produk layanan",
    "competence": "Kompetensi pelaksana", "behaviour": "Perilaku pelaksana",
    "facilities": "Sarana dan prasarana", "complaints": "Penanganan pengaduan",
}


class SurveyError(ValueError):
    """A refused answer; the message is Indonesian."""


def element_means(answers: list[list[int]]) -> list[float]:
    return [sum(a[i] for a in answers) / len(answers) for i in range(len(ELEMENTS))]


def index(answers: list[list[int]]) -> float | None:
    if not answers:
        return None
    return round(sum(m * WEIGHT for m in element_means(answers)) * 25, 2)


def grade(value: float | None) -> str | None:
    if value is None:
        return None
    return next((letter for floor, letter in GRADES if value >= floor), "D")


@dataclass(frozen=True)
class CycleResult:
    cycle_id: int
    cycle_code: str
    responses: int
    units: int
    index: float | None
    grade: str | None
    elements: list[tuple[str, float]]


def results(session: Session, cycle_ids: list[int] | None = None) -> list[CycleResult]:
    """Per cycle, oldest first: the over-time view is this list."""
    answered = select(SurveyResponse.cycle_id).distinct()
    query = select(Cycle).where(Cycle.id.in_(answered)).order_by(Cycle.started_at, Cycle.id)
    if cycle_ids is not None:
        query = query.where(Cycle.id.in_(cycle_ids))
    cycles = session.scalars(query).all()
    ids = [c.id for c in cycles]
    answers: dict[int, list[list[int]]] = {}
    for row in session.scalars(select(SurveyResponse).where(SurveyResponse.cycle_id.in_(ids))):
        answers.setdefault(row.cycle_id, []).append(row.scores())
    unit_counts: dict[int, int] = {}
    for cycle_id, in session.execute(select(CycleUnit.cycle_id).where(CycleUnit.cycle_id.in_(ids))):
        unit_counts[cycle_id] = unit_counts.get(cycle_id, 0) + 1
    out = []
    for cycle in cycles:
        rows = answers.get(cycle.id, [])
        if not rows:
            continue
        value = index(rows)
        means = element_means(rows)
        out.append(CycleResult(cycle.id, cycle.code, len(rows), unit_counts.get(cycle.id, 0),
                               value, grade(value),
                               [(ELEMENT_LABELS[e], round(m, 2)) for e, m in zip(ELEMENTS, means,
                                                                                 strict=True)]))
    return out


def may_answer(session: Session, cycle: Cycle, user) -> bool:
    """A liaison of a unit concerned, once the cycle is completed, once per unit."""
    if user is None or user.org_unit_id is None or cycle.completed_at is None:
        return False
    concerned = session.scalar(select(CycleUnit.id).where(
        CycleUnit.cycle_id == cycle.id, CycleUnit.org_unit_id == user.org_unit_id))
    if concerned is None:
        return False
    return session.scalar(select(SurveyResponse.id).where(
        SurveyResponse.cycle_id == cycle.id,
        SurveyResponse.org_unit_id == user.org_unit_id)) is None


def submit(session: Session, cycle: Cycle, user, scores: list[int], comment: str | None, *,
           now: dt.datetime) -> SurveyResponse:
    if len(scores) != len(ELEMENTS) or any(s not in (1, 2, 3, 4) for s in scores):
        raise SurveyError("Setiap unsur survei wajib dinilai 1 sampai 4.")
    if not may_answer(session, cycle, user):
        raise SurveyError("Survei siklus ini tidak dapat diisi oleh unit Anda "
                          "(siklus belum selesai, unit tidak terlibat, atau sudah diisi).")
    response = SurveyResponse(cycle=cycle, org_unit_id=user.org_unit_id, user_id=user.id,
                              comment=(comment or "").strip() or None,
                              submitted_at=now.replace(tzinfo=None),
                              **{f"u{i}": s for i, s in enumerate(scores, start=1)})
    session.add(response)
    session.commit()
    return response
