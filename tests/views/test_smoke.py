def test_login_page_is_indonesian(client):
    page = client.get("/login/").get_data(as_text=True)
    assert "Kata Sandi" in page or "Kata sandi" in page
