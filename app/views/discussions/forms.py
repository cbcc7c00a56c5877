"""The forms of the discussion pages (Flask-WTF: every POST carries the CSRF token). They check
what a form can check; the rules (who, when, which units) are the service's answer."""

from __future__ import annotations

import datetime as dt

from flask_appbuilder.forms import DynamicForm
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.views.display import ZONE

MOMENT_FORMAT = "%d-%m-%Y %H:%M"


def _checkboxes(label, **kw) -> SelectMultipleField:
    return SelectMultipleField(label, coerce=int, widget=ListWidget(prefix_label=False),
                               option_widget=CheckboxInput(), **kw)


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


class GroupForm(DynamicForm):
    group_id = HiddenField()
    name = StringField(_l("Group name"), validators=[DataRequired(), Length(max=100)],
                       description=_l("e.g. Kelompok 1"))
    units = _checkboxes(_l("Organisation units"),
                        validators=[DataRequired(message=_l("Choose at least one unit."))])
    lead = SelectField(_l("Lead"), coerce=_optional_int, validators=[DataRequired()],
                       description=_l("Answers for the group's sessions in the cycle."))
    members = _checkboxes(_l("Members"), validators=[Optional()])


class ScheduleForm(DynamicForm):
    scheduled_at = StringField(_l("Date and time (WIB)"), validators=[DataRequired()],
                               description=_l("DD-MM-YYYY HH:MM"))
    place = StringField(_l("Place"), validators=[Optional(), Length(max=200)])

    def validate_scheduled_at(self, field) -> None:
        try:
            field.moment = dt.datetime.strptime(field.data.strip(), MOMENT_FORMAT).replace(
                tzinfo=ZONE)
        except (ValueError, AttributeError):
            raise ValidationError(_l("Write the date and time as DD-MM-YYYY HH:MM.")) from None


class AttendanceForm(DynamicForm):
    person = SelectField(_l("Bureau member"), coerce=_optional_int, validators=[Optional()])
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)],
                       description=_l("Leave empty for the bureau member chosen above."))
    position = StringField(_l("Position / unit"), validators=[Optional(), Length(max=200)])
    unit = SelectField(_l("Organisation unit"), coerce=_optional_int, validators=[Optional()])
    present = BooleanField(_l("Present"), default=True)


class MinutesForm(DynamicForm):
    text = TextAreaField(_l("Minutes"), validators=[Optional()])
    file = FileField(_l("Minutes file"), validators=[Optional()],
                     description=_l("Optional: the signed minutes, e.g. a PDF scan."))


class PlainForm(DynamicForm):
    """Only the CSRF token: removing a row, the decisions table (its fields are per row)."""
