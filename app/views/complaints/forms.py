"""Forms of the complaint pages (intake, actions, the public status check)."""

from __future__ import annotations

from flask_appbuilder.forms import DynamicForm
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional


class IntakeForm(DynamicForm):
    kind = SelectField(_l("Kind"), validators=[InputRequired()])
    channel = SelectField(_l("Received by"), validators=[Optional()])
    org_unit = SelectField(_l("Organisation unit"), coerce=int, validators=[Optional()])
    subject = StringField(_l("Subject"), validators=[InputRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[InputRequired()])
    complainant_name = StringField(_l("Complainant's name"), validators=[Length(max=200)])
    complainant_contact = StringField(_l("Phone or address"), validators=[Length(max=200)])
    complainant_email = StringField(_l("Complainant's email"), validators=[Length(max=200)])
    confidential = BooleanField(_l("Keep the complainant's identity confidential"))
    cycle = SelectField(_l("Cycle concerned"), coerce=int, validators=[Optional()])
    pelaksana = SelectField(_l("Pelaksana concerned"), coerce=int, validators=[Optional()])


class ActionForm(DynamicForm):
    version = HiddenField()
    target = SelectField(_l("Person"), coerce=int, validators=[Optional()])
    note = TextAreaField(_l("Note or reason"), validators=[Optional()])
    response = TextAreaField(_l("Response"), validators=[Optional()])


class StatusForm(DynamicForm):
    ticket = StringField(_l("Ticket number"), validators=[InputRequired(), Length(max=30)])
    code = StringField(_l("Secret code"), validators=[InputRequired(), Length(max=40)])
    note = TextAreaField(_l("Reason for reopening"), validators=[Optional()])
