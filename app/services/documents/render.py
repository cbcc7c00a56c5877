"""Rendering a document: the active template, the docx helper's sandboxed render, the QR code.

The template engine itself (docxtpl in a Jinja SandboxedEnvironment, user text escaped) and the
values of each document type are app.services.docx_render and app.services.document_context;
this module only picks the template version, calls them, and places the verification QR code:
through render()'s `images` argument (the template puts `{{ qr }}` where it wants it) when the
helper accepts one, else appended at the end of the document with python-docx.
"""

from __future__ import annotations

import datetime as dt
import inspect
import io
import json
from collections import OrderedDict
from importlib import import_module

import segno
from docx import Document as open_docx
from docx.shared import Cm
from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models.documents import DocumentTemplate
from app.services.documents.errors import DocumentRenderError

_TEMPLATES: OrderedDict[str, bytes] = OrderedDict()  # template sha256 -> its bytes


def _helper(name: str):
    """The template engine or the values module, imported when used (tests stand in for them
    here); should one be missing from an installation, generation is refused in words."""
    try:
        return import_module(f"app.services.{name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"app.services.{name}":
            raise
        raise DocumentRenderError(
            "Pembuatan dokumen belum tersedia: modul templat belum terpasang.") from exc


def docx_render():
    return _helper("docx_render")


def document_context():
    return _helper("document_context")


def active_template(session: Session, code: str) -> tuple[bytes, int | None]:
    """The newest active uploaded version of a template, else the one shipped with the app."""
    row = session.execute(
        select(DocumentTemplate.id, DocumentTemplate.sha256)
        .where(DocumentTemplate.code == code, DocumentTemplate.active.is_(True))
        .order_by(DocumentTemplate.version.desc()).limit(1)).first()
    if row is not None:
        data = _TEMPLATES.get(row.sha256)
        if data is None:  # a version's bytes never change (their hash is the key)
            data = session.scalar(select(DocumentTemplate.data)
                                  .where(DocumentTemplate.id == row.id))
            _TEMPLATES[row.sha256] = data
            while len(_TEMPLATES) > 64:
                _TEMPLATES.popitem(last=False)
        return data, row.id
    try:
        return docx_render().default_template(code), None
    except (OSError, KeyError) as exc:
        raise DocumentRenderError(f"Templat dokumen {code} belum tersedia.") from exc


def build_context(session: Session, code: str, item_id: int | None, number: str | None,
                  fields: dict) -> dict:
    try:
        context = document_context().build_context(session, code, item_id, number=number,
                                                   fields=dict(fields or {}))
    except (KeyError, LookupError) as exc:
        raise DocumentRenderError(f"Nilai dokumen {code} tidak dapat disusun: {exc}") from exc
    return plain(context)


def finalised_context(code: str, values: dict, number: str | None, day: dt.date,
                      fields: dict) -> dict:
    """The draft's values numbered, dated and given their verification address."""
    return plain(document_context().finalised(code, dict(values), number=number, day=day,
                                              fields=dict(fields or {})))


def editable_fields(code: str) -> list[tuple[str, str]]:
    return list(document_context().editable_fields(code))


def plain(value):
    """JSON-safe copy (dates as ISO text): what the version's `context` column keeps."""
    return json.loads(json.dumps(value, default=_default))


def _default(value):
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def render(template: bytes, context: dict, qr_png: bytes | None = None,
           stamp_lines: list[str] | None = None) -> bytes:
    """The DOCX of `context`; with a QR code when given (see the module's docstring)."""
    helper = docx_render()
    with_images = qr_png is not None and _accepts_images(helper.render)
    try:
        if with_images:
            data = helper.render(template, context, images={"qr": qr_png})
        else:
            data = helper.render(template, context)
    except ValueError as exc:  # TemplateRenderError, worded by the helper
        raise DocumentRenderError(str(exc)) from exc
    if qr_png is not None and not with_images:
        data = stamp(data, stamp_lines or [], qr_png)
    return data


def _accepts_images(function) -> bool:
    try:
        return "images" in inspect.signature(function).parameters
    except (TypeError, ValueError):
        return False


def verify_url(token: str) -> str:
    base = (current_app.config.get("IKU_PUBLIC_BASE_URL") or "").rstrip("/")
    return f"{base}/verifikasi/{token}"


def qr_png(url: str) -> bytes:
    """The verification QR code. The mask is fixed: any of the eight is a valid code, and
    scoring all eight to pick the best (segno's default) took most of a finalisation's time
    outside the render itself, for a code that always encodes a URL of the same shape."""
    buffer = io.BytesIO()
    segno.make(url, error="m", mask=0, boost_error=False).save(
        buffer, kind="png", scale=4, border=2, compresslevel=1)
    return buffer.getvalue()


def stamp(docx: bytes, lines: list[str], png: bytes) -> bytes:
    """Append the verification block (text lines, then the QR code) at the end of a DOCX."""
    document = open_docx(io.BytesIO(docx))
    for line in lines:
        document.add_paragraph(line)
    document.add_picture(io.BytesIO(png), width=Cm(2.5))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
