"""The IKU matrix's rows: the table a unit's IKU are published and printed as (No · Sasaran
Strategis · IKU · Penjelasan/Formula · Satuan · Target per year · Penanggung Jawab · Sumber
Data), for one unit, the ministry level, or consolidated (the ministry-level IKU first, then
the units in the standard's order, OrgUnit.sort_order).

Which indicators: those of exactly the period asked for, in the statuses asked for (by
default final and enacted: what is in force or about to be enacted), and of each indicator
only its newest version among those statuses, so an amendment replaces the version it amends
once it reaches one of them, and a draft amendment does not hide the enacted version in force.

The same selection feeds the lampiran of the Rancangan Permensesneg (lampiran.py) and the
printable workbook (xlsx.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from flask import current_app, has_app_context
from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from app.models.iku import CalculationType, Indicator, IndicatorStatus
from app.models.org import OrgUnit
from app.security import unit_clause
from app.services.iku import STATUS_LABELS

ALL = "semua"  # every unit and the ministry level (consolidated)
MINISTRY = "kementerian"  # the ministry-level IKU only (org_unit empty)
DEFAULT_STATUSES = (IndicatorStatus.FINAL, IndicatorStatus.DITETAPKAN)
DEFAULT_MINISTRY_NAME = "Kementerian Sekretariat Negara"


class MatrixUnitNotFoundError(LookupError):
    """The unit asked for does not exist, or lies outside the user's scope (answered 404)."""


class MatrixRequestInvalidError(ValueError):
    """A period or status that cannot be asked for; str(self) says why, in words."""


def ministry_name() -> str:
    if has_app_context():
        return current_app.config.get("IKU_MINISTRY_NAME") or DEFAULT_MINISTRY_NAME
    return DEFAULT_MINISTRY_NAME


def formula_text(item: Indicator) -> str:
    """The formula in words, as published: "Jumlah X / Jumlah Y × 100%"."""
    numerator = (item.numerator or "").strip()
    denominator = (item.denominator or "").strip()
    if not numerator:
        return ""
    text = f"{numerator} / {denominator}" if denominator else numerator
    if item.calculation_type == CalculationType.PERSENTASE and denominator:
        text += " × 100%"
    return text


def explanation_text(item: Indicator) -> str:
    """The matrix's Penjelasan/Formula cell: the definition, then the formula."""
    parts = [(item.definition or "").strip()]
    formula = formula_text(item)
    if formula:
        parts.append(f"{gettext('Formula')}: {formula}")
    return "\n".join(part for part in parts if part)


def natural_key(text: str | None) -> tuple:
    """IKU-1.2 before IKU-1.10, SS2 before SS10."""
    return tuple(int(part) if part.isdigit() else part.casefold()
                 for part in re.split(r"(\d+)", text or ""))


@dataclass
class MatrixRow:
    number: int
    item: Indicator
    targets: dict[int, Decimal | None]

    def __getattr__(self, name):  # the indicator's own fields (code, name, satuan, ...)
        if name.startswith("_") or "item" not in self.__dict__:
            raise AttributeError(name)
        return getattr(self.__dict__["item"], name)

    @property
    def formula(self) -> str:
        return formula_text(self.item)

    @property
    def explanation(self) -> str:
        return explanation_text(self.item)


@dataclass
class MatrixSection:
    unit_code: str | None  # None: the ministry level
    unit_name: str
    rows: list[MatrixRow] = field(default_factory=list)

    def sasaran_groups(self) -> list[list[MatrixRow]]:
        """Consecutive rows of the same sasaran: one merged cell in print."""
        groups: list[list[MatrixRow]] = []
        for row in self.rows:
            if groups and groups[-1][0].sasaran_code == row.sasaran_code:
                groups[-1].append(row)
            else:
                groups.append([row])
        return groups


@dataclass
class Matrix:
    start_year: int
    end_year: int
    selection: str  # ALL, MINISTRY or a unit code
    unit_label: str
    statuses: tuple[str, ...]
    sections: list[MatrixSection]

    @property
    def years(self) -> list[int]:
        return list(range(self.start_year, self.end_year + 1))

    @property
    def period(self) -> str:
        return f"{self.start_year}–{self.end_year}"

    @property
    def rows(self) -> list[MatrixRow]:
        return [row for section in self.sections for row in section.rows]

    @property
    def title(self) -> str:
        return gettext("IKU matrix %(unit)s, period %(period)s", unit=self.unit_label,
                       period=self.period)

    def status_text(self) -> str:
        return ", ".join(str(STATUS_LABELS[IndicatorStatus(s)]) for s in self.statuses)


def parse_statuses(values: Iterable[str] | None) -> tuple[str, ...]:
    """Statuses from a form or a query string ("final", "final,ditetapkan"), in the cycle's
    order; none given: DEFAULT_STATUSES."""
    words = [word.strip() for value in values or () for word in str(value).split(",")]
    words = [word for word in words if word]
    if not words:
        return tuple(DEFAULT_STATUSES)
    allowed = [status.value for status in IndicatorStatus]
    unknown = [word for word in words if word not in allowed]
    if unknown:
        raise MatrixRequestInvalidError(gettext(
            "Unknown value: %(value)s. Use one of: %(allowed)s.", value=unknown[0],
            allowed=", ".join(allowed)))
    return tuple(status for status in allowed if status in words)


def check_period(start_year, end_year) -> tuple[int, int]:
    try:
        start, end = int(start_year), int(end_year)
    except (TypeError, ValueError):
        raise MatrixRequestInvalidError(gettext("Give the period: its first and last year.")) from None
    if not 2000 <= start <= end <= start + 10:
        raise MatrixRequestInvalidError(gettext(
            "The period must run from its first year to a later or the same year (at most 10 years)."))
    return start, end


def periods(session: Session, scope_unit_id: int | None = None) -> list[tuple[int, int]]:
    """The periods that have IKU (within the user's scope), the latest first."""
    query = select(Indicator.start_year, Indicator.end_year).distinct()
    if scope_unit_id is not None:
        query = query.where(unit_clause(Indicator, "org_unit", scope_unit_id))
    return sorted({tuple(row) for row in session.execute(query)}, reverse=True)


def units_in_scope(session: Session, scope_unit_id: int | None = None) -> list[OrgUnit]:
    query = select(OrgUnit).order_by(OrgUnit.sort_order, OrgUnit.name)
    if scope_unit_id is not None:
        query = query.where(OrgUnit.id == scope_unit_id)
    return list(session.scalars(query))


def _resolve(session: Session, unit: str | None, scope_unit_id: int | None):
    """(selection, OrgUnit or None). A liaison's "all" is its own unit; the ministry level and
    other units are outside its scope: not found, as any other unit's record."""
    text = (unit or "").strip()
    if not text or text.casefold() == ALL:
        if scope_unit_id is None:
            return ALL, None
        own = session.get(OrgUnit, scope_unit_id)
        if own is None:
            raise MatrixUnitNotFoundError(text)
        return own.code, own
    if text.casefold() == MINISTRY:
        if scope_unit_id is not None:
            raise MatrixUnitNotFoundError(text)
        return MINISTRY, None
    if "\x00" in text or len(text) > 100:  # no unit is called that (and PostgreSQL refuses NUL)
        raise MatrixUnitNotFoundError(text)
    found = session.scalar(select(OrgUnit).where(func.upper(OrgUnit.code) == text.upper()))
    if found is None or (scope_unit_id is not None and found.id != scope_unit_id):
        raise MatrixUnitNotFoundError(text)
    return found.code, found


PERIOD_RE = re.compile(r"^\s*(\d{4})\s*[-–]\s*(\d{4})\s*$")


def matrix_for(session: Session, period: str | None = None, start_year=None, end_year=None,
               unit: str | None = None, statuses: Iterable[str] | None = None,
               scope_unit_id: int | None = None) -> Matrix:
    """build_matrix from a request's words: the period as "2025-2029" or as its first and last
    year; none given, the latest period that has IKU in the user's scope."""
    match = PERIOD_RE.match(period or "")
    if match:
        start_year, end_year = match.groups()
    elif start_year in (None, "") and end_year in (None, ""):
        known = periods(session, scope_unit_id)
        if not known:
            raise MatrixRequestInvalidError(gettext("Give the period: its first and last year."))
        start_year, end_year = known[0]
    return build_matrix(session, start_year, end_year, unit or ALL, statuses, scope_unit_id)


def _latest(items: Iterable[Indicator]) -> list[Indicator]:
    """Of each indicator (unit, period, code) its newest version among those selected."""
    newest: dict[tuple, Indicator] = {}
    for item in items:
        key = (item.org_unit_id, item.start_year, item.end_year, item.code)
        if key not in newest or item.version > newest[key].version:
            newest[key] = item
    return list(newest.values())


def build_matrix(session: Session, start_year, end_year, unit: str | None = ALL,
                 statuses: Iterable[str] | None = None,
                 scope_unit_id: int | None = None) -> Matrix:
    """The matrix rows, grouped by unit. `unit`: ALL, MINISTRY or a unit code;
    `scope_unit_id`: the user's unit scope (app.security.current_scope_unit_id())."""
    start, end = check_period(start_year, end_year)
    chosen = parse_statuses(statuses)
    selection, org_unit = _resolve(session, unit, scope_unit_id)
    query = (select(Indicator).options(selectinload(Indicator.targets),
                                       selectinload(Indicator.org_unit))
             .where(Indicator.start_year == start, Indicator.end_year == end,
                    Indicator.status.in_(chosen)))
    if scope_unit_id is not None:  # the same clause as the unit scope of every list
        query = query.where(unit_clause(Indicator, "org_unit", scope_unit_id))
    if selection == MINISTRY:
        query = query.where(Indicator.org_unit_id.is_(None))
    elif org_unit is not None:
        query = query.where(Indicator.org_unit_id == org_unit.id)
    items = _latest(session.scalars(query))
    items.sort(key=lambda i: (i.org_unit is not None,
                              i.org_unit.sort_order if i.org_unit else 0,
                              i.org_unit.name if i.org_unit else "",
                              natural_key(i.sasaran_code), natural_key(i.code)))
    sections: list[MatrixSection] = []
    for item in items:
        code = item.org_unit.code if item.org_unit else None
        if not sections or sections[-1].unit_code != code:
            name = item.org_unit.name if item.org_unit else ministry_name()
            sections.append(MatrixSection(code, name))
        section = sections[-1]
        targets = {t.year: t.value for t in item.targets}
        section.rows.append(MatrixRow(len(section.rows) + 1, item,
                                      {year: targets.get(year) for year in range(start, end + 1)}))
    if org_unit is not None and not sections:
        sections.append(MatrixSection(org_unit.code, org_unit.name))
    if selection == ALL:
        label = gettext("%(ministry)s, consolidated", ministry=ministry_name())
    else:
        label = org_unit.name if org_unit is not None else ministry_name()
    return Matrix(start, end, selection, label, chosen, sections)
def _plain_number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def matrix_json(matrix: Matrix) -> dict:
    """The REST answer: the selection, and one flat row per indicator."""
    return {
        "start_year": matrix.start_year, "end_year": matrix.end_year, "years": matrix.years,
        "unit": matrix.selection, "title": matrix.title, "statuses": list(matrix.statuses),
        "rows": [{
            "no": row.number, "unit_code": section.unit_code, "unit_name": section.unit_name,
            "id": row.id, "version": row.version, "status": row.status,
            "sasaran_code": row.sasaran_code, "sasaran_text": row.sasaran_text,
            "code": row.code, "name": row.name, "definition": row.definition or "",
            "formula": row.formula, "explanation": row.explanation,
            "calculation_type": row.calculation_type, "satuan": row.satuan,
            "baseline": row.baseline or "",
            "targets": {str(year): _plain_number(value) for year, value in row.targets.items()},
            "responsible": row.responsible or "", "data_source": row.data_source or "",
        } for section in matrix.sections for row in section.rows],
    }  # fmt: skip


