"""FAB's pages under the Content-Security-Policy of app/web.py, in a real browser: no refusal
on the console, and FAB's scripts (Select2, Swagger UI) actually ran."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import ADMIN

pytestmark = pytest.mark.browser


def _clean(page) -> None:
    noise = [p for p in page.problems if "favicon" not in p]
    assert not noise, f"console errors / refused resources on {page.url}: {noise}"


def test_user_admin_pages_run_under_the_policy(page, live_server, login):
    login(page, live_server.url, ADMIN)
    page.goto(f"{live_server.url}/users/list/")
    show = page.locator("a[href*='/users/show/']").first.get_attribute("href")
    user_id = re.search(r"/users/show/(\d+)", show).group(1)
    for path in (f"/users/show/{user_id}", f"/users/access/{user_id}"):
        page.goto(live_server.url + path)
        _clean(page)
    page.goto(f"{live_server.url}/users/add")
    page.locator(".select2-container").first.wait_for(state="visible")
    _clean(page)


def test_swagger_ui_runs_under_the_policy(page, live_server, login):
    login(page, live_server.url, ADMIN)
    response = page.goto(f"{live_server.url}/swagger/v1")
    assert "'nonce-" in response.headers["content-security-policy"]
    page.locator(".swagger-ui .info").wait_for(state="visible")
    _clean(page)
