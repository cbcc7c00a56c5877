"""The dashboards on the 1,000-cycle data (bench/seed_cycles.py): p50 of each page beside the
bare route of bench/wsgi.py, in the same run, through Flask's test client (no network, so
both sides carry the same overhead).

    .venv/bin/python bench/seed_cycles.py --db postgresql+psycopg://postgres@127.0.0.1:5432/iku_bench_evaluation
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/iku_bench_evaluation \\
        .venv/bin/python bench/dashboard.py [--n 20]

Measured: the bottleneck dashboard computed on every request (IKU_DASHBOARD_CACHE_SECONDS=0:
its worst case, after each cache expiry) and from the per-worker cache; the Kepala Biro's
home page (counters, every active cycle's progress, the SLA counts); the SLA board with its
done-on-time/late counts; the survey results; the bare route.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _p50(client, url: str, n: int) -> float:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20)
    args = parser.parse_args()
    os.environ.setdefault("SECRET_KEY", "bench-secret-key-not-for-production-0123456789")
    from bench import wsgi
    from bench.seed_large import PASSWORD
    from tests.conftest import FreshContextClient

    app = wsgi.app
    app.test_client_class = FreshContextClient
    client = app.test_client()
    response = client.post("/login/", data={"username": "karo", "password": PASSWORD})
    assert response.status_code == 302, "login failed: seed the bench database first"
    rows = []
    for label, url, cache in [
        ("bare route", "/bench/bare", 0),
        ("dashboard, computed each request", "/dasbor/", 0),
        ("dashboard, from the cache", "/dasbor/", 300),
        ("home page (Kepala Biro)", "/", 0),
        ("SLA board", "/sla/", 0),
        ("survey results", "/survei/", 0),
    ]:
        app.config["IKU_DASHBOARD_CACHE_SECONDS"] = cache
        _p50(client, url, 2)
        rows.append((label, _p50(client, url, args.n)))
    bare = rows[0][1]
    print(f"{'page':40} {'p50 ms':>10} {'x bare':>10}")
    for label, p50 in rows:
        print(f"{label:40} {p50 * 1000:10.1f} {p50 / bare:10.0f}")


if __name__ == "__main__":
    main()
