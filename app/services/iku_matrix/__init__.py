"""The IKU matrix (per unit, ministry level, consolidated): its rows, the XLSX a civil
servant prints, and the data of the lampiran of the Rancangan Permensesneg."""

from app.services.iku_matrix.lampiran import lampiran_data
from app.services.iku_matrix.rows import (
    ALL,
    DEFAULT_STATUSES,
    MINISTRY,
    Matrix,
    MatrixRequestInvalidError,
    MatrixRow,
    MatrixSection,
    MatrixUnitNotFoundError,
    build_matrix,
    check_period,
    explanation_text,
    formula_text,
    matrix_for,
    matrix_json,
    ministry_name,
    parse_statuses,
    periods,
    units_in_scope,
)
from app.services.iku_matrix.xlsx import matrix_filename, matrix_xlsx

__all__ = [
    "ALL", "DEFAULT_STATUSES", "MINISTRY", "Matrix", "MatrixRequestInvalidError", "MatrixRow",
    "MatrixSection", "MatrixUnitNotFoundError", "build_matrix", "check_period",
    "explanation_text", "formula_text", "lampiran_data", "matrix_filename", "matrix_for", "matrix_json",
    "matrix_xlsx", "ministry_name", "parse_statuses", "periods", "units_in_scope",
]  # fmt: skip
