"""What an IKU import file contains: its columns (Indonesian headers: they are the file's
format, whatever the reader's language), how a cell is read, and the template to fill in.
Which fields are required is the registry's word (app.services.iku.REQUIRED), plus the
period and the calculation type a formula needs."""

from __future__ import annotations

import io
from decimal import Decimal, InvalidOperation

from flask_babel import gettext
from openpyxl import Workbook

from app.models.iku import CalculationType
from app.services import iku as iku_service
from app.services.import_columns import CellError, Column, cell_text
from app.services.validation import ValueInvalidError

KIND = "indicator"  # the kind of the import pages (app/views/imports.py)
TEMPLATE_YEARS = (2025, 2026, 2027, 2028, 2029)
CALCULATION_WORDS = {member.value: member.value for member in CalculationType} | {
    "percentage": "persentase", "%": "persentase", "ratio": "rasio", "count": "jumlah",
    "index": "indeks", "score": "nilai",
}  # fmt: skip
MAX_TARGET = Decimal(10) ** 12  # the column holds 14 digits, 2 of them decimals


def _unit(raw, lookups):
    found = lookups["units"].get(cell_text(raw).casefold())
    if found is None:
        raise CellError("unknown_ref", header="Kode Unit", value=cell_text(raw))
    return found


def _year(raw, _lookups):
    text = cell_text(raw)
    if not (text.isdigit() and len(text) == 4):
        raise ValueInvalidError(gettext("Give a year, e.g. 2025."))
    return int(text)


def _calculation(raw, _lookups):
    word = CALCULATION_WORDS.get(cell_text(raw).casefold())
    if word is None:
        raise ValueInvalidError(gettext(
            "Unknown value: %(value)s. Use one of: %(allowed)s.", value=cell_text(raw),
            allowed=", ".join(member.value for member in CalculationType)))
    return word


def parse_number(raw, _lookups=None) -> Decimal:
    """A target as typed: 95, 95,5 or 95.5, 1.234,5, "95%"; at most 2 decimals. A comma is
    the decimal separator when there is one (dots are then thousands), else a single dot is."""
    if isinstance(raw, bool):
        raise ValueInvalidError(gettext("Give a number with at most 2 decimals, e.g. 95 or 3,45."))
    if isinstance(raw, int | float | Decimal):
        text = repr(raw) if isinstance(raw, float) else str(raw)
    else:
        text = cell_text(raw).replace(" ", "").removesuffix("%")
        if "," in text:
            text = text.replace(".", "").replace(",", ".")
        elif text.count(".") > 1:
            text = text.replace(".", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or abs(value) >= MAX_TARGET or (
            value.as_tuple().exponent < -2 and value != value.quantize(Decimal("0.01"))):
        raise ValueInvalidError(gettext("Give a number with at most 2 decimals, e.g. 95 or 3,45."))
    return value.quantize(Decimal("0.01")) if value.as_tuple().exponent < -2 else value


def _baseline(raw, _lookups):
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return iku_service.number_text(parse_number(raw))
    return cell_text(raw)


def _column(header: str, attr: str, parse=None, example: str = "", hint: str = "") -> Column:
    required = attr in iku_service.REQUIRED or attr in ("start_year", "end_year", "calculation_type")
    return Column(header, attr, parse or (lambda raw, _lookups: cell_text(raw)), required,
                  example, hint)


COLUMNS = (
    _column("Kode Unit", "org_unit", _unit, "SETPRES",
            "kode (atau nama) satuan organisasi; kosong = IKU tingkat kementerian"),
    _column("Periode Awal", "start_year", _year, "2025", "tahun pertama periode"),
    _column("Periode Akhir", "end_year", _year, "2029", "tahun terakhir periode"),
    _column("Kode Sasaran", "sasaran_code", example="SS1"),
    _column("Sasaran Strategis", "sasaran_text",
            example="Meningkatnya kualitas dukungan teknis dan administrasi kepada Presiden"),
    _column("Kode Indikator", "code", example="IKU-1.1",
            hint="unik pada unit dan periode; kode draf yang sudah ada = perbarui draf itu"),
    _column("Nama Indikator", "name",
            example="Persentase dukungan kegiatan Presiden yang terlaksana tepat waktu"),
    _column("Definisi Operasional", "definition",
            example="Kegiatan Presiden yang didukung sesuai jadwal dibanding seluruh kegiatan."),
    _column("Alasan Pemilihan", "rationale", example="Mengukur hasil langsung dari sasaran."),
    _column("Pembilang", "numerator", example="Jumlah kegiatan Presiden yang didukung tepat waktu"),
    _column("Penyebut", "denominator", example="Jumlah seluruh kegiatan Presiden"),
    _column("Jenis Perhitungan", "calculation_type", _calculation, "persentase",
            "persentase, rasio, jumlah, indeks atau nilai"),
    _column("Satuan", "satuan", example="%"),
    _column("Baseline", "baseline", _baseline, "92"),
    _column("Sumber Data", "data_source", example="Laporan kegiatan Sekretariat Presiden"),
    _column("Penanggung Jawab", "responsible", example="Deputi Bidang Protokol, Pers, dan Media"),
)
_BY_ATTR = {column.attr: column for column in COLUMNS}
TARGET_HINT = ("satu kolom per tahun periode, judulnya \"Target 2025\" (atau \"2025\"); "
               "persentase antara 0 dan 100; desimal dengan koma")
TARGET_EXAMPLES = ("93", "94", "95", "96", "97")


def by_attr(attr: str) -> Column | None:
    return _BY_ATTR.get(attr)


def listed_columns() -> tuple[Column, ...]:
    """The columns as the import page lists them, the target columns in their place."""
    at = COLUMNS.index(_BY_ATTR["baseline"]) + 1
    return (*COLUMNS[:at], Column("Target <tahun>", "targets", hint=TARGET_HINT), *COLUMNS[at:])


def template_xlsx(kind: str = KIND) -> bytes:
    """An empty IKU import file: the headers with a target column per year of an example
    period, one example row to overwrite, and a sheet that says what each column takes."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Data"
    at = COLUMNS.index(_BY_ATTR["baseline"]) + 1
    headers = [column.header for column in COLUMNS]
    examples = [column.example for column in COLUMNS]
    headers[at:at] = [f"Target {year}" for year in TEMPLATE_YEARS]
    examples[at:at] = list(TARGET_EXAMPLES)
    sheet.append(headers)
    sheet.append(examples)
    for index, (header, example) in enumerate(zip(headers, examples, strict=True), start=1):
        cell = sheet.cell(row=2, column=index)
        cell.number_format = "@"  # typed text stays text (a code such as 1.10)
        sheet.column_dimensions[cell.column_letter].width = min(max(len(header), len(example)) + 4, 60)
    notes = workbook.create_sheet("Petunjuk")
    notes.append(["Kolom", "Wajib", "Isi"])
    for column in COLUMNS:
        notes.append([column.header, "Ya" if column.required else "Tidak", column.hint])
        if column.attr == "baseline":
            notes.append(["Target <tahun>", "Tidak", TARGET_HINT])
    notes.append([])
    notes.append(["Hanya lembar pertama yang dibaca. Hapus baris contoh sebelum mengunggah."])
    notes.append(["IKU yang diimpor berstatus draf, versi 1. IKU yang sudah ditetapkan tidak "
                  "diubah lewat impor: buat versi baru di halamannya."])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
