"""Closed networks: no page loads anything from outside the app (DESIGN.md, principle 6).

Every asset a page names (<script src>, <link href>, <img>/<source>/<iframe> src, inline and
attribute CSS url()/@import) and everything the stylesheets it loads pull in must be on the app
itself. A CDN or a Google font would leave an intranet user with a broken page, and tell an
outside party who is reading what. Plain <a href> links are not assets and may point anywhere.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlparse

import pytest

from app.models.org import OrgUnit

ASSET_ATTRS = {"script": "src", "link": "href", "img": "src", "source": "src", "iframe": "src",
               "embed": "src", "video": "src", "audio": "src", "object": "data"}
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)", re.IGNORECASE)
CSS_IMPORT = re.compile(r"@import\s+(?:url\()?\s*['\"]?([^'\")\s;]+)", re.IGNORECASE)
ABSOLUTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)


class AssetCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.assets: list[str] = []
        self.css: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        name = ASSET_ATTRS.get(tag)
        if name and values.get(name):
            self.assets.append(values[name])
        if tag == "link" and values.get("rel") == "stylesheet" and values.get("href"):
            self.css.append(values["href"])
        if values.get("style"):
            self.assets.extend(_css_references(values["style"]))
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.assets.extend(_css_references(data))


def _css_references(text: str) -> list[str]:
    refs = dict.fromkeys(ref.strip() for ref in CSS_URL.findall(text) + CSS_IMPORT.findall(text))
    return [ref for ref in refs if not ref.lower().startswith("data:")]


def _external(ref: str, host: str = "localhost") -> bool:
    if not ABSOLUTE.match(ref):
        return False
    return urlparse(ref if "://" in ref else f"http:{ref}").netloc != host


def _scan_stylesheets(client, page_url: str, hrefs: list[str], seen: set[str]) -> list[str]:
    """Fetch each local stylesheet (and what it @imports) and return its external refs."""
    problems = []
    for href in hrefs:
        url = urljoin(page_url, href)
        if _external(url) or url in seen:
            continue
        seen.add(url)
        response = client.get(urlparse(url).path)
        assert response.status_code == 200, f"{href} (loaded by {page_url}): {response.status_code}"
        text = response.get_data(as_text=True)
        refs = _css_references(text)
        problems += [f"{href}: {ref}" for ref in refs if _external(ref)]
        imports = [ref for ref in CSS_IMPORT.findall(text) if not _external(ref)]
        problems += _scan_stylesheets(client, url, imports, seen)
    return problems


def _external_assets(client, path: str, seen: set[str]) -> list[str]:
    response = client.get(path)
    assert response.status_code == 200, f"{path}: {response.status_code}"
    collector = AssetCollector()
    collector.feed(response.get_data(as_text=True))
    assert collector.assets, f"{path} names no assets at all: is it the page we think?"
    page_url = f"http://localhost{path}"
    problems = [ref for ref in collector.assets if _external(ref)]
    return problems + _scan_stylesheets(client, page_url, collector.css, seen)


@pytest.fixture
def admin_client(client, login):
    login(client, "admin")
    return client


def _pages(db_session) -> list[str]:
    unit_id = db_session.query(OrgUnit.id).filter_by(code="SETPRES").scalar()
    return [
        "/orgunitview/list/", "/orgunitview/add", f"/orgunitview/show/{unit_id}",
        "/pelaksanaview/list/", "/users/list/", "/swagger/v1",
    ]  # fmt: skip


def test_login_page_loads_nothing_from_outside(client):
    assert _external_assets(client, "/login/", set()) == []


def test_pages_load_nothing_from_outside(admin_client, db_session):
    seen: set[str] = set()
    problems = {path: _external_assets(admin_client, path, seen) for path in _pages(db_session)}
    assert {path: refs for path, refs in problems.items() if refs} == {}
    assert any(url.endswith(".css") for url in seen), "no stylesheet was scanned"


def test_public_standard_page_loads_nothing_from_outside(client):
    if client.get("/standar/").status_code == 404:
        pytest.skip("no /standar/ page")
    assert _external_assets(client, "/standar/", set()) == []


def test_openapi_spec_names_no_outside_address(admin_client):
    response = admin_client.get("/api/v1/_openapi")
    assert response.status_code == 200
    urls = re.findall(r"(?:https?:)?//[^\s\"'<>]+", json.dumps(response.get_json()))
    assert [url for url in urls if _external(url)] == []


def test_the_checker_catches_outside_assets():
    page = ('<link rel="stylesheet" href="https://cdn.example/x.css"><script src="//cdn.example/'
            'x.js"></script><img src="/static/ok.png"><div style="background:url(http://e.x/i.png)">'
            '<style>@import "https://fonts.example/css";</style><a href="https://docs.example">')
    collector = AssetCollector()
    collector.feed(page)
    external = [ref for ref in collector.assets if _external(ref)]
    assert external == ["https://cdn.example/x.css", "//cdn.example/x.js", "http://e.x/i.png",
                        "https://fonts.example/css"]
    assert _css_references("url(data:image/svg+xml;utf8,<svg xmlns='http://www.w3.org/2000/svg'>)"
                           ) == []


# --- the layout's asset tags, rendered once per process (app/views/assets.py) -----------------


def _script_tags(page: str) -> list[str]:
    return re.findall(r"<script src=\"[^\"]+\" nonce=\"[^\"]*\"></script>", page)


def test_every_page_gets_fabs_asset_tags_with_its_own_nonce(client):
    pages = []
    for _ in range(2):
        response = client.get("/login/")
        nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
        pages.append((nonce, response.get_data(as_text=True)))
    (first_nonce, first), (second_nonce, _) = pages
    assert first_nonce != second_nonce
    for nonce, page in pages:
        scripts = _script_tags(page)
        # FAB's three head scripts and four tail scripts, plus the app's date picker words
        assert len(scripts) == 8, scripts
        assert all(f'nonce="{nonce}"' in tag for tag in scripts)
        assert "iku-nonce-placeholder" not in page
    assert '<script src="/static/appbuilder/js/jquery-latest.js"' in first
    assert '<link href="/static/appbuilder/css/bootstrap.min.css" rel="stylesheet">' in first


def test_the_asset_tags_are_fabs_own(app, client):
    """The cached blocks are what FAB's init.html renders for the same request."""
    from flask import render_template_string

    page = client.get("/login/").get_data(as_text=True)
    nonce = re.search(r'<script src="/static/appbuilder/js/ab.js" nonce="([^"]+)"', page).group(1)
    with app.test_request_context("/login/"):
        fab = render_template_string(
            '{% extends "appbuilder/init.html" %}', appbuilder=app.appbuilder,
            csp_nonce=lambda: nonce)
    tags = re.findall(r"<(?:link|script) [^>]*>", fab)
    assert len(tags) >= 18  # FAB's eleven stylesheets and seven scripts, at least
    for tag in tags:
        assert tag in page


def test_the_asset_tags_follow_the_script_root(client):
    """Behind a proxy that mounts the app under a prefix, every asset is under it too."""
    page = client.get("/login/", base_url="http://localhost/iku").get_data(as_text=True)
    assert '<script src="/iku/static/appbuilder/js/jquery-latest.js"' in page
    assert '<link href="/iku/static/appbuilder/css/ab.css" rel="stylesheet">' in page
    assert '"/static/appbuilder/' not in page
    assert '"/static/appbuilder/' in client.get("/login/").get_data(as_text=True)
