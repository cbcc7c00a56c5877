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
    return convert_many([docx])[0]


def convert_many(docxs: list[bytes]) -> list[bytes | None]:
    """The PDFs of several DOCX in ONE LibreOffice run (its start-up is most of the cost: one
    document ~2 s, ten ~2.4 s); None for each when LibreOffice is absent or fails."""
    binary = soffice_path()
    if binary is None or not docxs:
        return [None] * len(docxs)
    base = documents_dir()
    base.mkdir(parents=True, exist_ok=True)
    profile = base / ".soffice-profile"
    with open(base / ".soffice.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            with tempfile.TemporaryDirectory(prefix="iku-pdf-") as work:
                sources = [Path(work) / f"dokumen-{i}.docx" for i in range(len(docxs))]
                for source, data in zip(sources, docxs, strict=True):
                    source.write_bytes(data)
                try:
                    subprocess.run(
                        [binary, "--headless", "--norestore", "--nologo",
                         f"-env:UserInstallation={profile.resolve().as_uri()}",
                         "--convert-to", "pdf", "--outdir", work, *map(str, sources)],
                        check=True, timeout=TIMEOUT_SECONDS, capture_output=True)
                except (OSError, subprocess.SubprocessError):
                    current_app.logger.exception("PDF conversion failed")
                    return [None] * len(docxs)
                targets = [source.with_suffix(".pdf") for source in sources]
                return [t.read_bytes() if t.exists() else None for t in targets]
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
