"""Where document files live: content-addressed under the documents folder, named by SHA-256.

Written once, atomically (app.services.cycles.rules.store_attachment): the same bytes always
land at the same name, so a file written for a transaction that then rolls back is an
unreferenced duplicate at worst, never a wrong file. Rows keep "documents/<sha256>".
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from app.services.cycles.rules import Attachment, store_attachment
from app.services.documents.errors import DocumentFileInvalidError, DocumentNotFoundError

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_MIME = "application/pdf"
MIME = {"docx": DOCX_MIME, "pdf": PDF_MIME}


@dataclass(frozen=True)
class Stored:
    path: str
    sha256: str
    size: int


def documents_dir() -> Path:
    configured = current_app.config.get("IKU_DOCUMENTS_DIR") or ""
    return Path(configured) if configured else Path(current_app.instance_path) / "documents"


def max_bytes() -> int:
    return int(current_app.config.get("IKU_DOCUMENT_MAX_BYTES") or 5 * 1024 * 1024)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def store(data: bytes, name: str = "dokumen") -> Stored:
    stored = store_attachment(Attachment(name or "dokumen", data), documents_dir())
    return Stored(f"documents/{stored.sha256}", stored.sha256, stored.size)


def read(path: str) -> bytes:
    """The bytes of a stored file, checked against the hash its name carries."""
    digest = Path(path).name
    target = documents_dir() / digest
    try:
        data = target.read_bytes()
    except OSError as exc:
        raise DocumentNotFoundError("Berkas dokumen tidak ditemukan di arsip.") from exc
    if sha256(data) != digest:
        raise DocumentNotFoundError("Berkas dokumen di arsip rusak: hash-nya tidak cocok.")
    return data


def sniff(data: bytes) -> str | None:
    """'docx', 'pdf', or None: by content, never by the name a client sends."""
    if data[:5] == b"%PDF-":
        return "pdf"
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                if "word/document.xml" in archive.namelist():
                    return "docx"
        except zipfile.BadZipFile:
            return None
    return None


def check_upload(filename: str, data: bytes, allowed: tuple[str, ...] = ("docx", "pdf")) -> str:
    """The format of an uploaded file, or a refusal saying why not."""
    if not data:
        raise DocumentFileInvalidError("Berkas kosong.")
    limit = max_bytes()
    if len(data) > limit:
        raise DocumentFileInvalidError(
            f"Berkas terlalu besar (maksimum {limit / (1024 * 1024):.0f} MB).")
    kind = sniff(data)
    if kind not in allowed:
        words = " atau ".join(a.upper() for a in allowed)
        raise DocumentFileInvalidError(f"Berkas harus berupa {words}.")
    if not (filename or "").strip():
        raise DocumentFileInvalidError("Berkas harus mempunyai nama.")
    return kind
