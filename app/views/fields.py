"""Form fields and validators shared by the pages: a StrEnum shown as a labelled select, and
the one email rule."""

from __future__ import annotations

from flask_appbuilder.fieldwidgets import Select2Widget
from wtforms import SelectField
from wtforms.validators import DataRequired, ValidationError

from app.services import validation
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


def email_validator(_form, field) -> None:
    """The one email rule (app.services.validation) on a form: the API, the import and the
    command line apply the same one."""
    try:
        field.data = validation.validate_email(field.data)
    except validation.ValueInvalidError as exc:
        raise ValidationError(str(exc)) from None
