"""The satisfaction survey: a liaison answers once per completed cycle for its unit; the bureau
reads the answers and the index and grade per cycle and over time (app.services.survey)."""

from __future__ import annotations

import datetime as dt

from flask import abort, current_app, flash, redirect, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.forms import DynamicForm
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import RadioField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from app.extensions import db
from app.models.cycles import Cycle, CycleUnit
from app.models.survey import ELEMENTS, SurveyResponse
from app.security import current_scope_unit_id
from app.services import survey
from app.views.base import BaseModelView

SCALE = [("1", _l("1 – Not good")), ("2", _l("2 – Fair")), ("3", _l("3 – Good")),
         ("4", _l("4 – Very good"))]


class SurveyForm(DynamicForm):
    comment = TextAreaField(_l("Suggestions"), validators=[Optional(), Length(max=4000)])


for _i, _element in enumerate(ELEMENTS, start=1):
    setattr(SurveyForm, f"u{_i}", RadioField(
        survey.ELEMENT_LABELS[_element], choices=SCALE,
        validators=[InputRequired(message=_l("Please score every element."))]))


class SurveyResponseView(BaseModelView):
    datamodel = SQLAInterface(SurveyResponse)
    scope_column = "org_unit"
    base_permissions = ["can_read", "can_export"]
    list_title = _l("Survey answers")
    list_columns = ["cycle", "org_unit", "u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8", "u9",
                    "submitted_at"]
    show_columns = [*list_columns, "comment"]
    search_columns = ["cycle", "org_unit", "submitted_at"]
    search_relation_text = {"cycle": ("code",), "org_unit": ("name", "code")}
    order_columns = ["submitted_at"]
    base_order = ("submitted_at", "desc")
    label_columns = {"cycle": _l("Cycle"), "org_unit": _l("Organisation unit"),
                     "submitted_at": _l("Submitted"), "comment": _l("Suggestions"),
                     **{f"u{i}": f"U{i}" for i in range(1, 10)}}


def _user():
    return current_app.appbuilder.sm.current_user


class SurveyPageView(BaseView):
    route_base = "/survei"
    default_view = "results"
    class_permission_name = "SurveyResponse"
    method_permission_name = {"results": "read"}

    @expose("/")
    @has_access
    def results(self):
        """The bureau's view over every unit's answers: a liaison reads its own unit's answers
        in the list, not the other units' figures folded into these."""
        if current_scope_unit_id() is not None:
            abort(403)
        rows = survey.results(db.session)
        spec = {"type": "line", "labels": [r.cycle_code for r in rows],
                "title": gettext("Satisfaction index"),
                "datasets": [{"label": gettext("Index"), "data": [r.index for r in rows]}]}
        return self.render_template("survey/results.html", rows=rows, spec=spec,
                                    title=gettext("Satisfaction survey"))



class SurveyAnswerView(BaseView):
    """A liaison's side: its own view so that its menu entry shows only to who may answer."""

    route_base = "/survei/isi"
    default_view = "pending"
    class_permission_name = "SurveyResponse"
    method_permission_name = {"answer": "answer", "pending": "answer"}

    @expose("/")
    @has_access
    def pending(self):
        """The completed cycles of the liaison's unit that still wait for its answer."""
        user = _user()
        cycles = [] if user.org_unit_id is None else db.session.scalars(
            select(Cycle).join(CycleUnit).where(CycleUnit.org_unit_id == user.org_unit_id,
                                                Cycle.completed_at.is_not(None))
            .order_by(Cycle.completed_at.desc())).all()
        waiting = [c for c in cycles if survey.may_answer(db.session, c, user)]
        return self.render_template("survey/pending.html", cycles=waiting,
                                    title=gettext("Surveys to answer"))

    @expose("/<int:cycle_id>", methods=["GET", "POST"])
    @has_access
    def answer(self, cycle_id: int):
        cycle = db.session.get(Cycle, cycle_id)
        user = _user()
        if cycle is None or user.org_unit_id is None:
            abort(404)
        form = SurveyForm()
        if form.validate_on_submit():
            scores = [int(getattr(form, f"u{i}").data) for i in range(1, 10)]
            try:
                survey.submit(db.session, cycle, user, scores, form.comment.data,
                              now=dt.datetime.now(dt.UTC))
            except survey.SurveyError as exc:
                db.session.rollback()
                flash(str(exc), "danger")
            else:
                flash(gettext("Thank you: your unit's answer is recorded."), "success")
                return redirect(url_for(".pending"))
        elif not survey.may_answer(db.session, cycle, user):
            flash(gettext("This survey cannot be answered by your unit (the cycle is not "
                          "finished, your unit is not concerned, or it has already answered)."),
                  "warning")
            return redirect(url_for(".pending"))
        return self.render_template("survey/answer.html", form=form, cycle=cycle,
                                    title=gettext("Satisfaction survey %(code)s", code=cycle.code))


def register(appbuilder) -> None:
    label = _l("Survey")
    appbuilder.add_view(SurveyPageView(), "Survey results", label=_l("Survey results"),
                        icon="fa-smile-o", category="Survey", category_label=label)
    appbuilder.add_view(SurveyAnswerView(), "Surveys to answer", label=_l("Surveys to answer"),
                        icon="fa-pencil", category="Survey", category_label=label)
    appbuilder.add_view(SurveyResponseView, "Survey answers", label=_l("Survey answers"),
                        icon="fa-list", category="Survey", category_label=label)
