"""Which email addresses the app accepts: any deliverable-looking address, and every address of
the organisation's own domains.

email-validator refuses the special-use domains (`.local`, `.localhost`, `.test`, ...) outright,
whatever its options: `test_environment` only lets `.test` through, and
`globally_deliverable=False` only lifts the "needs a dot" rule. An intranet's own mail domain
(the demo's `iku.local`) is nevertheless where the organisation's people receive mail, so an
address of a domain listed in IKU_ORG_EMAIL_DOMAINS has its local part checked by
email-validator and its domain accepted as configured. The same function serves forms, the
import and the command line.
"""

from __future__ import annotations

from collections.abc import Iterable

from email_validator import EmailNotValidError, validate_email

# A stand-in domain to check the local part of an own-domain address with: syntax only.
_PROBE_DOMAIN = "example.com"


class EmailAddressInvalidError(ValueError):
    """Not an email address the app can send to."""


def org_domains() -> frozenset[str]:
    """IKU_ORG_EMAIL_DOMAINS of the running app (none outside one)."""
    from flask import current_app, has_app_context

    if not has_app_context():
        return frozenset()
    return frozenset(d.strip().lstrip("@").casefold()
                     for d in current_app.config.get("IKU_ORG_EMAIL_DOMAINS") or () if d.strip())


def normalize_address(address: str, own_domains: Iterable[str] | None = None) -> str:
    """The address as it will be stored (domain in lower case), or EmailAddressInvalidError.
    No DNS lookup: the app runs on closed networks."""
    text = (address or "").strip()
    domains = org_domains() if own_domains is None else {d.casefold() for d in own_domains}
    local, at, domain = text.rpartition("@")
    try:
        if at and domain.casefold() in domains:
            checked = validate_email(f"{local}@{_PROBE_DOMAIN}", check_deliverability=False)
            return f"{checked.local_part}@{domain.casefold()}"
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise EmailAddressInvalidError(f"Alamat email tidak valid: {text}") from exc
