"""Importing pelaksana and organisation units from XLSX.

Two steps over the same validation: `preview_import` is a dry run that lists every problem by
Excel row and column header at once (an admin fixes a file in one pass, not one error per
upload), `apply_import` validates again and saves every row in one transaction or nothing.
A key that already exists (unit code, NIP) updates that record: re-importing a corrected list
is the normal use. On an update an empty optional cell keeps the stored value, so a sheet that
only moves units between Bagian does not wipe their heads' names.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from email_validator import EmailNotValidError, validate_email
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from app.models.org import NipInvalidError, OrgUnit, OrgUnitKind, Pelaksana, Position, Section, parse_nip

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
MAX_COLUMNS = 40
TRUE_WORDS = {"ya", "y", "yes", "true", "benar", "1", "aktif"}
FALSE_WORDS = {"tidak", "t", "no", "n", "false", "salah", "0", "nonaktif", "tidak aktif"}


# Every message an admin can get, in one place; the validation code only names them.
MESSAGES = {
    "too_big": "Berkas lebih dari {max_mb} MB; bagi menjadi beberapa berkas.",
    "not_xlsx": "Berkas bukan XLSX yang valid; unggah berkas Excel (.xlsx).",
    "too_many_rows": "Berkas memuat lebih dari {max_rows} baris data; bagi menjadi beberapa berkas.",
    "no_rows": "Berkas tidak memuat baris data di bawah baris judul.",
    "unknown_header": "Kolom tidak dikenal. Kolom yang diharapkan: {expected}.",
    "repeated_header": "Kolom ini muncul lebih dari sekali.",
    "missing_header": "Kolom wajib tidak ada pada baris judul (baris 1).",
    "required": "Wajib diisi.",
    "too_long": "Terlalu panjang (maksimal {limit} karakter).",
    "duplicate": "{header} {key} sudah ada di baris {first}.",
    "unknown_ref": "{header} tidak dikenal: {value}. Gunakan kode atau nama yang terdaftar.",
    "nip_number": "NIP harus diketik sebagai teks (Excel membulatkan angka 18 digit); "
    "format sel NIP sebagai Teks lalu ketik ulang.",
    "email": "Alamat email tidak valid: {value}.",
    "boolean": "Isi dengan Ya atau Tidak.",
    "unit_kind": "Jenis tidak dikenal: {value}. Gunakan salah satu: {allowed}.",
    "nip": "{message}",
    "database": "Basis data menolak impor ({error}); tidak ada data disimpan. Coba lagi.",
}


class Problem(NamedTuple):
    row: int | None  # Excel row number; None for the file as a whole
    column: str | None
    message: str


class Problems(list):
    def add(self, row: int | None, column: str | None, message: str, /, **params) -> None:
        self.append(Problem(row, column, MESSAGES[message].format(**params)))


class ImportInvalidError(ValueError):
    """The file has problems; nothing was saved."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"Berkas impor memuat {len(problems)} masalah; tidak ada data disimpan.")


class UnknownImportKindError(ValueError):
    """Neither "pelaksana" nor "units"."""


class CellError(ValueError):
    """One cell's problem: MESSAGES key and its parameters."""

    def __init__(self, key: str, **params):
        self.key, self.params = key, params
        super().__init__(key)


class PreviewRow(NamedTuple):
    row: int
    action: str  # "create" or "update"
    values: dict[str, str]  # header -> value as shown
    changes: list[str]  # headers whose value differs from the stored record


class ImportPreview(NamedTuple):
    kind: str
    headers: list[str]
    rows: list[PreviewRow]
    problems: list[Problem]


class ImportResult(NamedTuple):
    created: int
    updated: int


def _lookups(session: Session) -> dict[str, dict[str, Any]]:
    """Reference rows a cell may name, by code or name (case-insensitive); a code wins."""
    index = {}
    for attr, model in (("positions", Position), ("sections", Section)):
        rows = session.query(model).all()
        index[attr] = {row.name.casefold(): row for row in rows} | {r.code.casefold(): r for r in rows}
    return index


def _text(raw) -> str:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, dt.datetime | dt.date):
        return raw.isoformat()
    return re.sub(r"\s+", " ", str(raw)).strip()


def _ref(header: str, attr: str) -> Callable:
    def parse(raw, lookups: dict):
        found = lookups[attr].get(_text(raw).casefold())
        if found is None:
            raise CellError("unknown_ref", header=header, value=_text(raw))
        return found

    return parse


def _nip(raw, _lookups):
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        raise CellError("nip_number")
    try:
        parse_nip(_text(raw))
    except NipInvalidError as exc:
        raise CellError("nip", message=str(exc)) from None
    return _text(raw)


def _email(raw, _lookups):
    try:
        return validate_email(_text(raw), check_deliverability=False).normalized
    except EmailNotValidError:
        raise CellError("email", value=_text(raw)) from None


def _boolean(raw, _lookups):
    if isinstance(raw, bool):
        return raw
    word = _text(raw).casefold()
    if word in TRUE_WORDS | FALSE_WORDS:
        return word in TRUE_WORDS
    raise CellError("boolean")


def _unit_kind(raw, _lookups):
    value = re.sub(r"[\s-]+", "_", _text(raw).casefold())
    allowed = [kind.value for kind in OrgUnitKind]
    if value not in allowed:
        raise CellError("unit_kind", value=_text(raw), allowed=", ".join(allowed))
    return value


@dataclass(frozen=True)
class Column:
    header: str
    attr: str
    parse: Callable = lambda raw, _lookups: _text(raw)
    required: bool = False
    example: str = ""
    hint: str = ""


@dataclass(frozen=True)
class ImportKind:
    name: str
    model: type
    key_attr: str
    columns: tuple[Column, ...]

    @property
    def key(self) -> Column:
        return next(column for column in self.columns if column.attr == self.key_attr)

    def max_length(self, attr: str) -> int | None:
        column = self.model.__table__.c.get(attr)
        return getattr(column.type, "length", None) if column is not None else None


KINDS = {
    "pelaksana": ImportKind("pelaksana", Pelaksana, "nip", (
        Column("Nama", "name", required=True, example="Siti Rahma"),
        Column("NIP", "nip", _nip, True, "198503152010122001",
               "18 digit, diketik sebagai teks; NIP yang sudah ada = perbarui"),
        Column("Jabatan", "position", _ref("Jabatan", "positions"), example="STAF",
               hint="kode atau nama jabatan"),
        Column("Bagian", "section", _ref("Bagian", "sections"), example="AK1-PPK",
               hint="kode atau nama bagian/subbagian"),
        Column("Email", "email", _email, example="siti.rahma@setneg.go.id"),
        Column("Aktif", "active", _boolean, example="Ya", hint="Ya atau Tidak; kosong = Ya"),
    )),
    "units": ImportKind("units", OrgUnit, "code", (
        Column("Kode", "code", lambda raw, _: _text(raw).upper(), True, "DEP-CONTOH",
               "kode yang sudah ada = perbarui"),
        Column("Nama", "name", required=True, example="Deputi Bidang Contoh"),
        Column("Jenis", "kind", _unit_kind, example=OrgUnitKind.SATORG.value,
               hint=", ".join(kind.value for kind in OrgUnitKind)),
        Column("Bagian", "section", _ref("Bagian", "sections"), example="AK2",
               hint="kode atau nama bagian yang melayani"),
        Column("Nama Pimpinan", "head_name", example="Budi Santoso"),
        Column("Jabatan Pimpinan", "head_title", example="Deputi Bidang Contoh"),
        Column("Email Pimpinan", "head_email", _email, example="deputi.contoh@setneg.go.id"),
        Column("Aktif", "active", _boolean, example="Ya", hint="Ya atau Tidak; kosong = Ya"),
    )),
}  # fmt: skip


def get_kind(kind: str) -> ImportKind:
    if kind not in KINDS:
        raise UnknownImportKindError(f"Jenis impor tidak dikenal: {kind}")
    return KINDS[kind]


def _read_rows(file_bytes: bytes, problems: Problems):
    """The first sheet's rows as value tuples, or None with a file-level problem."""
    if len(file_bytes) > MAX_BYTES:
        return problems.add(None, None, "too_big", max_mb=f"{MAX_BYTES / 1024 / 1024:g}")
    try:
        workbook = load_workbook(io.BytesIO(file_bytes), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError, IndexError):
        return problems.add(None, None, "not_xlsx")
    return sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)


def _map_headers(spec: ImportKind, header_row, problems: Problems) -> dict[int, Column]:
    by_name = {column.header.casefold(): column for column in spec.columns}
    expected = ", ".join(column.header for column in spec.columns)
    mapping: dict[int, Column] = {}
    for index, raw in enumerate(header_row or ()):
        if raw is None or not _text(raw):
            continue
        column = by_name.get(_text(raw).casefold())
        if column is None:
            problems.add(1, _text(raw), "unknown_header", expected=expected)
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
        if raw is None or _text(raw) == "":
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


def _validate(kind: str, file_bytes: bytes, session: Session):
    """(spec, [(row number, {Column: value}, existing record or None)], problems)."""
    spec, problems = get_kind(kind), Problems()
    rows = _read_rows(file_bytes, problems)
    if rows is None:
        return spec, [], problems
    mapping = _map_headers(spec, next(rows, None), problems)
    if problems:
        return spec, [], problems  # columns cannot be trusted: the rows would only add noise
    lookups, parsed, first_seen = _lookups(session), [], {}
    for row_number, cells in enumerate(rows, start=2):
        if all(cell is None or _text(cell) == "" for cell in cells):
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
    existing = {getattr(item, spec.key_attr): item for item in query}
    return spec, [(n, v, existing.get(v.get(spec.key))) for n, v in parsed], problems


def _display(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Ya" if value else "Tidak"
    return str(value)


def preview_import(kind: str, file_bytes: bytes, session: Session) -> ImportPreview:
    """The dry run: nothing is written, whatever the file holds."""
    spec, rows, problems = _validate(kind, file_bytes, session)
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
    return ImportPreview(kind, [c.header for c in spec.columns], preview_rows, list(problems))


def apply_import(kind: str, file_bytes: bytes, session: Session) -> ImportResult:
    """Validate again (the file or the database may have changed since the preview), then
    save every row or none: one commit, rolled back whole on any database refusal."""
    spec, rows, problems = _validate(kind, file_bytes, session)
    if problems:
        raise ImportInvalidError(list(problems))
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
