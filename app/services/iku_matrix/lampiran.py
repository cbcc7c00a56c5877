"""The lampiran of the Rancangan Permensesneg as data: the consolidated IKU matrix, units
with their sasaran and indicators, ready for a docxtpl template (rendered by the documents
module, which passes plain data, never ORM objects, to a sandboxed template)."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import force_locale
from sqlalchemy.orm import Session

from app.models.iku import IndicatorStatus
from app.services.iku import CALCULATION_LABELS, STATUS_LABELS, number_text
from app.services.iku_matrix.rows import ALL, MatrixRow, build_matrix


def lampiran_data(session: Session, start_year, end_year,
                  statuses: Iterable[str] | None = None) -> dict:
    """The consolidated matrix as plain data for the lampiran of the Rancangan Permensesneg
    (a docxtpl context: str, int, lists and dicts only; numbers with a decimal comma; an
    empty field is ""). Always Indonesian: it is a legal text."""
    with force_locale("id"):
        matrix = build_matrix(session, start_year, end_year, ALL, statuses)
        units = []
        for index, section in enumerate(matrix.sections, start=1):
            groups = []
            for group in section.sasaran_groups():
                groups.append({
                    "code": group[0].sasaran_code, "text": group[0].sasaran_text,
                    "indicators": [_lampiran_indicator(row) for row in group],
                })
            units.append({
                "number": index, "code": section.unit_code or "", "name": section.unit_name,
                "ministry_level": section.unit_code is None, "sasaran": groups,
                "indicator_count": len(section.rows),
            })
        return {
            "period": matrix.period, "start_year": matrix.start_year,
            "end_year": matrix.end_year, "years": matrix.years,
            "statuses": [str(STATUS_LABELS[IndicatorStatus(s)]) for s in matrix.statuses],
            "units": units, "indicator_count": len(matrix.rows),
        }


def _lampiran_indicator(row: MatrixRow) -> dict:
    kind = row.calculation_type
    return {
        "number": row.number, "code": row.code, "name": row.name,
        "definition": row.definition or "", "rationale": row.rationale or "",
        "formula": row.formula, "explanation": row.explanation,
        "calculation": str(CALCULATION_LABELS.get(kind, kind)), "satuan": row.satuan,
        "baseline": row.baseline or "",
        "targets": [{"year": year, "value": number_text(value) or ""}
                    for year, value in row.targets.items()],
        "responsible": row.responsible or "", "data_source": row.data_source or "",
        "version": row.version,
    }  # fmt: skip
