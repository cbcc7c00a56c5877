"""HTTP-level hardening shared by every page and API: security headers."""

from flask import Flask


def init_web(app: Flask) -> None:
    """Placeholder until the hardening lands (Talisman, CSP, lockout)."""
