"""What the database refused, told to a person: the one mapping from SQLAlchemy's
IntegrityError/DataError to a short Indonesian message naming the field, used by the pages and
the REST API alike (through app.views.datamodel.IkuSQLAInterface). The driver's text, with its
SQL and the failing row, goes to the log only.

Also the one range check for integer ids coming from outside (URL, filter, form): PostgreSQL's
INTEGER stops at 2**31 - 1 and refuses a larger parameter with an error instead of "no row".
"""

from __future__ import annotations

import logging
import re

from flask import has_request_context, request
from flask_babel import gettext
from sqlalchemy.exc import DataError, IntegrityError, SQLAlchemyError, StatementError

log = logging.getLogger(__name__)

INT_MAX = 2**31 - 1
BIGINT_MAX = 2**63 - 1

# Column labels for messages; the same English msgids as the pages' labels.
LABELS = {
    "code": "Code", "name": "Name", "nip": "NIP", "kind": "Kind", "email": "Email",
    "head_email": "Head's email", "level": "Level", "description": "Description",
    "pelaksana": "Pelaksana", "competence": "Competence", "assessed_on": "Assessed on",
    "section": "Section", "position": "Position", "parent": "Parent section",
}  # fmt: skip

# "Key (code)=(X) already exists." (PostgreSQL) / "UNIQUE constraint failed: t.code, t.x" (SQLite)
_PG_KEY = re.compile(r"Key \(([^)]*)\)=")
_SQLITE_COLUMNS = re.compile(r"constraint failed: ([\w., ]+)")


def as_db_int(value, maximum: int = INT_MAX) -> int | None:
    """An id from outside as an int the database can compare, or None (no such row)."""
    if isinstance(value, bool):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if -maximum - 1 <= number <= maximum else None


class RecordRejectedError(ValueError):
    """The database refused a write; `field` (may be None) is the column it is about and
    str(self) the message for the person who made it."""

    def __init__(self, message: str, field: str | None = None):
        self.field = field
        super().__init__(message)

    def as_messages(self) -> dict[str, list[str]] | str:
        """FAB's 422 shape: {field: [message]} like a schema error, or a plain message."""
        return {self.field: [str(self)]} if self.field else str(self)


def remember(refusal: RecordRejectedError) -> RecordRejectedError:
    """Kept on the request for a page that shows a fixed text for any error (FAB's edit)."""
    if has_request_context():
        request.environ["iku.db_refusal"] = refusal
    return refusal


def last_refusal() -> RecordRejectedError | None:
    return request.environ.get("iku.db_refusal") if has_request_context() else None


def _columns(exc: SQLAlchemyError) -> list[str]:
    orig = getattr(exc, "orig", None)
    diag = getattr(orig, "diag", None)
    detail = getattr(diag, "message_detail", None) or ""
    column = getattr(diag, "column_name", None)
    if column:
        return [column]
    match = _PG_KEY.search(detail)
    if match:
        return [name.strip() for name in match.group(1).split(",")]
    match = _SQLITE_COLUMNS.search(str(orig))
    if match:
        return [name.strip().rsplit(".", 1)[-1] for name in match.group(1).split(",")]
    return []


def _field(columns: list[str]) -> str | None:
    """The user-facing field: `section_id` is the form's `section`; of a composite key, the
    first column a person picks (the pelaksana of a competence record)."""
    if not columns:
        return None
    name = columns[0]
    return name[:-3] if name.endswith("_id") else name


def _label(field: str | None) -> str:
    return gettext(LABELS.get(field, field.replace("_", " ").capitalize())) if field else ""


def explain(exc: SQLAlchemyError) -> RecordRejectedError:
    """The message for one refused statement. Logs the driver's detail (never shown)."""
    log.warning("Database refused a write: %s", exc)
    text = str(getattr(exc, "orig", exc)).lower()
    if isinstance(exc, IntegrityError):
        columns = _columns(exc)
        field = _field(columns)
        if "unique" in text or "duplicate" in text:
            if len(columns) > 1:
                labels = ", ".join(_label(_field([column])) for column in columns)
                return RecordRejectedError(gettext(
                    "A record with the same %(fields)s already exists.", fields=labels), field)
            return RecordRejectedError(
                gettext("%(field)s is already used by another record.", field=_label(field))
                if field else gettext("This record already exists."), field)
        if "foreign key" in text:
            if "still referenced" in text or "update or delete" in text or not field:
                return RecordRejectedError(gettext(
                    "This record is still used by other records; remove or change those first."))
            return RecordRejectedError(
                gettext("%(field)s refers to a record that does not exist.", field=_label(field)),
                field)
        if "null" in text:
            return RecordRejectedError(
                gettext("%(field)s is required.", field=_label(field)), field)
        return RecordRejectedError(gettext("The data breaks a rule of the database."), field)
    return RecordRejectedError(gettext(
        "A value is too large, too long or contains characters that cannot be stored."))


def is_input_error(exc: BaseException) -> bool:
    """A statement refused because of a value from outside (out of range, NUL byte, bad
    date), not because the database is down: the client's to fix."""
    if isinstance(exc, DataError | IntegrityError | OverflowError):
        return True
    return isinstance(exc, StatementError) and isinstance(
        getattr(exc, "orig", None), OverflowError | ValueError)
