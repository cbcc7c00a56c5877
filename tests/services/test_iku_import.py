"""Importing IKU from XLSX or CSV: the registry's rules by row and column, all rows or none,
drafts updated, enacted IKU refused."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from app.models.iku import Indicator, IndicatorStatus
from app.services import iku_import
from app.services.iku_demo import load_demo_iku
from app.services.import_columns import ImportChangedError, ImportInvalidError
from tests.services.test_imports import csv_bytes, xlsx

HEADERS = ["Kode Unit", "Periode Awal", "Periode Akhir", "Kode Sasaran", "Sasaran Strategis",
           "Kode Indikator", "Nama Indikator", "Definisi Operasional", "Alasan Pemilihan",
           "Pembilang", "Penyebut", "Jenis Perhitungan", "Satuan", "Baseline", "Target 2025",
           "Target 2026", "Target 2027", "Target 2028", "Target 2029", "Sumber Data",
           "Penanggung Jawab"]  # fmt: skip


def row(**fields) -> list:
    values = {
        "Kode Unit": "SETWAPRES", "Periode Awal": 2025, "Periode Akhir": 2029,
        "Kode Sasaran": "SS2", "Sasaran Strategis": "Meningkatnya kualitas administrasi",
        "Kode Indikator": "IKU-2.5", "Nama Indikator": "Persentase surat selesai tepat waktu",
        "Definisi Operasional": "Surat yang selesai sesuai standar waktu.",
        "Alasan Pemilihan": "Mengukur layanan administrasi.",
        "Pembilang": "Jumlah surat selesai tepat waktu", "Penyebut": "Jumlah seluruh surat",
        "Jenis Perhitungan": "Persentase", "Satuan": "%", "Baseline": 80,
        "Target 2025": 81, "Target 2026": "82,5", "Target 2027": 83, "Target 2028": 84,
        "Target 2029": 85, "Sumber Data": "Aplikasi persuratan", "Penanggung Jawab": "Biro Umum",
    }  # fmt: skip
    values.update(fields)
    return [values[header] for header in HEADERS]


def where(problems) -> list[tuple]:
    return [(p.row, p.column) for p in problems]


@pytest.fixture
def demo(db_session):
    load_demo_iku()
    return {i.code + f"v{i.version}": i for i in db_session.query(Indicator)}


def _imported(db_session, code):
    return db_session.query(Indicator).filter_by(code=code).order_by(Indicator.version).all()


def test_template_has_the_headers_an_example_and_instructions(db_session, demo):
    content = iku_import.template_xlsx()
    workbook = load_workbook(io.BytesIO(content))
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS and len(rows) == 2
    assert workbook.sheetnames == ["Data", "Petunjuk"]
    notes = [r[0] for r in workbook["Petunjuk"].iter_rows(values_only=True)]
    assert "Target <tahun>" in notes
    preview = iku_import.preview_import("indicator", content, db_session)
    # the example row is SETPRES's enacted IKU-1.1: refused, by row and column, in words
    assert where(preview.problems) == [(2, "Kode Indikator")]
    assert "sudah ditetapkan" in preview.problems[0].message


def test_valid_file_previews_then_saves_every_row_as_draft_version_1(db_session, demo):
    content = xlsx(HEADERS, row(), row(**{"Kode Indikator": "IKU-2.6", "Kode Unit": "",
                                          "Jenis Perhitungan": "indeks", "Satuan": "indeks",
                                          "Target 2025": 3.5, "Target 2026": "3,6"}))
    before = db_session.query(Indicator).count()
    preview = iku_import.preview_import("indicator", content, db_session)
    assert preview.problems == [] and [r.action for r in preview.rows] == ["create", "create"]
    assert preview.rows[0].values["Target 2026"] == "82,5"
    assert preview.rows[1].values["Kode Unit"] == "Tingkat Kementerian"
    assert db_session.query(Indicator).count() == before  # the dry run keeps nothing
    result = iku_import.apply_import("indicator", content, db_session, preview.fingerprint)
    assert (result.created, result.updated) == (2, 0)
    (saved,) = _imported(db_session, "IKU-2.5")
    assert (saved.status, saved.version, saved.org_unit.code) == ("draft", 1, "SETWAPRES")
    assert saved.calculation_type == "persentase" and saved.baseline == "80"
    assert [(t.year, t.value) for t in saved.targets][:2] == [(2025, 81), (2026, Decimal("82.5"))]
    (ministry,) = _imported(db_session, "IKU-2.6")
    assert ministry.org_unit is None and ministry.targets[0].value == Decimal("3.5")


def test_csv_with_semicolons_and_year_headers(db_session, demo):
    headers = [h.removeprefix("Target ") for h in HEADERS]
    content = csv_bytes(headers, row(**{"Target 2026": "82,5"}), separator=";", bom=True)
    preview = iku_import.preview_import("indicator", content, db_session)
    assert preview.problems == [] and preview.rows[0].values["Target 2026"] == "82,5"


def test_every_problem_by_row_and_column_and_nothing_saved(app, db_session, demo):
    app.config["IKU_MAX_PER_SASARAN"] = 2
    try:
        content = xlsx(
            HEADERS,
            row(**{"Kode Unit": "TIDAK-ADA"}),  # 2: unknown unit
            row(**{"Kode Indikator": "IKU-2.1"}),  # 3: the code of an enacted IKU
            row(**{"Kode Indikator": "IKU-2.7", "Target 2027": 120}),  # 4: over 100 %
            row(**{"Kode Indikator": "IKU-2.7"}),  # 5: twice in the file
            row(**{"Kode Indikator": "IKU-2.8", "Nama Indikator": None, "Satuan": ""}),  # 6
            row(**{"Kode Indikator": "IKU-2.9", "Periode Akhir": 2026}),  # 7: 2027 outside
            row(**{"Kode Indikator": "IKU-2.91", "Kode Sasaran": "SS1"}),  # 8: SS1 has 1 + 1
            row(**{"Kode Indikator": "IKU-2.92", "Kode Sasaran": "SS1"}),  # 9: a third in SS1
            row(**{"Kode Indikator": "IKU-2.93", "Jenis Perhitungan": "rata-rata",
                   "Target 2025": "sembilan", "Periode Awal": "dua ribu"}),  # 10
        )
        preview = iku_import.preview_import("indicator", content, db_session)
        assert where(preview.problems) == [
            (2, "Kode Unit"), (3, "Kode Indikator"), (4, "Target 2027"), (5, "Kode Indikator"),
            (6, "Nama Indikator"), (6, "Satuan"), (7, "Target 2027"), (7, "Target 2028"),
            (7, "Target 2029"), (9, "Kode Sasaran"), (10, "Periode Awal"),
            (10, "Jenis Perhitungan"), (10, "Target 2025")]
        messages = [p.message for p in preview.problems]
        assert messages[0] == "Kode Unit tidak dikenal: TIDAK-ADA. Gunakan kode atau nama yang terdaftar."
        assert messages[1].startswith("IKU IKU-2.1 sudah ditetapkan dan tidak pernah diubah")
        assert "antara 0 dan 100" in messages[2]
        assert messages[3] == "Kode Indikator IKU-2.7 sudah ada di baris 4."
        assert messages[4] == "Wajib diisi."
        assert "di luar periode 2025–2026" in messages[6]
        assert "paling banyak 2" in messages[9]
        assert preview.rows  # the rows that parsed are still shown
        before = db_session.query(Indicator).count()
        with pytest.raises(ImportInvalidError) as refused:
            iku_import.apply_import("indicator", content, db_session)
        assert len(refused.value.problems) == 13
        assert db_session.query(Indicator).count() == before
        assert _imported(db_session, "IKU-2.91") == []
    finally:
        app.config["IKU_MAX_PER_SASARAN"] = 5


def test_file_level_problems(db_session):
    assert where(iku_import.preview_import("indicator", b"\x00\x01", db_session).problems) == [
        (None, None)]
    headers = [h for h in HEADERS if h != "Satuan"] + ["Warna"]
    problems = iku_import.preview_import("indicator", xlsx(headers), db_session).problems
    assert where(problems) == [(1, "Warna"), (1, "Satuan")]
    assert "Target <tahun>" in problems[0].message
    assert [p.message for p in iku_import.preview_import(
        "indicator", xlsx(HEADERS), db_session).problems] == [
        "Berkas tidak memuat baris data di bawah baris judul."]


def test_reimport_updates_the_draft_and_keeps_what_is_empty(db_session, demo):
    draft = demo["IKU-1.2v1"]
    content = xlsx(HEADERS, row(**{
        "Kode Unit": "SETPRES", "Kode Indikator": "IKU-1.2", "Kode Sasaran": "SS1",
        "Sasaran Strategis": draft.sasaran_text, "Nama Indikator": "Persentase rekomendasi (baru)",
        "Definisi Operasional": None, "Target 2029": 90, "Target 2025": None}))
    preview = iku_import.preview_import("indicator", content, db_session)
    assert preview.problems == [] and preview.rows[0].action == "update"
    assert "Nama Indikator" in preview.rows[0].changes and "Target 2029" in preview.rows[0].changes
    assert preview.rows[0].values["Target 2025"] == "72"  # empty: the stored target stays
    result = iku_import.apply_import("indicator", content, db_session, preview.fingerprint)
    assert (result.created, result.updated) == (0, 1)
    db_session.expire_all()
    (updated,) = _imported(db_session, "IKU-1.2")
    assert updated.id == draft.id and updated.version == 1 and updated.status == "draft"
    assert updated.name == "Persentase rekomendasi (baru)"
    assert updated.definition.startswith("Rekomendasi yang ditindaklanjuti")
    assert {t.year: t.value for t in updated.targets}[2029] == 90
    assert {t.year: t.value for t in updated.targets}[2025] == 72


def test_the_draft_amendment_of_an_enacted_iku_is_the_one_updated(db_session, demo):
    content = xlsx(HEADERS, row(**{"Kode Unit": "ISTANA-BOGOR", "Kode Indikator": "IKU-4.1",
                                   "Kode Sasaran": "SS1", "Target 2029": 96}))
    result = iku_import.apply_import("indicator", content, db_session)
    assert result.updated == 1
    versions = _imported(db_session, "IKU-4.1")
    assert [v.status for v in versions] == ["ditetapkan", "draft"]
    assert versions[1].targets[-1].value == 96 and versions[0].targets[-1].value == 93


@pytest.mark.parametrize(("status", "word"), [(IndicatorStatus.DITETAPKAN, "sudah ditetapkan"),
                                              (IndicatorStatus.FINAL, "berstatus Final")])
def test_an_iku_past_draft_is_refused_with_a_clear_message(db_session, demo, status, word):
    item = demo["IKU-2.1v1"]
    item.status = status
    db_session.commit()
    content = xlsx(HEADERS, row(**{"Kode Indikator": "IKU-2.1", "Kode Sasaran": "SS1"}))
    preview = iku_import.preview_import("indicator", content, db_session)
    assert where(preview.problems) == [(2, "Kode Indikator")] and word in preview.problems[0].message
    with pytest.raises(ImportInvalidError):
        iku_import.apply_import("indicator", content, db_session)


def test_confirm_refuses_when_the_draft_changed_since_the_preview(db_session, demo):
    content = xlsx(HEADERS, row(**{"Kode Unit": "SETPRES", "Kode Indikator": "IKU-1.2",
                                   "Kode Sasaran": "SS1"}))
    preview = iku_import.preview_import("indicator", content, db_session)
    demo["IKU-1.2v1"].name = "Diubah orang lain"
    db_session.commit()
    with pytest.raises(ImportChangedError) as changed:
        iku_import.apply_import("indicator", content, db_session, preview.fingerprint)
    assert changed.value.preview.fingerprint != preview.fingerprint
    db_session.expire_all()
    assert demo["IKU-1.2v1"].name == "Diubah orang lain"


@pytest.mark.parametrize(("raw", "value"), [
    (95, Decimal("95")), ("95,5", Decimal("95.5")), ("1.234,5", Decimal("1234.5")),
    ("95%", Decimal("95")), (3.45, Decimal("3.45")), ("3.45", Decimal("3.45")),
])
def test_numbers_as_people_type_them(raw, value):
    assert iku_import.parse_number(raw) == value


@pytest.mark.parametrize("raw", ["sembilan", "3,456", True, "1e400", "NaN"])
def test_numbers_refused(raw):
    with pytest.raises(ValueError, match="paling banyak 2 desimal"):
        iku_import.parse_number(raw)
