"""The complaint's own page (what it says, who holds it, both clocks, the history, and the
actions this user may take) and the intake form. Every action posts to one endpoint that calls
the service verb; a refusal is flashed in its words."""

from __future__ import annotations

import datetime as dt

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext
from sqlalchemy import select

from app.extensions import db
from app.models.complaints import Complaint
from app.models.cycles import Cycle, CycleUnit
from app.models.org import OrgUnit, Pelaksana
from app.security import current_scope_unit_id
from app.services import complaints as service
from app.services.calendar import load_schedule
from app.services.complaints import clock
from app.services.complaints.rules import delegates, handlers, rules_of
from app.services.complaints.words import (
    ACTION_LABELS,
    CHANNEL_LABELS,
    KIND_LABELS,
    STAGE_LABELS,
    STATUS_LABELS,
)
from app.services.cycles.people import Directory
from app.views.complaints.forms import ActionForm, IntakeForm
from app.views.cycles.tasks import current_user


def _v(form) -> int | None:
    try:
        return int(form.version.data)
    except (TypeError, ValueError):
        return None


def scoped_complaint(pk: int) -> Complaint:
    """The complaint if the user's unit scope reaches it, else 404."""
    complaint = db.session.get(Complaint, pk)
    unit_id = current_scope_unit_id()
    if complaint is None or (unit_id is not None and complaint.org_unit_id != unit_id):
        abort(404)
    return complaint


class ComplaintPageView(BaseView):
    route_base = "/complaint"
    default_view = "new"
    class_permission_name = "Complaint"
    method_permission_name = {"page": "read", "act": "act", "new": "add"}

    @expose("/<int:pk>")
    @has_access
    def page(self, pk: int):
        complaint = scoped_complaint(pk)
        user = current_user()
        now = dt.datetime.now(dt.UTC)
        schedule = load_schedule(db.session)
        identity = service.identity_for(db.session, user, complaint)
        actions = service.available_actions(db.session, user, complaint, now)
        directory = Directory(db.session)
        rules = rules_of(complaint)
        choices = {
            "verify": [(p.user_id, p.name) for p in delegates(rules, directory)],
            "assign": [(p.user_id, p.name) for p in handlers(rules, directory,
                                                              complaint.section_id)],
        }
        return self.render_template(
            "complaints/page.html", c=complaint, identity=identity, actions=actions,
            choices=choices, form=ActionForm(formdata=None),
            history=service.history(db.session, complaint.id),
            slas={stage: clock.stage_sla(complaint, stage, now, schedule)
                  for stage in ("verify", "follow_up")},
            labels={"kind": KIND_LABELS, "status": STATUS_LABELS, "channel": CHANNEL_LABELS,
                    "action": ACTION_LABELS, "stage": STAGE_LABELS},
            title=f"{complaint.ticket} – {complaint.subject}")

    @expose("/<int:pk>/act/<verb>", methods=["POST"])
    @has_access
    def act(self, pk: int, verb: str):
        complaint = scoped_complaint(pk)
        if verb not in service.VERB_NAMES:
            abort(404)
        form = ActionForm()
        form.target.choices = [(int(v), v) for v in [request.form.get("target") or "0"]
                               if v.isdigit()] or [(0, "")]
        if not form.validate_on_submit():
            flash(gettext("The form has expired; reload the page and try again."), "danger")
        else:
            try:
                service.perform(db.session, current_user(), complaint.id, verb,
                                note=form.note.data, response=form.response.data,
                                target_user_id=form.target.data or None, version=_v(form))
                flash(gettext("Saved: %(what)s.", what=ACTION_LABELS.get(verb, verb)), "success")
            except ValueError as exc:
                db.session.rollback()
                flash(str(exc), "danger")
        return redirect(url_for("ComplaintPageView.page", pk=pk))

    @expose("/new", methods=["GET", "POST"])
    @has_access
    def new(self):
        user = current_user()
        unit_id = current_scope_unit_id()
        form = IntakeForm()
        form.kind.choices = [(k, str(v)) for k, v in KIND_LABELS.items()]
        form.channel.choices = [(k, str(v)) for k, v in CHANNEL_LABELS.items() if k != "portal"]
        units = db.session.execute(select(OrgUnit.id, OrgUnit.name).order_by(OrgUnit.name)
                                   ).tuples().all()
        form.org_unit.choices = [(u, n) for u, n in units if unit_id in (None, u)]
        cycles = select(Cycle.id, Cycle.code).order_by(Cycle.id.desc())
        if unit_id is not None:
            cycles = cycles.join(CycleUnit).where(CycleUnit.org_unit_id == unit_id)
        form.cycle.choices = [(0, "–"), *((i, code) for i, code in db.session.execute(cycles))]
        form.pelaksana.choices = [(0, "–"), *((i, name) for i, name in db.session.execute(
            select(Pelaksana.id, Pelaksana.name).where(Pelaksana.active).order_by(Pelaksana.name)))]
        if form.validate_on_submit():
            try:
                filed = service.file_complaint(
                    db.session, user, kind=form.kind.data, subject=form.subject.data,
                    description=form.description.data,
                    complainant_name=form.complainant_name.data or None,
                    complainant_contact=form.complainant_contact.data or None,
                    complainant_email=form.complainant_email.data or None,
                    confidential=form.confidential.data,
                    channel=None if unit_id is not None else form.channel.data,
                    org_unit_id=unit_id if unit_id is not None else form.org_unit.data or None,
                    cycle_id=form.cycle.data or None, pelaksana_id=form.pelaksana.data or None)
            except ValueError as exc:
                db.session.rollback()
                flash(str(exc), "danger")
            else:
                return self.render_template(
                    "complaints/filed.html", c=filed.complaint, code=filed.secret_code,
                    title=gettext("Complaint recorded"))
        else:
            for errors in form.errors.values():
                for error in errors:
                    flash(str(error), "danger")
        return self.render_template("complaints/new.html", form=form, scoped=unit_id is not None,
                                    title=gettext("File a complaint"))


class ComplaintBoardView(BaseView):
    """/complaint-board/: the open complaints the user sees under their SLA status (the cycles'
    grouping), those the user must act on and was reminded of marked."""

    route_base = "/complaint-board"
    default_view = "board"
    class_permission_name = "Complaint"
    method_permission_name = {"board": "read"}

    @expose("/")
    @has_access
    def board(self):
        from app.services.complaints.queries import board
        from app.services.cycles.sla import group_by_sla

        rows = board(db.session, current_user(), dt.datetime.now(dt.UTC), load_schedule(db.session))
        return self.render_template(
            "complaints/board.html", groups=group_by_sla(rows),
            mine=[r for r in rows if r.mine], labels={"status": STATUS_LABELS,
                                                      "stage": STAGE_LABELS},
            title=gettext("Complaint board"))
