"""Loaded versions of the service standards (Standar Pelayanan) and their procedure steps.

The YAML file in app/standards/ is the source; these tables are what the running system holds.
A version is never edited: a changed file becomes a new version, so a cycle (one run of the
service) started under version 1 keeps its steps, time standards and documents while later
cycles follow version 2.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from flask_appbuilder import Model
from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship


class DurationUnit(StrEnum):
    """Units a time standard is printed in; all mean working time."""

    MENIT = "menit"
    JAM = "jam"
    HARI = "hari"
    MINGGU = "minggu"


class ServiceStandard(Model):
    """One version of a published service standard, e.g. 'iku' version 2.

    `content` is the whole validated and normalised document (sections A-L, catalogues of
    actors and documents, steps), so the public page and any section can be shown exactly as
    loaded, even after the file changed. `warnings` keeps the loader's doubts about the text
    (inconsistent times, restarting numbering) for admins. Exactly one version per code is
    current; the partial unique index makes two concurrent loaders unable to both win.
    """

    __tablename__ = "service_standard"
    __table_args__ = (
        UniqueConstraint("code", "version", name="uq_service_standard_code_version"),
        Index(
            "uq_service_standard_current",
            "code",
            unique=True,
            sqlite_where=text("is_current"),
            postgresql_where=text("is_current"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(50), index=True)
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(500))
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_sha256: Mapped[str] = mapped_column(String(64))
    source_file: Mapped[str] = mapped_column(String(255))
    warnings: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    loaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    steps: Mapped[list[StepDefinition]] = relationship(
        back_populates="standard",
        order_by="StepDefinition.position",
        cascade="all, delete-orphan",
    )

    @property
    def warning_count(self) -> int:
        return len(self.warnings or [])

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"


class StepDefinition(Model):
    """One step of a standard's procedure, in printed order (`position` 1..n).

    `label` is the number as printed, which may repeat (the IKU standard prints 1-8, 7, 8,
    9-13); `code` is the stable key cycles and documents refer to. A step's time standard is
    `duration_value` `duration_unit` per repetition ('2 kali @ 2 hari' = 2 x 2 hari), or none;
    `relative_deadline` is a limit counted from another step ({after, anchor, value, unit}).
    `actors`/`performed_by` name who acts ({actor, bagian} where bagian may be 'serving': the
    Bagian serving the unit concerned); `substeps` and `documents` are the printed breakdown
    and the document codes the step produces.
    """

    __tablename__ = "step_definition"
    __table_args__ = (
        UniqueConstraint("standard_id", "code", name="uq_step_definition_code"),
        UniqueConstraint("standard_id", "position", name="uq_step_definition_position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    standard_id: Mapped[int] = mapped_column(
        ForeignKey("service_standard.id", ondelete="CASCADE"), index=True
    )
    standard: Mapped[ServiceStandard] = relationship(back_populates="steps")
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(50))
    label: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(Text)
    duration_value: Mapped[int | None] = mapped_column(Integer)
    duration_unit: Mapped[str | None] = mapped_column(String(10))
    repetitions: Mapped[int] = mapped_column(Integer, default=1)
    actors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    performed_by: Mapped[str | None] = mapped_column(String(50))
    relative_deadline: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    substeps: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    documents: Mapped[list[str]] = mapped_column(JSON, default=list)

    @property
    def time_text(self) -> str | None:
        """The time standard as printed ('30 menit', '2 kali @ 2 hari'), None if there is none."""
        if self.duration_value is None:
            return None
        text_ = f"{self.duration_value} {self.duration_unit}"
        return f"{self.repetitions} kali @ {text_}" if (self.repetitions or 1) > 1 else text_

    def __str__(self) -> str:
        return f"{self.label}. {self.title}"
