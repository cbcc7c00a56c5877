"""The landing page: what a visitor and a logged-in user see first."""


def test_home_for_a_visitor_links_the_published_standard(client):
    page = client.get("/").get_data(as_text=True)
    assert 'href="/standar/"' in page and "Tugas saya" not in page


def test_home_for_staff_shows_the_my_tasks_panel(client, login):
    login(client, "staf")
    page = client.get("/").get_data(as_text=True)
    assert "Tugas saya" in page
