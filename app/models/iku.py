"""The IKU themselves (Indikator Kinerja Utama): what the service produces for each unit.

A unit's IKU (and the ministry's own, `org_unit` empty) hold for a planning period such as
2025-2029 (the Renstra's). Each indicator serves a sasaran strategis, says how it is measured
(definition, formula, satuan, baseline) and carries a target per year of the period. It goes
draft → dibahas → disetujui pimpinan unit → final → ditetapkan; once enacted by a
Permensesneg it is a legal text and is never edited in place: an amendment is a new version
that points at the version it amends, so every past version stays readable and comparable.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum

from flask_appbuilder import Model
from sqlalchemy import Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.org import OrgUnit


class CalculationType(StrEnum):
    """How numerator and denominator make the indicator's value."""

    PERSENTASE = "persentase"  # numerator / denominator × 100
    RASIO = "rasio"  # numerator / denominator
    JUMLAH = "jumlah"  # a count, no denominator
    INDEKS = "indeks"  # a composite index (e.g. a survey's)
    NILAI = "nilai"  # a score given by an evaluator (e.g. SAKIP)


class IndicatorStatus(StrEnum):
    """Where an indicator stands in its unit's IKU cycle, in the cycle's order."""

    DRAFT = "draft"
    DIBAHAS = "dibahas"
    DISETUJUI = "disetujui_pimpinan"
    FINAL = "final"
    DITETAPKAN = "ditetapkan"


class Indicator(Model):
    """One version of one IKU of a unit (or of the ministry) for one period."""

    __tablename__ = "indicator"
    __table_args__ = (
        UniqueConstraint("org_unit_id", "start_year", "end_year", "code", "version"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    org_unit: Mapped[OrgUnit | None] = relationship()
    start_year: Mapped[int] = mapped_column(Integer)
    end_year: Mapped[int] = mapped_column(Integer)
    sasaran_code: Mapped[str] = mapped_column(String(30))
    sasaran_text: Mapped[str] = mapped_column(Text)
    code: Mapped[str] = mapped_column(String(30), index=True)
    name: Mapped[str] = mapped_column(String(500))
    definition: Mapped[str | None] = mapped_column(Text)
    rationale: Mapped[str | None] = mapped_column(Text)
    numerator: Mapped[str | None] = mapped_column(Text)
    denominator: Mapped[str | None] = mapped_column(Text)
    calculation_type: Mapped[str] = mapped_column(String(20), default=CalculationType.PERSENTASE)
    satuan: Mapped[str] = mapped_column(String(50))
    baseline: Mapped[str | None] = mapped_column(String(100))
    data_source: Mapped[str | None] = mapped_column(Text)
    responsible: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(30), default=IndicatorStatus.DRAFT)
    enactment_number: Mapped[str | None] = mapped_column(String(100))
    enactment_date: Mapped[dt.date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("indicator.id"), index=True)
    previous: Mapped[Indicator | None] = relationship(remote_side=[id])
    targets: Mapped[list[IndicatorTarget]] = relationship(
        back_populates="indicator", cascade="all, delete-orphan",
        order_by="IndicatorTarget.year",
    )

    @property
    def period(self) -> str:
        return f"{self.start_year}–{self.end_year}"

    def __str__(self) -> str:
        return f"{self.code} {self.name} (v{self.version or 1})"


class IndicatorTarget(Model):
    """The value an indicator must reach in one year of its period."""

    __tablename__ = "indicator_target"
    __table_args__ = (UniqueConstraint("indicator_id", "year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("indicator.id", ondelete="CASCADE"), index=True)
    indicator: Mapped[Indicator] = relationship(back_populates="targets")
    year: Mapped[int] = mapped_column(Integer)
    value: Mapped[Decimal] = mapped_column(Numeric(14, 2))

    def __str__(self) -> str:
        return f"{self.year}: {self.value}"
