"""CSV/XLSX writing without a request: values, Excel's quirks, the size cap, the audit call."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from app.services import audit, exports


def _read_csv(chunks) -> list[list[str]]:
    text = "".join(chunks)
    assert text.startswith(exports.BOM)
    return list(csv.reader(io.StringIO(text[1:])))


class Named:
    def __str__(self) -> str:
        return "Bagian Akuntabilitas Kinerja I"


def test_cell_values_as_a_spreadsheet_shows_them(app):
    with app.test_request_context():
        assert exports.cell_value(None) == ""
        assert exports.cell_value(Named()) == "Bagian Akuntabilitas Kinerja I"
        assert exports.cell_value(dt.date(2026, 3, 1)) == dt.date(2026, 3, 1)
        assert exports.cell_value(7) == 7
        assert exports.cell_value(["a", Named()]) == "a, Bagian Akuntabilitas Kinerja I"
        assert exports.cell_value(True) not in ("True", "")


def test_csv_has_bom_local_dates_and_indonesian_text(app):
    rows = [["Dewi Ayu Lestari Ñ", dt.date(2026, 1, 5), dt.datetime(2026, 1, 5, 8, 30, 12, 345),
             dt.time(7, 30), None]]
    with app.test_request_context():
        lines = _read_csv(exports.iter_csv(["Nama", "Tanggal", "Waktu", "Jam", "Catatan"], rows))
    assert lines == [
        ["Nama", "Tanggal", "Waktu", "Jam", "Catatan"],
        ["Dewi Ayu Lestari Ñ", "05-01-2026", "05-01-2026 08:30", "07:30", ""],
    ]


def test_csv_neutralises_formulas_but_not_numbers(app):
    with app.test_request_context():
        lines = _read_csv(exports.iter_csv(["A", "B", "C"], [['=HYPERLINK("x")', "@SUM(A1)", -5]]))
    assert lines[1] == ['\'=HYPERLINK("x")', "'@SUM(A1)", "-5"]


def test_csv_is_streamed_in_chunks(app):
    rows = ([str(i)] for i in range(exports.CSV_CHUNK_ROWS * 2 + 1))
    with app.test_request_context():
        chunks = list(exports.iter_csv(["n"], rows))
    assert len(chunks) == 4  # header, two full chunks, the rest
    assert len(_read_csv(chunks)) == exports.CSV_CHUNK_ROWS * 2 + 2


def test_csv_delimiter_can_suit_excel_with_indonesian_locale(app):
    with app.test_request_context():
        text = "".join(exports.iter_csv(["A", "B"], [["1,5", "x"]], delimiter=";"))
    assert text.splitlines()[1] == "1,5;x"


def test_xlsx_keeps_formulas_as_text_and_dates_as_dates(app):
    with app.test_request_context():
        data = exports.build_xlsx(
            ["Nama", "Tanggal", "Waktu", "Jam"],
            [["=1+1", dt.date(2026, 2, 3), dt.datetime(2026, 2, 3, 21, 7), dt.time(7, 30)]],
            title="Unit: daftar/2026",
        )
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.title == "Unit  daftar 2026"
    name, date, moment, clock = sheet["A2"], sheet["B2"], sheet["C2"], sheet["D2"]
    assert name.value == "=1+1" and name.data_type == "s"
    assert date.value == dt.datetime(2026, 2, 3) and date.number_format == "dd-mm-yyyy"
    assert moment.value == dt.datetime(2026, 2, 3, 21, 7)
    assert moment.number_format == "dd-mm-yyyy hh:mm"
    assert clock.value == dt.time(7, 30) and clock.number_format == "hh:mm"


def test_size_cap_message_names_both_numbers(app):
    exports.check_size(10, 10)
    with app.test_request_context(), pytest.raises(exports.ExportTooLargeError) as exc:
        exports.check_size(11, 10)
    assert "11" in str(exc.value) and "10" in str(exc.value)


def test_filename_is_the_lists_title_and_the_offices_minute():
    utc = dt.datetime(2026, 11, 30, 14, 7, tzinfo=dt.UTC)
    assert exports.export_filename("Satuan Organisasi", "xlsx", utc) == (
        "satuan-organisasi_30-11-2026_2107.xlsx"
    )
    naive_utc = dt.datetime(2026, 11, 30, 17, 59, 59)  # past midnight in Jakarta
    assert exports.export_filename("Riwayat penugasan Bagian", "csv", naive_utc) == (
        "riwayat-penugasan-bagian_01-12-2026_0059.csv"
    )
    assert exports.export_filename("Événements: daftar/2", "csv", utc).startswith(
        "evenements-daftar-2_")


def test_record_export_logs_and_commits(db_session, monkeypatch):
    calls = []
    monkeypatch.setattr(audit, "log_event", lambda *a, **kw: calls.append((a, kw)), raising=False)
    exports.record_export(
        db_session, "OrgUnit", "csv", [("name", "ct", ["Istana"])], 4, ("name", "desc"), unit_id=None
    )
    assert calls == [(
        (db_session, "export", "OrgUnit"),
        {"details": {"format": "csv", "filters": [["name", "ct", ["Istana"]]], "row_count": 4,
                     "order": ["name", "desc"]}, "unit_id": None},
    )]  # fmt: skip


def test_record_export_without_audit_service_is_silent(db_session, monkeypatch):
    monkeypatch.delattr(audit, "log_event", raising=False)
    exports.record_export(db_session, "OrgUnit", "xlsx", [], 0)
