"""Cycle lists (FAB ModelViews, filterable and exportable) and the Cycles menu.

The lists are Cycle, the open WorkItems of active cycles and the WorkEvent history. Their
show pages hand over to the custom pages (app/views/cycles/pages.py, tasks.py), which
read through the engine's queries. Times are stored in naive UTC: every list and export shows
them on the office's wall clock, and the open-items list adds the computed SLA status.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from flask import current_app, flash, g, redirect, send_file, url_for
from flask_appbuilder import expose
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import NotFound

from app.extensions import db
from app.models.cycles import OPEN_STATUSES, Cycle, CycleStatus, WorkEvent, WorkItem
from app.services.calendar import load_schedule
from app.services.cycles.sla import item_sla
from app.views.base import BaseModelView
from app.views.computed import computed_columns, labelled
from app.views.cycles import format as fmt
from app.views.cycles.display import (
    code_page_cycles,
    cycle_code,
    details_text,
    item_name,
    name_page_items,
    reason_text,
)
from app.views.kept_statements import ConstantClauseFilter
from app.views.search_form import ChoiceSearchMixin


def _schedule():
    """One schedule per request (holidays are a query), also for a streamed export."""
    if "iku_schedule" not in g:
        g.iku_schedule = load_schedule(db.session)
    return g.iku_schedule


def _sla_of(item: WorkItem) -> str:
    return fmt.sla_label(item_sla(item, dt.datetime.now(dt.UTC), _schedule()).status)


class OpenItemsFilter(ConstantClauseFilter, BaseFilter):
    """Base filter of the open-items list: ready, in progress or paused, in an active cycle.
    No arg_name: it is never offered to users, only applied."""

    name = "Open items"
    arg_name = None

    def apply(self, query, value):
        return query.filter(WorkItem.status.in_(OPEN_STATUSES),
                            WorkItem.cycle.has(Cycle.status == CycleStatus.ACTIVE))


class CycleView(ChoiceSearchMixin, BaseModelView):
    """Bureau-wide; a liaison lists the cycles its unit takes part in."""

    datamodel = SQLAInterface(Cycle)
    scope_column = "units.org_unit"
    base_permissions = ["can_read", "can_export"]
    list_template = "cycles/cycle_list.html"
    list_title = _l("Cycles")
    list_columns = ["code", "title", "period", "reason", "status", "started_at", "started_by",
                    "planned_end", "completed_at", "cancelled_at"]
    search_columns = ["code", "title", "period", "reason", "status", "started_at",
                      "planned_end"]
    order_columns = ["code", "period", "status", "started_at", "planned_end"]
    base_order = ("started_at", "desc")
    search_choices = {"status": fmt.CYCLE_STATUS_LABELS}
    label_columns = {
        "code": _l("Code"), "title": _l("Title"), "period": _l("Period"),
        "reason": _l("Reason"), "status": _l("Status"), "started_at": _l("Started"),
        "started_by": _l("Started by"), "planned_end": _l("Planned end"),
        "completed_at": _l("Completed"), "cancelled_at": _l("Cancelled"),
    }  # fmt: skip

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        computed_columns(self, status=labelled("status", fmt.CYCLE_STATUS_LABELS),
                 reason=reason_text)

    @expose("/show/<pk>")
    @has_access
    def show(self, pk):
        return redirect(url_for("CyclePageView.overview", cycle_id=pk))


class WorkItemView(ChoiceSearchMixin, BaseModelView):
    """Open items of the active cycles; a liaison sees only its unit's shares."""

    datamodel = SQLAInterface(WorkItem)
    scope_column = "org_unit"
    extra_base_filters = [["status", OpenItemsFilter, None]]
    base_permissions = ["can_read", "can_export"]
    search_relation_text = {"assignee": ("username", "first_name", "last_name")}
    list_title = _l("Open items")
    list_columns = ["cycle", "code", "title", "kind", "status", "sla", "due_at", "section",
                    "org_unit", "assignee", "on_behalf_of"]
    search_columns = ["cycle", "code", "title", "kind", "status", "section", "org_unit",
                      "assignee", "due_at", "ready_at"]
    order_columns = ["code", "status", "due_at"]
    base_order = ("due_at", "asc")
    search_choices = {"status": fmt.ITEM_STATUS_LABELS, "kind": fmt.KIND_LABELS}
    label_columns = {
        "cycle": _l("Cycle"), "code": _l("Item"), "title": _l("Title"), "kind": _l("Kind"),
        "status": _l("Status"), "sla": _l("SLA"), "due_at": _l("Due"),
        "ready_at": _l("Handed over"), "section": _l("Bagian"),
        "org_unit": _l("Organisation unit"), "assignee": _l("Assignee"),
        "on_behalf_of": _l("On behalf of"),
    }  # fmt: skip
    formatters_columns = {
        "title": lambda t: (t[:120] + "…") if t and len(t) > 120 else t,
    }
    export_verbatim = ("title",)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        computed_columns(self, on_page=name_page_items, sla=_sla_of,
                 status=labelled("status", fmt.ITEM_STATUS_LABELS),
                 kind=labelled("kind", fmt.KIND_LABELS), cycle=lambda item: item.cycle.code,
                 code=item_name)

    @expose("/show/<pk>")
    @has_access
    def show(self, pk):
        return redirect(url_for("TasksView.item", item_id=pk))


class WorkEventView(ChoiceSearchMixin, BaseModelView):
    """The history, read-only (events are immutable); attachments downloadable in scope."""

    datamodel = SQLAInterface(WorkEvent)
    scope_column = "org_unit"
    base_permissions = ["can_read", "can_export"]
    show_template = "cycles/event_show.html"
    search_relation_text = {"item": ("code", "title"),
                            "user": ("username", "first_name", "last_name")}
    list_title = show_title = _l("Event history")
    list_columns = ["occurred_at", "cycle_code", "item", "action", "user", "on_behalf_of",
                    "note", "attachment_name"]
    show_columns = ["occurred_at", "cycle_code", "item", "action", "user", "on_behalf_of",
                    "note", "attachment_name", "attachment_size", "attachment_sha256",
                    "details"]
    search_columns = ["cycle_id", "item", "action", "user", "on_behalf_of", "note",
                      "occurred_at"]
    order_columns = ["occurred_at", "action"]
    base_order = ("occurred_at", "desc")
    search_choices = {"action": fmt.ACTION_LABELS}
    label_columns = {
        "occurred_at": _l("When"), "cycle_code": _l("Cycle"), "cycle_id": _l("Cycle (id)"),
        "item": _l("Item"), "action": _l("Action"), "user": _l("By"),
        "on_behalf_of": _l("On behalf of"), "note": _l("Note"),
        "attachment_name": _l("Attachment"), "attachment_size": _l("Size (bytes)"),
        "attachment_sha256": _l("SHA-256"), "details": _l("Details"),
    }  # fmt: skip

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        computed_columns(self, on_page=self._on_page, cycle_code=lambda e: cycle_code(e.cycle_id),
                 action=labelled("action", fmt.ACTION_LABELS),
                 item=lambda event: item_name(event.item), details=details_text)

    @staticmethod
    def _on_page(events: list[WorkEvent]) -> None:
        name_page_items([event.item for event in events])
        code_page_cycles({event.cycle_id for event in events})

    @expose("/attachment/<int:pk>")
    @has_access
    def download(self, pk):
        """Through the view's base filters, so out of scope is 404; the bytes are checked
        against the SHA-256 recorded with the event before they are handed out."""
        event = self.datamodel.get(pk, self._base_filters)
        if event is None or not event.attachment_path:
            raise NotFound()
        root = Path(current_app.instance_path).resolve()
        path = (root / event.attachment_path).resolve()
        if root not in path.parents or not path.is_file():
            raise NotFound()
        if hashlib.sha256(path.read_bytes()).hexdigest() != event.attachment_sha256:
            flash(gettext("The stored file does not match the fingerprint recorded with the "
                          "event; it was not handed out."), "danger")
            return redirect(url_for("WorkEventView.show", pk=pk))
        return send_file(path, as_attachment=True, download_name=event.attachment_name,
                         mimetype="application/octet-stream")


CATEGORY = "Cycles"


def register(appbuilder) -> None:
    from app.views.cycles import pages as cycles_pages
    from app.views.cycles import sla as cycles_sla
    from app.views.cycles import tasks as cycles_tasks

    fmt.register_filters(current_app)
    cycles_tasks.register_home_section(current_app)
    label = _l("Cycles")
    menu = [
        (cycles_tasks.TasksView(), "My tasks", _l("My tasks"), "fa-tasks"),
        (cycles_tasks.ReminderView(), "Reminders", _l("Reminders"), "fa-bell"),
        (CycleView, "Cycle list", _l("Cycles"), "fa-refresh"),
        (cycles_sla.SlaBoardView(), "SLA board", _l("SLA board"), "fa-tachometer"),
        (WorkItemView, "Open items", _l("Open items"), "fa-list"),
        (WorkEventView, "Event history", _l("Event history"), "fa-history"),
    ]
    for view, name, view_label, icon in menu:
        appbuilder.add_view(view, name, label=view_label, icon=icon, category=CATEGORY,
                            category_label=label)
    appbuilder.add_view_no_menu(cycles_pages.CyclePageView())
