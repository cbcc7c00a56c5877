"""/pengaduan/status, without login: a ticket number and its secret code show the complaint's
status, its public history and the response; the complainant may reopen it there within the
window. A wrong pair tells nothing (not whether the ticket exists) and the checks are limited
per client address like the login (IKU_COMPLAINT_STATUS_RATE_LIMIT). A confidential
complainant's name reads "dirahasiakan" here too."""

from __future__ import annotations

import datetime as dt

from flask import current_app
from flask_appbuilder import BaseView, expose
from flask_babel import gettext

from app.extensions import db
from app.models.complaints import ComplaintStatus
from app.services import complaints as service
from app.services.complaints.words import ACTION_LABELS, STATUS_LABELS
from app.services.cycles.flow import from_db
from app.views.complaints.forms import StatusForm

NOTHING_FOUND = "No complaint matches this ticket number and secret code."


class PublicComplaintStatusView(BaseView):
    route_base = "/pengaduan"
    default_view = "status"
    base_permissions: list[str] = []  # public: no permission, no login

    def _page(self, form, complaint=None, problem=None, message=None, status=200):
        may_reopen = bool(
            complaint is not None and complaint.status == ComplaintStatus.CLOSED
            and complaint.reopen_until
            and dt.datetime.now(dt.UTC) <= from_db(complaint.reopen_until))
        history = service.history(db.session, complaint.id, public_only=True) if complaint else []
        return self.render_template(
            "complaints/status.html", form=form, c=complaint, problem=problem, message=message,
            history=history, may_reopen=may_reopen, action_labels=ACTION_LABELS,
            status_label=STATUS_LABELS.get(complaint.status, "") if complaint else "",
            title=gettext("Complaint status")), status

    @expose("/status", methods=["GET", "POST"])
    def status(self):
        form = StatusForm()
        if not form.is_submitted():
            return self._page(form)
        complaint = None
        if form.validate():
            complaint = service.find_by_secret(db.session, form.ticket.data, form.code.data)
        if complaint is None:
            return self._page(form, problem=gettext(NOTHING_FOUND), status=404)
        return self._page(form, complaint)

    @expose("/reopen", methods=["POST"])
    def reopen(self):
        form = StatusForm()
        complaint = None
        if form.validate():
            complaint = service.find_by_secret(db.session, form.ticket.data, form.code.data)
        if complaint is None:
            return self._page(form, problem=gettext(NOTHING_FOUND), status=404)
        try:
            service.reopen(db.session, None, complaint.id, note=form.note.data)
        except ValueError as exc:
            db.session.rollback()
            return self._page(form, complaint, problem=str(exc), status=422)
        return self._page(form, complaint, message=gettext("The complaint was reopened."))


def limit_checks(app) -> None:
    """Both POSTs share the login's treatment: a limit per client address in the rate-limit
    storage, shared by all workers."""
    limiter = getattr(app.appbuilder.sm, "limiter", None)
    if limiter is None:
        return
    rate = current_app.config.get("IKU_COMPLAINT_STATUS_RATE_LIMIT") or "10 per minute"
    for endpoint in ("PublicComplaintStatusView.status", "PublicComplaintStatusView.reopen"):
        if endpoint in app.view_functions:
            app.view_functions[endpoint] = limiter.limit(
                rate, methods=["POST"], scope="complaint-status")(app.view_functions[endpoint])
