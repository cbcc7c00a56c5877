"""The IKU matrix as a workbook a civil servant prints: a title row ("Matriks IKU <unit>
Periode 2025–2029"), the statuses it holds, a bold header repeated on every printed page,
text wrapped in set column widths, the sasaran merged over its indicators, landscape A4 fitted
to the page width. Targets are numbers (the reader's Excel shows its own decimal comma)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from flask_babel import gettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from app.services.exports import FORMULA_START, export_filename
from app.services.iku_matrix.rows import ALL, MINISTRY, Matrix

THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP_TOP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(wrap_text=True, vertical="center", horizontal="center")
HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
SECTION_FILL = PatternFill("solid", fgColor="F2F2F2")
# Column widths in characters: No, Sasaran, IKU, Penjelasan/Formula, Satuan, (targets),
# Penanggung Jawab, Sumber Data.
WIDTHS = (5, 32, 38, 50, 10)
TARGET_WIDTH, TAIL_WIDTHS = 10, (26, 26)
HEADER_ROW = 4


def headers(matrix: Matrix) -> list[str]:
    return [gettext("No."), gettext("Strategic Objective"), gettext("IKU"),
            gettext("Explanation / Formula"), gettext("Unit of measure"),
            *(gettext("Target %(year)s", year=year) for year in matrix.years),
            gettext("Person in Charge"), gettext("Data Source")]


def _text(value) -> str:
    """Text stays text: a cell typed "=..." must not become a formula (CSV/XLSX injection)."""
    return "" if value is None else str(value)


def _put(sheet, row: int, column: int, value, alignment=WRAP_TOP):
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        cell.data_type = "s"
    cell.alignment, cell.border = alignment, BORDER
    return cell


def _number(value: Decimal | None):
    if value is None:
        return "–"
    return int(value) if value == value.to_integral_value() else float(value)


def matrix_xlsx(matrix: Matrix) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = gettext("IKU matrix")[:31]
    names = headers(matrix)
    width = len(names)
    last = get_column_letter(width)
    sheet.append([matrix.title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.merge_cells(f"A1:{last}1")
    sheet.append([gettext("Status: %(statuses)s", statuses=matrix.status_text())])
    sheet.merge_cells(f"A2:{last}2")
    for column, name in enumerate(names, start=1):
        cell = _put(sheet, HEADER_ROW, column, name, CENTER)
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
    widths = [*WIDTHS, *([TARGET_WIDTH] * len(matrix.years)), *TAIL_WIDTHS]
    for column, size in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = size
    centered = {1, *range(len(WIDTHS), len(WIDTHS) + len(matrix.years) + 1)}  # No, satuan, targets
    row = HEADER_ROW + 1
    for section in matrix.sections:
        if matrix.selection == ALL:  # consolidated: each unit under its own heading
            cell = _put(sheet, row, 1, section.unit_name)
            cell.font, cell.fill = Font(bold=True), SECTION_FILL
            sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
            row += 1
        if not section.rows:
            _put(sheet, row, 1, gettext("No IKU in this selection."))
            sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
            row += 1
        for group in section.sasaran_groups():
            first = row
            for item in group:
                values = [item.number, f"{item.sasaran_code} {item.sasaran_text}",
                          f"{item.code} {item.name}", item.explanation, item.satuan,
                          *(_number(value) for value in item.targets.values()),
                          _text(item.responsible) or "–", _text(item.data_source) or "–"]
                for column, value in enumerate(values, start=1):
                    _put(sheet, row, column, value, CENTER if column in centered else WRAP_TOP)
                row += 1
            if row - first > 1:
                sheet.merge_cells(start_row=first, start_column=2, end_row=row - 1, end_column=2)
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def matrix_filename(matrix: Matrix, now: dt.datetime | None = None) -> str:
    """matriks-iku_setpres_2025-2029_01-12-2026_1030.xlsx"""
    unit = {ALL: gettext("consolidated"), MINISTRY: MINISTRY}.get(matrix.selection,
                                                                  matrix.selection)
    return export_filename(gettext("IKU matrix"), "xlsx", now,
                           parts=(unit, f"{matrix.start_year}-{matrix.end_year}"))
