"""Form fields FAB cannot derive from a String column: a StrEnum shown as a labelled select."""

from __future__ import annotations

from flask_appbuilder.fieldwidgets import Select2Widget
from wtforms import SelectField
from wtforms.validators import DataRequired


def enum_select(label, labels: dict, description="") -> SelectField:
    """A select over a StrEnum's values with human labels (translatable lazy strings)."""
    return SelectField(
        label,
        choices=[(str(value), text) for value, text in labels.items()],
        validators=[DataRequired()],
        widget=Select2Widget(),
        description=description,
    )


def enum_formatter(labels: dict):
    """List/show formatter: the label of a stored enum value, or the value itself if unknown."""
    by_value = {str(value): text for value, text in labels.items()}
    return lambda value: by_value.get(value, value if value is not None else "–")
