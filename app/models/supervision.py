"""Internal supervision of the pelaksana (seed I): supervision by the direct superior, done
periodically, and reprimands and sanctions for not complying with the standard.

A record is written by a superior (`supervisor`) about one pelaksana below it in the section
line: a periodic supervision, an oral reprimand (teguran lisan), a written reprimand (teguran
tertulis, whose letter is an official Document: `document`) or a sanction. Its basis is what
was found late or complained about, picked from lists: `work_item_ids` (late cycle items) and
`complaint_ids`, kept as id lists so the record stays as written even if those rows move on.
The follow-up is what the pelaksana must do, by `follow_up_due`; `follow_up_done_at` closes it.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from flask_appbuilder import Model
from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.audit import AuditSpec
from app.models.documents import Document
from app.models.org import IkuUser, Pelaksana


class SupervisionKind(StrEnum):
    SUPERVISI = "supervisi"
    TEGURAN_LISAN = "teguran_lisan"
    TEGURAN_TERTULIS = "teguran_tertulis"
    SANKSI = "sanksi"


class SupervisionRecord(Model):
    """One act of supervision of one pelaksana by its superior."""

    __tablename__ = "supervision_record"
    __table_args__ = (Index("ix_supervision_pelaksana_date", "pelaksana_id", "held_on"),)
    __audited__ = AuditSpec()

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    pelaksana_id: Mapped[int] = mapped_column(ForeignKey("pelaksana.id"))
    pelaksana: Mapped[Pelaksana] = relationship(foreign_keys=[pelaksana_id])
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("pelaksana.id"), index=True)
    supervisor: Mapped[Pelaksana] = relationship(foreign_keys=[supervisor_id])
    held_on: Mapped[dt.date] = mapped_column(Date)
    finding: Mapped[str] = mapped_column(Text)
    work_item_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    complaint_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    follow_up: Mapped[str | None] = mapped_column(Text)
    follow_up_due: Mapped[dt.date | None] = mapped_column(Date)
    follow_up_done_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))
    document: Mapped[Document | None] = relationship()
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    recorded_by: Mapped[IkuUser | None] = relationship()
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime)

    def __str__(self) -> str:
        name = self.pelaksana.name if self.pelaksana else self.pelaksana_id
        return f"{self.kind} {name} {self.held_on:%d-%m-%Y}"
