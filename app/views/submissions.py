"""Final-draft submissions (seed B.6): the list (scoped: a liaison sees its own unit's), the
approval memo's download (scoped, checked against its SHA-256), and the submission form,
reached from the liaison's home page and from the cycle page. The form calls
app.services.submissions.submit_final_draft; a refusal is flashed in its words and what was
typed is kept."""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import abort, current_app, flash, redirect, send_file, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.forms import DynamicForm
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from sqlalchemy import select
from werkzeug.exceptions import NotFound
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from app.extensions import db
from app.models.cycles import Cycle, CycleUnit
from app.models.org import OrgUnit
from app.models.submissions import FinalSubmission
from app.security import current_scope_unit_id
from app.services import submissions as service
from app.services.cycles import Attachment
from app.services.cycles.rules import MAX_ATTACHMENT_BYTES
from app.views.base import BaseModelView
from app.views.cycles.tasks import current_user
from app.views.display import DAY_INPUTS, DayPickerWidget

LABELS = {
    "cycle": _l("Cycle"), "org_unit": _l("Organisation unit"), "work_item": _l("Cycle item"),
    "approver_name": _l("Approved by"), "approver_position": _l("Approver's position"),
    "approved_on": _l("Approval date"), "memo_name": _l("Approval memo"),
    "memo_size": _l("Size (bytes)"), "memo_sha256": _l("SHA-256"), "note": _l("Note"),
    "submitted_by": _l("Submitted by"), "submitted_at": _l("Submitted"), "due_at": _l("Due"),
    "late": _l("Late"),
}  # fmt: skip


class FinalSubmissionView(BaseModelView):
    datamodel = SQLAInterface(FinalSubmission)
    scope_column = "org_unit"
    base_permissions = ["can_read", "can_export"]
    show_template = "submissions/show.html"
    search_relation_text = {"submitted_by": ("username", "first_name", "last_name")}
    list_title = show_title = _l("Final submissions")
    list_columns = ["cycle", "org_unit", "approver_name", "approved_on", "memo_name",
                    "submitted_at", "due_at", "late", "submitted_by"]
    show_columns = ["cycle", "org_unit", "approver_name", "approver_position", "approved_on",
                    "memo_name", "memo_size", "memo_sha256", "note", "submitted_by",
                    "submitted_at", "due_at", "late"]
    search_columns = ["cycle", "org_unit", "approver_name", "approved_on", "submitted_at",
                      "late", "submitted_by"]
    order_columns = ["approved_on", "submitted_at", "due_at", "late"]
    base_order = ("submitted_at", "desc")
    label_columns = LABELS

    @expose("/memo/<int:pk>")
    @has_access
    def download(self, pk):
        """Through the view's base filters (another unit's: 404); the bytes are handed out
        only if they still match the SHA-256 recorded with the submission."""
        item = self.datamodel.get(pk, self._base_filters)
        if item is None:
            raise NotFound()
        root = Path(current_app.instance_path).resolve()
        path = (root / item.memo_path).resolve()
        if root not in path.parents or not path.is_file():
            raise NotFound()
        if hashlib.sha256(path.read_bytes()).hexdigest() != item.memo_sha256:
            flash(gettext("The stored file does not match the fingerprint recorded with the "
                          "event; it was not handed out."), "danger")
            return redirect(url_for("FinalSubmissionView.show", pk=pk))
        return send_file(path, as_attachment=True, download_name=item.memo_name,
                         mimetype="application/octet-stream")


class SubmissionForm(DynamicForm):
    org_unit = SelectField(_l("Organisation unit"), coerce=int, validators=[Optional()])
    approver_name = StringField(_l("Approved by (name of the unit head)"),
                                validators=[InputRequired(), Length(max=200)])
    approver_position = StringField(_l("Approver's position"),
                                    validators=[InputRequired(), Length(max=200)])
    approved_on = DateField(_l("Approval date"), validators=[InputRequired()],
                            format=DAY_INPUTS, widget=DayPickerWidget(),
                            description=_l("The date of the head's approval memo."))
    memo = FileField(_l("Approval memo"), description=_l(
        "PDF, DOCX or ODT, at most %(mb)d MB.", mb=MAX_ATTACHMENT_BYTES // (1024 * 1024)))
    note = TextAreaField(_l("Note"), validators=[Optional()])


class SubmissionFormView(BaseView):
    """/final-submission/<cycle_id>/new: a liaison submits for its unit; bureau staff pick the
    unit they record for (the engine checks that they serve it)."""

    route_base = "/final-submission"
    default_view = "new"
    class_permission_name = "FinalSubmission"
    method_permission_name = {"new": "add"}

    @expose("/<int:cycle_id>/new", methods=["GET", "POST"])
    @has_access
    def new(self, cycle_id: int):
        cycle = db.session.get(Cycle, cycle_id)
        unit_id = current_scope_unit_id()
        units = db.session.execute(
            select(OrgUnit.id, OrgUnit.name).join(CycleUnit, CycleUnit.org_unit_id == OrgUnit.id)
            .where(CycleUnit.cycle_id == cycle_id).order_by(CycleUnit.id)).tuples().all()
        if cycle is None or (unit_id is not None and unit_id not in {u for u, _ in units}):
            abort(404)
        form = SubmissionForm()
        form.org_unit.choices = [(u, name) for u, name in units if unit_id in (None, u)]
        if unit_id is not None:
            form.org_unit.data = unit_id
        if form.validate_on_submit():
            saved = self._submit(cycle_id, form, unit_id)
            if saved is not None:
                late = gettext(" It was late and is marked so.") if saved.late else ""
                flash(gettext("The final draft of %(unit)s was submitted.%(late)s",
                              unit=saved.org_unit.name, late=late), "success")
                return redirect(url_for("FinalSubmissionView.show", pk=saved.id))
        else:
            for errors in form.errors.values():
                for error in errors:
                    flash(str(error), "danger")
        return self.render_template("submissions/new.html", form=form, cycle=cycle,
                                    scoped=unit_id is not None,
                                    title=gettext("Submit the final draft"))

    def _submit(self, cycle_id: int, form, unit_id):
        upload = form.memo.data
        memo = None
        if upload is not None and getattr(upload, "filename", ""):
            memo = Attachment(upload.filename, upload.read())
        try:
            return service.submit_final_draft(
                db.session, current_user(), cycle_id, approver_name=form.approver_name.data,
                approver_position=form.approver_position.data,
                approved_on=form.approved_on.data, memo=memo, note=form.note.data,
                org_unit_id=unit_id if unit_id is not None else form.org_unit.data or None)
        except ValueError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
            return None


def register(appbuilder) -> None:
    appbuilder.add_view(FinalSubmissionView, "Final submissions", label=_l("Final submissions"),
                        icon="fa-paper-plane", category="Cycles", category_label=_l("Cycles"))
    appbuilder.add_view_no_menu(SubmissionFormView())
