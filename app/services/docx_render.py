"""Naskah dinas from DOCX templates: docxtpl in a sandboxed Jinja, on plain data, text escaped.

A template is content an admin uploads (templates/docx/<code>.docx is the default), so it is not
trusted. Three layers keep it harmless:
- before anything is rendered, the template's Jinja is parsed and refused when it reaches for a
  name starting with "_" (``{{ ''.__class__ }}``), uses the ``attr`` filter or an ``attribute=``
  path with such a name: such a template renders nothing, ever (checked once per template
  version, cached by its SHA-256);
- rendering runs in an ImmutableSandboxedEnvironment (which refuses the same at run time, and
  any call that mutates) with StrictUndefined, and with huge repetitions or powers refused;
- the context is plain data only (str, int, float, bool, None, lists and dicts of them), checked
  and copied here, with autoescape on: user text such as ``<``, ``&`` or ``{{ 7*7 }}`` reaches
  the document literally. Images (the QR code) are opaque objects a template can only print.

Every failure is a TemplateRenderError with an Indonesian message. The Jinja side (sandbox,
syntax, names) is app.services.docx_jinja.
"""

from __future__ import annotations

import hashlib
import io
import re
import signal
import threading
import zipfile
from collections import OrderedDict
from contextlib import contextmanager
from decimal import Decimal

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.package import Unmarshaller
from docx.opc.part import PartFactory
from docx.opc.pkgreader import PackageReader
from docx.package import Package
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from flask import current_app, has_app_context
from jinja2 import TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import SecurityError

from app.services import document_spec
from app.services.document_spec import DocumentUnknownError
from app.services.docx_jinja import (  # TemplateRenderError is this module's error too
    ENV,
    TemplateRenderError,
    explain,
    parse,
    syntax_message,
    unsafe,
)

DEFAULT_MAX_BYTES = 2 * 1024 * 1024
DEFAULT_RENDER_SECONDS = 10.0
MAX_UNZIPPED_BYTES = 40 * 1024 * 1024  # a zip bomb is refused before it is opened
IMAGE_WIDTH = Mm(25)
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # keeps \t and \n
_CHECKED: OrderedDict[str, list[str]] = OrderedDict()  # template sha256 -> its safety problems
_CHECKED_LOCK = threading.Lock()
_PATCHED: OrderedDict[str, str] = OrderedDict()  # template XML -> as docxtpl prepares it
_PATCHED_LOCK = threading.Lock()


class _PassThroughStyles(PartFactory):
    """python-docx parses every part it knows into an lxml tree and writes it back on save.
    Rendering never reads or changes the style sheet, and Word's style sheet is the largest part
    of a naskah dinas (350 KB in the shipped templates, a third of a render's time parsed and
    serialised again): it is carried through as the template's bytes."""

    part_type_for = {ct: cls for ct, cls in PartFactory.part_type_for.items()
                     if ct != CT.WML_STYLES}


class _Package(Package):
    @classmethod
    def open(cls, pkg_file):
        package = cls()
        Unmarshaller.unmarshal(PackageReader.from_file(pkg_file), package, _PassThroughStyles)
        return package


class _Template(DocxTemplate):
    """docxtpl's template, its tag-joining pass done once per XML source: patch_xml is a pure
    function of the XML (a dozen regular expressions over the whole body), and every render of a
    template version hands it the same text. Opened with the style sheet passed through."""

    def init_docx(self, reload: bool = True):
        if not self.docx or (self.is_rendered and reload):
            part = _Package.open(self.template_file).main_document_part
            if part.content_type != CT.WML_DOCUMENT_MAIN:
                raise ValueError("not a Word document")
            self.docx = part.document
            self.is_rendered = False

    def patch_xml(self, src_xml):
        with _PATCHED_LOCK:
            patched = _PATCHED.get(src_xml)
        if patched is None:
            patched = super().patch_xml(src_xml)
            with _PATCHED_LOCK:
                _PATCHED[src_xml] = patched
                while len(_PATCHED) > 64:
                    _PATCHED.popitem(last=False)
        return patched


class _Opaque:
    """An image in the context: printable, nothing else (every attribute of it starts with _)."""

    __slots__ = ("_image",)

    def __init__(self, image: InlineImage):
        self._image = image

    def __html__(self) -> str:
        return self._image.__html__()

    __str__ = __html__


def max_bytes() -> int:
    if has_app_context():
        return int(current_app.config.get("IKU_TEMPLATE_MAX_BYTES", DEFAULT_MAX_BYTES))
    return DEFAULT_MAX_BYTES


class _TooSlow(BaseException):
    """Raised by the render's alarm. A BaseException, so that no `except Exception` inside
    Jinja, docxtpl or lxml swallows it on its way out of the render."""


def render_seconds() -> float:
    if has_app_context():
        return float(current_app.config.get("IKU_RENDER_SECONDS", DEFAULT_RENDER_SECONDS))
    return DEFAULT_RENDER_SECONDS


@contextmanager
def _time_limit(seconds: float):
    """Stop a render that takes longer than `seconds`: nested loops over big ranges pass every
    static check and would hold a worker for hours. An interval timer (SIGALRM) interrupts pure
    Python loops; signals reach only the main thread, which is where gunicorn's sync workers
    and the CLI render. In another thread (a threaded server) the render runs unbounded here
    and gunicorn's worker timeout is what stops it."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(_signum, _frame):
        raise _TooSlow()

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def default_template(doc_code: str) -> bytes:
    """The template shipped in templates/docx/ for this document."""
    try:
        return document_spec.template_path(doc_code).read_bytes()
    except DocumentUnknownError as exc:
        raise TemplateRenderError(str(exc)) from None


# ------------------------------------------------------------------------------ reading
def _container_problems(data: bytes) -> list[str]:
    if not isinstance(data, bytes | bytearray) or not data:
        return ["Berkas kosong."]
    limit = max_bytes()
    if len(data) > limit:
        return [f"Berkas terlalu besar: {len(data) / 1048576:.1f} MB (paling besar "
                f"{limit / 1048576:.1f} MB)."]
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            unzipped = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return ["Berkas bukan dokumen Word (DOCX)."]
    if "word/document.xml" not in names or "[Content_Types].xml" not in names:
        return ["Berkas bukan dokumen Word (DOCX): isi word/document.xml tidak ada."]
    if unzipped > MAX_UNZIPPED_BYTES:
        return ["Isi berkas DOCX terlalu besar setelah dibuka."]
    return []


def _open(data: bytes) -> DocxTemplate:
    problems = _container_problems(data)
    if problems:
        raise TemplateRenderError(problems[0])
    template = _Template(io.BytesIO(data))
    try:
        template.init_docx()
    except Exception:  # python-docx/lxml refuse a broken package in many ways
        raise TemplateRenderError("Berkas DOCX rusak dan tidak dapat dibuka.") from None
    return template


def _safety(data: bytes, template: DocxTemplate) -> list[str]:
    """The template's syntax and safety problems, checked once per template version."""
    digest = hashlib.sha256(data).hexdigest()
    with _CHECKED_LOCK:
        known = _CHECKED.get(digest)
    if known is not None:
        return known
    try:
        problems = unsafe(parse(template))
    except TemplateRenderError as exc:
        problems = [str(exc)]
    with _CHECKED_LOCK:
        _CHECKED[digest] = problems
        while len(_CHECKED) > 256:
            _CHECKED.popitem(last=False)
    return problems


# ------------------------------------------------------------------------------ context
def _plain(value, where: str = "konteks"):
    """A checked copy of the context: plain data only, text without control characters."""
    if isinstance(value, str):
        return CONTROL_CHARS.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(item, where) for item in value]
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str) or key.startswith("_"):
                raise TemplateRenderError(f"Nama data tidak sah dalam {where}: {key!r}.")
            out[key] = _plain(item, f"{where}.{key}")
        return out
    raise TemplateRenderError(
        f"Data naskah harus berupa teks, angka, daftar atau kamus; {where} berisi "
        f"{type(value).__name__}.")


def render(template_bytes: bytes, context: dict, images: dict[str, bytes] | None = None) -> bytes:
    """The document rendered from the template with this plain-data context, as DOCX bytes.
    `images` ({"qr": png bytes}) become images the template prints with {{ qr }}; an image
    named in the spec but not given is empty text, so {% if qr %} works on drafts."""
    template = _open(template_bytes)
    problems = _safety(bytes(template_bytes), template)
    if problems:
        raise TemplateRenderError(" ".join(problems))
    data = _plain(dict(context or {}))
    for name in document_spec.image_names():
        data.setdefault(name, "")
    for name, blob in (images or {}).items():
        if not isinstance(blob, bytes | bytearray):
            raise TemplateRenderError(f"Gambar {name} harus berupa berkas gambar.")
        data[name] = _Opaque(InlineImage(template, io.BytesIO(blob), width=IMAGE_WIDTH))
    seconds = render_seconds()
    try:
        with _time_limit(seconds):
            template.render(data, jinja_env=ENV)
            out = io.BytesIO()
            template.save(out)
    except _TooSlow:
        raise TemplateRenderError(
            f"Template terlalu lama dirender (lebih dari {seconds:g} detik) dan dihentikan; "
            "periksa perulangan di dalamnya.") from None
    except SecurityError:
        raise TemplateRenderError(
            "Template mencoba melakukan sesuatu yang tidak diizinkan dan tidak dirender.") from None
    except UndefinedError as exc:
        raise TemplateRenderError(
            f"Template memakai data yang tidak tersedia: {exc.message}.") from None
    except TemplateSyntaxError as exc:
        raise TemplateRenderError(syntax_message(exc, "")) from None
    except TemplateError as exc:
        raise TemplateRenderError(
            f"Template tidak dapat dirender: {explain(exc.message)}.") from None
    except TemplateRenderError:
        raise
    except Exception as exc:  # noqa: BLE001 - a broken template fails in lxml, docx, zipfile...
        raise TemplateRenderError(
            f"Template tidak dapat dirender ({type(exc).__name__}).") from None
    return out.getvalue()


# ------------------------------------------------------------------------------ upload
def validate_template(doc_code: str, template_bytes: bytes) -> list[str]:
    """Why an uploaded template must be refused for this document (empty list: acceptable):
    not a DOCX, too large, a Jinja syntax error, a forbidden name, a variable the document does
    not have, or a failed test render on sample data. Nothing of the upload is executed before
    its syntax and names are checked."""
    from app.services.document_context import sample_context, sample_images

    try:
        allowed = set(document_spec.allowed_variables(doc_code))
    except DocumentUnknownError as exc:
        return [str(exc)]
    problems = _container_problems(template_bytes)
    if problems:
        return problems
    try:
        template = _open(template_bytes)
        trees = parse(template)
    except TemplateRenderError as exc:
        return [str(exc)]
    problems = unsafe(trees)
    used = set().union(*(names for _tree, names in trees))
    unknown = sorted(used - allowed - set(ENV.globals))
    if unknown:
        problems.append(
            f"Variabel tidak dikenal untuk naskah {doc_code}: {', '.join(unknown)}. "
            f"Variabel yang tersedia: {', '.join(sorted(allowed))}.")
    if problems:
        return problems
    try:
        render(template_bytes, sample_context(doc_code), images=sample_images())
    except TemplateRenderError as exc:
        return [f"Uji render dengan data contoh gagal: {exc}"]
    return []
