"""What a naskah dinas template may contain and what it says by default: data, not Python.

templates/docx/variables.yaml names each document's kind, the variables its template may use
and the free-text parts a user may edit; templates/docx/texts.yaml holds each document's default
wording. Both are content an admin may change with the templates themselves; this module only
reads them (cached per process; `reload()` after an edit in a long-running process).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates" / "docx"


class DocumentUnknownError(ValueError):
    """A document code that no template is made for."""


@lru_cache(maxsize=1)
def variables_spec() -> dict:
    return yaml.safe_load((TEMPLATES_DIR / "variables.yaml").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def texts() -> dict:
    return yaml.safe_load((TEMPLATES_DIR / "texts.yaml").read_text(encoding="utf-8"))


def reload() -> None:
    variables_spec.cache_clear()
    texts.cache_clear()


def document_codes() -> list[str]:
    return list(variables_spec()["documents"])


def document(doc_code: str) -> dict:
    found = variables_spec()["documents"].get(doc_code)
    if found is None:
        raise DocumentUnknownError(f"Jenis naskah '{doc_code}' tidak dikenal.")
    return found


def kind(doc_code: str) -> str:
    return document(doc_code)["kind"]


def image_names() -> list[str]:
    return list(variables_spec().get("images", []))


def allowed_variables(doc_code: str) -> list[str]:
    """Every variable the template of this document may use, in the spec's order."""
    spec = variables_spec()
    names = [*spec["common"], *spec["kinds"][kind(doc_code)], *document(doc_code).get("extra", [])]
    return list(dict.fromkeys(names))


def editable(doc_code: str) -> list[tuple[str, str]]:
    """The free-text parts of this document a user may change: (name, Indonesian label)."""
    spec = variables_spec()["editable"]
    parts = {**spec.get(kind(doc_code), {}), **spec.get("common", {})}
    return list(parts.items())


def template_path(doc_code: str) -> Path:
    document(doc_code)
    return TEMPLATES_DIR / f"{doc_code}.docx"


def source(doc_code: str) -> str | None:
    """What a Salinan copies (its `sama_dengan` in texts.yaml), else None."""
    return (texts().get(doc_code) or {}).get("sama_dengan")


def body_kind(doc_code: str) -> str:
    """The kind whose body the document has: a Salinan has its original's."""
    own = kind(doc_code)
    original = source(doc_code)
    return kind(original) if own == "salinan" and original else own


def default_texts(doc_code: str) -> dict:
    """The default wording of a document; a Salinan takes the wording of what it copies."""
    table = texts()
    own = dict(table.get(doc_code) or {})
    source = own.pop("sama_dengan", None)
    if source:
        return {**(table.get(source) or {}), **own}
    return own
