"""Configuration from environment variables.

Every setting that differs between a laptop, CI and production comes from the environment, read
through the typed helpers below so that a typo ("flase") fails at start instead of silently
meaning True. `Config` is production-safe by default; `TestConfig` only relaxes what tests need.
"""

import json
import os
from pathlib import Path

from flask_appbuilder.security.manager import AUTH_DB

BASE_DIR = Path(__file__).resolve().parent
INSECURE_KEYS = {"", "change-me", "dev", "secret", "changeme"}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"{name} must be a boolean (true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


class Config:
    ENV_NAME = env_str("IKU_ENV", "production")
    SECRET_KEY = env_str("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = env_str(
        "DATABASE_URL", f"sqlite:///{BASE_DIR / 'instance' / 'iku.db'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # PostgreSQL: psycopg's prepared statements, kept across requests (app/read_transactions.py)
    IKU_PG_PREPARE = env_bool("IKU_PG_PREPARE", True)

    APP_NAME = "IKU Backoffice"
    APP_ICON = ""
    FAB_BASE_TEMPLATE = "appbuilder/iku/baselayout.html"
    FAB_SECURITY_MANAGER_CLASS = "app.views.users.IkuViewsSecurityManager"
    FAB_INDEX_VIEW = "app.views.home.HomeIndexView"
    # Alembic owns the schema; FAB would otherwise create_all() behind its back.
    FAB_CREATE_DB = False
    # Permission sync writes to the DB from every worker at start: do it in `flask iku init`.
    FAB_UPDATE_PERMS = env_bool("FAB_UPDATE_PERMS", False)
    # FAB's users/roles/permissions REST API stays off: roles are defined in code (FAB_ROLES),
    # so its role and permission writes would edit rows that grant nothing or bypass the
    # reviewed spec, and its writes answered 500 to a fuzzer (README, "REST API").
    FAB_ADD_SECURITY_API = False
    # FAB's raw permission tables ("can_read" on "OrgUnit"): the role pages say the same in
    # words (app.services.permission_words), and builtin roles are not stored there anyway.
    FAB_ADD_SECURITY_PERMISSION_VIEW = False
    FAB_ADD_SECURITY_VIEW_MENU_VIEW = False
    FAB_ADD_SECURITY_PERMISSION_VIEWS_VIEW = False
    FAB_API_SWAGGER_UI = True
    FAB_API_MAX_PAGE_SIZE = 100
    FAB_SAFE_REDIRECT_HOSTS = env_list("FAB_SAFE_REDIRECT_HOSTS", [])

    AUTH_TYPE = AUTH_DB
    AUTH_USER_REGISTRATION = False
    AUTH_ROLE_ADMIN = "Admin"
    AUTH_ROLE_PUBLIC = "Public"
    AUTH_RATE_LIMITED = True
    AUTH_RATE_LIMIT = env_str("AUTH_RATE_LIMIT", "10 per minute")
    RATELIMIT_ENABLED = env_bool("RATELIMIT_ENABLED", True)
    # Every worker must share the login limits and the lockout counter of unknown names
    # (memory:// counts per process). Default: an SQLite file beside the app's database, shared
    # by the workers of one machine (app/services/ratelimit.py); several machines: redis://...
    # or db+postgresql+psycopg://... (README, "Configuration").
    RATELIMIT_STORAGE_URI = env_str(
        "RATELIMIT_STORAGE_URI", f"db+sqlite:///{BASE_DIR / 'instance' / 'ratelimit.db'}"
    )
    IKU_LOCKOUT_THRESHOLD = env_int("IKU_LOCKOUT_THRESHOLD", 5)
    FAB_PASSWORD_COMPLEXITY_ENABLED = True
    # A dotted path, imported by IkuSecurityManager (FAB would call the string itself).
    FAB_PASSWORD_COMPLEXITY_VALIDATOR = "app.services.passwords.validate_password_for_fab"

    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    REMEMBER_COOKIE_HTTPONLY = True
    WTF_CSRF_ENABLED = True
    FORCE_HTTPS = env_bool("FORCE_HTTPS", False)  # also turns HSTS on
    # Reverse proxies in front of the app (nginx: 1). Without it every client has the proxy's
    # address, and the login rate limit (per address) would be shared by all users.
    TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

    BABEL_DEFAULT_LOCALE = "id"
    BABEL_TRANSLATION_DIRECTORIES = "translations"
    LANGUAGES = {
        "id": {"flag": "id", "name": "Bahasa Indonesia"},
        "en": {"flag": "gb", "name": "English"},
    }

    # Mail (app/services/mail): every email is an outbox row delivered by `flask iku
    # mail-worker` through this SMTP server (Flask-Mail). The sender is configuration only.
    MAIL_SERVER = env_str("MAIL_SERVER", "127.0.0.1")
    MAIL_PORT = env_int("MAIL_PORT", 25)
    MAIL_USE_TLS = env_bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = env_bool("MAIL_USE_SSL", False)
    MAIL_USERNAME = env_str("MAIL_USERNAME") or None
    MAIL_PASSWORD = env_str("MAIL_PASSWORD") or None
    MAIL_DEFAULT_SENDER = env_str("MAIL_DEFAULT_SENDER", "iku-backoffice@localhost")
    # Flask-Mail would otherwise drop every email silently whenever TESTING is on.
    MAIL_SUPPRESS_SEND = False
    IKU_MAIL_BATCH = env_int("IKU_MAIL_BATCH", 100)  # emails claimed and sent per connection
    IKU_MAIL_LEASE_SECONDS = env_int("IKU_MAIL_LEASE_SECONDS", 300)  # a claim's life
    # Outcomes committed together: a worker killed mid-batch resends at most this many.
    IKU_MAIL_COMMIT_EVERY = env_int("IKU_MAIL_COMMIT_EVERY", 10)
    IKU_MAIL_TIMEOUT_SECONDS = env_int("IKU_MAIL_TIMEOUT_SECONDS", 30)  # SMTP socket timeout
    IKU_MAIL_RETRY_BASE_SECONDS = env_int("IKU_MAIL_RETRY_BASE_SECONDS", 60)
    IKU_MAIL_RETRY_MAX_SECONDS = env_int("IKU_MAIL_RETRY_MAX_SECONDS", 3600)
    IKU_MAIL_MAX_ATTEMPTS = env_int("IKU_MAIL_MAX_ATTEMPTS", 3)  # tries before a 5xx is final
    IKU_MAIL_POLL_SECONDS = env_int("IKU_MAIL_POLL_SECONDS", 5)  # worker's wait when idle
    # The domain of every Message-ID (<...@domain>); empty: this machine's name.
    IKU_MAIL_MESSAGE_ID_DOMAIN = env_str("IKU_MAIL_MESSAGE_ID_DOMAIN", "")
    # The maildir the local SMTP sink of `make run` writes, read by the "Local mailbox" page
    # (empty: no such page content).
    IKU_MAIL_SINK_DIR = env_str("IKU_MAIL_SINK_DIR", "")

    # Key of the audit trail's HMAC chain, kept outside the database (empty: derived from
    # SECRET_KEY). Set it once in production and keep it: a new key fails every old entry.
    IKU_AUDIT_KEY = env_str("IKU_AUDIT_KEY")

    IKU_STANDARDS_DIR = str(BASE_DIR / "app" / "standards")
    IKU_EXPORT_MAX_ROWS = env_int("IKU_EXPORT_MAX_ROWS", 50000)
    # The organisation's own mail domains: accepted even where email-validator refuses them
    # (special-use names such as an intranet's .local; see app/services/emails.py).
    IKU_ORG_EMAIL_DOMAINS = env_list("IKU_ORG_EMAIL_DOMAINS", ["iku.local"])
    # At most this many IKU serve one sasaran strategis (app/services/iku.py).
    IKU_MAX_PER_SASARAN = env_int("IKU_MAX_PER_SASARAN", 5)
    # The name the ministry-level IKU stand under in the IKU matrix and its lampiran.
    IKU_MINISTRY_NAME = env_str("IKU_MINISTRY_NAME", "Kementerian Sekretariat Negara")
    # Uploaded import files wait here between preview and confirm: a shared volume when the app
    # runs on several machines (empty = instance/imports).
    IKU_IMPORT_DIR = env_str("IKU_IMPORT_DIR", "")
    MAX_CONTENT_LENGTH = env_int("MAX_CONTENT_LENGTH", 6 * 1024 * 1024)
    # Naskah dinas (templates/docx/, app/services/docx_render.py, document_context.py): the
    # largest template an admin may upload, and the letterhead and place every document reads.
    IKU_TEMPLATE_MAX_BYTES = env_int("IKU_TEMPLATE_MAX_BYTES", 2 * 1024 * 1024)
    IKU_RENDER_SECONDS = env_int("IKU_RENDER_SECONDS", 10)  # a render taking longer is stopped
    IKU_DOCX_MINISTRY = env_str("IKU_DOCX_MINISTRY", "Kementerian Sekretariat Negara")
    IKU_DOCX_ADDRESS = env_str("IKU_DOCX_ADDRESS", "Jalan Veteran Nomor 17–18, Jakarta 10110")
    IKU_DOCX_PLACE = env_str("IKU_DOCX_PLACE", "Jakarta")

    # Official documents (app/services/documents): where their files are kept (a shared volume
    # with several machines; empty = instance/documents), the largest file accepted, the base of
    # the verification URL printed as a QR code on every final document, and LibreOffice for
    # the PDF copies (empty: `soffice`/`libreoffice` on PATH; "off" disables PDF).
    IKU_DOCUMENTS_DIR = env_str("IKU_DOCUMENTS_DIR", "")
    IKU_DOCUMENT_MAX_BYTES = env_int("IKU_DOCUMENT_MAX_BYTES", 5 * 1024 * 1024)
    IKU_PUBLIC_BASE_URL = env_str("IKU_PUBLIC_BASE_URL", "http://127.0.0.1:8080")
    IKU_SOFFICE = env_str("IKU_SOFFICE", "")
    IKU_VERIFY_RATE_LIMIT = env_str("IKU_VERIFY_RATE_LIMIT", "10 per minute")
    # /pengaduan/status: ticket + secret code checks per client address
    IKU_COMPLAINT_STATUS_RATE_LIMIT = env_str("IKU_COMPLAINT_STATUS_RATE_LIMIT", "10 per minute")
    # Numbering of naskah dinas (national pattern, DOMAIN.md): per kind of document the series
    # (one sequence per series and year; {office} makes one per issuing office), the pattern,
    # and whether Biro Tata Usaha gives the number by hand. Placeholders: {seq} {year} {month}
    # (format specs allowed, e.g. {month:02d}) {month_roman} {security} {agency} {office}
    # {classification}. `offices` gives the office code of each signer of the standard
    # (`signed_by`); `documents` overrides codes per document code. The ministry's own codes are
    # not public: these are placeholders to set per installation (IKU_DOCUMENT_NUMBERING_JSON,
    # a JSON object merged over this one).
    IKU_DOCUMENT_NUMBERING = {
        "codes": {"security": "B", "agency": "Kemensetneg", "office": "B-OTLAK",
                  "classification": "OT.02.02", "personnel": "KP.04.02"},
        "offices": {"deputi_aa": "D-3", "kepala_biro": "B-OTLAK", "menteri": "M"},
        "kinds": {
            "memorandum": {"series": "memorandum/{office}",
                           "pattern": "{seq}/{office}/{classification}/{month:02d}/{year}"},
            "surat": {"series": "surat/{office}",
                      "pattern": "{security}-{seq}/{agency}/{office}/{classification}/"
                                 "{month:02d}/{year}"},
            "keputusan": {"series": "keputusan", "manual": True,
                          "pattern": "NOMOR {seq} TAHUN {year}"},
            "peraturan": {"series": "peraturan", "manual": True,
                          "pattern": "NOMOR {seq} TAHUN {year}"},
            "salinan": {"series": "salinan", "manual": True,
                        "pattern": "NOMOR {seq} TAHUN {year}"},
            "teguran": {"series": "teguran/{office}",
                        "pattern": "{seq}/TEG/{office}/{personnel}/{month:02d}/{year}"},
            "laporan": {"series": "laporan/{office}",
                        "pattern": "{seq}/LAP/{office}/{personnel}/{month:02d}/{year}"},
        },
        "documents": {},
    }
    IKU_DOCUMENT_NUMBERING_JSON = env_str("IKU_DOCUMENT_NUMBERING_JSON", "")

    # Yearly evaluation (app.services.evaluation): reminders start this many days before a
    # period's closing date; the predikat distribution warns when a share leaves its bounds
    # (predikat -> {"min": share, "max": share}, shares of the rated evaluations, 0..1).
    IKU_EVALUATION_REMIND_DAYS = env_int("IKU_EVALUATION_REMIND_DAYS", 14)
    IKU_EVALUATION_DISTRIBUTION = json.loads(env_str(
        "IKU_EVALUATION_DISTRIBUTION_JSON",
        '{"Sangat Baik": {"max": 0.2}, "Sangat Kurang": {"max": 0.05}}'))
    # Bottleneck dashboard (app.services.dashboard): its figures are recomputed at most this
    # often per worker (seconds; 0 = every request).
    IKU_DASHBOARD_CACHE_SECONDS = env_int("IKU_DASHBOARD_CACHE_SECONDS", 300)

    @classmethod
    def check(cls) -> None:
        """Refuse to run production on a guessable key: sessions and JWTs would be forgeable."""
        if cls.ENV_NAME != "test" and (cls.SECRET_KEY or "").strip() in INSECURE_KEYS:
            raise RuntimeError(
                "SECRET_KEY is missing or a known default. Set a long random SECRET_KEY "
                "(`make run` generates one into instance/secret_key)."
            )


class DevConfig(Config):
    """`make run` on a laptop: plain HTTP on 127.0.0.1, so cookies cannot require HTTPS."""

    ENV_NAME = "development"
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
    # `make run` starts a local SMTP sink on this port writing to this maildir.
    MAIL_PORT = env_int("MAIL_PORT", 8025)
    IKU_MAIL_SINK_DIR = env_str("IKU_MAIL_SINK_DIR", str(BASE_DIR / "instance" / "maildir"))
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE


class TestConfig(Config):
    ENV_NAME = "test"
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"
    SQLALCHEMY_DATABASE_URI = env_str("TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = False
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    RATELIMIT_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    FAB_UPDATE_PERMS = False
    IKU_ORG_EMAIL_DOMAINS = ["iku.local", "iku.test"]  # the test accounts' own domain
    MAIL_PORT = 8025
    IKU_MAIL_TIMEOUT_SECONDS = 5
    # The suite logs in some thousands of times and scrypt (FAB's default, kept everywhere
    # else) spends ~0.1 s per check: minutes per run. What a hash costs is not under test.
    FAB_PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    AUTH_DB_FAKE_PASSWORD_HASH_CHECK = ("pbkdf2:sha256:1000$JMPwmB0sJGkVQLzp$"
                                        "9fbfcd34bcb3b7c742dc59bef9e73ce9bf426b7e08202ee46494d21839081d92")
