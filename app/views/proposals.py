"""Change proposal pages (usulan perubahan IKU, seed C.2): the list (scoped to a liaison's
unit), the submission form with its supporting file, the show page with the download, the
decision of the Kepala Biro or a Kabag and the unit's withdrawal, each confirmed by a tick.
Every verb goes through app.services.proposals; these pages only ask and tell."""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import abort, current_app, flash, redirect, request, send_file, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.fieldwidgets import Select2ManyWidget
from flask_appbuilder.forms import DynamicForm
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Optional

from app.extensions import db
from app.models.iku import Indicator
from app.models.org import OrgUnit
from app.models.proposals import ChangeProposal, ProposalStatus
from app.security import METHOD_PERMISSIONS, current_scope_unit_id
from app.services import proposals as service
from app.services.cycles.rules import Attachment
from app.views.base import BaseModelView
from app.views.fields import enum_formatter

CONFIRM = _l("Please tick the box to confirm.")
LABELS = {
    "org_unit": _l("Organisation unit"), "period": _l("Period"), "start_year": _l("Period from"),
    "end_year": _l("Period until"), "reason": _l("Reason"), "reason_text": _l("Reason"),
    "description": _l("Description"), "indicators": _l("IKU concerned"),
    "attachment_name": _l("Attachment"), "attachment_size": _l("Size (bytes)"),
    "attachment_sha256": _l("SHA-256"), "status": _l("Status"), "submitted_at": _l("Submitted on"),
    "submitted_by": _l("Submitted by"), "decision_note": _l("Decision note"),
    "decided_at": _l("Decided or withdrawn on"), "decided_by": _l("Decided or withdrawn by"),
    "cycle": _l("Cycle"),
}  # fmt: skip


class ProposalForm(DynamicForm):
    """Only the form's own concerns are checked here (a number is a number); the choices,
    the unit and the file are the service's rules (app.services.proposals), told in its words."""

    org_unit = SelectField(_l("Organisation unit"), coerce=int, validate_choice=False,
                           validators=[Optional()])
    start_year = IntegerField(_l("Period from"), validators=[Optional()],
                              description=_l("First year of the period, e.g. 2025."))
    end_year = IntegerField(_l("Period until"), validators=[Optional()],
                            description=_l("Last year of the period, e.g. 2029."))
    reason = SelectField(_l("Reason"), validate_choice=False, validators=[Optional()],
                         description=_l("The reasons of the service standard (seed C.2)."))
    description = TextAreaField(_l("Description"), validators=[Optional()],
                                description=_l("What should change, and why."))
    indicators = SelectMultipleField(_l("IKU concerned"), coerce=int, validate_choice=False,
                                     validators=[Optional()], widget=Select2ManyWidget())
    attachment = FileField(_l("Supporting document"), description=_l(
        "PDF, DOCX, XLSX or ODT, at most 20 MB (e.g. the unit head's memorandum)."))


class DecideForm(DynamicForm):
    decision = RadioField(_l("Decision"), choices=[
        (ProposalStatus.ACCEPTED.value, _l("Accept")),
        (ProposalStatus.REJECTED.value, _l("Reject"))], validators=[DataRequired()])
    note = TextAreaField(_l("Decision note"), validators=[Optional()],
                         description=_l("Required when the proposal is rejected."))
    confirm = BooleanField(_l("Yes, record this decision; it cannot be undone"),
                           validators=[DataRequired(message=CONFIRM)])


class WithdrawForm(DynamicForm):
    confirm = BooleanField(_l("Yes, withdraw this proposal; it cannot be undone"),
                           validators=[DataRequired(message=CONFIRM)])


def _user():
    return current_app.appbuilder.sm.current_user


def _reason_choices():
    return [("", "–")] + [(r["code"], r["text"]) for r in service.proposal_reasons(db.session)]


class ProposalView(BaseModelView):
    datamodel = SQLAInterface(ChangeProposal)
    scope_column = "org_unit"
    base_permissions = ["can_read", "can_export", "can_add", "can_delete", "can_decide",
                        "can_withdraw"]
    method_permission_name = {**METHOD_PERMISSIONS, "decide": "decide", "withdraw": "withdraw"}
    show_template = "proposals/show.html"
    list_title = show_title = _l("Change proposals")
    add_title = _l("Propose a change to IKU")
    list_columns = ["org_unit", "period", "reason_text", "status", "submitted_at",
                    "submitted_by", "decided_at"]
    search_columns = ["org_unit", "reason", "status", "start_year", "end_year", "description",
                      "submitted_at", "submitted_by", "decided_at"]
    search_relation_text = {"submitted_by": ("username", "first_name", "last_name")}
    order_columns = ["submitted_at", "decided_at", "status", "start_year"]
    base_order = ("submitted_at", "desc")
    show_columns = ["org_unit", "period", "reason_text", "description", "indicators",
                    "attachment_name", "attachment_size", "attachment_sha256", "status",
                    "submitted_at", "submitted_by", "decision_note", "decided_at", "decided_by",
                    "cycle"]
    label_columns = LABELS
    formatters_columns = {"status": enum_formatter(service.STATUS_LABELS)}

    def _init_forms(self) -> None:
        """The reason is searched by the standard's words; read when the form renders, as the
        standard is data that may be reloaded."""
        super()._init_forms()
        self.search_form.reason = SelectField(LABELS["reason"], choices=_reason_choices,
                                              render_kw={"class": "form-control"})

    def _scoped(self, pk: int) -> ChangeProposal:
        item = self.datamodel.get(pk, self._base_filters)
        if item is None:
            abort(404)
        return item

    def render_template(self, template, **kwargs):
        if template == self.show_template and "pk" in kwargs:
            # offered only to whom the service would let do it (not to an Admin, say)
            item, user, sm = self._scoped(kwargs["pk"]), _user(), self.appbuilder.sm
            if (item.status == ProposalStatus.SUBMITTED and service.may_decide(user)
                    and sm.has_access("can_decide", "ChangeProposal")):
                kwargs["decide_form"] = DecideForm(formdata=None)
            if service.may_withdraw(user, item) and sm.has_access("can_withdraw",
                                                                  "ChangeProposal"):
                kwargs["withdraw_form"] = WithdrawForm(formdata=None)
        return super().render_template(template, **kwargs)

    def _form(self) -> ProposalForm:
        form = ProposalForm()
        scope = current_scope_unit_id()
        units = db.session.scalars(select(OrgUnit).where(OrgUnit.active.is_(True)).order_by(
            OrgUnit.sort_order, OrgUnit.name))
        form.org_unit.choices = [(0, "–")] + [
            (u.id, u.name) for u in units if scope is None or u.id == scope]
        form.reason.choices = _reason_choices()
        query = select(Indicator).where(Indicator.org_unit_id.is_not(None)).order_by(
            Indicator.org_unit_id, Indicator.code, Indicator.version)
        if scope is not None:
            query = query.where(Indicator.org_unit_id == scope)
        form.indicators.choices = [
            (i.id, str(i) if scope is not None else f"{i.org_unit.name}: {i}")
            for i in db.session.scalars(query)]
        if scope is not None:
            form.org_unit.data = scope
        return form

    @expose("/add", methods=["GET", "POST"])
    @has_access
    def add(self):
        form = self._form()
        if request.method == "POST" and form.validate_on_submit():
            upload = form.attachment.data
            attachment = (Attachment(upload.filename, upload.read())
                          if upload is not None and getattr(upload, "filename", "") else None)
            try:
                item = service.submit_proposal(
                    db.session, _user(), org_unit_id=form.org_unit.data or None,
                    start_year=form.start_year.data, end_year=form.end_year.data,
                    reason=form.reason.data, description=form.description.data or "",
                    attachment=attachment, indicator_ids=form.indicators.data or [])
            except ValueError as exc:
                db.session.rollback()
                field = getattr(form, getattr(exc, "field", ""), None)
                if field is not None and field.name != "csrf_token":
                    field.errors = [*field.errors, str(exc)]
                flash(str(exc), "danger")
            else:
                flash(gettext("The change proposal was submitted."), "success")
                return redirect(url_for(f"{self.endpoint}.show", pk=item.id))
        elif request.method == "POST":
            for errors in form.errors.values():
                for error in errors:
                    flash(str(error), "danger")
        return self.render_template("proposals/add.html", form=form, title=self.add_title,
                                    unit_fixed=current_scope_unit_id() is not None)

    @expose("/decide/<int:pk>", methods=["POST"])
    @has_access
    def decide(self, pk: int):
        self._scoped(pk)
        form = DecideForm()
        if self._confirmed(form):
            self._run(gettext("The decision was recorded."), service.decide_proposal, pk,
                      decision=form.decision.data, note=form.note.data)
        return redirect(url_for(f"{self.endpoint}.show", pk=pk))

    @expose("/withdraw/<int:pk>", methods=["POST"])
    @has_access
    def withdraw(self, pk: int):
        self._scoped(pk)
        if self._confirmed(WithdrawForm()):
            self._run(gettext("The change proposal was withdrawn."), service.withdraw_proposal,
                      pk)
        return redirect(url_for(f"{self.endpoint}.show", pk=pk))

    @staticmethod
    def _confirmed(form) -> bool:
        if form.validate_on_submit():
            return True
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "danger")
        return False

    @staticmethod
    def _run(success: str, call, *args, **kwargs) -> None:
        try:
            call(db.session, _user(), *args, **kwargs)
        except ValueError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            flash(success, "success")

    @expose("/attachment/<int:pk>")
    @has_access
    def download(self, pk: int):
        """In scope only (404 otherwise); the bytes are checked against the recorded SHA-256."""
        item = self._scoped(pk)
        root = Path(current_app.instance_path).resolve()
        path = (root / item.attachment_path).resolve()
        if root not in path.parents or not path.is_file():
            abort(404)
        if hashlib.sha256(path.read_bytes()).hexdigest() != item.attachment_sha256:
            flash(gettext("The stored file does not match the fingerprint recorded with the "
                          "proposal; it was not handed out."), "danger")
            return redirect(url_for(f"{self.endpoint}.show", pk=pk))
        return send_file(path, as_attachment=True, download_name=item.attachment_name,
                         mimetype="application/octet-stream")

    def pre_delete(self, item) -> None:
        service.check_delete(item)

    def locked_rows(self, pks: list) -> set:
        """A decided or withdrawn proposal is kept as it is: no delete link."""
        if not pks:
            return set()
        return set(db.session.scalars(select(ChangeProposal.id).where(
            ChangeProposal.id.in_(pks), ChangeProposal.status != ProposalStatus.SUBMITTED)))


def pending_for_decider() -> int | None:
    """How many proposals wait for the current user's decision; None for those who do not
    decide (the home page shows the count to the Kepala Biro and the Kabag only)."""
    sm = current_app.appbuilder.sm
    user = sm.current_user
    if not (sm.has_access("can_decide", "ChangeProposal") and service.may_decide(user)):
        return None
    return service.pending_count(db.session)


def register(appbuilder) -> None:
    current_app.jinja_env.globals["iku_pending_proposals"] = pending_for_decider
    appbuilder.add_view(ProposalView, "Change proposals", label=_l("Change proposals"),
                        icon="fa-envelope-open-o", category="IKU", category_label=_l("IKU"))
