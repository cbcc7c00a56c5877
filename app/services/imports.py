"""Importing pelaksana and organisation units from XLSX or CSV.

Two steps over the same validation: `preview_import` is a dry run that lists every problem by
Excel row and column header at once (an admin fixes a file in one pass, not one error per
upload), `apply_import` validates again and saves every row in one transaction or nothing.
The preview carries a fingerprint of what it showed (the file, each row as parsed, the current
state of every record it would update); the apply recomputes it over the locked rows and
refuses with the new preview when it differs, so an admin never overwrites what it did not see.
A key that already exists (unit code, NIP) updates that record: re-importing a corrected list
is the normal use. On an update an empty optional cell keeps the stored value, so a sheet that
only moves units between Bagian does not wipe their heads' names.

A CSV file carries the same columns: UTF-8 with or without a BOM (Excel's "CSV UTF-8"), or the
Windows code page of Excel's plain "CSV", separated by commas or by semicolons (Excel in an
Indonesian locale, where the comma is the decimal separator).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from app.services.import_columns import (  # noqa: F401  (KINDS, MAX_*: the views read them here)
    KINDS,
    MAX_BYTES,
    MAX_COLUMNS,
    MAX_ROWS,
    CellError,
    Column,
    ImportChangedError,
    ImportInvalidError,
    ImportKind,
    ImportPreview,
    ImportResult,
    PreviewRow,
    Problems,
    UnknownImportKindError,
    cell_text,
    get_kind,
    load_lookups,
)

ZIP_MAGIC = b"PK\x03\x04"  # an XLSX file is a ZIP archive; anything else is read as CSV
CSV_SEPARATORS = ";,\t"


def _read_csv(file_bytes: bytes, problems: Problems):
    """Rows of a CSV file as lists of strings, the separator taken from the header line."""
    if b"\x00" in file_bytes:
        return problems.add(None, None, "not_xlsx")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = file_bytes.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        return problems.add(None, None, "not_xlsx")
    header = text.split("\n", 1)[0]
    separator = max(CSV_SEPARATORS, key=header.count)
    return (row[:MAX_COLUMNS] for row in csv.reader(io.StringIO(text, newline=""), delimiter=separator))


def _read_rows(file_bytes: bytes, problems: Problems):
    """The first sheet's (or the CSV file's) rows as value tuples, or None with a file-level
    problem."""
    if len(file_bytes) > MAX_BYTES:
        return problems.add(None, None, "too_big", max_mb=f"{MAX_BYTES / 1024 / 1024:g}")
    if not file_bytes.startswith(ZIP_MAGIC):
        return _read_csv(file_bytes, problems)
    try:
        workbook = load_workbook(io.BytesIO(file_bytes), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError, IndexError):
        return problems.add(None, None, "not_xlsx")
    return sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)


read_rows = _read_rows  # the IKU import (app/services/iku_import.py) reads files the same way


def _map_headers(spec: ImportKind, header_row, problems: Problems) -> dict[int, Column]:
    by_name = {column.header.casefold(): column for column in spec.columns}
    expected = ", ".join(column.header for column in spec.columns)
    mapping: dict[int, Column] = {}
    for index, raw in enumerate(header_row or ()):
        if raw is None or not cell_text(raw):
            continue
        column = by_name.get(cell_text(raw).casefold())
        if column is None:
            problems.add(1, cell_text(raw), "unknown_header", expected=expected)
        elif column in mapping.values():
            problems.add(1, column.header, "repeated_header")
        else:
            mapping[index] = column
    for column in spec.columns:
        if column.required and column not in mapping.values():
            problems.add(1, column.header, "missing_header")
    return mapping


def _parse_row(spec, mapping, row_number, cells, lookups, problems: Problems) -> dict[Column, Any]:
    values: dict[Column, Any] = {}
    for index, column in mapping.items():
        raw = cells[index] if index < len(cells) else None
        if raw is None or cell_text(raw) == "":
            if column.required:
                problems.add(row_number, column.header, "required")
            values[column] = None
            continue
        try:
            value = column.parse(raw, lookups)
        except CellError as exc:
            problems.add(row_number, column.header, exc.key, **exc.params)
            continue
        limit = spec.max_length(column.attr)
        if isinstance(value, str) and limit and len(value) > limit:
            problems.add(row_number, column.header, "too_long", limit=limit)
            continue
        values[column] = value
    return values


def _validate(kind: str, file_bytes: bytes, session: Session, lock: bool = False):
    """(spec, [(row number, {Column: value}, existing record or None)], problems)."""
    spec, problems = get_kind(kind), Problems()
    rows = _read_rows(file_bytes, problems)
    if rows is None:
        return spec, [], problems
    mapping = _map_headers(spec, next(rows, None), problems)
    if problems:
        return spec, [], problems  # columns cannot be trusted: the rows would only add noise
    lookups, parsed, first_seen = load_lookups(session), [], {}
    for row_number, cells in enumerate(rows, start=2):
        if all(cell is None or cell_text(cell) == "" for cell in cells):
            continue
        if len(parsed) == MAX_ROWS:
            problems.add(None, None, "too_many_rows", max_rows=MAX_ROWS)
            return spec, [], problems
        values = _parse_row(spec, mapping, row_number, cells, lookups, problems)
        key, header = values.get(spec.key), spec.key.header
        if key is not None and key in first_seen:
            problems.add(row_number, header, "duplicate", header=header, key=key, first=first_seen[key])
        elif key is not None:
            first_seen[key] = row_number
        parsed.append((row_number, values))
    if not parsed and not problems:
        problems.add(None, None, "no_rows")
    key_column = getattr(spec.model, spec.key_attr)
    query = session.query(spec.model).filter(key_column.in_(list(first_seen)))
    if lock:  # nobody changes them between the fingerprint check and the save
        query = query.with_for_update()
    existing = {getattr(item, spec.key_attr): item for item in query}
    return spec, [(n, v, existing.get(v.get(spec.key))) for n, v in parsed], problems


def _display(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Ya" if value else "Tidak"
    return str(value)


def _stable(value):
    """A record by its id (a renamed Bagian is still the same Bagian), anything else as text."""
    identity = getattr(value, "id", None) if hasattr(value, "__table__") else None
    return ["ref", identity] if identity is not None else _display(value)


def _fingerprint(spec: ImportKind, file_bytes: bytes, rows) -> str:
    digest = hashlib.sha256(file_bytes)
    for row_number, values, current in rows:
        parsed = [(column.attr, _stable(value)) for column, value in values.items()]
        state = None if current is None else [
            current.id, [(column.attr, _stable(getattr(current, column.attr))) for column in spec.columns]]
        digest.update(json.dumps([row_number, parsed, state]).encode("utf-8"))
    return digest.hexdigest()


def _preview(spec: ImportKind, file_bytes: bytes, rows, problems: Problems) -> ImportPreview:
    preview_rows = []
    for row_number, values, current in rows:
        changes = [
            column.header
            for column, value in values.items()
            if current is not None and value is not None and getattr(current, column.attr) != value
        ]
        action = "update" if current is not None else "create"
        shown = {  # the record as it will be: an empty cell on an update keeps the stored value
            column.header: _display(getattr(current, column.attr) if value is None and current else value)
            for column, value in values.items()
        }
        preview_rows.append(PreviewRow(row_number, action, shown, changes))
    return ImportPreview(spec.name, [c.header for c in spec.columns], preview_rows, list(problems),
                         _fingerprint(spec, file_bytes, rows))


def preview_import(kind: str, file_bytes: bytes, session: Session) -> ImportPreview:
    """The dry run: nothing is written, whatever the file holds."""
    spec, rows, problems = _validate(kind, file_bytes, session)
    return _preview(spec, file_bytes, rows, problems)


def apply_import(kind: str, file_bytes: bytes, session: Session,
                 previewed: str | None = None) -> ImportResult:
    """Validate again (the file or the database may have changed since the preview), then
    save every row or none: one commit, rolled back whole on any database refusal.
    `previewed`: the fingerprint of the preview the admin confirmed; ImportChangedError (with
    the new preview) when the records or the file no longer match it."""
    spec, rows, problems = _validate(kind, file_bytes, session, lock=previewed is not None)
    if problems:
        raise ImportInvalidError(list(problems))
    if previewed is not None:
        preview = _preview(spec, file_bytes, rows, problems)
        if preview.fingerprint != previewed:
            session.rollback()
            raise ImportChangedError(preview)
    created = updated = 0
    try:
        for _row_number, values, current in rows:
            item = current if current is not None else spec.model()
            for column, value in values.items():
                if value is not None:  # empty: the model's default, or the stored value kept
                    setattr(item, column.attr, value)
            session.add(item)
            created, updated = created + (current is None), updated + (current is not None)
        session.flush()
        _log_import(session, spec, created, updated)
        session.commit()
    except SQLAlchemyError as exc:
        session.rollback()
        problems.add(None, None, "database", error=exc.__class__.__name__)
        raise ImportInvalidError(list(problems)) from exc
    return ImportResult(created, updated)


def _log_import(session: Session, spec: ImportKind, created: int, updated: int) -> None:
    from app.services import audit

    log_event = getattr(audit, "log_event", None)
    if log_event is not None:
        details = {"kind": spec.name, "created": created, "updated": updated}
        log_event(session, "import", spec.model.__name__, details=details)


def template_xlsx(kind: str) -> bytes:
    """An empty import file: the header row, one example row to overwrite, and a sheet that
    says what each column takes. The key column is formatted as text so NIPs keep 18 digits."""
    spec = get_kind(kind)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Data"
    sheet.append([column.header for column in spec.columns])
    sheet.append([column.example for column in spec.columns])
    for index, column in enumerate(spec.columns, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = max(len(column.header), len(column.example)) + 4
        sheet.cell(row=2, column=index).number_format = "@"
    key_letter = sheet.cell(row=1, column=spec.columns.index(spec.key) + 1).column_letter
    sheet.column_dimensions[key_letter].number_format = "@"
    notes = workbook.create_sheet("Petunjuk")
    notes.append(["Kolom", "Wajib", "Isi"])
    for column in spec.columns:
        notes.append([column.header, "Ya" if column.required else "Tidak", column.hint])
    notes.append([])
    notes.append(["Hanya lembar pertama yang dibaca. Hapus baris contoh sebelum mengunggah."])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
