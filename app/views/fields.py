"""Form fields FAB cannot derive from a String column: a StrEnum shown as a labelled select, an
email address checked as the rest of the app checks it."""

from __future__ import annotations

from flask_appbuilder.fieldwidgets import Select2Widget
from wtforms import SelectField
from wtforms.validators import DataRequired, ValidationError

from app.services.emails import EmailAddressInvalidError, normalize_address
from app.views.display import labels_formatter as enum_formatter  # noqa: F401  (list/show label)


def enum_select(label, labels: dict, description="") -> SelectField:
    """A select over a StrEnum's values with human labels (translatable lazy strings)."""
    return SelectField(
        label,
        choices=[(str(value), text) for value, text in labels.items()],
        validators=[DataRequired()],
        widget=Select2Widget(),
        description=description,
    )


class EmailAddress:
    """WTForms validator through app.services.emails (own domains such as .local accepted);
    the field keeps the normalised address."""

    def __init__(self, message=None):
        self.message = message

    def __call__(self, _form, field) -> None:
        if not field.data:
            return
        try:
            field.data = normalize_address(field.data)
        except EmailAddressInvalidError as exc:
            raise ValidationError(self.message or str(exc)) from None
