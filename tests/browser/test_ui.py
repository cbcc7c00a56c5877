"""What an administrator and a unit liaison see in a real browser, in both languages.

Run: `.venv/bin/pytest -m browser` (part of `make test`'s SQLite run). Screenshots land in
pytest's temporary directory (printed with -s), one per page checked.
"""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from tests.browser.conftest import ADMIN, INTRANET_HOST, LIAISON

pytestmark = pytest.mark.browser

ORG_PAGES = {
    "/orgunitview/list/": "Organisation units",
    "/orgunitassignmentview/list/": "Assignment history",
    "/sectionview/list/": "Sections",
    "/positionview/list/": "Positions",
    "/pelaksanaview/list/": "Pelaksana",
    "/competenceview/list/": "Competence standard",
    "/competencerecordview/list/": "Competence assessments",
}
UNIT_COUNT = 13


def _shot(page, directory, name: str, full_page: bool = True):
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    assert path.exists() and path.stat().st_size > 10_000, path
    print(f"screenshot: {path}")
    return path


def _menu(page, label: str):
    """The navbar dropdown whose toggle reads `label`, opened; its links as {path: text}."""
    toggle = page.locator(".navbar .dropdown-toggle", has_text=label).first
    toggle.click()
    links = toggle.locator("xpath=..").locator(".dropdown-menu a")
    links.first.wait_for(state="visible")
    return {urlparse(a.get_attribute("href")).path: a.inner_text().strip() for a in links.all()}


def _navbar_text(page) -> str:
    return page.locator(".navbar").inner_text()


def _clean(page) -> None:
    assert not page.problems, f"console errors / failed requests on {page.url}: {page.problems}"


def test_admin_sees_the_whole_organisation(page, live_server, login, screenshot_dir):
    login(page, live_server.url, ADMIN)
    assert "Organisasi" in _navbar_text(page), "Indonesian is the default language"
    items = _menu(page, "Organisasi")
    assert set(ORG_PAGES) <= set(items), items
    assert all(items[path] for path in ORG_PAGES)

    page.goto(f"{live_server.url}/orgunitview/list/")
    rows = page.locator("table.table tbody tr")
    assert rows.count() == UNIT_COUNT
    assert page.get_by_text("Sekretariat Presiden", exact=True).count() == 1
    _shot(page, screenshot_dir, "admin-units-id")
    _clean(page)


def test_liaison_sees_only_its_own_unit(page, live_server, login, screenshot_dir):
    login(page, live_server.url, LIAISON)
    items = _menu(page, "Organisasi")
    assert "/orgunitview/list/" in items
    assert "/pelaksanaview/list/" not in items
    assert page.locator(".navbar a[href*='pelaksanaview']").count() == 0

    page.goto(f"{live_server.url}/orgunitview/list/")
    rows = page.locator("table.table tbody tr")
    assert rows.count() == 1
    assert "Sekretariat Presiden" in rows.first.inner_text()
    assert "Sekretariat Wakil Presiden" not in page.content()
    _shot(page, screenshot_dir, "liaison-units-id")
    _clean(page)

    response = page.goto(f"{live_server.url}/pelaksanaview/list/")
    refused = response.status == 403 or "/pelaksanaview/list/" not in page.url
    assert refused and page.locator("table.table tbody tr").count() == 0, (
        f"the liaison reached the pelaksana list: {response.status} {page.url}")


def test_language_switches_to_english_and_back(page, live_server, login, screenshot_dir):
    login(page, live_server.url, ADMIN)
    page.goto(f"{live_server.url}/orgunitview/list/")
    page.locator(".navbar a[href$='/lang/en']").evaluate("a => a.click()")
    page.wait_for_url(f"{live_server.url}/orgunitview/list/**")
    navbar = _navbar_text(page)
    assert "Organisation" in navbar and "Security" in navbar, navbar
    items = _menu(page, "Organisation")
    assert {path: items.get(path) for path in ORG_PAGES} == ORG_PAGES
    assert page.locator(".panel-title, .panel-heading").first.inner_text().strip() == (
        "Organisation units"
    )
    _shot(page, screenshot_dir, "admin-units-en")
    _clean(page)

    page.goto(f"{live_server.url}/lang/id")
    assert "Organisasi" in _navbar_text(page)


def test_swagger_ui_stays_on_the_intranet(page, live_server, login, screenshot_dir):
    """Under a host name that is not localhost, as on an intranet: every request the page
    makes goes to the app itself (Swagger UI's online validator would go to the internet)."""
    base = live_server.url_on(INTRANET_HOST)
    login(page, base, ADMIN)
    page.requested.clear()
    page.goto(f"{base}/swagger/v1")
    page.locator(".swagger-ui .info .title").wait_for(state="visible")
    page.locator(".swagger-ui .opblock").first.wait_for(state="visible")
    page.wait_for_load_state("networkidle")
    outside = [url for url in page.requested
               if urlparse(url).scheme in ("http", "https")
               and urlparse(url).netloc != f"{INTRANET_HOST}:{live_server.port}"]
    assert not outside, outside
    _shot(page, screenshot_dir, "admin-swagger", full_page=False)
    _clean(page)
