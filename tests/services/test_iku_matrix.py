"""The IKU matrix without a request: which indicators, in which order, the formula in words,
the printable workbook, and the lampiran's data."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from app.models.iku import Indicator, IndicatorStatus, IndicatorTarget
from app.models.org import OrgUnit
from app.services import iku_matrix
from app.services.iku_demo import load_demo_iku
from tests.iku_expect import enacted, enacted_units

ALL_STATUSES = [status.value for status in IndicatorStatus]


@pytest.fixture
def demo(db_session):
    load_demo_iku()
    return {i.code + f"v{i.version}": i for i in db_session.query(Indicator)}


def _unit_id(db_session, code):
    return db_session.query(OrgUnit).filter_by(code=code).one().id


def _codes(matrix) -> list[tuple[str | None, str, int]]:
    return [(section.unit_code, row.code, row.version)
            for section in matrix.sections for row in section.rows]


def test_consolidated_default_is_final_and_enacted_ministry_first_then_units(db_session, demo):
    matrix = iku_matrix.build_matrix(db_session, 2025, 2029)
    assert matrix.statuses == ("final", "ditetapkan")
    codes = _codes(matrix)
    assert codes[:7] == [
        (None, "IKU-K.1", 1), (None, "IKU-K.2", 1), (None, "IKU-K.3", 1),
        ("SETPRES", "IKU-1.1", 1), ("SETWAPRES", "IKU-2.1", 1), ("SETWAPRES", "IKU-2.2", 1),
        ("SETMILPRES", "IKU-3.1", 1),
    ]
    assert ("ISTANA-BOGOR", "IKU-4.1", 1) in codes and codes[-1] == ("SETKSP", "IKU-13.2", 1)
    # the draft IKU-1.2 and the draft amendment of IKU-4.1 are not in it
    assert ("SETPRES", "IKU-1.2", 1) not in codes and ("ISTANA-BOGOR", "IKU-4.1", 2) not in codes
    assert matrix.sections[0].unit_name == "Kementerian Sekretariat Negara"
    assert matrix.title == "Matriks IKU Kementerian Sekretariat Negara (konsolidasi) Periode 2025–2029"
    assert [row.number for row in matrix.sections[0].rows] == [1, 2, 3]


def test_with_drafts_the_newest_version_replaces_the_one_it_amends(db_session, demo):
    matrix = iku_matrix.build_matrix(db_session, 2025, 2029, "ISTANA-BOGOR", ALL_STATUSES)
    assert _codes(matrix) == [("ISTANA-BOGOR", "IKU-4.1", 2)]
    assert matrix.rows[0].targets[2029] == Decimal("95")
    setpres = iku_matrix.build_matrix(db_session, 2025, 2029, "setpres", ["draft"])
    assert _codes(setpres) == [("SETPRES", "IKU-1.2", 1)]
    assert setpres.title == "Matriks IKU Sekretariat Presiden Periode 2025–2029"


def test_formula_in_words_and_explanation(db_session, demo):
    row = iku_matrix.build_matrix(db_session, 2025, 2029, "SETPRES").rows[0]
    assert row.formula == ("Jumlah kegiatan Presiden yang didukung tepat waktu / "
                           "Jumlah seluruh kegiatan Presiden × 100%")
    assert row.explanation == (
        "Kegiatan Presiden yang didukung sesuai jadwal dibanding seluruh kegiatan Presiden.\n"
        "Rumus: Jumlah kegiatan Presiden yang didukung tepat waktu / "
        "Jumlah seluruh kegiatan Presiden × 100%")
    index = iku_matrix.build_matrix(db_session, 2025, 2029, "kementerian").rows[0]
    assert index.formula == "Nilai rata-rata survei kepuasan pimpinan"  # no denominator, no × 100%
    assert [row.targets[2025] for row in [index]] == [Decimal("3.45")]


def test_units_follow_the_standards_order_and_codes_their_natural_order(db_session, demo):
    setpres = demo["IKU-1.1v1"]
    for code in ("IKU-1.10", "IKU-1.9"):
        db_session.add(Indicator(
            org_unit=setpres.org_unit, start_year=2025, end_year=2029, sasaran_code="SS1",
            sasaran_text=setpres.sasaran_text, code=code, name=f"Indikator {code}",
            calculation_type="jumlah", satuan="dokumen", status=IndicatorStatus.FINAL, version=1))
    db_session.commit()
    matrix = iku_matrix.build_matrix(db_session, 2025, 2029, "SETPRES")
    assert [row.code for row in matrix.rows] == ["IKU-1.1", "IKU-1.9", "IKU-1.10"]
    assert [len(group) for group in matrix.sections[0].sasaran_groups()] == [3]
    assert matrix.rows[1].targets == {2025: None, 2026: None, 2027: None, 2028: None, 2029: None}


def test_liaison_scope_narrows_all_and_refuses_other_units(db_session, demo):
    own = _unit_id(db_session, "SETPRES")
    matrix = iku_matrix.build_matrix(db_session, 2025, 2029, "semua", scope_unit_id=own)
    assert matrix.selection == "SETPRES" and _codes(matrix) == [("SETPRES", "IKU-1.1", 1)]
    for other in ("SETWAPRES", "kementerian", "TIDAK-ADA"):
        with pytest.raises(iku_matrix.MatrixUnitNotFoundError):
            iku_matrix.build_matrix(db_session, 2025, 2029, other, scope_unit_id=own)
    assert iku_matrix.periods(db_session, own) == [(2025, 2029)]


@pytest.mark.parametrize(("start", "end", "statuses"), [
    ("x", 2029, None), (2029, 2025, None), (2025, 2040, None), (2025, 2029, ["selesai"]),
])
def test_a_request_that_cannot_be_answered_says_why(db_session, start, end, statuses):
    with pytest.raises(iku_matrix.MatrixRequestInvalidError):
        iku_matrix.build_matrix(db_session, start, end, statuses=statuses)


def test_a_unit_without_iku_gives_an_empty_section(db_session, demo):
    db_session.query(IndicatorTarget).filter(IndicatorTarget.indicator_id.in_(
        [i.id for i in demo.values() if i.org_unit and i.org_unit.code == "SETKSP"])).delete()
    for item in [i for i in demo.values() if i.org_unit and i.org_unit.code == "SETKSP"]:
        db_session.delete(item)
    db_session.flush()
    matrix = iku_matrix.build_matrix(db_session, 2025, 2029, "SETKSP")
    assert [(s.unit_code, s.rows) for s in matrix.sections] == [("SETKSP", [])]


def test_xlsx_has_title_bold_header_formula_and_targets(db_session, demo):
    matrix = iku_matrix.build_matrix(db_session, 2025, 2029)
    sheet = load_workbook(io.BytesIO(iku_matrix.matrix_xlsx(matrix))).active
    assert sheet["A1"].value == matrix.title and sheet["A1"].font.bold
    assert sheet["A2"].value == "Status: Final, Ditetapkan"
    header = [cell.value for cell in sheet[4]]
    assert header == ["No.", "Sasaran Strategis", "IKU", "Penjelasan/Formula", "Satuan",
                      "Target 2025", "Target 2026", "Target 2027", "Target 2028", "Target 2029",
                      "Penanggung Jawab", "Sumber Data"]
    assert all(cell.font.bold and cell.alignment.wrap_text for cell in sheet[4])
    assert sheet.column_dimensions["D"].width == 50 and sheet.print_title_rows == "$4:$4"
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=5)]
    assert rows[0][0] == "Kementerian Sekretariat Negara"  # a unit's heading row
    setpres = next(row for row in rows if row[2] and str(row[2]).startswith("IKU-1.1 "))
    assert setpres[0] == 1 and setpres[4] == "%"
    assert "Rumus: Jumlah kegiatan Presiden yang didukung tepat waktu / " \
           "Jumlah seluruh kegiatan Presiden × 100%" in setpres[3]
    assert setpres[5:10] == [93, 94, 95, 96, 97]
    ministry = next(row for row in rows if row[2] and str(row[2]).startswith("IKU-K.1 "))
    assert ministry[5] == 3.45 and ministry[10] == "Sekretariat Kementerian"


def test_xlsx_merges_a_sasaran_over_its_indicators_and_keeps_formulas_text(db_session, demo):
    item = demo["IKU-1.2v1"]
    item.status, item.data_source = IndicatorStatus.FINAL, "=HYPERLINK(\"http://x\")"
    db_session.commit()
    matrix = iku_matrix.build_matrix(db_session, 2025, 2029, "SETPRES")
    sheet = load_workbook(io.BytesIO(iku_matrix.matrix_xlsx(matrix))).active
    assert "B5:B6" in {str(merged) for merged in sheet.merged_cells.ranges}
    assert sheet["L6"].value.startswith("=HYPERLINK") and sheet["L6"].data_type == "s"


def test_filename_names_the_unit_and_period(db_session, demo):
    now = dt.datetime(2026, 12, 1, 3, 30, tzinfo=dt.UTC)  # 10:30 WIB
    unit = iku_matrix.build_matrix(db_session, 2025, 2029, "SETPRES")
    assert iku_matrix.matrix_filename(unit, now) == "matriks-iku_setpres_2025-2029_01-12-2026_1030.xlsx"
    every = iku_matrix.build_matrix(db_session, 2025, 2029)
    assert iku_matrix.matrix_filename(every, now).startswith("matriks-iku_konsolidasi_2025-2029_")


def test_json_rows(db_session, demo):
    data = iku_matrix.matrix_json(iku_matrix.build_matrix(db_session, 2025, 2029, "SETPRES"))
    assert data["years"] == [2025, 2026, 2027, 2028, 2029] and data["unit"] == "SETPRES"
    (row,) = data["rows"]
    assert row["code"] == "IKU-1.1" and row["unit_code"] == "SETPRES" and row["no"] == 1
    assert row["targets"] == {"2025": 93, "2026": 94, "2027": 95, "2028": 96, "2029": 97}
    assert row["formula"].endswith("× 100%") and row["status"] == "ditetapkan"


def test_lampiran_data_shape(db_session, demo):
    db_session.add(IndicatorTarget(indicator=demo["IKU-K.1v1"], year=2030, value=Decimal("9")))
    data = iku_matrix.lampiran_data(db_session, 2025, 2029)
    assert set(data) == {"period", "start_year", "end_year", "years", "statuses", "units",
                         "indicator_count"}
    assert data["period"] == "2025–2029" and data["indicator_count"] == len(enacted())
    assert data["statuses"] == ["Final", "Ditetapkan"]
    assert [unit["code"] or None for unit in data["units"]] == enacted_units()
    ministry = data["units"][0]
    assert ministry["name"] == "Kementerian Sekretariat Negara" and ministry["ministry_level"]
    assert [s["code"] for s in ministry["sasaran"]] == ["SS1", "SS2"]
    index = ministry["sasaran"][0]["indicators"][0]
    assert index["code"] == "IKU-K.1" and index["calculation"] == "Indeks"
    assert index["baseline"] == "3,40"
    assert index["targets"] == [{"year": 2025, "value": "3,45"}, {"year": 2026, "value": "3,5"},
                                {"year": 2027, "value": "3,55"}, {"year": 2028, "value": "3,6"},
                                {"year": 2029, "value": "3,65"}]  # only the period's years
    setpres = data["units"][1]["sasaran"][0]["indicators"][0]
    assert setpres["formula"].endswith("× 100%") and setpres["number"] == 1

    def plain(value):  # a docxtpl context: no ORM object, no None, no Decimal
        if isinstance(value, dict):
            return all(isinstance(k, str) and plain(v) for k, v in value.items())
        if isinstance(value, list):
            return all(plain(v) for v in value)
        return isinstance(value, str | int | bool)

    assert plain(data)
