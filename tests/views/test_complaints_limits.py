"""/pengaduan/status is public: the ticket + secret code checks are limited per address."""

from __future__ import annotations

from tests.secure_app import csrf_token, secure_app


def test_status_checks_beyond_the_limit_are_refused(tmp_path):
    with secure_app(tmp_path / "iku.db", IKU_COMPLAINT_STATUS_RATE_LIMIT="3 per minute",
                    RATELIMIT_STORAGE_URI="memory://", WTF_CSRF_ENABLED=True) as app:
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = "10.9.8.7"
        token = csrf_token(client, "/pengaduan/status")
        answers = [client.post("/pengaduan/status", data={
            "csrf_token": token, "ticket": f"ADU-2026-AAAAA{i}", "code": "X"}) for i in range(4)]
        assert [a.status_code for a in answers] == [404, 404, 404, 429]
        assert client.get("/pengaduan/status").status_code == 200
