"""The app as gunicorn serves it, plus one bare route: `gunicorn bench.wsgi:app`.

/bench/bare is the ceiling of this machine and server setup (Flask routing, WSGI, gunicorn,
loopback): every page is reported beside it, so numbers from a busier or slower machine still
compare. It exists only in this module, never in the real app.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import config  # noqa: E402
from app import create_app  # noqa: E402


class BenchConfig(config.DevConfig):
    """DevConfig on the bench database; rate limits off (one client IP logs in repeatedly)."""

    ENV_NAME = "bench"
    SQLALCHEMY_DATABASE_URI = os.environ["DATABASE_URL"]
    RATELIMIT_ENABLED = False
    WTF_CSRF_ENABLED = False
    FAB_UPDATE_PERMS = False


def bare():
    return "ok"


app = create_app(BenchConfig)
app.add_url_rule("/bench/bare", "bench_bare", bare)
