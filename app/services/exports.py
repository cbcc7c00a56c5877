"""Writing a list out as CSV or XLSX, and recording that it was written.

Kept apart from the view so that the CLI or a worker can export the same way; the view only
decides *which* rows (the list's filters and the user's unit scope) and hands them over.
"""

from __future__ import annotations

import csv
import datetime as dt
import enum
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from zoneinfo import ZoneInfo

from flask_babel import gettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from sqlalchemy.orm import Session

from app.services.working_time import DEFAULT_TZ

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
BOM = "\ufeff"
# Spreadsheets execute a cell that starts with one of these (CSV/formula injection, OWASP):
# a name typed as "=HYPERLINK(...)" must stay text in whoever opens the export.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CSV_CHUNK_ROWS = 500
# Dates and times as every page shows them (app.views.display); the caller hands over
# wall-clock values (the views' datamodel has turned stored UTC into WIB already).
CSV_FORMATS = ((dt.datetime, "%d-%m-%Y %H:%M"), (dt.date, "%d-%m-%Y"), (dt.time, "%H:%M"))
XLSX_FORMATS = ((dt.datetime, "dd-mm-yyyy hh:mm"), (dt.date, "dd-mm-yyyy"), (dt.time, "hh:mm"))


class ExportTooLargeError(ValueError):
    """The list has more rows than one export may carry (IKU_EXPORT_MAX_ROWS)."""


def check_size(row_count: int, max_rows: int) -> None:
    if row_count > max_rows:
        raise ExportTooLargeError(
            gettext(
                "This list has %(count)s rows; an export may hold at most %(max)s. "
                "Narrow it down with the search filters and export again.",
                count=row_count,
                max=max_rows,
            )
        )


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def export_filename(title: str, fmt: str, now: dt.datetime | None = None,
                    parts: Sequence[str] = ()) -> str:
    """The list's title in the reader's language and the office's wall-clock minute, e.g.
    satuan-organisasi_30-11-2026_2107.xlsx: what a person looks for in a downloads folder;
    `parts` go between them (matriks-iku_setpres_2025-2029_01-12-2026_1030.xlsx).
    ASCII only (a header's filename="..." cannot carry more); `now` is aware or naive UTC."""
    now = now or dt.datetime.now(dt.UTC)
    aware = now if now.tzinfo else now.replace(tzinfo=dt.UTC)
    local = aware.astimezone(ZoneInfo(DEFAULT_TZ))
    slugs = [_slug(title) or "data", *(slug for slug in map(_slug, parts) if slug)]
    return f"{'_'.join(slugs)}_{local:%d-%m-%Y_%H%M}.{fmt}"


def cell_value(value):
    """One value as a spreadsheet should show it: related records by their str(), dates and
    times as such, yes/no in the user's language, nothing for None."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (int, float, dt.date, dt.datetime, dt.time)):
        return value
    if isinstance(value, (list, tuple, set)):
        return ", ".join(str(item) for item in value)
    return str(value)


def _csv_text(value) -> str:
    value = cell_value(value)
    for kind, pattern in CSV_FORMATS:
        if isinstance(value, kind):
            return value.strftime(pattern)
    text = str(value)
    if isinstance(value, str) and text.startswith(FORMULA_START):
        return "'" + text
    return text


def iter_csv(headers: Sequence[str], rows: Iterable[Sequence], delimiter: str = ",") -> Iterator[str]:
    """Chunks of a CSV file, BOM first: without it Excel reads UTF-8 as ANSI and mangles
    every non-ASCII character of an Indonesian name."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(headers)
    yield BOM + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    for index, row in enumerate(rows, start=1):
        writer.writerow([_csv_text(value) for value in row])
        if index % CSV_CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def _xlsx_cell(sheet, value):
    value = cell_value(value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # openpyxl would otherwise write it as a formula
        return cell
    for kind, number_format in XLSX_FORMATS:
        if isinstance(value, kind):
            cell.number_format = number_format
            break
    return cell


def build_xlsx(headers: Sequence[str], rows: Iterable[Sequence], title: str = "Data") -> bytes:
    """write_only keeps memory flat however many rows: rows go to a temp file, not a tree."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=re.sub(r"[][:*?/\\]", " ", title)[:31].strip() or "Data")
    sheet.freeze_panes = "A2"
    sheet.append(list(headers))
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def record_export(
    session: Session,
    entity: str,
    fmt: str,
    filters: list,
    row_count: int,
    order: tuple[str, str] | None = None,
    unit_id: int | None = None,
) -> None:
    """Commit an audit entry before the first byte leaves: an export interrupted half-way
    has still handed data out. Defensive until app.services.audit grows log_event."""
    from app.services import audit

    log_event = getattr(audit, "log_event", None)
    if log_event is None:
        return
    details = {
        "format": fmt,
        "filters": [[column, operator, _jsonable(value)] for column, operator, value in filters],
        "row_count": row_count,
    }
    if order and order[0]:
        details["order"] = list(order)
    log_event(session, "export", entity, details=details, unit_id=unit_id)
    session.commit()


def _jsonable(value):
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)
