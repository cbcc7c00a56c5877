"""One password policy for every way a password is set: forms, API, CLI, import.

Messages are English msgids translated at call time (gettext, not lazy): the same text reaches a
form error, a JSON 400 and a CLI error, each in the locale of its request or app context.
"""

from __future__ import annotations

import secrets
import string

from flask_appbuilder.exceptions import PasswordComplexityValidationError
from flask_babel import gettext, lazy_gettext

MIN_LENGTH = 12

POLICY_HINT = lazy_gettext(
    "At least %(length)s characters, with a lower-case and an upper-case letter, a digit and "
    "a symbol.",
    length=MIN_LENGTH,
)


class PasswordTooWeakError(ValueError):
    """The password does not meet the policy; the message says what is missing."""


def password_problems(password: str) -> list[str]:
    """What the password lacks, each a phrase completing "The password needs ..."."""
    value = password or ""
    problems = []
    if len(value) < MIN_LENGTH:
        problems.append(gettext("at least %(length)s characters", length=MIN_LENGTH))
    if not any(c.islower() for c in value):
        problems.append(gettext("a lower-case letter"))
    if not any(c.isupper() for c in value):
        problems.append(gettext("an upper-case letter"))
    if not any(c.isdigit() for c in value):
        problems.append(gettext("a digit"))
    if not any(not c.isalnum() for c in value):
        problems.append(gettext("a symbol"))
    return problems


def policy_message(problems: list[str]) -> str:
    return gettext("The password needs %(problems)s.", problems=", ".join(problems))


def validate_password(password: str) -> None:
    """The one check every path calls (forms through FAB's validator, the security manager,
    the users API, the CLI): a policy enforced in one place cannot drift between paths."""
    problems = password_problems(password)
    if problems:
        raise PasswordTooWeakError(policy_message(problems))


def validate_password_for_fab(password: str) -> None:
    """FAB_PASSWORD_COMPLEXITY_VALIDATOR: FAB's forms and API schemas expect its own exception
    type and turn it into a field error."""
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
