"""Rendering naskah dinas templates: sandboxed, plain data, escaped; and what an upload must pass.

Templates are content an admin uploads: a template that reaches for Python internals is refused
at upload and renders nothing; the rest of the checks (not a DOCX, too large, syntax, unknown
variables, failing test render) each come with an Indonesian reason that names the problem.
"""

from __future__ import annotations

import importlib.util
import io
import zipfile

import pytest
import yaml
from docx import Document
from docxtpl import DocxTemplate
from flask import current_app
from jinja2.sandbox import SecurityError

from app.services import document_spec, docx_jinja, docx_render
from app.services.document_context import sample_context, sample_images
from app.services.docx_render import TemplateRenderError, render, validate_template
from app.services.standards import STANDARDS_DIR
from tests.services.docx_support import docx_with, text

CODES = document_spec.document_codes()
SUBCLASSES = "{{ ''.__class__.__mro__[1].__subclasses__() }}"
FOR_SUBCLASSES = "{% for x in ().__class__.__base__.__subclasses__() %}{{ x }}{% endfor %}"


def _memo(context_changes: dict | None = None) -> bytes:
    context = {**sample_context("memo_penyusunan_iku"), **(context_changes or {})}
    return render(docx_render.default_template("memo_penyusunan_iku"), context)


@pytest.mark.parametrize("code", CODES)
def test_every_shipped_template_passes_its_own_upload_checks(code):
    assert validate_template(code, docx_render.default_template(code)) == []


def test_a_template_for_every_document_of_the_standard_with_the_same_kind():
    standard = yaml.safe_load((STANDARDS_DIR / "iku.yaml").read_text(encoding="utf-8"))
    for doc in standard["documents"]:
        assert document_spec.kind(doc["code"]) == doc["kind"], doc["code"]
        assert bool(document_spec.document(doc["code"]).get("draft")) == bool(doc.get("draft"))
        assert document_spec.template_path(doc["code"]).is_file()
    assert {"teguran_tertulis", "laporan_evaluasi"} <= set(CODES)


def test_the_committed_templates_are_what_the_build_script_makes():
    path = document_spec.TEMPLATES_DIR / "build_templates.py"
    loaded = importlib.util.spec_from_file_location("build_templates", path)
    module = importlib.util.module_from_spec(loaded)
    loaded.loader.exec_module(module)
    titles = {d["code"]: d["title"] for d in yaml.safe_load(
        (STANDARDS_DIR / "iku.yaml").read_text(encoding="utf-8"))["documents"]}
    for code in ("memo_penyusunan_iku", "rancangan_permen_iku", "salinan_kepmen_tim"):
        doc = document_spec.document(code)
        source = document_spec.source(code)
        built = module.build(code, doc["kind"], titles[code],
                             document_spec.kind(source) if source else None)
        assert built == docx_render.default_template(code), f"{code}: run build_templates.py"


def test_user_text_reaches_the_document_literally_never_as_markup_or_jinja():
    hal = "Anggaran < 5 & {{ 7*7 }} {% if true %}x{% endif %}"
    data = _memo({"hal": hal, "paragraf": ["Baris <w:br/> satu\nbaris dua", "{{ kop }}"]})
    body = text(data)
    assert f"Hal | : | {hal}" in body
    assert "Baris <w:br/> satu" in body and "{{ kop }}" in body
    assert "49" not in body
    # a newline in user text is a line break inside its paragraph, not a new document part
    assert "Baris <w:br/> satu / baris dua" in body.replace("\n", " / ")


def test_control_characters_of_user_text_are_dropped():
    body = text(_memo({"hal": "Hal\x00 dengan\x07 kontrol\x0c"}))
    assert "Hal dengan kontrol" in body


def test_only_plain_data_is_rendered():
    class Row:
        name = "objek"

    with pytest.raises(TemplateRenderError, match="teks, angka, daftar atau kamus"):
        _memo({"hal": Row()})
    with pytest.raises(TemplateRenderError, match="Nama data tidak sah"):
        _memo({"siklus": {"_rahasia": "x"}})


def test_the_qr_image_is_printed_on_a_final_document_and_absent_from_a_draft():
    template = docx_render.default_template("memo_penyusunan_iku")
    final = render(template, {**sample_context("memo_penyusunan_iku")}, images=sample_images())
    assert len(Document(io.BytesIO(final)).inline_shapes) == 1
    assert "Verifikasi keaslian naskah: https://contoh.go.id/verifikasi/CONTOH" in text(final)
    draft = render(template, {**sample_context("memo_penyusunan_iku"), "verifikasi_url": ""})
    assert len(Document(io.BytesIO(draft)).inline_shapes) == 0
    assert "Verifikasi" not in text(draft)


def test_the_style_sheet_is_carried_through_unchanged_and_still_readable():
    template = docx_render.default_template("memo_penyusunan_iku")
    final = render(template, {**sample_context("memo_penyusunan_iku")}, images=sample_images())
    with zipfile.ZipFile(io.BytesIO(template)) as a, zipfile.ZipFile(io.BytesIO(final)) as b:
        assert a.read("word/styles.xml") == b.read("word/styles.xml")
    rendered = Document(io.BytesIO(final))
    assert "Normal" in [style.name for style in rendered.styles]
    assert rendered.paragraphs[0].style.name


@pytest.mark.parametrize("payload", [
    SUBCLASSES, FOR_SUBCLASSES, "{{ nomor|attr('__class__') }}",
    "{{ kop['__class__'] }}", "{{ tembusan|map(attribute='__class__')|list }}",
    "{{ self._TemplateReference__context }}",
])
def test_a_template_reaching_for_python_internals_is_refused_and_never_runs(payload, monkeypatch):
    data = docx_with("{{ nomor }}", payload)
    problems = validate_template("memo_penyusunan_iku", data)
    assert problems and any("tidak diizinkan" in p or "nama terlarang" in p for p in problems)

    def never(*_args, **_kwargs):
        raise AssertionError("the template was rendered")

    monkeypatch.setattr(DocxTemplate, "render", never)
    with pytest.raises(TemplateRenderError) as refused:
        render(data, sample_context("memo_penyusunan_iku"))
    message = str(refused.value)  # names what is forbidden; shows no subclass list
    assert "<class" not in message and "object" not in message
    assert "nama terlarang" in message or "tidak diizinkan" in message


def test_the_sandbox_refuses_internals_even_without_the_upload_check():
    env = docx_jinja.ENV
    with pytest.raises(SecurityError):
        env.from_string("{{ ''.__class__.__mro__ }}").render()
    with pytest.raises(SecurityError):
        env.from_string("{{ 'a' * 10000000 }}").render()
    with pytest.raises(SecurityError):
        env.from_string("{{ 10 ** 100000 }}").render()
    with pytest.raises(SecurityError):  # immutable: no list.append on the context
        env.from_string("{{ x.append(1) }}").render(x=[])


def test_an_image_is_opaque_to_a_template():
    data = docx_with("{{ qr.tpl.docx }}")
    problems = validate_template("memo_penyusunan_iku", data)
    assert problems and "Uji render dengan data contoh gagal" in problems[0]
    with pytest.raises(TemplateRenderError, match="tidak tersedia"):
        render(data, sample_context("memo_penyusunan_iku"), images=sample_images())


def test_an_unknown_variable_is_refused_with_its_name():
    problems = validate_template("memo_penyusunan_iku", docx_with("{{ nomor }} {{ rahasia }}"))
    assert len(problems) == 1
    assert "Variabel tidak dikenal untuk naskah memo_penyusunan_iku: rahasia" in problems[0]
    # a variable of another kind of document is unknown here too
    problems = validate_template("rancangan_kepmen_tim", docx_with("{{ hal }}"))
    assert problems and "hal" in problems[0]


def test_not_a_docx_is_refused():
    assert validate_template("memo_penyusunan_iku", b"bukan dokumen") == [
        "Berkas bukan dokumen Word (DOCX)."]
    assert validate_template("memo_penyusunan_iku", b"") == ["Berkas kosong."]
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("isi.txt", "halo")
    problems = validate_template("memo_penyusunan_iku", archive.getvalue())
    assert problems and "word/document.xml" in problems[0]
    with pytest.raises(TemplateRenderError, match="bukan dokumen Word"):
        render(b"bukan dokumen", {})


def test_an_oversize_template_is_refused(monkeypatch):
    data = docx_render.default_template("memo_penyusunan_iku")
    monkeypatch.setitem(current_app.config, "IKU_TEMPLATE_MAX_BYTES", len(data) - 1)
    problems = validate_template("memo_penyusunan_iku", data)
    assert problems and problems[0].startswith("Berkas terlalu besar")
    monkeypatch.setitem(current_app.config, "IKU_TEMPLATE_MAX_BYTES", 2 * 1024 * 1024)
    assert validate_template("memo_penyusunan_iku", data + b"\0" * (2 * 1024 * 1024)) != []


@pytest.mark.parametrize(("paragraphs", "named"), [
    (["Nomor: {{ nomor }", "lain"], "Nomor:"),
    (["{% for p in paragraf %}", "{{ p }}"], "endfor"),
    (["{% ulangi p %}"], "tag tidak dikenal 'ulangi'"),
])
def test_a_jinja_syntax_error_is_refused_naming_the_problem(paragraphs, named):
    problems = validate_template("memo_penyusunan_iku", docx_with(*paragraphs))
    assert len(problems) == 1 and problems[0].startswith("Kesalahan sintaks Jinja")
    assert named in problems[0]


def test_a_failing_test_render_is_refused():
    problems = validate_template("memo_penyusunan_iku", docx_with("{{ nomor + 1 }}"))
    assert problems and problems[0].startswith("Uji render dengan data contoh gagal")


def test_an_unknown_document_is_refused():
    assert validate_template("surat_cinta", docx_with("x")) == [
        "Jenis naskah 'surat_cinta' tidak dikenal."]
    with pytest.raises(TemplateRenderError, match="tidak dikenal"):
        docx_render.default_template("surat_cinta")


def test_a_template_that_renders_too_long_is_stopped_and_refused(monkeypatch):
    """Nested loops pass every static check; the render's time limit stops them."""
    import time

    monkeypatch.setitem(current_app.config, "IKU_RENDER_SECONDS", 0.5)
    slow = docx_with("{% for i in range(100000) %}{% for j in range(100000) %}"
                     "{% endfor %}{% endfor %}{{ nomor }}")
    start = time.monotonic()
    problems = validate_template("memo_penyusunan_iku", slow)
    assert time.monotonic() - start < 5
    assert len(problems) == 1 and "terlalu lama dirender (lebih dari 0.5 detik)" in problems[0]
    with pytest.raises(TemplateRenderError, match="terlalu lama"):
        render(slow, sample_context("memo_penyusunan_iku"))
    # the alarm is gone afterwards: a normal render is untouched by it
    assert "MEMORANDUM" in text(render(docx_render.default_template("memo_penyusunan_iku"),
                                       sample_context("memo_penyusunan_iku")))
