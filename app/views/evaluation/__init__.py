"""Evaluation pages: the list of evaluations (scoped: the Admin, the Kepala Biro and the Auditor
see all; anyone else the evaluations they give or receive), the periods, and the pages of
app.views.evaluation.pages (rate, answer, override, open a year, distribution)."""

from __future__ import annotations

from flask import current_app, redirect, url_for
from flask_appbuilder import expose
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l

from app.models.evaluation import Evaluation, EvaluationPeriod, EvaluationStatus, PeriodStatus
from app.security import ROLE_ADMIN, ROLE_AUDITOR, ROLE_KEPALA_BIRO
from app.views.base import BaseModelView
from app.views.evaluation.forms import BEHAVIOUR_LABELS, COMPETENCE_LABELS
from app.views.fields import enum_formatter

SEES_ALL = {ROLE_ADMIN, ROLE_KEPALA_BIRO, ROLE_AUDITOR}
STATUS_LABELS = {EvaluationStatus.DRAFT: _l("Waiting for the evaluator"),
                 EvaluationStatus.RATED: _l("Waiting for the pelaksana's answer"),
                 EvaluationStatus.LOCKED: _l("Locked")}
PERIOD_LABELS = {PeriodStatus.OPEN: _l("Open"), PeriodStatus.CLOSED: _l("Closed")}


def sees_all(user) -> bool:
    return bool({role.name for role in getattr(user, "roles", [])} & SEES_ALL)


class OwnEvaluationFilter(BaseFilter):
    """An evaluation is personal: outside the heads and the auditor, only its evaluator and
    the pelaksana evaluated see it (any other id answers 404, like the unit scope)."""

    name = "Own evaluations"
    arg_name = "evalscope"

    def apply(self, query, value):
        clause = own_clause(current_app.appbuilder.sm.current_user)
        return query if clause is None else query.filter(clause)


def own_clause(user):
    """None for those who see every evaluation, else "given or received by the user"."""
    if sees_all(user):
        return None
    own = getattr(user, "pelaksana_id", None) or -1
    return (Evaluation.evaluator_id == own) | (Evaluation.pelaksana_id == own)


class EvaluationView(BaseModelView):
    datamodel = SQLAInterface(Evaluation)
    extra_base_filters = [["id", OwnEvaluationFilter, None]]
    list_title = _l("Evaluations")
    base_permissions = ["can_read", "can_export"]
    list_columns = ["period", "pelaksana", "evaluator", "status", "predikat", "rated_at"]
    search_columns = ["pelaksana", "evaluator", "status", "predikat"]
    search_relation_text = {"pelaksana": ("name", "nip"), "evaluator": ("name", "nip")}
    order_columns = ["status", "predikat", "rated_at"]
    base_order = ("id", "desc")
    label_columns = {"period": _l("Year"), "pelaksana": _l("Pelaksana"),
                     "evaluator": _l("Evaluator"), "status": _l("Status"),
                     "predikat": _l("Predikat"), "rated_at": _l("Rated"),
                     # the rest are read in the audit trail only (the evaluation's page has its
                     # own words): each field of a change named as the forms name it
                     "evaluator_overridden": _l("Evaluator chosen by the bureau"),
                     **COMPETENCE_LABELS, "work_results": _l("Work results"),
                     **BEHAVIOUR_LABELS, "behaviour": _l("Behaviour"), "notes": _l("Notes"),
                     "rated_by": _l("Rated by"), "report": _l("Report"),
                     "acknowledged": _l("Acknowledged"), "objection": _l("Objection"),
                     "answered_at": _l("Answered")}
    formatters_columns = {"status": enum_formatter(STATUS_LABELS)}

    @expose("/show/<pk>")
    @has_access
    def show(self, pk):
        """The evaluation's own page (evidence, rating, answer) replaces FAB's show page."""
        item = self.datamodel.get(pk, self._base_filters)
        if item is None:
            return self.list()
        return redirect(url_for("EvaluationPageView.page", pk=item.id))


class EvaluationPeriodView(BaseModelView):
    datamodel = SQLAInterface(EvaluationPeriod)
    list_title = _l("Evaluation periods")
    base_permissions = ["can_read", "can_export"]
    list_columns = show_columns = ["year", "closes_on", "status", "opened_at", "opened_by"]
    search_columns = ["year", "status"]
    order_columns = ["year"]
    base_order = ("year", "desc")
    label_columns = {"year": _l("Year"), "closes_on": _l("Evaluations due by"),
                     "status": _l("Status"), "opened_at": _l("Opened"),
                     "opened_by": _l("Opened by")}
    formatters_columns = {"status": enum_formatter(PERIOD_LABELS)}


def register(appbuilder) -> None:
    from app.views.evaluation import pages

    label = _l("Evaluation")
    appbuilder.add_view(EvaluationView, "Evaluations", label=_l("Evaluations"),
                        icon="fa-star-half-o", category="Evaluation", category_label=label)
    appbuilder.add_view(EvaluationPeriodView, "Evaluation periods",
                        label=_l("Evaluation periods"), icon="fa-calendar",
                        category="Evaluation", category_label=label)
    appbuilder.add_view_no_menu(pages.EvaluationPageView())
