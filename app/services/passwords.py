"""One password policy for every way a password is set: forms, API, CLI, import."""

from __future__ import annotations

import secrets
import string

from flask_appbuilder.exceptions import PasswordComplexityValidationError

MIN_LENGTH = 12


class PasswordTooWeakError(ValueError):
    """The password does not meet the policy; the message says why, in Indonesian."""


def password_problems(password: str) -> list[str]:
    problems = []
    if len(password or "") < MIN_LENGTH:
        problems.append(f"minimal {MIN_LENGTH} karakter")
    if not any(c.islower() for c in password or ""):
        problems.append("huruf kecil")
    if not any(c.isupper() for c in password or ""):
        problems.append("huruf besar")
    if not any(c.isdigit() for c in password or ""):
        problems.append("angka")
    if not any(not c.isalnum() for c in password or ""):
        problems.append("simbol")
    return problems


def validate_password(password: str) -> None:
    problems = password_problems(password)
    if problems:
        raise PasswordTooWeakError("Kata sandi harus memuat: " + ", ".join(problems) + ".")


def validate_password_for_fab(password: str) -> None:
    """FAB_PASSWORD_COMPLEXITY_VALIDATOR: FAB's forms expect its own exception type."""
    try:
        validate_password(password)
    except PasswordTooWeakError as exc:
        raise PasswordComplexityValidationError(str(exc)) from None


def generate_password(length: int = 16) -> str:
    """A random password that always satisfies the policy (for the demo admin, resets)."""
    alphabet = string.ascii_letters + string.digits + "!@#%^*-_=+"
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(length))
        if not password_problems(candidate):
            return candidate
