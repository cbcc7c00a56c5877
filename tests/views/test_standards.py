"""The published standard is public and complete; admins see versions and loader warnings."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from app.services.standards import load_standard

IKU = Path(__file__).resolve().parents[2] / "app" / "standards" / "iku.yaml"


@pytest.fixture
def published(db_session):
    standard, _ = load_standard(db_session, IKU)
    return standard


def _text(response) -> str:
    """Page text with tags removed and whitespace collapsed, as a reader sees it."""
    body = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", html.unescape(body))


def test_public_page_needs_no_login_and_shows_the_whole_procedure(client, published):
    response = client.get("/standar/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    text = _text(response)
    doc = published.content
    assert doc["title"] in text
    labels = re.findall(r'<span class="sp-lbl">(\d+)\.</span>', page.split('id="procedure"')[1])
    printed = [s["label"] for s in doc["steps"]]
    assert [lbl for lbl in labels if lbl in printed][: len(printed)] == printed
    for step in doc["steps"]:
        assert f'id="{step["code"]}"' in page
        assert re.sub(r"\s+", " ", step["title"]) in text
    assert "Pembahasan Substansi (2 kali @ 2 hari)" in text
    assert "Pembentukan Tim (1 minggu)" in text
    for sub in doc["steps"][1]["substeps"][1]["substeps"]:
        assert re.sub(r"\s+", " ", sub["text"]) in text


def test_public_page_lists_the_units_and_every_section(client, published):
    text = _text(client.get("/standar/"))
    units = [u for b in published.content["scope"]["executors"]["bagian"] for u in b["units"]]
    assert len(units) == 13
    for unit in units:
        assert unit["name"] in text
    for heading in [
        "A. Dasar Hukum",
        "B. Latar Belakang",
        "C. Maksud dan Tujuan",
        "D. Ruang Lingkup",
        "BAGIAN KEDUA",
        "A. Kerangka Prosedur",
        "B. Uraian Prosedur",
        "C. Persyaratan",
        "D. Sarana dan Prasarana Pelayanan",
        "E. Biaya Pelayanan",
        "F. Tempat Pelayanan",
        "G. Jadwal Pelayanan",
        "H. Penanganan/Tindak Lanjut Pengaduan/Keluhan/Masukan",
        "I. Pengawasan Internal",
        "J. Jaminan Pelayanan",
        "K. Jaminan Keamanan dan Keselamatan Pelayanan",
        "L. Evaluasi Kinerja Pelaksana",
    ]:
        assert heading in text, heading
    assert "Mampu mengidentifikasi, memformulasikan, dan menganalisis" in text
    assert "Evaluasi dilakukan secara berkala minimal satu kali dalam satu tahun." in text


def test_versions_have_their_own_pages(client, published):
    code, version = published.code, published.version
    assert client.get(f"/standar/{code}/v{version}").status_code == 200
    assert client.get(f"/standar/{code}").status_code == 200
    assert client.get(f"/standar/{code}/v{version + 50}").status_code == 404
    assert client.get("/standar/tidak-ada").status_code == 404


def test_admin_sees_versions_and_loader_warnings(client, login, published):
    assert client.get("/servicestandardview/list/").status_code in (302, 401)
    login(client, "admin")
    listing = client.get("/servicestandardview/list/")
    assert listing.status_code == 200
    assert published.title in _text(listing)
    show = _text(client.get(f"/servicestandardview/show/{published.id}"))
    assert "Langkah 13 (11): waktu sub-langkah berjumlah 9 jam kerja" in show
    assert "Langkah 10 (8) tidak mempunyai standar waktu" in show


def test_versions_are_read_only(client, login, published):
    login(client, "admin")
    assert client.get("/servicestandardview/add").status_code in (403, 404)
    assert client.get(f"/servicestandardview/edit/{published.id}").status_code in (403, 404)
    assert client.post(f"/servicestandardview/delete/{published.id}").status_code in (403, 404, 405)
