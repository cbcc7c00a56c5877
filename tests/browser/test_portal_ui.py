"""A unit's liaison in a real browser: logs in on the demo data (`make run`'s), sees its step-6
deadline on the home page, submits its unit's final draft; the Kabag serving the unit then sees
that unit's part of step 6 done on the cycle page."""

from __future__ import annotations

import datetime as dt
import re

import pytest

pytestmark = pytest.mark.browser

LIAISON, KABAG = "setpres", "kabag1"
MEMO = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
WHEN = re.compile(r"\d{2}-\d{2}-\d{4} \d{2}:\d{2} WIB")


def _shot(page, directory, name: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(directory / f"{name}.png"), full_page=True)


def test_liaison_submits_its_final_draft_and_the_kabag_sees_the_part_done(
        browser, demo_server, login, screenshot_dir, tmp_path):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    login(page, demo_server.url, LIAISON)
    home = page.locator("#unit-home")
    assert "Sekretariat Presiden" in home.inner_text()
    share = home.locator(".iku-unit-share").first
    deadline = share.locator(".iku-deadline").inner_text()
    assert deadline.startswith("Tenggat:") and WHEN.search(deadline), deadline
    assert "(rencana)" not in deadline, "step 6 is open: the deadline is the real one"
    _shot(page, screenshot_dir, "liaison-home")

    share.locator("a[id^=submit-final-]").click()
    page.fill("input[name=approver_name]", "Dr. Andi Wibowo")
    page.fill("input[name=approver_position]", "Deputi Bidang Administrasi Sekretariat Presiden")
    page.click("input[name=approved_on]")
    page.keyboard.type((dt.date.today() - dt.timedelta(days=1)).strftime("%d-%m-%Y"))
    memo = tmp_path / "memo-persetujuan.pdf"
    memo.write_bytes(MEMO)
    page.set_input_files("input[name=memo]", str(memo))
    page.click("textarea[name=note]")  # the date picker closes
    assert page.locator("input[name=approved_on]").input_value() == (
        dt.date.today() - dt.timedelta(days=1)).strftime("%d-%m-%Y")
    _shot(page, screenshot_dir, "liaison-submission-form")
    with page.expect_navigation():
        page.click("form [type=submit]")
    _shot(page, screenshot_dir, "liaison-submitted")
    flashes = page.locator(".alert").all_inner_texts()
    assert any("telah disampaikan" in text for text in flashes), (page.url, flashes)
    page.goto(f"{demo_server.url}/")
    done = page.locator("#unit-home .iku-unit-share").first.inner_text()
    assert "Selesai pada" in done, done
    _shot(page, screenshot_dir, "liaison-home-after")
    context.close()

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    login(page, demo_server.url, KABAG)
    page.goto(f"{demo_server.url}/cycleview/list/")
    with page.expect_navigation():
        page.locator("table a[href*='/cycleview/show/']").first.click()
    assert "/cycle/" in page.url
    row = page.locator("#node-s06-SETPRES")
    assert row.count() == 1
    cells = row.locator("td")
    assert cells.nth(3).inner_text().strip() == "Selesai"
    other = page.locator("#node-s06-SETWAPRES td").nth(3).inner_text().strip()
    assert other != "Selesai", "only the unit that submitted is done"
    _shot(page, screenshot_dir, "kabag-cycle-step6")
    context.close()
