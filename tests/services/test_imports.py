"""XLSX and CSV import: every problem at once by row and column, and all rows saved or none."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import Workbook, load_workbook

from app.models.org import OrgUnit, OrgUnitAssignment, Pelaksana
from app.services import audit, imports

PELAKSANA_HEADERS = ["Nama", "NIP", "Jabatan", "Bagian", "Email", "Aktif"]
UNIT_HEADERS = ["Kode", "Nama", "Jenis", "Bagian", "Nama Pimpinan", "Jabatan Pimpinan",
                "Email Pimpinan", "Aktif"]  # fmt: skip
NIP_A, NIP_B, NIP_C = "198503152010122001", "199001012015031002", "197712312000121001"


def xlsx(*rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_bytes(*rows, separator: str = ",", bom: bool = False, encoding: str = "utf-8") -> bytes:
    """A CSV file as Excel writes it: CRLF line ends, cells quoted where they must be."""
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=separator, lineterminator="\r\n").writerows(
        ["" if cell is None else cell for cell in row] for row in rows)
    return ("\ufeff" if bom else "").encode("utf-8") + out.getvalue().encode(encoding)


def where(problems) -> set[tuple]:
    return {(p.row, p.column) for p in problems}


def count(session, model) -> int:
    return session.query(model).count()


def test_templates_have_the_headers_an_example_and_instructions(db_session):
    for kind, headers in (("pelaksana", PELAKSANA_HEADERS), ("units", UNIT_HEADERS)):
        content = imports.template_xlsx(kind)
        workbook = load_workbook(io.BytesIO(content))
        rows = list(workbook.worksheets[0].iter_rows(values_only=True))
        assert list(rows[0]) == headers and len(rows) == 2
        assert workbook.sheetnames == ["Data", "Petunjuk"]
        preview = imports.preview_import(kind, content, db_session)
        assert preview.problems == [] and [row.action for row in preview.rows] == ["create"]
    nip = load_workbook(io.BytesIO(imports.template_xlsx("pelaksana"))).active["B2"]
    assert nip.value == NIP_A and nip.data_type == "s"


def test_dry_run_lists_every_problem_by_row_and_column(db_session):
    before = count(db_session, Pelaksana)
    content = xlsx(
        PELAKSANA_HEADERS,
        [None, NIP_A, "STAF", "AK1", "a@setneg.go.id", "Ya"],  # 2: no name
        ["Budi", "12345", "STAF", "AK1", None, None],  # 3: NIP too short
        ["Citra", NIP_A, "Kepala Bagian", "AK1", None, None],  # 4: NIP repeats row 2
        ["Dedi", NIP_B, "Direktur", "Bagian X", None, None],  # 5: unknown position and section
        ["Eka", NIP_C, None, None, "eka@@setneg", "mungkin"],  # 6: email, active
        ["Fajar", int("198001012005011001"), None, None, None, None],  # 7: NIP typed as a number
    )
    preview = imports.preview_import("pelaksana", content, db_session)
    assert where(preview.problems) == {
        (2, "Nama"), (3, "NIP"), (4, "NIP"), (5, "Jabatan"), (5, "Bagian"),
        (6, "Email"), (6, "Aktif"), (7, "NIP"),
    }  # fmt: skip
    messages = {(p.row, p.column): p.message for p in preview.problems}
    assert messages[(2, "Nama")] == "Wajib diisi."
    assert messages[(3, "NIP")] == "NIP harus 18 digit angka."  # parse_nip's own message
    assert messages[(4, "NIP")] == f"NIP {NIP_A} sudah ada di baris 2."
    assert "Jabatan tidak dikenal: Direktur" in messages[(5, "Jabatan")]
    assert "email" in messages[(6, "Email")] and "Ya atau Tidak" in messages[(6, "Aktif")]
    assert "sebagai teks" in messages[(7, "NIP")]
    with pytest.raises(imports.ImportInvalidError) as exc:
        imports.apply_import("pelaksana", content, db_session)
    assert where(exc.value.problems) == where(preview.problems)
    assert count(db_session, Pelaksana) == before


def test_a_wrong_header_row_is_reported_alone(db_session):
    content = xlsx(["Name", "NIP", "Jabatan", "Jabatan"], ["X", "bad", None, None])
    problems = imports.preview_import("pelaksana", content, db_session).problems
    assert where(problems) == {(1, "Name"), (1, "Jabatan"), (1, "Nama")}
    assert all(p.row == 1 for p in problems)


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"\x00\x01\x02 binary", "tidak dapat dibaca"),
        (b"PK\x03\x04 a broken xlsx", "tidak dapat dibaca"),
        (xlsx(PELAKSANA_HEADERS), "tidak memuat baris data"),
    ],
)
def test_file_level_problems(db_session, content, fragment):
    problems = imports.preview_import("pelaksana", content, db_session).problems
    assert len(problems) == 1 and problems[0].row is None and fragment in problems[0].message


def test_size_and_row_caps(db_session, monkeypatch):
    content = xlsx(PELAKSANA_HEADERS, ["A", NIP_A], ["B", NIP_B], ["C", NIP_C])
    monkeypatch.setattr(imports, "MAX_ROWS", 2)
    assert (
        "lebih dari 2 baris" in imports.preview_import("pelaksana", content, db_session).problems[0].message
    )
    monkeypatch.setattr(imports, "MAX_BYTES", 5 * 1024 * 1024 // 10)
    assert (
        "0.5 MB"
        in imports.preview_import("pelaksana", content + b"x" * (1 << 20), db_session).problems[0].message
    )


def test_a_valid_file_is_saved_whole(db_session):
    content = xlsx(
        [" nama ", "NIP", "jabatan", "BAGIAN", "Email", "Aktif"],  # headers: any case, spaces
        ["Siti Rahma", NIP_A, "staf", "Subbagian Perencanaan dan Pelaporan Kinerja I",
         "Siti.Rahma@SETNEG.go.id", "Ya"],
        [None, None, None, None, None, None],  # blank rows are skipped
        ["Budi Santoso", NIP_B, "KABAG", "AK2", None, "Tidak"],
    )  # fmt: skip
    result = imports.apply_import("pelaksana", content, db_session)
    assert result == imports.ImportResult(created=2, updated=0)
    siti = db_session.query(Pelaksana).filter_by(nip=NIP_A).one()
    assert (siti.position.code, siti.section.code, siti.active) == ("STAF", "AK1-PPK", True)
    assert siti.email == "Siti.Rahma@setneg.go.id"  # domain normalised by email-validator
    budi = db_session.query(Pelaksana).filter_by(nip=NIP_B).one()
    assert (budi.position.code, budi.section.code, budi.active, budi.email) == ("KABAG", "AK2", False, None)


def test_one_bad_row_among_good_ones_saves_nothing(db_session):
    before = count(db_session, OrgUnit), count(db_session, OrgUnitAssignment)
    content = xlsx(
        UNIT_HEADERS,
        ["DEP-BARU", "Deputi Baru", None, "AK2", None, None, None, None],
        ["SETPRES", "Sekretariat Presiden", None, None, "Pratikno", None, "bukan-email", None],
        ["DEP-LAIN", "Deputi Lain", "satuan kerja", "AK1", None, None, None, None],
    )
    with pytest.raises(imports.ImportInvalidError) as exc:
        imports.apply_import("units", content, db_session)
    assert where(exc.value.problems) == {(3, "Email Pimpinan")}
    assert (count(db_session, OrgUnit), count(db_session, OrgUnitAssignment)) == before
    assert db_session.query(OrgUnit).filter_by(code="SETPRES").one().head_name is None


def test_an_existing_unit_code_updates_and_empty_cells_keep_values(db_session):
    setpres = db_session.query(OrgUnit).filter_by(code="SETPRES").one()
    section_id = setpres.section_id
    content = xlsx(
        UNIT_HEADERS,
        ["setpres", "Sekretariat Presiden", None, None, "Pratikno", "Sekretaris", None, None],
        ["DEP-BARU", "Deputi Baru", "Satuan Kerja", "AK2", None, None, "dep@setneg.go.id", None],
    )
    preview = imports.preview_import("units", content, db_session)
    assert [(row.row, row.action) for row in preview.rows] == [(2, "update"), (3, "create")]
    assert preview.rows[0].changes == ["Nama Pimpinan", "Jabatan Pimpinan"]
    assert imports.apply_import("units", content, db_session) == imports.ImportResult(1, 1)
    db_session.expire_all()
    setpres = db_session.query(OrgUnit).filter_by(code="SETPRES").one()
    assert (setpres.head_name, setpres.section_id, setpres.active) == ("Pratikno", section_id, True)
    new = db_session.query(OrgUnit).filter_by(code="DEP-BARU").one()
    assert (new.kind, new.section.code, new.active) == ("satuan_kerja", "AK2", True)
    assert db_session.query(OrgUnitAssignment).filter_by(org_unit_id=new.id).count() == 1


def test_units_problems_duplicate_code_kind_and_length(db_session):
    content = xlsx(
        UNIT_HEADERS,
        ["DEP-X", "Deputi X", "direktorat", None, None, None, None, None],
        ["dep-x", "N" * 201, None, None, None, None, None, None],
    )
    problems = imports.preview_import("units", content, db_session).problems
    assert where(problems) == {(2, "Jenis"), (3, "Kode"), (3, "Nama")}
    assert any("maksimal 200" in p.message for p in problems)


def test_an_existing_nip_updates_that_pelaksana(db_session):
    db_session.add(Pelaksana(name="Siti", nip=NIP_A))
    db_session.commit()
    content = xlsx(PELAKSANA_HEADERS, ["Siti Rahma", NIP_A, "KASUBBAG", None, None, None])
    assert imports.apply_import("pelaksana", content, db_session) == imports.ImportResult(0, 1)
    siti = db_session.query(Pelaksana).filter_by(nip=NIP_A).one()
    assert (siti.name, siti.position.code) == ("Siti Rahma", "KASUBBAG")


def test_unknown_kind_is_refused(db_session):
    with pytest.raises(imports.UnknownImportKindError):
        imports.preview_import("users", xlsx(["A"]), db_session)


def test_an_applied_import_is_audited(db_session):
    if not hasattr(audit, "log_event"):
        pytest.skip("app.services.audit.log_event not built yet")
    from app.models.audit import AuditEntry

    imports.apply_import("units", xlsx(UNIT_HEADERS, ["DEP-BARU", "Deputi Baru"]), db_session)
    entry = db_session.query(AuditEntry).filter_by(action="import").one()
    assert (entry.entity, entry.changes) == ("OrgUnit", {"kind": "units", "created": 1, "updated": 0})


CSV_ROWS = (
    PELAKSANA_HEADERS,
    ["Siti Rahma", NIP_A, "STAF", "Subbagian Perencanaan dan Pelaporan Kinerja I",
     "siti@setneg.go.id", "Ya"],
    ["Budi; Santoso, S.H.", NIP_B, "KABAG", "AK2", None, "Tidak"],  # separators inside a cell
)  # fmt: skip


@pytest.mark.parametrize(
    ("separator", "bom", "encoding"),
    [(",", False, "utf-8"), (";", True, "utf-8"), (";", False, "utf-8"), (",", True, "utf-8"),
     (";", False, "cp1252")],
    ids=["comma", "semicolon-bom", "semicolon", "comma-bom", "semicolon-windows"],
)
def test_a_csv_file_is_previewed_and_saved_like_an_xlsx_file(db_session, separator, bom, encoding):
    content = csv_bytes(*CSV_ROWS, separator=separator, bom=bom, encoding=encoding)
    preview = imports.preview_import("pelaksana", content, db_session)
    assert preview.problems == []
    assert [(row.row, row.action) for row in preview.rows] == [(2, "create"), (3, "create")]
    assert preview.rows[1].values["Nama"] == "Budi; Santoso, S.H."
    assert imports.apply_import("pelaksana", content, db_session) == imports.ImportResult(2, 0)
    siti = db_session.query(Pelaksana).filter_by(nip=NIP_A).one()
    assert (siti.name, siti.position.code, siti.section.code, siti.email, siti.active) == (
        "Siti Rahma", "STAF", "AK1-PPK", "siti@setneg.go.id", True)
    budi = db_session.query(Pelaksana).filter_by(nip=NIP_B).one()
    assert (budi.name, budi.active, budi.email) == ("Budi; Santoso, S.H.", False, None)


def test_a_bad_csv_row_saves_nothing_and_is_named_by_row_and_column(db_session):
    before = count(db_session, Pelaksana)
    content = csv_bytes(PELAKSANA_HEADERS, ["Siti", NIP_A], ["Budi", "1,98503E+17"],
                        separator=";", bom=True)
    with pytest.raises(imports.ImportInvalidError) as exc:
        imports.apply_import("pelaksana", content, db_session)
    assert where(exc.value.problems) == {(3, "NIP")}
    assert "format sel NIP sebagai Teks" in exc.value.problems[0].message
    assert count(db_session, Pelaksana) == before


def test_an_address_of_the_organisations_own_domain_is_imported(db_session):
    own = ["DEP-LOKAL", "Deputi Lokal", None, None, None, None, "Deputi.Lokal@IKU.local", None]
    foreign = ["DEP-ASING", "Deputi Asing", None, None, None, None, "x@lain.local", None]
    problems = imports.preview_import("units", xlsx(UNIT_HEADERS, own, foreign), db_session).problems
    assert where(problems) == {(3, "Email Pimpinan")}  # .local of another network: refused
    assert imports.apply_import("units", xlsx(UNIT_HEADERS, own), db_session) == (1, 0)
    unit = db_session.query(OrgUnit).filter_by(code="DEP-LOKAL").one()
    assert unit.head_email == "Deputi.Lokal@iku.local"
