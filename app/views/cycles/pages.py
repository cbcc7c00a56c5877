"""A cycle's page (plan vs actual, SLA, history), the start form and cancelling.

Shares the Cycle permissions of the list and the API: read to see, start to start or
cancel (granted to the Kepala Biro and the Kabag; the engine checks the same rule again).
"""

from __future__ import annotations

import datetime as dt

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext
from sqlalchemy import select

from app.extensions import db
from app.models.cycles import CycleStatus
from app.models.org import OrgUnit
from app.security import current_scope_unit_id
from app.services import cycles, portal
from app.services import standards as standards_service
from app.services.cycles.errors import CycleError, CycleNotFoundError
from app.views.cycles import format as fmt
from app.views.cycles.forms import CancelCycleForm, StartCycleForm
from app.views.cycles.tasks import current_user, run_engine

# A cycle gathers 1,500 events and more; the page shows the latest and links to the history
# (WorkEventView, filtered by the cycle), which pages, searches and exports them.
LATEST_EVENTS = 50


class CyclePageView(BaseView):
    route_base = "/cycle"
    default_view = "start"
    class_permission_name = "Cycle"
    method_permission_name = {"overview": "read", "start": "start", "cancel": "start"}

    @expose("/<int:cycle_id>")
    @has_access
    def overview(self, cycle_id: int):
        now = dt.datetime.now(dt.UTC)
        unit_id = current_scope_unit_id()
        if unit_id is not None and not portal.takes_part(db.session, cycle_id, unit_id):
            abort(404)  # a unit reads the cycles it takes part in, no other
        try:
            view = cycles.cycle_overview(db.session, cycle_id, now,
                                         latest_events=LATEST_EVENTS)
        except CycleNotFoundError:
            abort(404)
        unit = None
        if unit_id is not None:  # read-only, its own share highlighted, other units' hidden
            unit = {"own": portal.own_items(db.session, cycle_id, unit_id),
                    "standing": portal.unit_standing(db.session, cycle_id, unit_id, now)}
            view = portal.unit_overview(view, portal.hidden_items(db.session, cycle_id, unit_id),
                                        db.session.get(OrgUnit, unit_id).name)
        can_cancel = (unit is None and view.status == CycleStatus.ACTIVE
                      and self.appbuilder.sm.has_access("can_start", "Cycle"))
        return self.render_template(
            "cycles/cycle.html", cycle=view, timeline=fmt.timeline(view, now),
            cancel_form=CancelCycleForm(formdata=None) if can_cancel else None,
            unit=unit, title=f"{view.code} – {view.title}",
        )

    @expose("/start", methods=["GET", "POST"])
    @has_access
    def start(self):
        standards = standards_service.current_standards(db.session)
        form = StartCycleForm()
        form.standard.choices = [(s.code, s.title) for s in standards]
        chosen = next((s for s in standards if s.code == form.standard.data),
                      standards[0] if standards else None)
        form.reason.choices = [(r["code"], r["text"])
                               for r in (cycles.cycle_reasons(chosen) if chosen else [])]
        units = db.session.execute(select(OrgUnit.id, OrgUnit.name).where(
            OrgUnit.active.is_(True)).order_by(OrgUnit.sort_order, OrgUnit.name)).tuples().all()
        form.units.choices = [(unit_id, name) for unit_id, name in units]
        plan = None
        if not form.is_submitted():
            period = str(dt.date.today().year + 1)
            form.period.data = period
            form.code.data = f"{chosen.code.upper()}-{period}" if chosen else ""
            form.units.data = [unit_id for unit_id, _name in units]
        elif form.validate() and "preview" in request.form:
            plan = self._preview(form, chosen)
        elif not form.errors:
            cycle_id = self._start(form)
            if cycle_id is not None:
                return redirect(url_for("CyclePageView.overview", cycle_id=cycle_id))
        else:
            for errors in form.errors.values():
                for error in errors:
                    flash(str(error), "danger")
        return self.render_template("cycles/start.html", form=form, plan=plan,
                                    title=gettext("Start a cycle"))

    def _preview(self, form, standard) -> cycles.PlanPreview | None:
        """The plan the cycle would get if started now: shown before the user confirms."""
        try:
            return cycles.plan_preview(db.session, standard, dt.datetime.now(dt.UTC),
                                       unit_ids=form.units.data)
        except CycleError as exc:
            flash(str(exc), "danger")
            return None

    def _start(self, form) -> int | None:
        try:
            cycle = cycles.start_cycle(
                db.session, current_user(), standard_code=form.standard.data,
                code=form.code.data, period=form.period.data, reason=form.reason.data,
                title=form.title.data or None, reason_note=form.reason_note.data or None,
                unit_ids=form.units.data,
            )
        except CycleError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
            return None
        flash(gettext("Cycle %(code)s started. Planned end: %(end)s.", code=cycle.code,
                      end=fmt.when(fmt.to_local(cycle.planned_end))), "success")
        return cycle.id

    @expose("/<int:cycle_id>/cancel", methods=["POST"])
    @has_access
    def cancel(self, cycle_id: int):
        form = CancelCycleForm()
        if not form.validate_on_submit():
            for errors in form.errors.values():
                for error in errors:
                    flash(str(error), "danger")
        elif run_engine(cycles.cancel_cycle, current_user(), cycle_id, reason=form.reason.data):
            flash(gettext("The cycle was cancelled."), "success")
        return redirect(url_for("CyclePageView.overview", cycle_id=cycle_id))
