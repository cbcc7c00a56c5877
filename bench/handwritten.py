"""The event history's first page and the REST work-event list's first page as a hand-written
route would serve them, beside the app's own: what the issue's targets mean on this stack.

Bench only (registered by bench/wsgi.py, never by the app). Each route keeps what the app's
route may not drop: the same login (the session cookie or the bearer token, through the app's
account check), the same permission check, the unit scope, the same rows in the same order
with the capped count ("> 1000"), Indonesian labels and WIB times. What it drops is FAB's
machinery: no query built through FAB's filters per request (one Core SELECT built once, the
values bound), no ORM objects, no widget chain (one template over the app's layout), no search
form, no sort links, no pager but "next page". So the numbers are a ceiling for a list path of
our own, not a page a user could be given as is.
"""

from __future__ import annotations

from functools import cache

from flask import abort, current_app, g, jsonify, render_template
from flask_jwt_extended import verify_jwt_in_request
from flask_login import current_user
from sqlalchemy import bindparam, func, literal_column, select

from app.extensions import db
from app.models.cycles import WorkEvent, WorkItem
from app.models.org import IkuUser
from app.security import scope_unit_id

PAGE = 20
CAP = 1000


def _statement():
    """The page and its capped count in one SELECT, the unit bound (-1: every unit)."""
    item_unit = WorkItem.org_unit_id
    scoped = (bindparam("unit") == -1) | (item_unit == bindparam("unit"))
    counted = (select(func.count()).select_from(
        select(WorkEvent.id).join(WorkItem, WorkItem.id == WorkEvent.item_id, isouter=True)
        .where(scoped).limit(CAP + 1).subquery()).scalar_subquery())
    return (select(WorkEvent.id, WorkEvent.cycle_id, WorkEvent.item_id, WorkItem.code,
                   WorkItem.title, WorkEvent.action, IkuUser.username, IkuUser.first_name,
                   IkuUser.last_name, WorkEvent.on_behalf_of, WorkEvent.note,
                   WorkEvent.attachment_name, WorkEvent.attachment_sha256,
                   WorkEvent.attachment_size, WorkEvent.details, WorkEvent.occurred_at,
                   counted.label("counted"))
            .join(WorkItem, WorkItem.id == WorkEvent.item_id, isouter=True)
            .join(IkuUser, IkuUser.id == WorkEvent.user_id, isouter=True)
            .where(scoped)
            .order_by(WorkEvent.occurred_at.desc(), WorkEvent.id.desc())
            .limit(literal_column(str(PAGE))))


STATEMENT = _statement()


def _rows(user):
    if not current_app.appbuilder.sm.has_access("can_read", "WorkEvent"):
        abort(403)
    unit = scope_unit_id(user)
    return db.session.connection().execute(STATEMENT, {"unit": -1 if unit is None else unit}).all()


def _count(rows) -> dict:
    counted = rows[0].counted if rows else 0
    return {"count": min(counted, CAP + 1), "count_capped": counted > CAP}


def api_work_events():
    verify_jwt_in_request()
    rows = _rows(g.user)
    return jsonify(result=[{
        "id": r.id, "cycle_id": r.cycle_id, "item_id": r.item_id,
        "item": None if r.item_id is None else {"code": r.code},
        "action": r.action, "user": None if r.username is None else {"username": r.username},
        "on_behalf_of": r.on_behalf_of, "note": r.note, "attachment_name": r.attachment_name,
        "attachment_sha256": r.attachment_sha256, "attachment_size": r.attachment_size,
        "details": r.details, "occurred_at": r.occurred_at.isoformat(),
    } for r in rows], **_count(rows))


PAGE_TEMPLATE = """{% extends "appbuilder/base.html" %}
{% block content %}
<div class="panel panel-primary"><div class="panel-heading"><h4 class="panel-title">
{{ _("Work history") }}</h4></div><div class="panel-body">
<div class="pull-right"><strong>{{ _("Record Count") }}:</strong>
{% if capped %}&gt; {{ cap }}{% else %}{{ count }}{% endif %}</div>
<table class="table table-hover"><thead><tr>{% for label in labels %}<th>{{ label }}</th>
{% endfor %}</tr></thead><tbody>
{% for r in rows %}<tr><td>{{ r.when }}</td><td>{{ r.code or "–" }}</td><td>{{ r.title or "–" }}</td>
<td>{{ r.action }}</td><td>{{ r.who or "–" }}</td><td>{{ r.on_behalf_of or "–" }}</td>
<td>{{ r.note or "–" }}</td><td>{{ r.attachment_name or "–" }}</td></tr>
{% endfor %}</tbody></table>
<a class="btn btn-sm btn-default" href="?page=1">{{ _("Next") }}</a></div></div>
{% endblock %}"""


@cache
def _page_template():
    """Compiled once, like the app's template files."""
    return current_app.jinja_env.from_string(PAGE_TEMPLATE)


def event_history():
    if not current_user.is_authenticated:
        abort(401)
    rows = _rows(current_user)
    from app.views.cycles.format import ACTION_LABELS
    from app.views.display import when
    from app.views.translations import worded

    shown = [{
        "when": when(r.occurred_at), "code": r.code, "title": r.title,
        "action": worded(ACTION_LABELS.get(r.action, r.action)),
        "who": f"{r.first_name} {r.last_name}".strip() or None,
        "on_behalf_of": r.on_behalf_of, "note": r.note, "attachment_name": r.attachment_name,
    } for r in rows]
    count = _count(rows)
    labels = ["Waktu", "Kode", "Butir", "Tindakan", "Oleh", "Atas nama", "Catatan", "Lampiran"]
    return render_template(
        _page_template(), rows=shown, labels=labels, count=count["count"],
        capped=count["count_capped"], cap=CAP,
        appbuilder=current_app.appbuilder, base_template=current_app.appbuilder.base_template)


def register(app) -> None:
    app.add_url_rule("/bench/hand/api-work-event", "bench_hand_api", api_work_events)
    app.add_url_rule("/bench/hand/event-history", "bench_hand_page", event_history)
