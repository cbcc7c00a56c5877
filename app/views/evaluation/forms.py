"""Forms of the evaluation pages (Flask-WTF: every POST carries the CSRF token). They check only
what a form can; whether the action is allowed is the service's answer."""

from __future__ import annotations

from flask_appbuilder.forms import DynamicForm
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, IntegerField, RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.models.evaluation import BEHAVIOUR_FIELDS, COMPETENCE_FIELDS
from app.views.cycles.forms import CONFIRM
from app.views.display import DAY_INPUTS, DayPickerWidget

RATINGS = [("below", _l("Below expectation")), ("as_expected", _l("As expected")),
           ("above", _l("Above expectation"))]
COMPETENCE = [("met", _l("Met")), ("partly", _l("Partly met")), ("not_met", _l("Not met"))]
COMPETENCE_LABELS = {
    "competence_a": _l("D.9 a. Knowledge of the SAKIP policy"),
    "competence_b": _l("D.9 b. Identifies, formulates and analyses accountability problems"),
    "competence_c": _l("D.9 c. Masters performance data processing"),
    "competence_d": _l("D.9 d. Operates Microsoft Office"),
}
BEHAVIOUR_LABELS = {
    "behaviour_service": _l("Service-oriented"), "behaviour_accountable": _l("Accountable"),
    "behaviour_competent": _l("Competent"), "behaviour_harmonious": _l("Harmonious"),
    "behaviour_loyal": _l("Loyal"), "behaviour_adaptive": _l("Adaptive"),
    "behaviour_collaborative": _l("Collaborative"),
}  # fmt: skip

REQUIRED = _l("Please choose a rating.")


class RateForm(DynamicForm):
    work_results = RadioField(_l("Work results"), choices=RATINGS,
                              validators=[InputRequired(message=REQUIRED)])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=4000)])


for _key in COMPETENCE_FIELDS:
    setattr(RateForm, _key, RadioField(COMPETENCE_LABELS[_key], choices=COMPETENCE,
                                       validators=[InputRequired(message=REQUIRED)]))
for _key in BEHAVIOUR_FIELDS:
    setattr(RateForm, _key, RadioField(BEHAVIOUR_LABELS[_key], choices=RATINGS,
                                       validators=[InputRequired(message=REQUIRED)]))


class AnswerForm(DynamicForm):
    choice = RadioField(_l("Your answer"), choices=[
        ("accept", _l("I acknowledge this evaluation")),
        ("object", _l("I object (write why below)"))], validators=[InputRequired(message=REQUIRED)])
    objection = TextAreaField(_l("Objection"), validators=[Optional(), Length(max=4000)])
    confirm = BooleanField(_l("I understand the evaluation is locked after my answer."),
                           validators=[InputRequired(message=CONFIRM)])


class EvaluatorForm(DynamicForm):
    evaluator = SelectField(_l("Evaluator"), coerce=int, validators=[DataRequired()])


class OpenPeriodForm(DynamicForm):
    year = IntegerField(_l("Year"), validators=[DataRequired(), NumberRange(2000, 2100)])
    closes_on = DateField(_l("Evaluations due by"), validators=[InputRequired()],
                          format=DAY_INPUTS, widget=DayPickerWidget())
    confirm = BooleanField(_l("Create an evaluation for every active pelaksana."),
                           validators=[InputRequired(message=CONFIRM)])
