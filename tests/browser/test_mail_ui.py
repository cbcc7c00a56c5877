"""The demo's memorandum sent by email, in a real browser: the Kabag opens the document from
the register, sees every unit's email queued on its page, and previews a new dispatch."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

KABAG = "kabag1"


def test_kabag_sees_the_dispatch_of_the_demo_memorandum_and_previews_another(
        page, demo_server, login, screenshot_dir):
    login(page, demo_server.url, KABAG)
    page.goto(f"{demo_server.url}/documentview/list/?_flt_0_code=memo_usulan_tim")
    with page.expect_navigation():
        page.locator("table a[href*='/documentview/show/']").first.click()
    deliveries = page.locator("#document-deliveries tbody tr")
    assert deliveries.count() == 7, "one email per unit served by Bagian AK I"
    assert "Dalam antrean" in deliveries.first.inner_text()
    assert "@iku.local" in deliveries.first.inner_text()
    screenshot_dir.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(screenshot_dir / "document-deliveries.png"), full_page=True)
    with page.expect_navigation():
        page.locator("a[href*='/mail/dispatch/']").click()
    page.select_option("select[name=group]", "ak2")
    with page.expect_navigation():
        page.click("button[name=preview]")
    drafts = page.locator(".iku-mail-draft")
    assert drafts.count() >= 1
    assert "Bersama ini kami sampaikan" in drafts.first.inner_text()
    assert page.locator("button[name=send]").count() == 1
    page.screenshot(path=str(screenshot_dir / "dispatch-preview.png"), full_page=True)
    assert not page.problems, page.problems
