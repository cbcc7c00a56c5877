"""The landing page: what a visitor and a logged-in user see first."""


def test_home_for_a_visitor_links_the_published_standard(client):
    page = client.get("/").get_data(as_text=True)
    assert 'href="/standar/"' in page and "Tugas saya" not in page


def test_home_for_staff_shows_the_my_tasks_panel(client, login):
    login(client, "staf")
    page = client.get("/").get_data(as_text=True)
    assert "Tugas saya" in page


def test_every_page_links_a_local_favicon_and_the_root_one_answers(client, login):
    import re

    for page in (client.get("/login/"), client.get("/standar/")):
        link = re.search(r'<link rel="icon"[^>]*href="([^"]+)"', page.get_data(as_text=True))
        assert link and link.group(1).startswith("/static/")
        icon = client.get(link.group(1))
        assert icon.status_code == 200 and icon.data[:4] == b"\x00\x00\x01\x00"  # an .ico
    root = client.get("/favicon.ico")
    assert root.status_code == 200 and root.mimetype == "image/vnd.microsoft.icon"
    login(client, "staf")
    assert '<link rel="icon"' in client.get("/").get_data(as_text=True)
