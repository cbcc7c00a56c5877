"""How the cycle pages word and draw things: status labels, durations, dates, the timeline.

Presentation only (no query, no rule): the pages, the exports and the home-page section all
word a status the same way because they all come through here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import g
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from app.models.cycles import (
    CycleStatus,
    ReminderKind,
    SlaStatus,
    WorkEventAction,
    WorkItemKind,
    WorkItemStatus,
)
from app.services.cycles.naming import step_number
from app.views.display import ZONE, to_local, when  # noqa: F401  (the app's one date format)
from app.views.translations import worded

SLA_LABELS = {
    SlaStatus.NOT_STARTED: _l("Not started"),
    SlaStatus.ON_TRACK: _l("On track"),
    SlaStatus.AT_RISK: _l("At risk"),
    SlaStatus.OVERDUE: _l("Overdue"),
    SlaStatus.DONE_ON_TIME: _l("Done on time"),
    SlaStatus.DONE_LATE: _l("Done late"),
    SlaStatus.NO_DEADLINE: _l("No deadline"),
}
# Bootstrap 3 label classes
SLA_CLASSES = {
    SlaStatus.NOT_STARTED: "default", SlaStatus.ON_TRACK: "success",
    SlaStatus.AT_RISK: "warning", SlaStatus.OVERDUE: "danger",
    SlaStatus.DONE_ON_TIME: "success", SlaStatus.DONE_LATE: "danger",
    SlaStatus.NO_DEADLINE: "info",
}  # fmt: skip
ITEM_STATUS_LABELS = {
    WorkItemStatus.WAITING: _l("Waiting"), WorkItemStatus.READY: _l("Ready"),
    WorkItemStatus.IN_PROGRESS: _l("In progress"), WorkItemStatus.PAUSED: _l("Paused"),
    WorkItemStatus.DONE: _l("Done"),
}  # fmt: skip
CYCLE_STATUS_LABELS = {
    CycleStatus.ACTIVE: _l("Active"), CycleStatus.COMPLETED: _l("Completed"),
    CycleStatus.CANCELLED: _l("Cancelled"),
}  # fmt: skip
ACTION_LABELS = {
    WorkEventAction.START: _l("Started"), WorkEventAction.COMPLETE: _l("Completed"),
    WorkEventAction.RETURN: _l("Sent back"), WorkEventAction.PAUSE: _l("Paused"),
    WorkEventAction.RESUME: _l("Resumed"), WorkEventAction.REASSIGN: _l("Reassigned"),
    WorkEventAction.CYCLE_START: _l("Cycle started"),
    WorkEventAction.CYCLE_COMPLETE: _l("Cycle completed"),
    WorkEventAction.CYCLE_CANCEL: _l("Cycle cancelled"),
    WorkEventAction.GROUPS: _l("Discussion groups set"),
    WorkEventAction.DISCUSSION: _l("Discussion recorded"),
}  # fmt: skip
KIND_LABELS = {
    WorkItemKind.STEP: _l("Step"), WorkItemKind.SUBSTEP: _l("Sub-step"),
    WorkItemKind.SESSION: _l("Session"), WorkItemKind.BAGIAN: _l("Bagian share"),
    WorkItemKind.UNIT: _l("Unit share"), WorkItemKind.GROUP: _l("Group share"),
}  # fmt: skip
REMINDER_LABELS = {ReminderKind.AT_RISK: _l("At risk"), ReminderKind.OVERDUE: _l("Overdue")}
STEP_WORD = _l("Step")
SESSION_WORD = _l("session")
HOURS_MINUTES = _l("%(sign)s%(h)d h %(m)02d min")
MINUTES = _l("%(sign)s%(m)d min")


def label(mapping: dict, value) -> str:
    """The label of a stored code; an unknown code (a newer engine) is shown as it is."""
    found = mapping.get(value)
    return worded(found) if found is not None else (value or "–")


def sla_label(status) -> str:
    return label(SLA_LABELS, status)


def item_name(ref) -> str:
    """How a reader names an item (app.services.cycles.naming.ItemRef), in the page's
    language: "Langkah 9 (7) a", never its code. Pages, lists, exports and reminders alike."""
    if ref is None:
        return "–"
    return ref.text(worded(STEP_WORD), worded(SESSION_WORD))


def short_name(ref) -> str:
    """An item's own number within its parent, for a row of the procedure tree."""
    return ref.short_text(worded(SESSION_WORD)) if ref is not None else "–"


def work_time(minutes: float | None) -> str:
    """Working minutes as hours and minutes: a working day is not 24 hours, so no days."""
    if minutes is None:
        return "–"
    total = round(minutes)
    hours, mins = divmod(abs(total), 60)
    sign = "-" if total < 0 else ""
    if hours:
        return worded(HOURS_MINUTES) % {"sign": sign, "h": hours, "m": mins}
    return worded(MINUTES) % {"sign": sign, "m": mins}


def percent(sla) -> str:
    fraction = sla.fraction if sla is not None else None
    return "–" if fraction is None else f"{round(fraction * 100)} %"


def can(permission: str, view: str) -> bool:
    """For templates, instead of FAB's is_item_visible filter: Jinja folds a filter applied to
    literal arguments into a constant when it compiles the template, so `"can_x" |
    is_item_visible("View")` would answer for whoever happened to load the template first.
    A global function call is never folded. Answered once per request and person: a task
    table asks it on each of its rows."""
    from flask import current_app
    from flask_login import current_user

    key = (current_user.get_id(), permission, view)
    answers = g.setdefault("iku_can", {})
    if key not in answers:
        answers[key] = current_app.appbuilder.sm.has_access(permission, view)
    return answers[key]


URL_KEY = 918273645546372819  # stands for a row's id in a URL built once for a whole table


def urls(endpoint: str, key: str, **values):
    """One URL per row from one url_for per table: `urls("TasksView.item", "item_id",
    next=back)(row.item_id)`. A table of 44 tasks built ~190 URLs, a tenth of Tugas saya's
    work; the id is put where url_for put the stand-in (the first occurrence: the path
    comes before the query string)."""
    from flask import url_for

    built = url_for(endpoint, **{key: URL_KEY}, **values)
    head, _, tail = built.partition(str(URL_KEY))
    return lambda id_: f"{head}{id_}{tail}"


def register_filters(app) -> None:
    app.jinja_env.globals["iku_can"] = can
    app.jinja_env.globals["iku_urls"] = urls
    app.jinja_env.globals["iku_step_number"] = step_number
    app.jinja_env.filters.update({
        "iku_when": when, "iku_work_time": work_time, "iku_percent": percent,
        "iku_sla": sla_label, "iku_sla_class": lambda s: SLA_CLASSES.get(s, "default"),
        "iku_item_status": lambda s: label(ITEM_STATUS_LABELS, s),
        "iku_cycle_status": lambda s: label(CYCLE_STATUS_LABELS, s),
        "iku_action": lambda s: label(ACTION_LABELS, s),
        "iku_kind": lambda s: label(KIND_LABELS, s),
        "iku_reminder": lambda s: label(REMINDER_LABELS, s),
        "iku_name": item_name, "iku_short": short_name,
    })


# ------------------------------------------------------------------ timeline
@dataclass(frozen=True)
class Bar:
    left: float  # percent of the timeline's width
    width: float
    title: str


@dataclass(frozen=True)
class TimelineRow:
    label: str  # the step's number as readers know it: "9 (7)"
    title: str
    sla: str
    planned: Bar | None
    actual: Bar | None  # what happened (ready -> done, or -> now)
    forecast: Bar | None  # what is still expected (now -> forecast end)


@dataclass(frozen=True)
class Timeline:
    rows: list[TimelineRow]
    ticks: list[tuple[float, str]]
    now: float | None
    planned_end: float | None


def timeline(overview, now: dt.datetime, ticks: int = 6) -> Timeline:
    """Planned vs actual per step on one calendar axis, from the cycle's start to whichever
    comes last of the planned end, the forecast end and the completion."""
    start = overview.started_at
    ends = [t for t in (overview.planned_end, overview.forecast_end, overview.completed_at) if t]
    ends += [n.completed_at for n in overview.steps if n.completed_at]
    end = max(ends + [start + dt.timedelta(hours=1)])
    span = (end - start).total_seconds()

    def pos(t: dt.datetime) -> float:
        return min(max((t - start).total_seconds() / span * 100, 0.0), 100.0)

    def bar(a, b, text) -> Bar | None:
        if a is None or b is None:
            return None
        left, right = pos(a), pos(b)
        return Bar(round(left, 2), round(max(right - left, 0.4), 2), text)

    active = overview.status == CycleStatus.ACTIVE
    rows = []
    for node in overview.steps:
        planned = bar(node.planned_start, node.planned_due or node.planned_start,
                      f"{when(node.planned_start)} – {when(node.planned_due)}")
        done_at = node.completed_at
        upto = done_at or (now if active and node.ready_at else None)
        actual = bar(node.ready_at, upto, f"{when(node.ready_at)} – {when(upto)}")
        forecast = None
        if active and done_at is None and node.forecast_end:
            if node.ready_at is not None:
                begin = max(now, node.ready_at)
            else:  # not handed over yet: as long as planned, ending at the forecast
                planned_length = ((node.planned_due or node.planned_start) - node.planned_start
                                  if node.planned_start else dt.timedelta(0))
                begin = node.forecast_end - planned_length
            forecast = bar(begin, node.forecast_end,
                           gettext("Forecast end: %(t)s", t=when(node.forecast_end)))
        rows.append(TimelineRow(short_name(node.ref) if node.ref else node.label, node.title,
                                node.sla.status, planned, actual, forecast))
    marks = [(round(i * 100 / (ticks - 1), 2), f"{start + (end - start) * i / (ticks - 1):%d-%m}")
             for i in range(ticks)]
    return Timeline(rows, marks, round(pos(now), 2) if active and start <= now <= end else None,
                    round(pos(overview.planned_end), 2) if overview.planned_end else None)
