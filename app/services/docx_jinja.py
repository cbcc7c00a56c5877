"""The Jinja side of naskah dinas templates: the sandbox they render in, and what is read from a
template before anything of it runs (its sources as docxtpl sees them, their syntax, the
variables they use, their attempts at Python internals), with Jinja's errors in Indonesian.
Used by app.services.docx_render."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict

from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, TemplateSyntaxError, meta, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

MAX_REPEAT = 100_000
COMPILED_CACHE = 64  # XML parts of templates (a document has up to ~7 parts)
PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")
_SYNTAX_WORDS = [
    (re.compile(r"unexpected end of template.*looking for the following tags: (.*?)\. The "
                r"innermost block that needs to be closed is '(\w+)'.*", re.I | re.S),
     r"blok '\2' belum ditutup (diharapkan \1)"),
    (re.compile(r"unexpected end of template.*", re.I | re.S), "naskah berakhir sebelum sebuah "
     "tag ditutup (misalnya {% for %} tanpa {% endfor %}, atau {% if %} tanpa {% endif %})"),
    (re.compile(r"Encountered unknown tag '([^']*)'.*"), r"tag tidak dikenal '\1'"),
    (re.compile(r"expected token '([^']*)', got '([^']*)'"), r"diharapkan '\1', tertulis '\2'"),
    (re.compile(r"unexpected '([^']*)'"), r"tanda '\1' tidak pada tempatnya"),
    (re.compile(r"unexpected char '([^']*)'.*"), r"karakter '\1' tidak pada tempatnya"),
    (re.compile(r"No filter named '([^']*)'"), r"filter tidak dikenal '\1'"),
    (re.compile(r"No test named '([^']*)'"), r"uji tidak dikenal '\1'"),
]


class TemplateRenderError(ValueError):
    """A template that cannot be (or must not be) rendered; the message is for the user."""


class _Sandbox(ImmutableSandboxedEnvironment):
    """The sandbox, also refusing repetitions and powers big enough to exhaust the server."""

    intercepted_binops = frozenset({"*", "**"})

    def __init__(self, **options):
        super().__init__(**options)
        self._compiled: OrderedDict[str, object] = OrderedDict()
        self._compiled_lock = threading.Lock()

    def call_binop(self, context, operator, left, right):
        if operator == "**" and isinstance(right, int | float) and abs(right) > 100:
            raise SecurityError("pangkat terlalu besar")
        if operator == "*":
            for seq, count in ((left, right), (right, left)):
                if (isinstance(seq, str | list | tuple) and isinstance(count, int)
                        and len(seq) * count > MAX_REPEAT):
                    raise SecurityError("perulangan terlalu besar")
        return super().call_binop(context, operator, left, right)

    def from_string(self, source, globals=None, template_class=None):  # noqa: A002 - Jinja's name
        """Compiled once per source. docxtpl hands every render the same XML parts of a template
        version and Jinja compiles them anew each time: a third of a document's render time.
        A compiled Template is immutable and safe to share between threads."""
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        with self._compiled_lock:
            compiled = self._compiled.get(source)
            if compiled is not None:
                self._compiled.move_to_end(source)
                return compiled
        compiled = super().from_string(source)
        with self._compiled_lock:
            self._compiled[source] = compiled
            while len(self._compiled) > COMPILED_CACHE:
                self._compiled.popitem(last=False)
        return compiled


ENV = _Sandbox(autoescape=True, undefined=StrictUndefined)


def sources(template: DocxTemplate) -> list[str]:
    """The Jinja sources docxtpl renders: body, headers, footers, footnotes, core properties,
    prepared as docxtpl prepares them (tags joined across runs, one paragraph per line)."""
    docx = template.docx
    xml = [template.patch_xml(template.get_xml())]
    for uri in (template.HEADER_URI, template.FOOTER_URI):
        for _key, part in template.get_headers_footers(uri):
            xml.append(template.patch_xml(template.get_part_xml(part)))
    for part in docx.part.package.parts:
        if part.content_type.endswith("wordprocessingml.footnotes+xml"):
            xml.append(template.patch_xml(part.blob.decode("utf-8")))
    out = [re.sub(r"<w:p([ >])", r"\n<w:p\1", text) for text in xml]
    return out + [getattr(docx.core_properties, name) or "" for name in PROPERTIES]


def near(source: str, lineno: int | None) -> str:
    if not lineno:
        return ""
    lines = source.splitlines()[max(lineno - 1, 0):lineno]
    text = re.sub(r"<[^>]+>", "", " ".join(lines)).strip()
    return f" (dekat teks: «{text[:120]}»)" if text else ""


def explain(message: str) -> str:
    """Jinja's English message in Indonesian, for the errors a template author makes."""
    for pattern, replacement in _SYNTAX_WORDS:
        found = pattern.search(message or "")
        if found:
            words = found.expand(replacement).replace("' or '", "' atau '")
            return (words.replace("end of print statement", "}}")
                    .replace("end of statement block", "%}"))
    return f"sintaks tidak sah ({(message or '').rstrip('.')})"


def syntax_message(exc: TemplateSyntaxError, source: str) -> str:
    return f"Kesalahan sintaks Jinja: {explain(exc.message)}{near(source, exc.lineno)}."


def parse(template: DocxTemplate) -> list[tuple[nodes.Template, set[str]]]:
    """Each source's syntax tree and the variables it uses; compiling it also finds unknown
    filters and tests."""
    trees = []
    for source in sources(template):
        try:
            tree = ENV.parse(source)
            trees.append((tree, meta.find_undeclared_variables(tree)))
        except TemplateSyntaxError as exc:
            raise TemplateRenderError(syntax_message(exc, source)) from None
    return trees


def unsafe(trees: list[tuple[nodes.Template, set[str]]]) -> list[str]:
    found: list[str] = []
    for tree, _names in trees:
        for node in tree.find_all((nodes.Getattr, nodes.Getitem, nodes.Filter, nodes.Keyword,
                                   nodes.Name)):
            name = None
            if isinstance(node, nodes.Getattr | nodes.Name):
                name = node.attr if isinstance(node, nodes.Getattr) else node.name
            elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
                name = node.arg.value if isinstance(node.arg.value, str) else None
            elif isinstance(node, nodes.Filter) and node.name == "attr":
                found.append("Template memakai filter 'attr', yang tidak diizinkan.")
            elif (isinstance(node, nodes.Keyword) and node.key == "attribute"
                  and isinstance(node.value, nodes.Const) and isinstance(node.value.value, str)):
                name = next((p for p in node.value.value.split(".") if p.startswith("_")), None)
            if name and name.startswith("_"):
                found.append(f"Template mengakses nama terlarang '{name}' (nama yang diawali "
                             "garis bawah tidak boleh dipakai).")
    return list(dict.fromkeys(found))
