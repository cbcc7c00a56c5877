"""Reminders for evaluations not done as a period's end approaches.

An evaluation still waiting for its evaluator (or for the pelaksana's answer) within
IKU_EVALUATION_REMIND_DAYS of the period's `closes_on` is due a reminder to whoever must act.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.models.evaluation import Evaluation, EvaluationPeriod, EvaluationStatus, PeriodStatus


@dataclass(frozen=True)
class Due:
    evaluation_id: int
    person_id: int  # the pelaksana who must act
    person_name: str
    email: str | None
    subject: str
    days_left: int


def due_reminders(session: Session, today: dt.date, days_before: int) -> list[Due]:
    evaluations = session.scalars(
        select(Evaluation).join(EvaluationPeriod)
        .where(EvaluationPeriod.status == PeriodStatus.OPEN,
               EvaluationPeriod.closes_on <= today + dt.timedelta(days=days_before),
               Evaluation.status != EvaluationStatus.LOCKED)
        .options(selectinload(Evaluation.pelaksana), selectinload(Evaluation.evaluator),
                 selectinload(Evaluation.period))
        .order_by(Evaluation.id)).all()
    out = []
    for ev in evaluations:
        left = (ev.period.closes_on - today).days
        if ev.status == EvaluationStatus.DRAFT and ev.evaluator is not None:
            who, text = ev.evaluator, f"Penilaian {ev.pelaksana.name} tahun {ev.period.year}"
        elif ev.status == EvaluationStatus.RATED:
            who, text = ev.pelaksana, f"Tanggapan atas penilaian tahun {ev.period.year}"
        else:
            continue
        out.append(Due(ev.id, who.id, who.name, who.email,
                       f"{text} belum selesai (batas {ev.period.closes_on:%d-%m-%Y})", left))
    return out
