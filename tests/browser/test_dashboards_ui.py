"""Every dashboard drawn offline: the demo installation, the network beyond 127.0.0.1 blocked
(any such request is aborted and counted), each chart's canvas drawn by the vendored Chart.js."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.browser.conftest import PASSWORD, _serve

pytestmark = pytest.mark.browser

SEED_DASHBOARDS = f"""
import datetime as dt
from app import create_app
from app.extensions import db
from app.models.cycles import Cycle
from app.models.org import OrgUnit
from app.models.survey import SurveyResponse
from app.services import access

app = create_app()
with app.app_context():
    for username in ("admin", "karo"):
        access.set_password(username, {PASSWORD!r})
    cycle = db.session.query(Cycle).one()
    for code, scores in (("SETPRES", [4, 3, 4, 3, 4, 3, 4, 3, 4]), ("SETWAPRES", [3] * 9)):
        unit = db.session.query(OrgUnit).filter_by(code=code).one()
        db.session.add(SurveyResponse(cycle=cycle, org_unit=unit, submitted_at=dt.datetime.now(),
                                      **{{f"u{{i}}": s for i, s in enumerate(scores, 1)}}))
    db.session.commit()
"""


@pytest.fixture(scope="module")
def dashboard_server(tmp_path_factory):
    yield from _serve(tmp_path_factory.mktemp("dashboards"),
                      [["-m", "flask", "iku", "demo"], ["-c", SEED_DASHBOARDS]])


def _offline(page, base_url: str) -> list[str]:
    """Abort every request that leaves the server under test; return the list of them."""
    outside: list[str] = []

    def route(request_route):
        if request_route.request.url.startswith(base_url):
            request_route.continue_()
        else:
            outside.append(request_route.request.url)
            request_route.abort()

    page.route("**/*", route)
    return outside


@pytest.mark.parametrize(("username", "path", "charts"), [
    ("karo", "/dasbor/", 4),  # steps, pelaksana, complaints per month, survey
    ("karo", "/survei/", 1),
    ("karo", f"/evaluasi/distribusi/{dt.date.today().year}", 1),
    ("admin", "/userstatschartview/chart/", 1),
])
def test_every_chart_is_drawn_offline(page, dashboard_server, login, username, path, charts):
    outside = _offline(page, dashboard_server.url)
    login(page, dashboard_server.url, username)
    page.goto(dashboard_server.url + path)
    page.wait_for_function(
        "() => { const c = document.querySelectorAll('canvas[data-iku-chart]');"
        " return c.length > 0 && [...c].every(x => x.getAttribute('data-drawn') === '1'); }")
    canvases = page.locator("canvas[data-iku-chart]")
    assert canvases.count() == charts
    for i in range(charts):
        box = canvases.nth(i).bounding_box()
        assert box and box["width"] > 100 and box["height"] > 100
        # something was painted: the canvas is not one blank colour
        painted = canvases.nth(i).evaluate(
            "c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
            " for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) return true; return false; }")
        assert painted
    assert outside == [] and page.problems == [], (outside, page.problems)
