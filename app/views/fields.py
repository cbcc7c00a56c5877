"""Form fields FAB cannot derive from a String column: a StrEnum shown as a labelled select."""

from __future__ import annotations

from flask_appbuilder.fieldwidgets import Select2Widget
from wtforms import SelectField
from wtforms.validators import DataRequired

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
