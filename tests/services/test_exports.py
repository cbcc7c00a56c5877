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


def test_csv_has_bom_iso_dates_and_indonesian_text(app):
    rows = [["Dewi Ayu Lestari Ñ", dt.date(2026, 1, 5), dt.datetime(2026, 1, 5, 8, 30), None]]
    with app.test_request_context():
        lines = _read_csv(exports.iter_csv(["Nama", "Tanggal", "Waktu", "Catatan"], rows))
    assert lines == [
        ["Nama", "Tanggal", "Waktu", "Catatan"],
        ["Dewi Ayu Lestari Ñ", "2026-01-05", "2026-01-05T08:30:00", ""],
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
            ["Nama", "Tanggal"], [["=1+1", dt.date(2026, 2, 3)]], title="Unit: daftar/2026"
        )
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.title == "Unit  daftar 2026"
    name, date = sheet["A2"], sheet["B2"]
    assert name.value == "=1+1" and name.data_type == "s"
    assert date.value == dt.datetime(2026, 2, 3) and date.number_format == "yyyy-mm-dd"


def test_size_cap_message_names_both_numbers(app):
    exports.check_size(10, 10)
    with app.test_request_context(), pytest.raises(exports.ExportTooLargeError) as exc:
        exports.check_size(11, 10)
    assert "11" in str(exc.value) and "10" in str(exc.value)


def test_filename_is_entity_and_minute():
    assert exports.export_filename("org-unit", "csv", dt.datetime(2026, 5, 4, 9, 7)) == (
        "org-unit-20260504-0907.csv"
    )


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
