"""The discussion pages: a cycle's groups (define, change, delete) and one group's session
(schedule, attendance, minutes, decisions per indicator).

Thin: every POST calls one service function and shows its answer (a refusal is flashed in
the service's words, nothing is saved). Permissions: DiscussionGroup read/define,
DiscussionSession read/record (ROLE_SPEC); the service checks who exactly may record a
session (its group's lead and members, the heads). A liaison reads only the groups with its
unit and only its own indicators' decisions; any other group or session answers 404.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import abort, current_app, flash, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext

from app.extensions import db
from app.models.discussions import Attendance, DecisionKind
from app.security import current_scope_unit_id
from app.services import discussions
from app.services.cycles import Attachment
from app.services.cycles.errors import CycleError
from app.views.cycles.tasks import current_user
from app.views.discussions.forms import (
    AttendanceForm,
    GroupForm,
    MinutesForm,
    PlainForm,
    ScheduleForm,
)


def run(call, *args, **kwargs) -> bool:
    """One service call; a refusal is rolled back and flashed. Views never commit."""
    try:
        call(db.session, current_user(), *args, **kwargs)
    except CycleError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return False
    return True


def _form_errors(form) -> None:
    for errors in form.errors.values():
        for error in errors:
            flash(str(error), "danger")


class DiscussionGroupPageView(BaseView):
    route_base = "/discussion"
    default_view = "groups"
    class_permission_name = "DiscussionGroup"
    method_permission_name = {"groups": "read", "save": "define", "delete": "define"}

    def _page(self, cycle_id: int) -> discussions.GroupsPage:
        try:
            return discussions.groups_page(db.session, current_user(), cycle_id,
                                           current_scope_unit_id())
        except discussions.DiscussionNotFoundError:
            abort(404)

    @staticmethod
    def _form(page: discussions.GroupsPage, group_id: int | None, formdata=None) -> GroupForm:
        group = next((g for g in page.groups if g.id == group_id), None)
        form = GroupForm(formdata=formdata) if formdata is not None else GroupForm(
            formdata=None, group_id=group.id if group else "", name=group.name if group else "",
            units=[u.org_unit_id for u in group.unit_links] if group else [],
            lead=group.lead_user_id if group else None,
            members=[m.id for m in group.members] if group else [])
        units = [(u.org_unit.id, u.org_unit.name) for u in group.unit_links] if group else []
        form.units.choices = units + [(u.id, u.name) for u in page.free_units]
        if formdata is not None:  # a unit taken meanwhile: the service says by which group
            form.units.choices = [(u.org_unit_id, u.org_unit.name) for u in page.cycle.units]
        people = [(p.user_id, p.name) for p in page.candidates]
        form.lead.choices = [("", "–"), *people]
        form.members.choices = people
        form.editing = group
        return form

    def _render(self, page, form):
        return self.render_template(
            "discussions/groups.html", page=page, form=form,
            delete_form=PlainForm(formdata=None),
            title=gettext("Discussion groups – %(code)s", code=page.cycle.code))

    @expose("/cycle/<int:cycle_id>")
    @has_access
    def groups(self, cycle_id: int):
        page = self._page(cycle_id)
        return self._render(page, self._form(page, request.args.get("edit", type=int)))

    @expose("/cycle/<int:cycle_id>/save", methods=["POST"])
    @has_access
    def save(self, cycle_id: int):
        page = self._page(cycle_id)
        group_id = request.form.get("group_id", type=int)
        form = self._form(page, group_id, formdata=request.form)
        if not form.validate():
            _form_errors(form)
            return self._render(page, form)
        if not run(discussions.save_group, cycle_id, name=form.name.data,
                   unit_ids=form.units.data, lead_id=form.lead.data,
                   member_ids=form.members.data, group_id=group_id):
            return self._render(self._page(cycle_id), form)
        flash(gettext("Group %(name)s saved; its sessions are items of the cycle.",
                      name=form.name.data.strip()), "success")
        return redirect(url_for("DiscussionGroupPageView.groups", cycle_id=cycle_id))

    @expose("/group/<int:group_id>/delete", methods=["POST"])
    @has_access
    def delete(self, group_id: int):
        from app.models.discussions import DiscussionGroup

        group = db.session.get(DiscussionGroup, group_id)
        if group is None or not PlainForm().validate_on_submit():
            abort(404)
        cycle_id, name = group.cycle_id, group.name
        if run(discussions.delete_group, group_id):
            flash(gettext("Group %(name)s deleted.", name=name), "success")
        return redirect(url_for("DiscussionGroupPageView.groups", cycle_id=cycle_id))


class DiscussionSessionPageView(BaseView):
    route_base = "/discussion/session"
    default_view = "show"
    class_permission_name = "DiscussionSession"
    method_permission_name = {
        "show": "read", "minutes_file": "read", "schedule": "record", "attendance": "record",
        "remove_attendance": "record", "minutes": "record", "decisions": "record",
    }  # fmt: skip

    @staticmethod
    def _page(session_id: int) -> discussions.SessionPage:
        try:
            return discussions.session_page(db.session, current_user(), session_id,
                                            current_scope_unit_id())
        except discussions.DiscussionNotFoundError:
            abort(404)

    def _back(self, session_id: int):
        return redirect(url_for("DiscussionSessionPageView.show", session_id=session_id))

    @expose("/<int:session_id>")
    @has_access
    def show(self, session_id: int):
        page = self._page(session_id)
        found = page.found
        schedule = ScheduleForm(formdata=None, place=found.place, scheduled_at=(
            found.scheduled_at and _local_text(found.scheduled_at)))
        attendance = AttendanceForm(formdata=None)
        attendance.person.choices = [("", "–"), *[(m.id, _name(m)) for m in page.group.members]]
        attendance.unit.choices = [("", "–"), *[(u.org_unit_id, u.org_unit.name)
                                                for u in page.group.unit_links]]
        return self.render_template(
            "discussions/session.html", page=page, schedule_form=schedule,
            attendance_form=attendance, minutes_form=MinutesForm(formdata=None,
                                                                 text=found.minutes),
            plain_form=PlainForm(formdata=None), kinds=list(DecisionKind),
            title=gettext("%(group)s – session %(number)s", group=page.group.name,
                          number=found.number))

    @expose("/<int:session_id>/schedule", methods=["POST"])
    @has_access
    def schedule(self, session_id: int):
        self._page(session_id)
        form = ScheduleForm()
        if not form.validate():
            _form_errors(form)
        elif run(discussions.schedule_session, session_id,
                 scheduled_at=form.scheduled_at.moment, place=form.place.data):
            flash(gettext("Schedule saved."), "success")
        return self._back(session_id)

    @expose("/<int:session_id>/attendance", methods=["POST"])
    @has_access
    def attendance(self, session_id: int):
        page = self._page(session_id)
        form = AttendanceForm()
        form.person.choices = [("", "–"), *[(m.id, _name(m)) for m in page.group.members]]
        form.unit.choices = [("", "–"), *[(u.org_unit_id, u.org_unit.name)
                                          for u in page.group.unit_links]]
        if not form.validate():
            _form_errors(form)
        elif run(discussions.add_attendance, session_id, name=form.name.data,
                 position=form.position.data, present=form.present.data,
                 user_id=form.person.data, org_unit_id=form.unit.data):
            flash(gettext("Attendance saved."), "success")
        return self._back(session_id)

    @expose("/attendance/<int:attendance_id>/remove", methods=["POST"])
    @has_access
    def remove_attendance(self, attendance_id: int):
        row = db.session.get(Attendance, attendance_id)
        if row is None or not PlainForm().validate_on_submit():
            abort(404)
        session_id = row.session_id
        self._page(session_id)
        if run(discussions.remove_attendance, attendance_id):
            flash(gettext("Attendance saved."), "success")
        return self._back(session_id)

    @expose("/<int:session_id>/minutes", methods=["POST"])
    @has_access
    def minutes(self, session_id: int):
        self._page(session_id)
        form = MinutesForm()
        upload = request.files.get("file")
        attachment = (Attachment(upload.filename, upload.read())
                      if upload is not None and upload.filename else None)
        if not form.validate():
            _form_errors(form)
        elif run(discussions.record_minutes, session_id, text=form.text.data,
                 attachment=attachment):
            flash(gettext("Minutes saved."), "success")
        return self._back(session_id)

    @expose("/<int:session_id>/decisions", methods=["POST"])
    @has_access
    def decisions(self, session_id: int):
        self._page(session_id)
        if not PlainForm().validate_on_submit():
            abort(400)
        rows = []
        for key, value in request.form.items():
            if key.startswith("decision-") and key[9:].isdigit():
                indicator_id = int(key[9:])
                rows.append((indicator_id, value, request.form.get(f"change-{indicator_id}")))
        if run(discussions.record_decisions, session_id, rows):
            flash(gettext("Decisions saved."), "success")
        return self._back(session_id)

    @expose("/<int:session_id>/minutes-file")
    @has_access
    def minutes_file(self, session_id: int):
        """Checked against the SHA-256 recorded with the minutes before it is handed out."""
        found = self._page(session_id).found
        if not found.minutes_file_path:
            abort(404)
        root = Path(current_app.instance_path).resolve()
        path = (root / found.minutes_file_path).resolve()
        if root not in path.parents or not path.is_file():
            abort(404)
        if hashlib.sha256(path.read_bytes()).hexdigest() != found.minutes_file_sha256:
            flash(gettext("The stored file does not match the fingerprint recorded with the "
                          "event; it was not handed out."), "danger")
            return self._back(session_id)
        return send_file(path, as_attachment=True, download_name=found.minutes_file_name,
                         mimetype="application/octet-stream")


def _name(user) -> str:
    from app.services.cycles.people import user_name

    return (user.pelaksana.name if getattr(user, "pelaksana", None) else None) or user_name(user)


def _local_text(value) -> str:
    from app.views.display import to_local

    return f"{to_local(value):%d-%m-%Y %H:%M}"
