"""The yearly evaluation of pelaksana (seed L; PermenPANRB 6/2022 for the rating itself).

An EvaluationPeriod is one year; opening it gives every active pelaksana one Evaluation,
assigned to the direct superior from the organisation structure (an admin may override). The
evaluator records the seed's competence standard (D.9 a–d), the work-results rating and the
seven BerAKHLAK behaviour ratings; the predikat is derived (app.services.evaluation), never
typed. The pelaksana then acknowledges or objects, after which the evaluation is locked: a
locked evaluation is history and changes no more.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from flask_appbuilder import Model
from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.documents import Document
from app.models.org import IkuUser, Pelaksana


class Rating(StrEnum):
    """Below / as / above expectation: the scale of results and of each behaviour value."""

    BELOW = "below"
    AS_EXPECTED = "as_expected"
    ABOVE = "above"


class CompetenceMet(StrEnum):
    MET = "met"
    PARTLY = "partly"
    NOT_MET = "not_met"


class EvaluationStatus(StrEnum):
    DRAFT = "draft"  # assigned, not yet rated
    RATED = "rated"  # the evaluator has submitted; the pelaksana answers next
    LOCKED = "locked"  # acknowledged or objected: history


class PeriodStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


# Seed D.9 a–d and the seven BerAKHLAK values, in the order the forms and reports print them.
COMPETENCE_FIELDS = ("competence_a", "competence_b", "competence_c", "competence_d")
BEHAVIOUR_FIELDS = (
    "behaviour_service", "behaviour_accountable", "behaviour_competent",
    "behaviour_harmonious", "behaviour_loyal", "behaviour_adaptive", "behaviour_collaborative",
)


class EvaluationPeriod(Model):
    """One evaluation year. `closes_on` is the date by which evaluations should be done: the
    reminders look at it."""

    __tablename__ = "evaluation_period"
    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, unique=True)
    closes_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default=PeriodStatus.OPEN)
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime)
    opened_by: Mapped[str | None] = mapped_column(String(128))

    def __str__(self) -> str:
        return str(self.year)


class Evaluation(Model):
    """One pelaksana's evaluation for one year. `evaluator` is a pelaksana (the direct
    superior); `evaluator_overridden` records that an admin chose someone else, so that a
    re-assignment from the structure leaves that choice alone."""

    __tablename__ = "evaluation"
    __audited__ = True
    __table_args__ = (UniqueConstraint("period_id", "pelaksana_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("evaluation_period.id"), index=True)
    period: Mapped[EvaluationPeriod] = relationship()
    pelaksana_id: Mapped[int] = mapped_column(ForeignKey("pelaksana.id"), index=True)
    pelaksana: Mapped[Pelaksana] = relationship(foreign_keys=[pelaksana_id])
    evaluator_id: Mapped[int | None] = mapped_column(ForeignKey("pelaksana.id"), index=True)
    evaluator: Mapped[Pelaksana | None] = relationship(foreign_keys=[evaluator_id])
    evaluator_overridden: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(20), default=EvaluationStatus.DRAFT, index=True)

    competence_a: Mapped[str | None] = mapped_column(String(10))
    competence_b: Mapped[str | None] = mapped_column(String(10))
    competence_c: Mapped[str | None] = mapped_column(String(10))
    competence_d: Mapped[str | None] = mapped_column(String(10))
    work_results: Mapped[str | None] = mapped_column(String(20))
    behaviour_service: Mapped[str | None] = mapped_column(String(20))
    behaviour_accountable: Mapped[str | None] = mapped_column(String(20))
    behaviour_competent: Mapped[str | None] = mapped_column(String(20))
    behaviour_harmonious: Mapped[str | None] = mapped_column(String(20))
    behaviour_loyal: Mapped[str | None] = mapped_column(String(20))
    behaviour_adaptive: Mapped[str | None] = mapped_column(String(20))
    behaviour_collaborative: Mapped[str | None] = mapped_column(String(20))
    behaviour: Mapped[str | None] = mapped_column(String(20))
    predikat: Mapped[str | None] = mapped_column(String(30), index=True)
    notes: Mapped[str | None] = mapped_column(Text)
    rated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    rated_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    rated_by: Mapped[IkuUser | None] = relationship(foreign_keys=[rated_by_id])

    acknowledged: Mapped[bool | None] = mapped_column()
    objection: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    locked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # the laporan evaluasi issued when the evaluation locked (app.services.documents.standalone)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))
    report: Mapped[Document | None] = relationship()

    @property
    def is_locked(self) -> bool:
        return self.status == EvaluationStatus.LOCKED

    def __str__(self) -> str:
        return f"{self.pelaksana.name} – {self.period.year}"
