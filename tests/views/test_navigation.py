"""Every role walks the whole app as a person would: from the home page's menu and user menu
to every page they lead to, then every link on those pages. No page may answer 5xx, and no
menu entry may lead to a refusal (403) or nowhere (404): a menu offers only what works.

Demo-like data first (a cycle three weeks old with its first step done, an attachment, the
seeded units, standards and holidays, the demo IKU) so that lists, show pages and their links
are not empty.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

from app.services import cycles
from app.services.iku_demo import load_demo_iku
from tests.conftest import ROLE_USERS
from tests.views.test_cycles_support import act, ago, finish, start_cycle, team_fixture  # noqa: F401

MAX_PAGES = 150  # per role, after deduplication
# GET links that change state or end the session: never followed by the crawler.
SKIP = re.compile(r"/logout|/lang/|/delete|/action/|/action_post|mark_read|/login|/register")
DOWNLOAD_TYPES = ("text/csv", "application/", "image/")


class _Anchors(HTMLParser):
    """Collects <a href> with their text, and which navbar part each one sits in: "menu" (the
    main menu, left) or "user" (the right-hand menus: language, profile, logout)."""

    def __init__(self):
        super().__init__()
        self.links: list[tuple[str, str, str]] = []  # (href, text, where)
        self._where: list[str] = []
        self._depth = 0
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "ul":
            classes = (attrs.get("class") or "").split()
            if "navbar-nav" in classes:
                self._where.append("user" if "navbar-right" in classes else "menu")
            elif self._where:
                self._where.append(self._where[-1])
            else:
                self._where.append("")
        elif tag == "a" and attrs.get("href"):
            self._href, self._text = attrs["href"], []

    def handle_endtag(self, tag):
        if tag == "ul" and self._where:
            self._where.pop()
        elif tag == "a" and self._href is not None:
            where = self._where[-1] if self._where else ""
            self.links.append((self._href, " ".join("".join(self._text).split()), where))
            self._href = None

    def handle_data(self, data):
        if self._href is not None:
            self._text.append(data)


def anchors(page: str) -> list[tuple[str, str, str]]:
    parser = _Anchors()
    parser.feed(page)
    return parser.links


def _local_path(base: str, href: str) -> str | None:
    """The site path a link leads to (with its query), None for other sites and fragments."""
    if href.startswith(("#", "javascript:", "mailto:", "tel:")):
        return None
    url = urlsplit(urljoin(base, href))
    if url.netloc not in ("", "localhost") or url.scheme not in ("", "http", "https"):
        return None
    return url.path + (f"?{url.query}" if url.query else "")


def _key(path: str) -> str:
    """Pages that differ only by a record id or query are one page for the crawler."""
    return re.sub(r"/\d+(?=/|$)", "/<id>", urlsplit(path).path)


@pytest.fixture
def demo_data(team, db_session, tmp_path, app, monkeypatch):
    """A cycle started three weeks ago (so overdue items exist), step 1 done with a note and an
    attachment, part of step 2 done and one item sent back; a second cycle started today."""
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    t0 = ago(days=21)
    cycle = start_cycle(db_session, team, now=t0)
    act(db_session, team, cycle.id, "complete", "s01.a", at=t0 + dt.timedelta(minutes=5),
        note="Arahan diberikan", attachment=cycles.Attachment("arahan.pdf", b"%PDF-1.4 arahan"),
        attachments_dir=tmp_path / "attachments")
    finish(db_session, team, cycle.id, "s01", at=ago(days=20))
    load_demo_iku()  # the IKU registry's pages with rows, versions and the public list
    return cycle


def _check_user_menu(client, links) -> list[str]:
    """The person's menu: profile, own password, language, and logout last. Every entry but
    logout must answer; the language switch is undone. Returns the problems found."""
    problems = []
    hrefs = [href for href, _text, _where in links]
    expected = ["/users/userinfo/", "/resetmypassword/form", "/lang/en", "/logout/"]
    if [h for h in hrefs if h in expected] != expected or hrefs[-1] != "/logout/":
        problems.append(f"user menu is not profile, password, language, logout: {hrefs}")
    for href in hrefs:
        if "/logout" in href:
            continue
        response = client.get(href, follow_redirects=True)
        if response.status_code != 200:
            problems.append(f"user menu {href} -> {response.status_code}")
        if "/lang/" in href:
            client.get("/lang/id")
    return problems


def crawl(client, username: str, user_menu: bool = True) -> tuple[list[str], dict[str, int], int]:
    """(problems, menu entries with their status, pages fetched) for the logged-in client."""
    home = client.get("/")
    assert home.status_code == 200
    page = home.get_data(as_text=True)
    links = anchors(page)
    menu = [(href, text) for href, text, where in links if where == "menu" and href != "#"]
    mine = [link for link in links if link[2] == "user" and link[0] != "#"]
    problems = _check_user_menu(client, mine) if user_menu else []

    seen: set[str] = {"/"}
    queue: list[tuple[str, str]] = [(_local_path("/", href), f"menu '{text}'")
                                    for href, text in menu]
    queue += [(_local_path("/", href), "home page") for href, _t, w in links if w == ""]
    menu_status: dict[str, int] = {}
    menu_paths = {_local_path("/", href) for href, _text in menu}
    fetched = 0
    while queue and fetched < MAX_PAGES:
        path, source = queue.pop(0)
        if path is None or SKIP.search(urlsplit(path).path) or _key(path) in seen:
            continue
        seen.add(_key(path))
        response = client.get(path, follow_redirects=True)
        fetched += 1
        status = response.status_code
        if path in menu_paths:
            menu_status[path] = status
            if status in (403, 404):
                problems.append(f"{username}: {source} ({path}) answers {status}")
        if status >= 500:
            problems.append(f"{username}: {path} (linked from {source}) answers {status}")
            continue
        content_type = response.headers.get("Content-Type", "")
        if status != 200 or not content_type.startswith("text/html"):
            continue
        base = response.request.path
        for href, _text, _where in anchors(response.get_data(as_text=True)):
            target = _local_path(base, href)
            if target and _key(target) not in seen:
                queue.append((target, path))
    return problems, menu_status, fetched


@pytest.mark.parametrize("username", list(ROLE_USERS))
def test_every_role_can_walk_the_whole_app_without_errors(demo_data, client, login, username):
    login(client, username)
    started = time.monotonic()
    problems, menu_status, fetched = crawl(client, username)
    assert not problems, "\n".join(problems)
    assert menu_status, f"{username} sees no menu at all"
    assert all(status == 200 for status in menu_status.values()), menu_status
    assert fetched > len(menu_status)
    assert time.monotonic() - started < 30


def test_a_visitor_walks_the_public_pages_without_errors(demo_data, client):
    problems, _menu, fetched = crawl(client, "anonymous", user_menu=False)
    assert not problems and fetched >= 1
    page = client.get("/").get_data(as_text=True)
    assert [h for h, _t, w in anchors(page) if w == "user"][-1] == "/login/"


def test_the_auditor_is_offered_only_what_it_may_open(client, login):
    login(client, "auditor")
    menu = [href for href, _t, where in anchors(client.get("/").get_data(as_text=True))
            if where == "menu"]
    assert "/import/" not in menu  # importing writes: not the auditor's
    assert "/userstatschartview/chart/" in menu and "/audittimelineview/list/" in menu
    assert client.get("/userstatschartview/chart/").status_code == 200


@pytest.mark.parametrize("username", ["admin", "auditor", "staf", "pengguna1"])
def test_profile_page_shows_the_persons_own_account(client, login, username):
    login(client, username)
    response = client.get("/users/userinfo/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f"{username}@iku.test" in page and "/users/access/" not in page


def test_the_menu_api_offers_the_auditor_the_same_menu(client, login):
    login(client, "auditor")
    response = client.get("/api/v1/menu/")
    assert response.status_code == 200

    def names(items):
        for item in items:
            yield item["name"]
            yield from names(item.get("childs", []))

    offered = set(names(response.get_json()["result"]))
    assert "Import" not in offered and "Audit trail" in offered


def test_the_menu_kept_per_roles_and_language_follows_a_change_of_role(app, client, login,
                                                                        db_session):
    """The rendered menu is reused per (roles, language) (app/views/navbar.py): a person whose
    role changes gets the new role's menu on the next page, and another language its words."""
    from app.models.org import IkuUser

    def menu():
        return {href for href, _t, where in anchors(client.get("/").get_data(as_text=True))
                if where == "menu"}

    login(client, "staf")
    as_staff = menu()
    assert "/import/" not in as_staff and as_staff == menu()  # served again from the cache
    staf = db_session.query(IkuUser).filter_by(username="staf").one()
    staf.roles = [app.appbuilder.sm.find_role("Admin")]
    db_session.commit()
    assert "/import/" in menu()
    indonesian = client.get("/").get_data(as_text=True)
    client.get("/lang/en")
    english = client.get("/").get_data(as_text=True)
    assert "Impor data" in indonesian and "Impor data" not in english
    assert "Import data" in english
