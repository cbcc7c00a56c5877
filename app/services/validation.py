"""The rules a record's values must follow, in one place: the pages (form validators and the
base view's pre_add/pre_update), the REST API (base API's pre_add/pre_update), the XLSX import
and the CLI call these functions, so that no path accepts what another refuses.

Structural invariants that need no configuration stay on the model (the NIP's structure,
app.models.org.parse_nip); what needs the app's configuration (the organisation's own email
domains) or applies to several models (choices, required text) lives here.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from email_validator import EmailNotValidError
from email_validator import validate_email as _check_email
from flask import current_app, has_app_context
from flask_babel import gettext
from sqlalchemy import String, Text, inspect

from app.models.org import (
    CompetenceLevel,
    CompetenceRecord,
    OrgUnit,
    OrgUnitKind,
    Pelaksana,
    Section,
    SectionKind,
)

# An address at the organisation's own domains (IKU_ORG_EMAIL_DOMAINS, e.g. "iku.local") is
# checked with this stand-in domain: email-validator refuses special-use names such as .local,
# which an intranet mail server may well use.
_STAND_IN_DOMAIN = "example.org"


class FieldInvalidError(ValueError):
    """One field's value breaks a rule; str(self) is the message for the person."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)

    def as_messages(self) -> dict[str, list[str]]:
        return {self.field: [str(self)]}


class ValueInvalidError(ValueError):
    """A value breaks a rule (field not yet known: the caller adds it)."""


def org_email_domains() -> set[str]:
    if not has_app_context():
        return set()
    domains = current_app.config.get("IKU_ORG_EMAIL_DOMAINS") or []
    if isinstance(domains, str):
        domains = domains.split(",")
    return {domain.strip().lstrip("@").casefold() for domain in domains if domain.strip()}


def validate_email(value: str | None) -> str | None:
    """A deliverable-looking address, normalised (domain lower-cased); empty means none."""
    text = (value or "").strip()
    if not text:
        return None
    local, _, domain = text.rpartition("@")
    try:
        if local and domain.casefold() in org_email_domains():
            checked = _check_email(f"{local}@{_STAND_IN_DOMAIN}", check_deliverability=False)
            return f"{checked.local_part}@{domain.casefold()}"
        return _check_email(text, check_deliverability=False).normalized
    except EmailNotValidError:
        raise ValueInvalidError(gettext("Invalid email address: %(value)s.", value=text)) from None


def choice(enum: type[StrEnum]) -> Callable[[str | None], str | None]:
    """A value among the enum's (the select box's options)."""

    def check(value):
        if value is None or value == "":
            return value
        allowed = [member.value for member in enum]
        if value not in allowed:
            raise ValueInvalidError(gettext(
                "Unknown value: %(value)s. Use one of: %(allowed)s.", value=value,
                allowed=", ".join(allowed)))
        return value

    return check


FIELD_RULES: dict[type, dict[str, Callable]] = {
    OrgUnit: {"head_email": validate_email, "kind": choice(OrgUnitKind)},
    Pelaksana: {"email": validate_email},
    Section: {"kind": choice(SectionKind)},
    CompetenceRecord: {"level": choice(CompetenceLevel)},
}


# Rules over a whole record (several fields, other rows), registered by the domain's service
# module (e.g. app.services.iku): each takes the item and raises FieldInvalidError.
RECORD_RULES: dict[type, list[Callable]] = {}


def register_record_rule(model: type, rule: Callable) -> None:
    if rule not in RECORD_RULES.setdefault(model, []):
        RECORD_RULES[model].append(rule)


def _changed(state, key: str) -> bool:
    return state.transient or state.pending or state.attrs[key].history.has_changes()


def validate_record(item) -> None:
    """Check a record about to be saved: its required text is not blank, its fields follow
    FIELD_RULES (values normalised in place), then the RECORD_RULES of its model. Only new or
    changed fields are checked by FIELD_RULES, so that a record saved before a rule existed can
    still be edited elsewhere."""
    state = inspect(item)
    for column in state.mapper.columns:
        key = column.key
        if (not column.nullable and not column.primary_key and isinstance(column.type, String | Text)
                and _changed(state, key)):
            value = getattr(item, key, None)
            if value is not None and not str(value).strip():
                raise FieldInvalidError(key, gettext("Required."))
    for key, rule in FIELD_RULES.get(type(item), {}).items():
        if not _changed(state, key):
            continue
        try:
            value = rule(getattr(item, key))
        except ValueInvalidError as exc:
            raise FieldInvalidError(key, str(exc)) from None
        if value != getattr(item, key):
            setattr(item, key, value)
    for rule in RECORD_RULES.get(type(item), []):
        rule(item)
