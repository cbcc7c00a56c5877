"""Shared fixtures of the document tests (imported by test_documents_*; no tests here).

The docx helper (app.services.docx_render, app.services.document_context) is another branch's
work: `docs_env` stands in for it with a minimal sandboxed docxtpl render of a small template
showing the title, the number, the hal and the tembusan, so these tests pin down the documents
service itself. Files go to a temporary folder; PDF is off unless a test turns it on.
"""

from __future__ import annotations

import io
import sys
import types

import pytest
from docx import Document as new_docx
from docx.shared import Cm
from docxtpl import DocxTemplate, InlineImage
from jinja2 import TemplateError
from jinja2.sandbox import SandboxedEnvironment

from app.models.cycles import WorkItem
from app.services import cycles
from tests.services.test_cycles_support import SCHEDULE, T0, Runner, wib  # noqa: F401

KNOWN = {"title", "number", "hal", "tembusan", "cycle", "verifikasi_url", "qr"}


class TemplateRenderError(ValueError):
    pass


def stub_template(*lines: str) -> bytes:
    document = new_docx()
    for line in lines or ("{{ title }}", "Nomor: {{ number }}", "Hal: {{ hal }}",
                          "Siklus: {{ cycle }}", "Tembusan: {{ tembusan }}", "{{ qr }}",
                          "{{ verifikasi_url }}"):
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def stub_render(template_bytes: bytes, context: dict,
                images: dict[str, bytes] | None = None) -> bytes:
    """The agreed signature: `images` become InlineImages under their keys (the QR code)."""
    try:
        template = DocxTemplate(io.BytesIO(template_bytes))
        if images:
            context = {**context, **{key: InlineImage(template, io.BytesIO(data), width=Cm(2.5))
                                     for key, data in images.items()}}
        template.render(context, jinja_env=SandboxedEnvironment(autoescape=True), autoescape=True)
    except TemplateError as exc:
        raise TemplateRenderError(f"Templat tidak dapat diisi: {exc}") from exc
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()


def stub_validate(doc_code: str, template_bytes: bytes) -> list[str]:
    try:
        template = DocxTemplate(io.BytesIO(template_bytes))
        unknown = template.get_undeclared_template_variables(SandboxedEnvironment()) - KNOWN
        if unknown:
            return [f"Variabel tidak dikenal: {', '.join(sorted(unknown))}"]
        stub_render(template_bytes, {k: "x" for k in KNOWN})
    except (TemplateError, ValueError) as exc:
        return [f"Templat gagal diuji: {exc}"]
    return []


def stub_context(session, doc_code, item_id, *, number, fields):
    item = session.get(WorkItem, item_id)
    return {"title": f"Judul {doc_code}", "number": number or "", "cycle": item.cycle.code,
            "hal": fields.get("hal", ""), "tembusan": fields.get("tembusan", ""),
            "verifikasi_url": fields.get("verifikasi_url", "")}


def stub_finalised(doc_code, values, *, number, day, fields):
    return {**values, "number": number or "", "verifikasi_url": fields.get("verifikasi_url", "")}


def install_stubs(monkeypatch) -> None:
    render = types.ModuleType("app.services.docx_render")
    render.TemplateRenderError = TemplateRenderError
    render.render = stub_render
    render.validate_template = stub_validate
    shipped = stub_template()
    render.default_template = lambda code: shipped
    context = types.ModuleType("app.services.document_context")
    context.build_context = stub_context
    context.finalised = stub_finalised
    context.editable_fields = lambda code: [("hal", "Hal"), ("tembusan", "Tembusan")]
    monkeypatch.setitem(sys.modules, "app.services.docx_render", render)
    monkeypatch.setitem(sys.modules, "app.services.document_context", context)


@pytest.fixture(name="docs_env")
def docs_env_fixture(app, monkeypatch, tmp_path):
    install_stubs(monkeypatch)
    monkeypatch.setitem(app.config, "IKU_DOCUMENTS_DIR", str(tmp_path / "documents"))
    monkeypatch.setitem(app.config, "IKU_SOFFICE", "off")
    return tmp_path / "documents"


@pytest.fixture(name="at_2a")
def at_2a_fixture(db_session, bureau, docs_env):
    """A cycle whose step 1 is done and 2a.1 assigned: 2a.2 (staff drafts the memorandum
    memo_usulan_tim) is open for c_staf1. Returns the Runner."""
    cycle = cycles.start_cycle(db_session, bureau["c_karo"], standard_code="iku", code="IKU-D",
                               period="2027", reason="periodic", now=T0, schedule=SCHEDULE)
    run = Runner(db_session, cycle.id, bureau)
    run.finish("s01", wib(4, 9))
    run.do("complete", "s02.a.1", wib(4, 9, 30))
    return run


def docx_text(data: bytes) -> str:
    """What a reader sees in a DOCX: its paragraphs and table cells."""
    document = new_docx(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)
