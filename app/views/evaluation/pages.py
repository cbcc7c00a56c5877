"""One evaluation's page: the evidence, the evaluator's rating form, the pelaksana's answer,
the admin's choice of evaluator; opening a year; the year's predikat distribution.

Every POST calls the service once and flashes its answer; the service decides who may act.
"""

from __future__ import annotations

import datetime as dt

from flask import abort, current_app, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext
from sqlalchemy import select

from app.extensions import db
from app.models.evaluation import BEHAVIOUR_FIELDS, COMPETENCE_FIELDS, Evaluation
from app.models.org import Pelaksana
from app.security import ROLE_ADMIN
from app.services import evaluation as service
from app.services.calendar import load_schedule
from app.services.evaluation import distribution, evidence
from app.views.evaluation import STATUS_LABELS, own_clause, sees_all
from app.views.evaluation.forms import (
    BEHAVIOUR_LABELS,
    COMPETENCE,
    COMPETENCE_LABELS,
    RATINGS,
    AnswerForm,
    EvaluatorForm,
    OpenPeriodForm,
    RateForm,
)


def current_user():
    return current_app.appbuilder.sm.current_user


def is_admin(user) -> bool:
    return any(role.name == ROLE_ADMIN for role in getattr(user, "roles", []))


def _evaluation(pk: int) -> Evaluation:
    """In the user's scope or 404 (the same filter as the list)."""
    query = select(Evaluation).where(Evaluation.id == pk)
    clause = own_clause(current_user())
    if clause is not None:
        query = query.where(clause)
    item = db.session.scalars(query).first()
    if item is None:
        abort(404)
    return item


def _run(call, *args, **kwargs):
    try:
        call(db.session, *args, **kwargs)
        return True
    except service.EvaluationError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return False


def _evaluator_choices(item: Evaluation) -> list[tuple[int, str]]:
    return [(p.id, p.name) for p in db.session.scalars(
        select(Pelaksana).where(Pelaksana.active.is_(True), Pelaksana.id != item.pelaksana_id)
        .order_by(Pelaksana.name))]


class EvaluationPageView(BaseView):
    route_base = "/evaluasi"
    default_view = "page"
    class_permission_name = "Evaluation"
    method_permission_name = {"page": "read", "distribution": "read", "rate": "rate",
                              "answer": "answer", "evaluator": "manage", "open_period": "manage"}

    @expose("/<int:pk>")
    @has_access
    def page(self, pk: int):
        item = _evaluation(pk)
        user = current_user()
        sections = evidence.collect(db.session, item.pelaksana_id, item.period.year,
                                    load_schedule(db.session))
        rate_form = RateForm(obj=item) if service.may_rate(item, user, is_admin=is_admin(user)) \
            and not item.is_locked else None
        answer_form = AnswerForm() if item.status == "rated" \
            and user.pelaksana_id == item.pelaksana_id else None
        evaluator_form = None
        if is_admin(user) and not item.is_locked:
            evaluator_form = EvaluatorForm(evaluator=item.evaluator_id)
            evaluator_form.evaluator.choices = _evaluator_choices(item)
        return self.render_template(
            "evaluation/page.html", item=item, sections=sections, rate_form=rate_form,
            answer_form=answer_form, evaluator_form=evaluator_form,
            status_label=STATUS_LABELS.get(item.status, item.status),
            competences=[(k, COMPETENCE_LABELS[k]) for k in COMPETENCE_FIELDS],
            behaviours=[(k, BEHAVIOUR_LABELS[k]) for k in BEHAVIOUR_FIELDS],
            rating_words=dict(RATINGS), competence_words=dict(COMPETENCE),
            not_available=evidence.NOT_AVAILABLE,
            title=gettext("Evaluation %(name)s %(year)s", name=item.pelaksana.name,
                          year=item.period.year))

    @expose("/<int:pk>/rate", methods=["POST"])
    @has_access
    def rate(self, pk: int):
        item = _evaluation(pk)
        form = RateForm()
        if not form.validate():
            flash(gettext("Every competence, the work results and the seven values must be "
                          "rated."), "danger")
            return redirect(url_for(".page", pk=pk))
        user = current_user()
        if _run(service.rate, item, user, form.data, now=dt.datetime.now(dt.UTC),
                is_admin=is_admin(user)):
            flash(gettext("Evaluation saved: predikat %(p)s.", p=item.predikat), "success")
        return redirect(url_for(".page", pk=pk))

    @expose("/<int:pk>/answer", methods=["POST"])
    @has_access
    def answer(self, pk: int):
        item = _evaluation(pk)
        form = AnswerForm()
        if not form.validate():
            flash(gettext("Choose your answer and tick the confirmation."), "danger")
            return redirect(url_for(".page", pk=pk))
        if _run(service.answer, item, current_user(), acknowledged=form.choice.data == "accept",
                objection=form.objection.data, now=dt.datetime.now(dt.UTC)):
            flash(gettext("Your answer is recorded; the evaluation is locked."), "success")
        return redirect(url_for(".page", pk=pk))

    @expose("/<int:pk>/evaluator", methods=["POST"])
    @has_access
    def evaluator(self, pk: int):
        item = _evaluation(pk)
        form = EvaluatorForm()
        form.evaluator.choices = _evaluator_choices(item)
        if not form.validate():
            flash(gettext("Choose an evaluator."), "danger")
        elif _run(service.set_evaluator, item, db.session.get(Pelaksana, form.evaluator.data)):
            flash(gettext("Evaluator changed."), "success")
        return redirect(url_for(".page", pk=pk))

    @expose("/buka", methods=["GET", "POST"])
    @has_access
    def open_period(self):
        form = OpenPeriodForm()
        if request.method == "GET":
            year = dt.date.today().year
            form.year.data, form.closes_on.data = year, dt.date(year, 12, 31)
        elif form.validate() and _run(service.open_period, form.year.data,
                                      form.closes_on.data, by=current_user().username,
                                      now=dt.datetime.now(dt.UTC)):
            flash(gettext("Evaluation period %(year)s opened.", year=form.year.data), "success")
            return redirect(url_for("EvaluationView.list"))
        return self.render_template("evaluation/open.html", form=form,
                                    title=gettext("Open an evaluation period"))

    @expose("/distribusi/<int:year>")
    @has_access
    def distribution(self, year: int):
        if not sees_all(current_user()) and not current_app.appbuilder.sm.has_access(
                "can_read", "Dashboard"):
            abort(403)
        counts = distribution.distribution(db.session, year)
        rules = current_app.config.get("IKU_EVALUATION_DISTRIBUTION", {})
        spec = {"type": "bar", "labels": list(counts), "title": gettext("Predikat"),
                "datasets": [{"label": gettext("Pelaksana"), "data": list(counts.values())}]}
        return self.render_template(
            "evaluation/distribution.html", year=year, counts=counts, spec=spec,
            warnings=distribution.check(counts, rules), rules=rules,
            title=gettext("Predikat distribution %(year)s", year=year))
