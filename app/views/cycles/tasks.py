"""Tugas saya (my tasks), one item's page with its actions, and the reminders (Pengingat).

Every action is a POST (CSRF-checked) that calls the engine once and shows its answer: the
engine decides who may do what and in which state; a refusal is flashed in its own words,
and an item someone else changed meanwhile is refused as a conflict (the form carries the
version the page was drawn from). Pages share WorkItem's permissions with its list and API:
read to see, act to record, reassign to give an item to someone else.
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext

from app.extensions import db
from app.models.cycles import WorkItem, WorkItemStatus
from app.security import current_scope_unit_id
from app.services import cycles, mail
from app.services.cycles import inbox as cycles_inbox
from app.services.cycles.errors import CycleError, WorkItemConflictError, WorkItemNotFoundError
from app.views.cycles import format as fmt
from app.views.cycles.forms import (
    CompleteForm,
    MarkReadForm,
    PauseForm,
    ReassignForm,
    ResumeForm,
    ReturnForm,
    StartForm,
)

ITEM_PERMISSIONS = {
    "index": "read", "item": "read", "start": "act", "complete": "act", "send_back": "act",
    "pause": "act", "resume": "act", "reassign": "reassign",
}  # fmt: skip


def current_user():
    from flask import current_app

    return current_app.appbuilder.sm.current_user


def run_engine(call, *args, **kwargs) -> bool:
    """Call the engine; on refusal roll back and flash its message. Views never commit."""
    try:
        call(db.session, *args, **kwargs)
    except WorkItemConflictError as exc:
        db.session.rollback()
        flash(str(exc), "warning")
        return False
    except CycleError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return False
    return True


def safe_next(target: str | None, default: str) -> str:
    """A local path only: `next` comes from the form, which anyone can forge."""
    target = target or ""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


def _version(form) -> int | None:
    try:
        return int(form.version.data)
    except (TypeError, ValueError):
        return None


def _form_errors(form) -> None:
    for errors in form.errors.values():
        for error in errors:
            flash(str(error), "danger")


class TasksView(BaseView):
    route_base = "/tasks"
    default_view = "index"
    class_permission_name = "WorkItem"
    method_permission_name = ITEM_PERMISSIONS

    @expose("/")
    @has_access
    def index(self):
        tasks = cycles.my_tasks(db.session, current_user())
        return self.render_template("cycles/my_tasks.html", tasks=tasks,
                                    title=gettext("My tasks"))

    def _in_scope(self, item_id: int) -> WorkItem:
        """A liaison reaches only its own unit's items, as in the list and the API."""
        item = db.session.get(WorkItem, item_id)
        unit = current_scope_unit_id()
        if item is None or (unit is not None and item.org_unit_id != unit):
            abort(404)
        return item

    @expose("/item/<int:item_id>")
    @has_access
    def item(self, item_id: int):
        self._in_scope(item_id)
        try:
            detail = cycles_inbox.item_detail(db.session, item_id)
        except WorkItemNotFoundError:
            abort(404)
        back = safe_next(request.args.get("next"), url_for("TasksView.item", item_id=item_id))
        forms = {name: cls(prefix=name, formdata=None, version=detail.version, next=back)
                 for name, cls in (("start", StartForm), ("complete", CompleteForm),
                                   ("return", ReturnForm), ("pause", PauseForm),
                                   ("resume", ResumeForm))}
        if self.appbuilder.sm.has_access("can_reassign", "WorkItem") \
                and detail.status != WorkItemStatus.DONE and detail.cycle_active:
            form = ReassignForm(prefix="reassign", formdata=None, version=detail.version,
                                next=back)
            form.user.choices = _candidates(item_id)
            forms["reassign"] = form
        return self.render_template("cycles/item.html", item=detail, forms=forms,
                                    title=f"{fmt.item_name(detail.ref)} – {detail.cycle_code}")

    def _act(self, item_id: int, form_class, prefix: str, call, success: str, **fields):
        self._in_scope(item_id)
        form = form_class(prefix=prefix)
        target = safe_next(form.next.data, url_for("TasksView.item", item_id=item_id))
        if not form.validate_on_submit():
            _form_errors(form)
            return redirect(target)
        kwargs = {key: getter(form) for key, getter in fields.items()}
        if run_engine(call, current_user(), item_id, expected_version=_version(form), **kwargs):
            flash(success, "success")
        return redirect(target)

    @expose("/item/<int:item_id>/start", methods=["POST"])
    @has_access
    def start(self, item_id: int):
        return self._act(item_id, StartForm, "start", cycles.start_item,
                         gettext("Work on the item has started."),
                         note=lambda f: f.note.data or None)

    @expose("/item/<int:item_id>/complete", methods=["POST"])
    @has_access
    def complete(self, item_id: int):
        group, document_id = request.form.get("mail_group"), request.form.get("mail_document")
        also = {}
        if group and (document_id or "").isdigit() and self.appbuilder.sm.has_access(
                "can_dispatch", "MailDispatch"):  # a "menyampaikan" sub-step sends too
            also["also"] = lambda _f: mail.on_complete(current_user(), int(document_id),
                                                               group)
        return self._act(item_id, CompleteForm, "complete", cycles.complete_item,
                         gettext("The item is completed."),
                         note=lambda f: f.note.data or None, attachment=_attachment, **also)

    @expose("/item/<int:item_id>/return", methods=["POST"])
    @has_access
    def send_back(self, item_id: int):
        return self._act(item_id, ReturnForm, "return", cycles.return_item,
                         gettext("The item was sent back."), reason=lambda f: f.reason.data)

    @expose("/item/<int:item_id>/pause", methods=["POST"])
    @has_access
    def pause(self, item_id: int):
        return self._act(item_id, PauseForm, "pause", cycles.pause_item,
                         gettext("The item is paused; its clock has stopped."),
                         reason=lambda f: f.reason.data)

    @expose("/item/<int:item_id>/resume", methods=["POST"])
    @has_access
    def resume(self, item_id: int):
        return self._act(item_id, ResumeForm, "resume", cycles.resume_item,
                         gettext("The item is resumed; its clock runs again."),
                         note=lambda f: f.note.data or None)

    @expose("/item/<int:item_id>/reassign", methods=["POST"])
    @has_access
    def reassign(self, item_id: int):
        self._in_scope(item_id)
        form = ReassignForm(prefix="reassign")
        form.user.choices = _candidates(item_id)
        target = safe_next(form.next.data, url_for("TasksView.item", item_id=item_id))
        if not form.validate_on_submit():
            _form_errors(form)
            return redirect(target)
        if run_engine(cycles.reassign_item, current_user(), item_id, form.user.data,
                      note=form.note.data or None, expected_version=_version(form)):
            flash(gettext("The item was reassigned."), "success")
        return redirect(target)


def _candidates(item_id: int) -> list[tuple[int, str]]:
    """The reassign form's choices; the empty first one makes choosing deliberate."""
    people = cycles_inbox.eligible_assignees(db.session, item_id)
    return [(0, gettext("Select Value"))] + [
        (c.user_id, f"{c.name} ({c.where})" if c.where else c.name) for c in people]


def _attachment(form):
    upload = form.attachment.data
    if upload is None or not getattr(upload, "filename", ""):
        return None
    return cycles.Attachment(upload.filename, upload.read())


class ReminderView(BaseView):
    """The current user's reminders from the SLA scan; marking read touches only their own."""

    route_base = "/reminders"
    default_view = "index"
    class_permission_name = "Reminder"
    method_permission_name = {"index": "read", "mark_read": "edit"}

    @expose("/")
    @has_access
    def index(self):
        rows = cycles_inbox.reminders_for(db.session, current_user())
        return self.render_template("cycles/reminders.html", reminders=rows,
                                    form=MarkReadForm(formdata=None),
                                    unread=sum(1 for r in rows if r.read_at is None),
                                    title=gettext("Reminders"))

    @expose("/read", methods=["POST"])
    @has_access
    def mark_read(self):
        form = MarkReadForm()
        if not form.validate_on_submit():
            _form_errors(form)
            return redirect(url_for("ReminderView.index"))
        ids = None
        if form.reminder.data:
            try:
                ids = [int(form.reminder.data)]
            except ValueError:
                abort(400)
        count = cycles.mark_reminders_read(db.session, current_user(), ids)
        flash(gettext("%(n)d reminder(s) marked as read.", n=count), "success")
        return redirect(url_for("ReminderView.index"))


def home_section():
    """For the landing page: the user's tasks and unread reminders, or None for a visitor or
    a user who may not see work items."""
    from flask import current_app

    sm = current_app.appbuilder.sm
    user = sm.current_user
    if user is None or not getattr(user, "is_authenticated", False) \
            or not sm.has_access("can_read", "WorkItem"):
        return None
    from flask import request

    tasks = request.environ.get("iku.my_tasks") or cycles.my_tasks(db.session, user)
    return {"tasks": tasks,
            "unread": cycles_inbox.unread_reminder_count(db.session, user)}


def register_home_section(app) -> None:
    """templates/cycles/home_tasks.html calls this; the home page includes that template."""
    app.jinja_env.globals["iku_home_tasks"] = home_section

