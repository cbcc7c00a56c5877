"""PDF downloads of final documents: p50 of GET /documents/<id>/download?format=pdf (scoped,
logged, the PDF made at finalisation and read back) beside a bare route on the same app, in the
same run, through Flask's test client (no network, so both sides carry the same overhead).

    .venv/bin/python bench/pdf_download.py            # needs LibreOffice (soffice on PATH)

Target (issue 9): a PDF download takes p50 <= 0.3 s, where a cold LibreOffice takes ~2 s.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import documents as docs_bench  # noqa: E402  (bench/documents.py: the same world)


def _p50(client, url: str, n: int) -> float:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times)


def main(n: int = 50) -> None:
    work = Path(tempfile.mkdtemp(prefix="iku-bench-pdf-"))
    app = docs_bench._setup(f"sqlite:///{work / 'iku.db'}", str(work / "documents"))
    app.config["IKU_SOFFICE"] = ""
    app.add_url_rule("/bench/bare", "bench_bare", lambda: "ok")
    with app.app_context():
        from flask_migrate import upgrade

        from app.extensions import db
        from app.services import documents

        upgrade()
        if not documents.pdf_available():
            sys.exit("LibreOffice (soffice) is not installed: nothing to measure.")
        user, item_id = docs_bench._world(db.session)
        doc = documents.generate(db.session, user, item_id, "memo_usulan_tim", {})
        start = time.perf_counter()
        doc = documents.finalise(db.session, user, item_id, doc.id)
        finalise = time.perf_counter() - start
        doc_id, username = doc.id, user.username
        db.session.remove()
    from tests.conftest import FreshContextClient

    app.test_client_class = FreshContextClient
    client = app.test_client()
    client.post("/login/", data={"username": username, "password": "Rahasia-Bench-2026!"})
    url = f"/documents/{doc_id}/download?format=pdf"
    _p50(client, url, 3)
    pdf, bare = _p50(client, url, n), _p50(client, "/bench/bare", n)
    print(f"finalise with PDF (LibreOffice at finalisation): {finalise * 1000:8.1f} ms")
    print(f"PDF download p50 (n={n}):                         {pdf * 1000:8.1f} ms")
    print(f"bare route p50 (n={n}):                           {bare * 1000:8.1f} ms")
    print(f"target: PDF download p50 <= 300 ms: {'met' if pdf <= 0.3 else 'NOT met'}")


if __name__ == "__main__":
    main()
