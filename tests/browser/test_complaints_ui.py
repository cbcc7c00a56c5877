"""A unit's liaison in a real browser files a confidential complaint, notes the ticket number
and secret code shown once, logs out, and reads the complaint's status at /pengaduan/status
without an account: its own name there reads "dirahasiakan"; a wrong code tells nothing."""

from __future__ import annotations

import pytest

from tests.browser.conftest import LIAISON

pytestmark = pytest.mark.browser


def test_liaison_files_a_complaint_and_checks_it_logged_out(live_server, page, login):
    login(page, live_server.url, LIAISON)
    page.goto(f"{live_server.url}/complaint/new")
    page.select_option("select[name=kind]", "keluhan")
    page.fill("input[name=subject]", "Notulen pembahasan belum dibagikan")
    page.fill("textarea[name=description]", "Sudah dua minggu notulen belum kami terima.")
    page.fill("input[name=complainant_name]", "Ratna Penghubung")
    page.check("input[name=confidential]")
    with page.expect_navigation():
        page.click("#complaint-submit")
    ticket = page.locator("#complaint-ticket").inner_text().strip()
    code = page.locator("#complaint-code").inner_text().strip()
    assert ticket.startswith("ADU-") and len(code) == 10
    page.goto(f"{live_server.url}/logout/")

    page.goto(f"{live_server.url}/pengaduan/status")
    page.fill("input[name=ticket]", ticket)
    page.fill("input[name=code]", "SALAHKODE1")
    with page.expect_navigation():
        page.click("#status-submit")
    assert page.locator("#status-problem").is_visible()
    assert "Notulen" not in page.content()

    page.fill("input[name=ticket]", ticket)
    page.fill("input[name=code]", code)
    with page.expect_navigation():
        page.click("#status-submit")
    result = page.locator("#status-result").inner_text()
    assert "Notulen pembahasan belum dibagikan" in result
    assert "Menunggu verifikasi" in result
    assert page.locator("#status-complainant").inner_text().strip() == "dirahasiakan"
    assert "Ratna Penghubung" not in page.content()
