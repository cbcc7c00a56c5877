"""The real app under gunicorn on 127.0.0.1, driven by Debian's chromium through Playwright.

`live_server` migrates and seeds a fresh SQLite file the way an installation does (`flask db
upgrade`, `flask iku init`, accounts through app.services.access), starts gunicorn on a free
port and stops it by its PID. `browser` launches /usr/bin/chromium (Playwright never downloads
one here); the tests skip only when that binary is missing. Every wait is bounded.

The browser resolves INTRANET_HOST to 127.0.0.1 too, so a page can be opened under a name that
is not "localhost": Swagger UI, for one, only reaches out to the internet on such hosts.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
INTRANET_HOST = "iku.intranet.test"
PASSWORD = "Rahasia-Browser-2026!"
ADMIN, LIAISON = "admin", "penghubung"
START_TIMEOUT = 60
STEP_TIMEOUT_MS = 15_000

SEED_USERS = f"""
from app import create_app
from app.extensions import db
from app.models.org import OrgUnit
from app.services import access

app = create_app()
with app.app_context():
    unit = db.session.query(OrgUnit).filter_by(code="SETPRES").one()
    access.create_user({ADMIN!r}, "Admin", "IKU", "admin@iku.test", ["Admin"], {PASSWORD!r})
    access.create_user({LIAISON!r}, "Penghubung", "Setpres", "penghubung@iku.test",
                       ["Pengguna"], {PASSWORD!r}, org_unit_id=unit.id)
"""


@dataclass
class LiveServer:
    url: str
    port: int
    log: Path

    def url_on(self, host: str) -> str:
        return f"http://{host}:{self.port}"


@pytest.fixture(autouse=True)
def _rollback_each_test():
    """The in-memory test app of tests/conftest.py has nothing to do with a live server."""
    yield


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _compile_catalog() -> None:
    """`make install` compiles the Indonesian catalog; a bare `pytest` may not have."""
    po = ROOT / "app/translations/id/LC_MESSAGES/messages.po"
    mo = po.with_suffix(".mo")
    if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
        subprocess.run([sys.executable, "-m", "babel.messages.frontend", "compile", "-f", "-d",
                        str(ROOT / "app/translations")], check=True, cwd=ROOT, timeout=60,
                       capture_output=True)


def _run(args: list[str], env: dict, log: Path) -> None:
    with log.open("a") as out:
        done = subprocess.run(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                              timeout=180)
    if done.returncode:
        pytest.fail(f"{' '.join(args)} failed; see {log}:\n{log.read_text()[-3000:]}")


def _wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/login/", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    pytest.fail(f"gunicorn did not answer within {START_TIMEOUT}s:\n{log.read_text()[-3000:]}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    os.kill(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def _serve(work: Path, seeds: list[list[str]]):
    """Migrate and seed a fresh SQLite file with `seeds` (argument lists after the python
    executable), start gunicorn on a free port; a generator yielding the LiveServer."""
    log = work / "server.log"
    env = {
        **os.environ,
        "IKU_CONFIG": "DevConfig",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": f"sqlite:///{work / 'iku.db'}",
        "FLASK_APP": "wsgi.py",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("TEST_DATABASE_URL", None)
    _compile_catalog()
    _run([sys.executable, "-m", "flask", "db", "upgrade"], env, log)
    _run([sys.executable, "-m", "flask", "iku", "init"], env, log)
    for seed in seeds:
        _run([sys.executable, *seed], env, log)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with log.open("a") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}",
             "--graceful-timeout", "5", "wsgi:app"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_up(url, process, log)
        yield LiveServer(url=url, port=port, log=log)
    finally:
        _stop(process)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    yield from _serve(tmp_path_factory.mktemp("live"), [["-c", SEED_USERS]])


# `flask iku demo` (as `make run`), the demo cycle brought through step 5 so that each unit's
# step-6 part is open, and known passwords for a liaison and the Kabag serving its unit.
SEED_STEP_6 = f"""
import datetime as dt
from app import create_app
from app.extensions import db
from app.models.cycles import Cycle
from app.services import access, cycle_demo

app = create_app()
with app.app_context():
    for username in ("setpres", "kabag1"):
        access.set_password(username, {PASSWORD!r})
    now = dt.datetime.now(dt.UTC)
    cycle = db.session.query(Cycle).one()
    cycle_demo.work_steps(cycle, ("s05",), now - dt.timedelta(minutes=15), now)
"""


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory):
    yield from _serve(tmp_path_factory.mktemp("demo"),
                      [["-m", "flask", "iku", "demo"], ["-c", SEED_STEP_6]])


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed (/usr/bin/chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[*CHROMIUM_ARGS, f"--host-resolver-rules=MAP {INTRANET_HOST} 127.0.0.1"],
            timeout=60_000,
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser):
    """A fresh context (no cookies) and page; console errors and failed requests are kept on
    `page.problems` so a test can assert the page loaded cleanly (CSP refusals show there)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(STEP_TIMEOUT_MS)
    context.set_default_navigation_timeout(STEP_TIMEOUT_MS)
    tab = context.new_page()
    tab.problems = []
    tab.requested = []
    # A 4xx/5xx shows on the console without its URL: record it from the response instead.
    tab.on("console", lambda msg: msg.type == "error" and not msg.text.startswith(
        "Failed to load resource") and tab.problems.append(msg.text))
    tab.on("response", lambda res: res.status >= 400 and tab.problems.append(
        f"{res.status} {res.url}"))
    tab.on("pageerror", lambda exc: tab.problems.append(f"page error: {exc}"))
    tab.on("requestfailed", lambda req: tab.problems.append(f"failed: {req.url}"))
    tab.on("request", lambda req: tab.requested.append(req.url))
    try:
        yield tab
    finally:
        context.close()


@pytest.fixture
def screenshot_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.getbasetemp() / "screenshots"


@pytest.fixture
def login():
    def _login(page, base_url: str, username: str, password: str = PASSWORD) -> None:
        page.goto(f"{base_url}/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        with page.expect_navigation():
            page.click("[type=submit]")
        assert "/login" not in page.url, f"login as {username} failed: {page.url}"

    return _login
