"""Supervision records (seed I): the list (a pelaksana sees its own, a superior those below it,
the heads of personnel matters all: SupervisionScopeFilter), exported like every list, and the
form a superior records one with, its basis picked from the pelaksana's late items and
complaints. A written reprimand's letter is issued with the record (see its Document)."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.forms import DynamicForm
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, SelectMultipleField, TextAreaField
from wtforms.validators import InputRequired, Optional

from app.extensions import db
from app.models.supervision import SupervisionRecord
from app.services import supervision as service
from app.services.supervision import SupervisionScopeFilter
from app.views.base import BaseModelView
from app.views.cycles.tasks import current_user
from app.views.display import DAY_INPUTS, DayPickerWidget
from app.views.fields import enum_formatter

KIND_LABELS = {"supervisi": _l("Periodic supervision"), "teguran_lisan": _l("Oral reprimand"),
               "teguran_tertulis": _l("Written reprimand"), "sanksi": _l("Sanction")}


class SupervisionRecordView(BaseModelView):
    datamodel = SQLAInterface(SupervisionRecord)
    base_permissions = ["can_read", "can_export"]
    extra_base_filters = [["id", SupervisionScopeFilter, None]]
    list_title = show_title = _l("Supervision records")
    list_columns = ["held_on", "kind", "pelaksana", "supervisor", "finding", "follow_up_due",
                    "follow_up_done_at"]
    show_columns = ["held_on", "kind", "pelaksana", "supervisor", "finding", "work_item_ids",
                    "complaint_ids", "follow_up", "follow_up_due", "follow_up_done_at",
                    "document", "recorded_by", "recorded_at"]
    search_columns = ["held_on", "kind", "finding"]
    order_columns = ["held_on", "kind", "follow_up_due"]
    base_order = ("held_on", "desc")
    label_columns = {
        "held_on": _l("Date"), "kind": _l("Kind"), "pelaksana": _l("Pelaksana"),
        "supervisor": _l("Supervisor"), "finding": _l("Finding"),
        "work_item_ids": _l("Late items (basis)"), "complaint_ids": _l("Complaints (basis)"),
        "follow_up": _l("Follow-up"), "follow_up_due": _l("Follow-up due"),
        "follow_up_done_at": _l("Follow-up done"), "document": _l("Reprimand letter"),
        "recorded_by": _l("Recorded by"), "recorded_at": _l("Recorded"),
    }  # fmt: skip
    formatters_columns = {"kind": enum_formatter(KIND_LABELS)}
    show_template = "complaints/supervision_show.html"


class SupervisionForm(DynamicForm):
    pelaksana = SelectField(_l("Pelaksana"), coerce=int, validators=[InputRequired()])
    kind = SelectField(_l("Kind"), choices=[(k, v) for k, v in KIND_LABELS.items()])
    held_on = DateField(_l("Date"), validators=[InputRequired()], format=DAY_INPUTS,
                        widget=DayPickerWidget())
    finding = TextAreaField(_l("Finding"), validators=[InputRequired()])
    work_items = SelectMultipleField(_l("Late items (basis)"), coerce=int,
                                     validators=[Optional()])
    complaints = SelectMultipleField(_l("Complaints (basis)"), coerce=int,
                                     validators=[Optional()])
    follow_up = TextAreaField(_l("Follow-up"), validators=[Optional()])
    follow_up_due = DateField(_l("Follow-up due"), validators=[Optional()], format=DAY_INPUTS,
                              widget=DayPickerWidget())


class SupervisionFormView(BaseView):
    """/supervision/new?pelaksana=<id>: pick the pelaksana first, then its basis."""

    route_base = "/supervision"
    default_view = "new"
    class_permission_name = "SupervisionRecord"
    method_permission_name = {"new": "add", "done": "add"}

    @expose("/<int:pk>/done", methods=["POST"])
    @has_access
    def done(self, pk: int):
        """A superior of the pelaksana marks the record's follow-up done."""
        form = DynamicForm()
        if form.validate_on_submit():
            try:
                service.complete_follow_up(db.session, current_user(), pk)
                flash(gettext("The follow-up is marked done."), "success")
            except ValueError as exc:
                db.session.rollback()
                flash(str(exc), "danger")
        return redirect(url_for("SupervisionRecordView.show", pk=pk))

    @expose("/new", methods=["GET", "POST"])
    @has_access
    def new(self):
        user = current_user()
        form = SupervisionForm()
        form.pelaksana.choices = service.pelaksana_choices(db.session, user)
        chosen = form.pelaksana.data if form.is_submitted() else request.args.get(
            "pelaksana", type=int)
        basis = service.basis_choices(db.session, chosen) if chosen else service.Basis([], [])
        form.work_items.choices, form.complaints.choices = basis.late_items, basis.complaints
        if chosen and not form.is_submitted():
            form.pelaksana.data = chosen
        if form.validate_on_submit():
            try:
                record = service.record_supervision(
                    db.session, user, pelaksana_id=form.pelaksana.data, kind=form.kind.data,
                    held_on=form.held_on.data, finding=form.finding.data,
                    work_item_ids=form.work_items.data, complaint_ids=form.complaints.data,
                    follow_up=form.follow_up.data, follow_up_due=form.follow_up_due.data)
            except ValueError as exc:
                db.session.rollback()
                flash(str(exc), "danger")
            else:
                flash(gettext("The supervision was recorded."), "success")
                return redirect(url_for("SupervisionRecordView.show", pk=record.id))
        elif form.is_submitted():
            for errors in form.errors.values():
                for error in errors:
                    flash(str(error), "danger")
        return self.render_template("complaints/supervision_new.html", form=form,
                                    title=gettext("Record supervision"))


def register(appbuilder) -> None:
    appbuilder.add_view(SupervisionRecordView, "Supervision records",
                        label=_l("Supervision records"), icon="fa-user-secret",
                        category="Supervision", category_label=_l("Supervision"))
    appbuilder.add_view(SupervisionFormView, "Record supervision",
                        label=_l("Record supervision"), icon="fa-plus", category="Supervision")
