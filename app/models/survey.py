"""The service satisfaction survey (Survei Kepuasan Masyarakat, PermenPANRB 14/2017).

After a cycle each unit concerned answers once, through its liaison: nine elements scored 1–4.
The index and grade are computed (app.services.survey), never stored, so a change of the
formula re-grades history consistently.
"""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.audit import AuditSpec
from app.models.cycles import Cycle
from app.models.org import IkuUser, OrgUnit

# The nine national elements, in the order of the questionnaire (U1..U9).
ELEMENTS = ("requirements", "procedure", "time", "cost", "product", "competence", "behaviour",
            "facilities", "complaints")


class SurveyResponse(Model):
    """One unit's answer for one cycle: `u1`..`u9` are the element scores, 1 (not good) to 4
    (very good)."""

    __tablename__ = "survey_response"
    __audited__ = AuditSpec(unit="org_unit_id")
    __table_args__ = (
        UniqueConstraint("cycle_id", "org_unit_id"),
        *(CheckConstraint(f"u{i} BETWEEN 1 AND 4", name=f"ck_survey_u{i}") for i in range(1, 10)),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id", ondelete="CASCADE"), index=True)
    cycle: Mapped[Cycle] = relationship()
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    org_unit: Mapped[OrgUnit] = relationship()
    user_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    user: Mapped[IkuUser | None] = relationship()
    u1: Mapped[int] = mapped_column(Integer)
    u2: Mapped[int] = mapped_column(Integer)
    u3: Mapped[int] = mapped_column(Integer)
    u4: Mapped[int] = mapped_column(Integer)
    u5: Mapped[int] = mapped_column(Integer)
    u6: Mapped[int] = mapped_column(Integer)
    u7: Mapped[int] = mapped_column(Integer)
    u8: Mapped[int] = mapped_column(Integer)
    u9: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime)

    def scores(self) -> list[int]:
        return [getattr(self, f"u{i}") for i in range(1, 10)]

    def __str__(self) -> str:
        return f"{self.org_unit} – {self.cycle.code}"
