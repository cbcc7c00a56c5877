"""The app as gunicorn serves it, plus one bare route: `gunicorn bench.wsgi:app`.

/bench/bare is the ceiling of this machine and server setup (Flask routing, WSGI, gunicorn,
loopback): every page is reported beside it, so numbers from a busier or slower machine still
compare. It exists only in this module, never in the real app.

IKU_APP_ROOT (default: this checkout) names the source tree to serve, so bench/run.py can serve
an older commit beside this one and compare them in one run.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, os.environ.get("IKU_APP_ROOT") or str(Path(__file__).resolve().parent.parent))

import config  # noqa: E402
from app import create_app  # noqa: E402
from bench import handwritten  # noqa: E402


class BenchConfig(config.DevConfig):
    """DevConfig on the bench database; rate limits off (one client IP logs in repeatedly)."""

    ENV_NAME = "bench"
    SQLALCHEMY_DATABASE_URI = os.environ["DATABASE_URL"]
    RATELIMIT_ENABLED = False
    WTF_CSRF_ENABLED = False
    FAB_UPDATE_PERMS = False


def bare():
    return "ok"


def apply_proposals() -> None:
    """BENCH_PROPOSED=1: changes bench/README.md proposes to files the bench does not own,
    applied here so their effect can be measured before anyone makes them."""
    from app.views import org, users
    from app.views.scaled_view import ScaledViewMixin

    org.CompetenceRecordView.search_relation_text = {"pelaksana": ("name", "nip")}
    users.IkuUserDBModelView = type("IkuUserDBModelView", (ScaledViewMixin, users.IkuUserDBModelView),
                                    {"search_relation_text": {"pelaksana": ("name", "nip")}})


if os.environ.get("BENCH_PROPOSED") == "1":
    apply_proposals()
app = create_app(BenchConfig)
app.add_url_rule("/bench/bare", "bench_bare", bare)
handwritten.register(app)
