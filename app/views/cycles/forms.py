"""The forms of the cycle pages (Flask-WTF: every POST carries the CSRF token).

They check only what a form can check (a field filled in, a box ticked); whether the action
is allowed is the engine's answer, shown as it gives it.
"""

from __future__ import annotations

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
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

CONFIRM = _l("Please tick the box to confirm.")


class StartCycleForm(DynamicForm):
    standard = SelectField(_l("Service standard"), validators=[DataRequired()])
    code = StringField(_l("Cycle code"), validators=[DataRequired(), Length(max=50)],
                       description=_l("Unique, e.g. IKU-2027."))
    period = StringField(_l("Period"), validators=[DataRequired(), Length(max=20)],
                         description=_l("e.g. 2027"))
    title = StringField(_l("Title"), validators=[Optional(), Length(max=300)],
                        description=_l("Leave empty for the standard's title and the period."))
    reason = SelectField(_l("Reason"), validators=[DataRequired()])
    reason_note = TextAreaField(_l("Note on the reason"), validators=[Optional()])
    units = SelectMultipleField(
        _l("Units concerned"), coerce=int,
        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
        validators=[DataRequired(message=_l("Choose at least one unit."))],
    )


class VersionedForm(DynamicForm):
    """`version` is the item's version when the page was shown: acting on an item someone
    else changed meanwhile is refused instead of silently applied."""

    version = HiddenField()
    next = HiddenField()


class StartForm(VersionedForm):
    note = TextAreaField(_l("Note"), validators=[Optional()])


class CompleteForm(VersionedForm):
    note = TextAreaField(_l("Note"), validators=[Optional()])
    attachment = FileField(_l("Attachment (optional)"))


class ReturnForm(VersionedForm):
    reason = TextAreaField(_l("Reason"), validators=[InputRequired()])
    confirm = BooleanField(_l("Yes, send this item back to the previous person in the chain"),
                           validators=[DataRequired(message=CONFIRM)])


class PauseForm(VersionedForm):
    reason = TextAreaField(_l("Reason"), validators=[InputRequired()])


class ResumeForm(VersionedForm):
    note = TextAreaField(_l("Note"), validators=[Optional()])


class ReassignForm(VersionedForm):
    user = SelectField(_l("New assignee"), coerce=int, validators=[DataRequired()])
    note = TextAreaField(_l("Note"), validators=[Optional()])


class CancelCycleForm(DynamicForm):
    reason = TextAreaField(_l("Reason"), validators=[InputRequired()])
    confirm = BooleanField(_l("Yes, cancel this cycle for good"),
                           validators=[DataRequired(message=CONFIRM)])


class MarkReadForm(DynamicForm):
    reminder = HiddenField()
