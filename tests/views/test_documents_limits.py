"""The public file check at /verifikasi/ is limited per client address like the login: anyone
may use it without an account, so hashing uploads must not become a way to load the server."""

from __future__ import annotations

import io

from tests.secure_app import csrf_token, secure_app


def _check(client, token: str):
    return client.post("/verifikasi/", data={"csrf_token": token, "file": (
        io.BytesIO(b"berkas apa saja"), "surat.pdf")}, content_type="multipart/form-data")


def test_file_checks_beyond_the_limit_are_refused_per_address(tmp_path):
    with secure_app(tmp_path / "iku.db", IKU_VERIFY_RATE_LIMIT="3 per minute",
                    RATELIMIT_STORAGE_URI="memory://", WTF_CSRF_ENABLED=True) as app:
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = "10.9.9.9"
        token = csrf_token(client, "/verifikasi/")
        answers = [_check(client, token) for _ in range(4)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        assert 'id="verify-no-match"' in answers[0].get_data(as_text=True)
        # the page itself and another address are not limited by those checks
        assert client.get("/verifikasi/").status_code == 200
        other = app.test_client()
        other.environ_base["REMOTE_ADDR"] = "10.9.9.10"
        assert _check(other, csrf_token(other, "/verifikasi/")).status_code == 200
