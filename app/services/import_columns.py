"""What an import file may contain: the columns of each kind, how a cell is read and checked,
and the problems reported by row and column. Kept apart from the reading and saving steps in
app/services/imports.py so that a new kind (or column) is a change here only."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy.orm import Session

from app.models.org import NipInvalidError, OrgUnit, OrgUnitKind, Pelaksana, Position, Section, parse_nip
from app.services import validation

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
MAX_COLUMNS = 40
TRUE_WORDS = {"ya", "y", "yes", "true", "benar", "1", "aktif"}
SCIENTIFIC_RE = re.compile(r"^\d[.,]\d+E\+?\d+$", re.IGNORECASE)
FALSE_WORDS = {"tidak", "t", "no", "n", "false", "salah", "0", "nonaktif", "tidak aktif"}


# Every message an admin can get, in one place; the validation code only names them.
MESSAGES = {
    "too_big": "Berkas lebih dari {max_mb} MB; bagi menjadi beberapa berkas.",
    "not_xlsx": "Berkas tidak dapat dibaca; unggah berkas Excel (.xlsx) atau CSV (.csv).",
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
    fingerprint: str = ""  # what was previewed: apply_import refuses once it no longer matches


class ImportChangedError(ValueError):
    """The file or the records it touches changed since the preview; nothing was saved.
    `preview` is the dry run as things stand now, for the admin to review and confirm."""

    def __init__(self, preview: ImportPreview):
        self.preview = preview
        super().__init__("Data berubah sejak pratinjau; tidak ada data disimpan.")


class ImportResult(NamedTuple):
    created: int
    updated: int


def load_lookups(session: Session) -> dict[str, dict[str, Any]]:
    """Reference rows a cell may name, by code or name (case-insensitive); a code wins."""
    index = {}
    for attr, model in (("positions", Position), ("sections", Section)):
        rows = session.query(model).all()
        index[attr] = {row.name.casefold(): row for row in rows} | {r.code.casefold(): r for r in rows}
    return index


def cell_text(raw) -> str:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, dt.datetime | dt.date):
        return raw.isoformat()
    return re.sub(r"\s+", " ", str(raw)).strip()


def _ref(header: str, attr: str) -> Callable:
    def parse(raw, lookups: dict):
        found = lookups[attr].get(cell_text(raw).casefold())
        if found is None:
            raise CellError("unknown_ref", header=header, value=cell_text(raw))
        return found

    return parse


def _nip(raw, _lookups):
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        raise CellError("nip_number")
    if isinstance(raw, str) and SCIENTIFIC_RE.match(raw.strip()):  # a CSV saved by Excel
        raise CellError("nip_number")
    try:
        parse_nip(cell_text(raw))
    except NipInvalidError as exc:
        raise CellError("nip", message=str(exc)) from None
    return cell_text(raw)


def _email(raw, _lookups):
    try:
        return validation.validate_email(cell_text(raw))
    except validation.ValueInvalidError:
        raise CellError("email", value=cell_text(raw)) from None


def _boolean(raw, _lookups):
    if isinstance(raw, bool):
        return raw
    word = cell_text(raw).casefold()
    if word in TRUE_WORDS | FALSE_WORDS:
        return word in TRUE_WORDS
    raise CellError("boolean")


def _unit_kind(raw, _lookups):
    value = re.sub(r"[\s-]+", "_", cell_text(raw).casefold())
    allowed = [kind.value for kind in OrgUnitKind]
    if value not in allowed:
        raise CellError("unit_kind", value=cell_text(raw), allowed=", ".join(allowed))
    return value


@dataclass(frozen=True)
class Column:
    header: str
    attr: str
    parse: Callable = lambda raw, _lookups: cell_text(raw)
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
        Column("Kode", "code", lambda raw, _: cell_text(raw).upper(), True, "DEP-CONTOH",
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
