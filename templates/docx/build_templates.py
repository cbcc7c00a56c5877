"""Build the default naskah dinas templates of templates/docx/ with python-docx.

    .venv/bin/python templates/docx/build_templates.py

Reproducible: the same script gives byte-identical files (fixed properties and zip times). The
.docx files are content: an admin replaces them by uploading new versions (validated by
app.services.docx_render.validate_template); this script only makes the shipped defaults.
Layout after the tata naskah dinas: letterhead; MEMORANDUM (Nomor, Yth., Dari, Sifat, Lampiran,
Hal, Tanggal); surat (place and date, Nomor, Sifat, Lampiran, Hal, Yth.); keputusan/peraturan
(title, Menimbang, Mengingat, MEMUTUSKAN, Menetapkan, KESATU.../Pasal, signature, lampiran);
salinan ("Salinan sesuai dengan aslinya"). Every Jinja tag is written in a run of its own.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import yaml
from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

HERE = Path(__file__).resolve().parent
STANDARD = HERE.parents[1] / "app" / "standards" / "iku.yaml"
FIXED = dt.datetime(2026, 1, 1, 0, 0, 0)
C, J, R = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.JUSTIFY, WD_ALIGN_PARAGRAPH.RIGHT


def para(box, *pieces: str, align=None, bold=False, size=None, indent=None, after=0, border=False):
    """One paragraph in a document or a cell; each piece (text or one Jinja tag) is one run."""
    first = box.paragraphs[0] if hasattr(box, "merge") and len(box.paragraphs) == 1 else None
    p = first if first is not None and not first.runs else box.add_paragraph()
    p.alignment = align
    p.paragraph_format.space_after = Pt(after)
    if indent is not None:
        p.paragraph_format.first_line_indent = Cm(indent)
    for piece in pieces:
        run = p.add_run(piece)
        run.bold = bold or None
        if size:
            run.font.size = Pt(size)
    if border:
        bdr, bottom = OxmlElement("w:pBdr"), OxmlElement("w:bottom")
        for key, value in (("val", "double"), ("sz", "6"), ("space", "1"), ("color", "000000")):
            bottom.set(qn(f"w:{key}"), value)
        bdr.append(bottom)
        p._p.get_or_add_pPr().append(bdr)
    return p


def table(box, widths: list[float], rows: int = 1, grid=False):
    t = box.add_table(rows=rows, cols=len(widths))
    t.alignment = WD_TABLE_ALIGNMENT.CENTER if grid else WD_TABLE_ALIGNMENT.LEFT
    t.autofit = False
    if grid:
        t.style = "Table Grid"
    for row in t.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Cm(width)
    return t


def fields(doc, rows: list[tuple[str, list[str]]], label=3.2):
    """Label : value rows (a value given as a list is several runs of one paragraph)."""
    t = table(doc, [label, 0.5, 16 - label - 0.5], rows=len(rows))
    for row, (name, value) in zip(t.rows, rows, strict=True):
        para(row.cells[0], name)
        para(row.cells[1], ":")
        para(row.cells[2], *value)
    return t


def loop_lines(box, var: str, item: str, *pieces: str, align=None, indent=None):
    para(box, f"{{%p for {item} in {var} %}}")
    para(box, *pieces, align=align, indent=indent)
    para(box, "{%p endfor %}")


def kop(doc):
    para(doc, "{{ kop.kementerian }}", align=C, bold=True, size=13)
    para(doc, "{{ kop.alamat }}", align=C, size=9, after=6, border=True)


def signature(doc, head: list[list[str]], tail=True, ttd=False):
    t = table(doc, [8, 8])
    cell = t.rows[0].cells[1]
    for line in head:
        para(cell, *line)
    para(cell, "ttd." if ttd else "")
    para(cell, "")
    para(cell, "{{ penandatangan.nama }}", bold=True)
    if tail:
        para(cell, "{%p if penandatangan.nip %}")
        para(cell, "NIP ", "{{ penandatangan.nip }}")
        para(cell, "{%p endif %}")


def tembusan(doc):
    para(doc, "{%p if tembusan %}")
    para(doc, "Tembusan:")
    loop_lines(doc, "tembusan", "t", "{{ loop.index }}", ". ", "{{ t }}")
    para(doc, "{%p endif %}")


def verification(doc):
    para(doc, "{%p if verifikasi_url %}")
    para(doc, "{{ qr }}")
    para(doc, "Verifikasi keaslian naskah: ", "{{ verifikasi_url }}", size=8)
    para(doc, "{%p endif %}")


def body(doc):
    loop_lines(doc, "paragraf", "p", "{{ p }}", align=J, indent=1.25)
    para(doc, "")


def memorandum(doc):
    kop(doc)
    para(doc, "MEMORANDUM", align=C, bold=True, size=12)
    para(doc, "NOMOR ", "{{ nomor }}", align=C, after=6)
    t = fields(doc, [("Yth.", []), ("Dari", ["{{ dari }}"]), ("Sifat", ["{{ sifat }}"]),
                     ("Lampiran", ["{{ lampiran }}"]), ("Hal", ["{{ hal }}"]),
                     ("Tanggal", ["{{ tanggal }}"])], label=2.2)
    cell = t.rows[0].cells[2]
    para(cell, "{%p for a in yth %}")
    para(cell, "{% if yth|length > 1 %}", "{{ loop.index }}. ", "{% endif %}", "{{ a }}")
    para(cell, "{%p endfor %}")
    para(doc, "", after=6, border=True)
    body(doc)
    signature(doc, [["{{ penandatangan.jabatan }},"]])
    tembusan(doc)
    verification(doc)


def surat(doc):
    kop(doc)
    para(doc, "{{ tempat }}", ", ", "{{ tanggal }}", align=R)
    fields(doc, [("Nomor", ["{{ nomor }}"]), ("Sifat", ["{{ sifat }}"]),
                 ("Lampiran", ["{{ lampiran }}"]), ("Hal", ["{{ hal }}"])], label=2.2)
    para(doc, "")
    para(doc, "Yth.")
    loop_lines(doc, "yth", "a", "{{ a }}")
    para(doc, "{{ alamat_tujuan }}", after=12)
    body(doc)
    signature(doc, [["{{ penandatangan.jabatan }},"]])
    tembusan(doc)
    verification(doc)


def numbered(doc, label: str, var: str, marker: str):
    t = table(doc, [3.0, 0.5, 0.8, 11.7], rows=3)
    para(t.rows[0].cells[0], f"{{%tr for x in {var} %}}")
    row = t.rows[1].cells
    para(row[0], "{% if loop.first %}", label, "{% endif %}")
    para(row[1], "{% if loop.first %}", ":", "{% endif %}")
    para(row[2], marker)
    para(row[3], "{{ x }}", align=J)
    para(t.rows[2].cells[0], "{%tr endfor %}")


def title_block(doc, salinan: bool):
    if salinan:
        para(doc, "SALINAN", bold=True)
    para(doc, "{%p if draf %}")
    para(doc, "{{ draf }}", align=C, bold=True)
    para(doc, "{%p endif %}")
    for pieces in (["{{ jenis }}"], ["NOMOR ", "{{ nomor or '…' }}", " TAHUN ", "{{ tahun }}"],
                   ["TENTANG"], ["{{ tentang|upper }}"], [""],
                   ["DENGAN RAHMAT TUHAN YANG MAHA ESA"], [""], ["{{ pejabat_penetap }},"]):
        para(doc, *pieces, align=C, bold=True)
    para(doc, "")
    numbered(doc, "Menimbang", "menimbang", "{{ 'abcdefghijklmnopqrstuvwxyz'[loop.index0] }}.")
    numbered(doc, "Mengingat", "mengingat", "{{ loop.index }}.")
    para(doc, "")
    para(doc, "MEMUTUSKAN:", align=C, bold=True)
    fields(doc, [("Menetapkan", ["{{ menetapkan }}"])], label=3.0)


def decree_signature(doc, salinan: bool):
    signature(doc, [["Ditetapkan di ", "{{ tempat }}"], ["pada tanggal ", "{{ tanggal }}"],
                    [""], ["{{ pejabat_penetap }},"]], tail=False, ttd=salinan)
    if salinan:
        para(doc, "Salinan sesuai dengan aslinya")
        para(doc, "{{ pengesah.jabatan }},")
        para(doc, "")
        para(doc, "")
        para(doc, "{{ pengesah.nama }}", bold=True)
        para(doc, "{%p if pengesah.nip %}")
        para(doc, "NIP ", "{{ pengesah.nip }}")
        para(doc, "{%p endif %}")


def lampiran_head(doc):
    t = table(doc, [9, 8] if doc.sections[-1].orientation == WD_ORIENT.PORTRAIT else [15, 10])
    cell = t.rows[0].cells[1]
    para(cell, "LAMPIRAN")
    para(cell, "{{ jenis }}")
    para(cell, "NOMOR ", "{{ nomor or '…' }}", " TAHUN ", "{{ tahun }}")
    para(cell, "TENTANG ", "{{ tentang|upper }}", after=12)


def keputusan(doc, salinan=False):
    title_block(doc, salinan)
    t = table(doc, [3.0, 0.5, 12.5], rows=3)
    para(t.rows[0].cells[0], "{%tr for d in diktum %}")
    cells = t.rows[1].cells
    para(cells[0], "{{ d.label }}", bold=True)
    para(cells[1], ":")
    para(cells[2], "{{ d.teks }}", align=J)
    para(t.rows[2].cells[0], "{%tr endfor %}")
    decree_signature(doc, salinan)
    tembusan(doc)
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    lampiran_head(doc)
    para(doc, "SUSUNAN KEANGGOTAAN TIM", align=C, bold=True, after=6)
    t = table(doc, [1.0, 5.5, 6.5, 3.0], rows=4, grid=True)
    for cell, text in zip(t.rows[0].cells, ["No", "Nama", "Jabatan", "Kedudukan dalam Tim"],
                          strict=True):
        para(cell, text, bold=True, align=C)
    para(t.rows[1].cells[0], "{%tr for m in tim %}")
    for cell, text in zip(t.rows[2].cells, ["{{ m.no }}", "{{ m.nama }}", "{{ m.jabatan }}",
                                            "{{ m.kedudukan }}"], strict=True):
        para(cell, text)
    para(t.rows[3].cells[0], "{%tr endfor %}")
    para(doc, "")
    decree_signature(doc, salinan)
    verification(doc)


def peraturan(doc, salinan=False):
    title_block(doc, salinan)
    para(doc, "{%p for x in pasal %}")
    para(doc, "Pasal ", "{{ x.nomor }}", align=C)
    para(doc, "{{ x.teks }}", align=J, after=6)
    para(doc, "{%p endfor %}")
    decree_signature(doc, salinan)
    tembusan(doc)
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    lampiran_head(doc)
    para(doc, "{{ lampiran_judul|upper }}", align=C, bold=True, after=6)
    heads = ["No", "Sasaran Strategis", "IKU", "Penjelasan/Formula", "Satuan", "Target",
             "Penanggung Jawab", "Sumber Data"]
    t = table(doc, [1.0, 3.6, 3.8, 5.4, 1.8, 2.2, 3.2, 3.0], rows=7, grid=True)
    for cell, text in zip(t.rows[0].cells, heads, strict=True):
        para(cell, text, bold=True, align=C, size=9)
    para(t.rows[1].cells[0], "{%tr for row in lampiran %}")
    para(t.rows[2].cells[0], "{%tr if row.kelompok %}")
    merged = t.rows[3].cells[0].merge(t.rows[3].cells[-1])
    para(merged, "{{ row.kelompok }}", bold=True, size=9)
    para(t.rows[4].cells[0], "{%tr else %}")
    keys = ["no", "sasaran", "iku", "penjelasan", "satuan", "target", "penanggung_jawab",
            "sumber_data"]
    for cell, key in zip(t.rows[5].cells, keys, strict=True):
        para(cell, f"{{{{ row.{key} }}}}", size=9)
    para(t.rows[6].cells[0], "{%tr endif %}")
    t.add_row()
    para(t.rows[7].cells[0], "{%tr endfor %}")
    para(doc, "")
    decree_signature(doc, salinan)
    verification(doc)


def teguran(doc):
    kop(doc)
    para(doc, "TEGURAN TERTULIS", align=C, bold=True, size=12)
    para(doc, "NOMOR ", "{{ nomor }}", align=C, after=12)
    para(doc, "Yang bertanda tangan di bawah ini:")
    fields(doc, [("Nama", ["{{ penandatangan.nama }}"]), ("NIP", ["{{ penandatangan.nip }}"]),
                 ("Jabatan", ["{{ penandatangan.jabatan }}"])])
    para(doc, "dengan ini memberikan teguran tertulis kepada:")
    fields(doc, [("Nama", ["{{ pegawai.nama }}"]), ("NIP", ["{{ pegawai.nip }}"]),
                 ("Jabatan", ["{{ pegawai.jabatan }}"]), ("Unit kerja", ["{{ pegawai.unit_kerja }}"])])
    para(doc, "")
    para(doc, "karena: ", "{{ pelanggaran }}", align=J, after=6)
    body(doc)
    signature(doc, [["{{ tempat }}", ", ", "{{ tanggal }}"], ["{{ penandatangan.jabatan }},"]])
    tembusan(doc)
    verification(doc)


def laporan(doc):
    kop(doc)
    para(doc, "LAPORAN EVALUASI KINERJA PELAKSANA", align=C, bold=True, size=12)
    para(doc, "PERIODE ", "{{ periode }}", align=C, bold=True)
    para(doc, "NOMOR ", "{{ nomor }}", align=C, after=12)
    para(doc, "A. Identitas Pelaksana", bold=True)
    fields(doc, [("Nama", ["{{ pegawai.nama }}"]), ("NIP", ["{{ pegawai.nip }}"]),
                 ("Jabatan", ["{{ pegawai.jabatan }}"]), ("Unit kerja", ["{{ pegawai.unit_kerja }}"])])
    para(doc, "B. Hasil Evaluasi", bold=True)
    fields(doc, [("Hasil kerja", ["{{ hasil_kerja }}"]), ("Perilaku kerja", ["{{ perilaku_kerja }}"]),
                 ("Predikat", ["{{ predikat }}"])], label=4)
    para(doc, "C. Bukti Kinerja dalam Siklus", bold=True)
    para(doc, "Pekerjaan selesai: ", "{{ kinerja.selesai }}", " (tepat waktu ",
         "{{ kinerja.tepat_waktu }}", ", terlambat ", "{{ kinerja.terlambat }}", ").")
    para(doc, "D. Kompetensi", bold=True)
    t = table(doc, [1.0, 9.0, 3.0, 3.0], rows=4, grid=True)
    for cell, text in zip(t.rows[0].cells, ["No", "Kompetensi", "Tingkat", "Tanggal penilaian"],
                          strict=True):
        para(cell, text, bold=True, align=C)
    para(t.rows[1].cells[0], "{%tr for k in kompetensi %}")
    for cell, text in zip(t.rows[2].cells, ["{{ k.kode }}", "{{ k.uraian }}", "{{ k.tingkat }}",
                                            "{{ k.tanggal }}"], strict=True):
        para(cell, text)
    para(t.rows[3].cells[0], "{%tr endfor %}")
    para(doc, "E. Catatan", bold=True)
    loop_lines(doc, "catatan", "c", "{{ c }}", align=J)
    para(doc, "")
    signature(doc, [["{{ tempat }}", ", ", "{{ tanggal }}"], ["{{ penandatangan.jabatan }},"]])
    verification(doc)


LAYOUTS = {
    "memorandum": memorandum, "surat": surat, "keputusan": keputusan, "peraturan": peraturan,
    "teguran": teguran, "laporan": laporan,
}


def new_document(title: str):
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name, style.font.size = "Arial", Pt(11)
    style.paragraph_format.space_after = Pt(0)
    for section in doc.sections:
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)
        section.left_margin, section.right_margin = Cm(2.5), Cm(2.0)
        section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)
    props = doc.core_properties
    props.title, props.author, props.last_modified_by = title, "Biro OTLAK", "Biro OTLAK"
    props.created = props.modified = FIXED
    props.revision, props.comments, props.subject = 1, "", ""
    return doc


def reproducible(data: bytes) -> bytes:
    """The same package with fixed entry times, so a rebuild changes no byte."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type, entry.external_attr = zipfile.ZIP_DEFLATED, 0o600 << 16
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()


def build(code: str, kind: str, title: str, source_kind: str | None) -> bytes:
    doc = new_document(title)
    if kind == "salinan":
        {"keputusan": keputusan, "peraturan": peraturan}[source_kind](doc, salinan=True)
    else:
        LAYOUTS[kind](doc)
    out = io.BytesIO()
    doc.save(out)
    return reproducible(out.getvalue())


def main() -> None:
    spec = yaml.safe_load((HERE / "variables.yaml").read_text(encoding="utf-8"))
    texts = yaml.safe_load((HERE / "texts.yaml").read_text(encoding="utf-8"))
    standard = yaml.safe_load(STANDARD.read_text(encoding="utf-8"))
    titles = {d["code"]: d["title"] for d in standard["documents"]}
    for code, doc in spec["documents"].items():
        original = (texts.get(code) or {}).get("sama_dengan")
        source_kind = spec["documents"][original]["kind"] if original else None
        title = titles.get(code) or doc.get("title") or code
        (HERE / f"{code}.docx").write_bytes(build(code, doc["kind"], title, source_kind))
        print(f"{code}.docx")


if __name__ == "__main__":
    main()
