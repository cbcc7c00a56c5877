"""The landing page after login, and the favicon browsers ask for at the site's root.

The page is made of sections, each a template that calls a Jinja global and renders nothing
for a user it does not concern: the counters and the cycles' progress (here), the unit's own
page (app.views.portal), the user's tasks (app.views.cycles.tasks).
"""

import datetime as dt

from flask import current_app, request, send_from_directory
from flask_appbuilder import IndexView, expose

from app.extensions import db
from app.services import cycles, home


class HomeIndexView(IndexView):
    index_template = "home/index.html"

    @expose("/favicon.ico")
    def favicon(self):
        """Browsers request /favicon.ico whatever the page links; public, like any asset."""
        return send_from_directory(current_app.static_folder, "favicon.ico",
                                   mimetype="image/vnd.microsoft.icon", max_age=86400)


def summary():
    """Counters for every logged-in user; each active cycle's progress against its plan and
    the SLA counts for whoever may read the SLA board (the Kepala Biro, the Kabag)."""
    sm = current_app.appbuilder.sm
    user = sm.current_user
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    now = dt.datetime.now(dt.UTC)
    tasks = None
    if sm.has_access("can_read", "WorkItem"):
        # the tasks section below reads the same list (app.views.cycles.tasks.home_section)
        tasks = request.environ["iku.my_tasks"] = cycles.my_tasks(db.session, user, now)
    out = {"counters": home.counters(db.session, user, now, tasks=tasks)}
    hidden = set()
    if not sm.has_access("can_read", "WorkItem"):
        hidden |= {"my_tasks", "overdue", "at_risk"}
    if not sm.has_access("can_read", "Evaluation"):
        hidden.add("evaluations_due")
    out["counters"] = [c for c in out["counters"] if c.name not in hidden]
    if sm.has_access("can_read", "SlaBoard"):
        out["progress"] = home.cycle_progress(db.session, now)
        out["sla_counts"] = cycles.sla_board(db.session, now, shown=0).counts
    if getattr(user, "org_unit_id", None):
        out["next_deadline"] = home.next_deadline(db.session, user.org_unit_id, now)
    return out


def register(app) -> None:
    app.jinja_env.globals["iku_home_summary"] = summary
