"""PDF copies through LibreOffice headless, when it is installed (feature-detected).

A cold `soffice` takes ~2 s, and two processes sharing one user profile collide: conversions
run one at a time (an exclusive file lock beside the archive, so every worker and machine on
the same volume takes turns) with their own profile directory. The PDF of a final version is
made at finalisation and kept as an extra file of that version, so a PDF download is a read.
"""

from __future__ import annotations

import fcntl
import shutil
import subprocess
import tempfile
from pathlib import Path

from flask import current_app

from app.services.documents.storage import documents_dir

TIMEOUT_SECONDS = 120


def soffice_path() -> str | None:
    """The LibreOffice binary, or None: IKU_SOFFICE ("off" disables PDF), else PATH."""
    configured = (current_app.config.get("IKU_SOFFICE") or "").strip()
    if configured.lower() == "off":
        return None
    if configured:
        return configured if Path(configured).exists() else shutil.which(configured)
    return shutil.which("soffice") or shutil.which("libreoffice")


def pdf_available() -> bool:
    return soffice_path() is not None


def convert_to_pdf(docx: bytes) -> bytes | None:
    """The PDF of a DOCX, or None when LibreOffice is absent or fails."""
    binary = soffice_path()
    if binary is None:
        return None
    base = documents_dir()
    base.mkdir(parents=True, exist_ok=True)
    profile = base / ".soffice-profile"
    with open(base / ".soffice.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            with tempfile.TemporaryDirectory(prefix="iku-pdf-") as work:
                source = Path(work) / "dokumen.docx"
                source.write_bytes(docx)
                try:
                    subprocess.run(
                        [binary, "--headless", "--norestore", "--nologo",
                         f"-env:UserInstallation={profile.resolve().as_uri()}",
                         "--convert-to", "pdf", "--outdir", work, str(source)],
                        check=True, timeout=TIMEOUT_SECONDS, capture_output=True)
                except (OSError, subprocess.SubprocessError):
                    current_app.logger.exception("PDF conversion failed")
                    return None
                target = Path(work) / "dokumen.pdf"
                return target.read_bytes() if target.exists() else None
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
