"""Every naskah dinas rendered from real data: a cycle of the standard, the demo IKU, the bureau.

Each document is opened with python-docx and read as its reader would: the number, the date in
Indonesian, the addressees (the units of the right Bagian, officials by position), Hal, the
team, the IKU matrix of the cycle's year, the signature block (office, name, NIP), the
tembusan; user text stays literal.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app.models.cycles import WorkItem
from app.models.org import OrgUnit, Pelaksana
from app.services import cycles, document_spec
from app.services.document_context import (
    DocumentFieldError,
    build_context,
    editable_fields,
    sample_context,
)
from app.services.document_parts import tanggal
from app.services.docx_render import default_template, render
from app.services.iku_demo import load_demo_iku
from tests.services.docx_support import lines, table_rows, text
from tests.services.test_cycles_support import (  # noqa: F401
    SCHEDULE,
    T0,
    Runner,
    bureau_fixture,
)

AK1 = ["Sekretariat Presiden", "Sekretariat Wakil Presiden", "Sekretariat Militer Presiden",
       "Istana Kepresidenan Bogor", "Istana Kepresidenan Yogyakarta",
       "Istana Kepresidenan Cipanas", "Istana Kepresidenan Tampaksiring Bali"]
AK2 = ["Sekretariat Kementerian", "Deputi Bidang Hukum dan Perundang-undangan",
       "Deputi Bidang Hubungan Kelembagaan dan Kemasyarakatan",
       "Deputi Bidang Administrasi Aparatur", "Sekretariat Dewan Pertimbangan Presiden",
       "Sekretariat Kantor Staf Presiden"]
KARO_TITLE = "Kepala Biro Organisasi, Tata Laksana, dan Akuntabilitas Kinerja"
DAY = {"tanggal": "01-12-2026"}


@pytest.fixture
def run(db_session, bureau) -> Runner:
    load_demo_iku()
    cycle = cycles.start_cycle(db_session, bureau["c_karo"], standard_code="iku",
                               code="IKU-2027", period="2027", reason="periodic", now=T0,
                               schedule=SCHEDULE)
    return Runner(db_session, cycle.id, bureau)


def person(session, username: str) -> Pelaksana:
    from app.models.org import IkuUser

    user = session.scalars(select(IkuUser).filter_by(username=username)).one()
    return session.get(Pelaksana, user.pelaksana_id)


def generate(run: Runner, code: str, item: str | None, number: str | None = None, **fields):
    item_id = run.item(item).id if item else None
    context = build_context(run.session, code, item_id, number=number, fields={**DAY, **fields})
    return context, render(default_template(code), context)


def producer(run: Runner, code: str) -> str | None:
    """The item the standard's data says produces the document (its `documents`)."""
    found = run.session.scalars(select(WorkItem).where(
        WorkItem.cycle_id == run.cycle_id).order_by(WorkItem.position)).all()
    return next((i.code for i in found if code in (i.documents or [])), None)


def plain(value) -> bool:
    if isinstance(value, dict):
        return all(isinstance(k, str) and plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(plain(v) for v in value)
    return isinstance(value, str | int)


@pytest.mark.parametrize("code", document_spec.document_codes())
def test_every_document_renders_from_the_data(run, code):
    item = producer(run, code)
    assert item is not None or code in ("teguran_tertulis", "laporan_evaluasi")
    extra = {"pelaksana_id": str(person(run.session, "c_staf1").id)} if item is None else {}
    decree = document_spec.body_kind(code) in ("keputusan", "peraturan")
    context, data = generate(run, code, item, number="7 Tahun 2026" if decree
                             else "7/D-III/KKA/12/2026", **extra)
    assert plain(context)
    assert set(context) | {"qr"} == set(document_spec.allowed_variables(code))
    body = text(data)
    assert "1 Desember 2026" in body
    assert ("NOMOR 7 TAHUN 2026" in body if decree else "7/D-III/KKA/12/2026" in body)
    assert context["penandatangan"]["jabatan"] and context["penandatangan"]["nama"] in body
    assert "{{" not in body and "{%" not in body


def test_memo_on_drafting_iku_of_bagian_ak1_goes_to_the_units_of_ak1(run):
    context, data = generate(run, "memo_penyusunan_iku", "s03.g@AK1",
                             number="15/D-III/KKA/12/2026")
    body = lines(data)
    assert "MEMORANDUM" in body and "NOMOR 15/D-III/KKA/12/2026" in body
    yth = next(line for line in body if line.startswith("Yth. | : |"))
    assert yth == "Yth. | : | " + " / ".join(
        f"{i}. Pimpinan {name}" for i, name in enumerate(AK1, start=1))
    assert not any(name in yth for name in AK2)
    assert "Dari | : | Deputi Bidang Administrasi Aparatur" in body
    assert "Hal | : | Penyusunan Indikator Kinerja Utama Periode 2027" in body
    assert "Tanggal | : | 1 Desember 2026" in body
    assert body[body.index("Tembusan:") + 1] == f"1. {KARO_TITLE}"
    # the step itself (both Bagian) addresses every unit of the cycle
    context, _ = generate(run, "memo_penyusunan_iku", "s03")
    assert context["yth"] == [f"Pimpinan {name}" for name in AK1 + AK2]


def test_an_outside_official_signs_with_the_name_recorded_for_that_office(run):
    deputi = run.session.scalars(select(OrgUnit).filter_by(code="DEP-AA")).one()
    deputi.head_name, deputi.head_title = "Dr. Purnomo Sidi", "Deputi AA"  # found by the unit's name
    run.session.flush()
    _context, data = generate(run, "memo_usulan_tim", "s02.a")
    signature = next(line for line in lines(data) if "Deputi Bidang Administrasi Aparatur," in line)
    assert "Dr. Purnomo Sidi" in signature and "NIP" not in signature
    _context, data = generate(run, "memo_deputi_menteri", "s08")
    assert "Yth. | : | Menteri Sekretaris Negara" in lines(data)


def test_the_kepala_biro_signs_with_name_and_nip(run):
    karo = person(run.session, "c_karo")
    _context, data = generate(run, "memo_pencetakan", "s14")
    body = lines(data)
    assert "Yth. | : | Kepala Biro Umum, Sekretariat Kementerian" in body
    signature = next(line for line in body if line.startswith(f" | {KARO_TITLE},"))
    assert f"{karo.name} / NIP {karo.nip}" in signature


def test_the_team_decree_lists_the_team_and_its_dictums(run):
    context, data = generate(run, "rancangan_kepmen_tim", "s02.b")
    body = text(data)
    assert body.startswith("RANCANGAN\nKEPUTUSAN MENTERI SEKRETARIS NEGARA REPUBLIK INDONESIA\n"
                           "NOMOR … TAHUN 2026\nTENTANG\nPEMBENTUKAN TIM PENYUSUN")
    assert "Menimbang | : | a. | bahwa dalam rangka" in body
    assert "Mengingat | : | 1. | Peraturan Presiden Nomor 29 Tahun 2014" in body
    assert "MEMUTUSKAN:" in body and "KESATU | : | Membentuk Tim Penyusun" in body
    assert "KEEMPAT | : | Keputusan Menteri ini mulai berlaku" in body
    team = table_rows(data, "No")
    assert team[0][1:] == ["Deputi Bidang Administrasi Aparatur",
                           "Deputi Bidang Administrasi Aparatur", "Pengarah"]
    assert team[1][1:] == [person(run.session, "c_karo").name, KARO_TITLE, "Ketua"]
    assert team[2][1:] == [person(run.session, "c_kabag1").name,
                           "Kepala Bagian Akuntabilitas Kinerja I", "Sekretaris"]
    assert [row[1] for row in team[4:]] == [f"Wakil {name}" for name in AK1 + AK2]
    assert len(context["tim"]) == 4 + 13


def test_the_salinan_is_certified_by_the_kepala_biro(run):
    karo = person(run.session, "c_karo")
    _context, data = generate(run, "salinan_kepmen_tim", "s02.c", number="12 Tahun 2027")
    body = lines(data)
    assert body[0] == "SALINAN" and "NOMOR 12 TAHUN 2027" in body
    at = body.index("Salinan sesuai dengan aslinya")
    assert body[at + 1: at + 6] == [f"{KARO_TITLE},", "", "", karo.name, f"NIP {karo.nip}"]
    assert any("ttd." in line and "MENTERI SEKRETARIS NEGARA REPUBLIK INDONESIA," in line
               for line in body)


def test_the_draft_regulation_carries_the_iku_matrix_of_the_cycle_year(run):
    _context, data = generate(run, "rancangan_permen_iku", "s04", number="3 Tahun 2027",
                              penandatangan_nama="Prof. Dr. Pratikno")
    body = text(data)
    assert "RANCANGAN\nPERATURAN MENTERI SEKRETARIS NEGARA REPUBLIK INDONESIA\nNOMOR 3 TAHUN 2027" in body
    assert "Pasal 1\nIndikator Kinerja Utama Kementerian Sekretariat Negara" in body
    assert "Prof. Dr. Pratikno" in body
    rows = table_rows(data, "No")
    groups = [row[0] for row in rows if len(set(row)) == 1]
    assert groups[:2] == ["I. KEMENTERIAN SEKRETARIAT NEGARA", "II. SEKRETARIAT PRESIDEN"]
    sakip = next(row for row in rows if row[2] == "Nilai SAKIP Kementerian Sekretariat Negara")
    assert sakip[0] == "2" and sakip[4:] == [
        "nilai", "83", "Biro Organisasi, Tata Laksana, dan Akuntabilitas Kinerja",
        "LHE SAKIP Kementerian PANRB"]
    assert sakip[1] == "Terwujudnya tata kelola Kementerian yang akuntabel"
    assert "Formula: Nilai evaluasi SAKIP" in sakip[3]
    # the newest version of an amended IKU, not the one it amends
    bogor = [row for row in rows if "cagar budaya" in row[2]]
    assert [row[2] for row in bogor] == [
        "Persentase benda cagar budaya dan koleksi istana yang terpelihara baik"]
    assert bogor[0][5] == "91"


def test_a_multi_year_period_lists_a_target_per_year(db_session, bureau):
    load_demo_iku()
    cycle = cycles.start_cycle(db_session, bureau["c_karo"], standard_code="iku",
                               code="IKU-2025", period="2025-2029", reason="periodic", now=T0,
                               schedule=SCHEDULE)
    run = Runner(db_session, cycle.id, bureau)
    context, _ = generate(run, "rancangan_permen_iku", "s04")
    sakip = next(r for r in context["lampiran"] if r["iku"].startswith("Nilai SAKIP"))
    assert sakip["target"] == "2025: 81\n2026: 82\n2027: 83\n2028: 84\n2029: 85"
    assert context["lampiran_judul"].endswith("Periode 2025-2029")


def test_letters_to_the_units_and_to_kemenpanrb(run):
    _context, data = generate(run, "surat_penyusunan_iku", "s03", number="B-20/D-III/KKA/12/2026")
    body = lines(data)
    assert "Jakarta, 1 Desember 2026" in body and "Nomor | : | B-20/D-III/KKA/12/2026" in body
    assert "Sifat | : | Segera" in body and "Lampiran | : | 1 (satu) berkas" in body
    at = body.index("Yth.")
    assert body[at + 1: at + 14] == [f"Pimpinan {name}" for name in AK1 + AK2]
    assert body[at + 14] == "di Jakarta"
    _context, data = generate(run, "surat_kemenpanrb", "s13")
    body = lines(data)
    at = body.index("Yth.")
    assert body[at + 1] == ("Deputi Kementerian Pendayagunaan Aparatur Negara dan Reformasi "
                            "Birokrasi")
    assert body[body.index("Tembusan:") + 1: body.index("Tembusan:") + 3] == [
        "1. Menteri Sekretaris Negara", f"2. {KARO_TITLE}"]


def test_free_text_overrides_the_defaults_and_stays_literal(run):
    hal = "Rapat <penting> & {{ 7*7 }}"
    _context, data = generate(
        run, "memo_distribusi_salinan_kepmen", "s02.c", hal=hal,
        paragraf="Paragraf <satu> & {% if true %}ya{% endif %}\n\nParagraf dua",
        tembusan=["Inspektur <Utama>", ""], sifat="Sangat Segera", yth="")
    body = lines(data)
    assert f"Hal | : | {hal}" in body and "Sifat | : | Sangat Segera" in body
    assert "Paragraf <satu> & {% if true %}ya{% endif %}" in body and "Paragraf dua" in body
    after = body[body.index("Tembusan:") + 1:]
    assert after[0] == "1. Inspektur <Utama>" and not any(line.startswith("2.") for line in after)
    assert "Yth. | : | Para Anggota Tim Penyusun IKU" in body  # blank keeps the default
    assert "49" not in "\n".join(body)


def test_a_written_reprimand_is_signed_by_the_direct_superior(run):
    staf, boss = person(run.session, "c_staf1"), person(run.session, "c_ppk1")
    _context, data = generate(run, "teguran_tertulis", None, number="3/D-III/KKA/12/2026",
                              pelaksana_id=staf.id, pelanggaran="Terlambat 3 hari pada langkah 3.")
    body = lines(data)
    assert "TEGURAN TERTULIS" in body and "NOMOR 3/D-III/KKA/12/2026" in body
    assert f"Nama | : | {boss.name}" in body and f"NIP | : | {boss.nip}" in body
    assert f"Nama | : | {staf.name}" in body and f"NIP | : | {staf.nip}" in body
    assert "Unit kerja | : | Subbagian Perencanaan dan Pelaporan Kinerja I" in body
    assert "karena: Terlambat 3 hari pada langkah 3." in body
    assert any("Kepala Subbagian Perencanaan dan Pelaporan Kinerja I," in line for line in body)


def test_an_evaluation_report_rates_the_pelaksana_and_counts_the_work(run):
    run.do("complete", "s01.a", T0 + dt.timedelta(minutes=5))
    karo = person(run.session, "c_karo")
    context, data = generate(run, "laporan_evaluasi", None, pelaksana_id=karo.id, tahun="2027",
                             hasil_kerja="di atas ekspektasi", perilaku_kerja="di atas ekspektasi")
    body = lines(data)
    assert "PERIODE 2027" in body and f"NIP | : | {karo.nip}" in body
    assert "Predikat | : | Sangat Baik" in body
    assert "Pekerjaan selesai: 1 (tepat waktu 1, terlambat 0)." in body
    for results, behaviour, predikat in [("sesuai", "sesuai", "Baik"),
                                         ("di bawah ekspektasi", "sesuai", "Butuh Perbaikan"),
                                         ("di atas", "di bawah", "Kurang"),
                                         ("di bawah", "di bawah", "Sangat Kurang")]:
        context = build_context(run.session, "laporan_evaluasi", None, number=None, fields={
            "pelaksana_id": karo.id, "hasil_kerja": results, "perilaku_kerja": behaviour})
        assert context["predikat"] == predikat, (results, behaviour)


def test_editable_fields_are_the_free_text_parts_in_indonesian():
    memo = dict(editable_fields("memo_penyusunan_iku"))
    assert {"hal", "paragraf", "tembusan", "sifat", "lampiran", "yth", "tanggal"} <= set(memo)
    assert memo["paragraf"] == "Isi (satu paragraf per baris)"
    decree = dict(editable_fields("rancangan_kepmen_tim"))
    assert {"tentang", "menimbang", "mengingat", "diktum", "tembusan"} <= set(decree)
    assert "hal" not in decree


@pytest.mark.parametrize("code", document_spec.document_codes())
def test_the_sample_context_has_every_variable_of_its_document(code):
    context = sample_context(code)
    assert set(context) | {"qr"} == set(document_spec.allowed_variables(code))
    assert plain(context)


def test_dates_read_in_indonesian_and_bad_input_is_refused(run):
    assert tanggal(dt.date(2026, 12, 1)) == "1 Desember 2026"
    assert tanggal(dt.datetime(2026, 12, 31, 18, 0)) == "1 Januari 2027"  # 01:00 WIB
    context, _ = generate(run, "memo_pencetakan", "s14", tanggal="")
    assert context["tanggal"] == tanggal(dt.datetime.now(dt.UTC))
    with pytest.raises(DocumentFieldError, match="Tanggal '31-02-2026' tidak dikenali"):
        generate(run, "memo_pencetakan", "s14", tanggal="31-02-2026")
    with pytest.raises(DocumentFieldError, match="tidak ditemukan"):
        build_context(run.session, "memo_pencetakan", 10**9, number=None, fields={})
