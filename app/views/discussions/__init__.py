"""Discussion lists (groups, sessions, decisions: FAB ModelViews, searchable, filterable,
exportable, read-only) and the links from the cycle page into the discussion pages.

Groups and sessions change only through the pages (app/views/discussions/pages.py), because a
group is also work items of the cycle: the service keeps both in step. A liaison's lists hold
the groups and sessions that include its unit and the decisions about its own IKU.
"""

from __future__ import annotations

from flask import abort, current_app, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.models.discussions import (
    DecisionKind,
    DiscussionDecision,
    DiscussionGroup,
    DiscussionSession,
)
from app.services import discussions
from app.services import iku as iku_service
from app.views.base import BaseModelView
from app.views.computed import computed_columns
from app.views.cycles import format as fmt
from app.views.display import labels_formatter
from app.views.search_form import ChoiceSearchMixin
from app.views.translations import worded

DECISION_LABELS = {DecisionKind.KEPT: _l("Kept"), DecisionKind.CHANGED: _l("To be changed"),
                   DecisionKind.DROPPED: _l("Dropped")}
_USER_TEXT = ("username", "first_name", "last_name")


class DiscussionGroupView(ChoiceSearchMixin, BaseModelView):
    datamodel = SQLAInterface(DiscussionGroup)
    scope_column = "units"
    base_permissions = ["can_read", "can_export"]
    search_relation_text = {"lead": _USER_TEXT}
    list_title = _l("Discussion groups")
    list_columns = ["cycle", "name", "units", "lead", "members"]
    search_columns = ["cycle", "name", "lead"]
    order_columns = ["name"]
    base_order = ("id", "asc")
    label_columns = {"cycle": _l("Cycle"), "name": _l("Group"), "number": _l("No."),
                     "units": _l("Organisation units"), "lead": _l("Lead"),
                     "members": _l("Members")}

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        computed_columns(self, cycle=lambda group: group.cycle.code)

    @expose("/show/<pk>")
    @has_access
    def show(self, pk):
        group = self.datamodel.get(pk, self._base_filters)
        if group is None:
            abort(404)
        return redirect(url_for("DiscussionGroupPageView.groups", cycle_id=group.cycle_id))


class DiscussionSessionView(ChoiceSearchMixin, BaseModelView):
    datamodel = SQLAInterface(DiscussionSession)
    scope_column = "group.units"
    base_permissions = ["can_read", "can_export"]
    search_relation_text = {"group": ("name",), "minutes_by": _USER_TEXT}
    list_title = _l("Discussion sessions")
    list_columns = ["cycle", "group", "number", "scheduled_at", "place", "status",
                    "minutes_recorded_at", "minutes_by"]
    search_columns = ["group", "number", "scheduled_at", "place", "minutes",
                      "minutes_recorded_at", "minutes_by"]
    order_columns = ["number", "scheduled_at", "place", "minutes_recorded_at"]
    base_order = ("id", "asc")
    label_columns = {
        "cycle": _l("Cycle"), "group": _l("Group"), "number": _l("Session"),
        "scheduled_at": _l("Scheduled"), "place": _l("Place"), "status": _l("Status"),
        "minutes": _l("Minutes"), "minutes_recorded_at": _l("Minutes recorded"),
        "minutes_by": _l("Minutes by"),
    }  # fmt: skip

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        computed_columns(self, cycle=lambda s: s.group.cycle.code,
                 status=lambda s: fmt.label(fmt.ITEM_STATUS_LABELS,
                                            s.work_item.status if s.work_item else None))

    @expose("/show/<pk>")
    @has_access
    def show(self, pk):
        found = self.datamodel.get(pk, self._base_filters)
        if found is None:
            abort(404)
        return redirect(url_for("DiscussionSessionPageView.show", session_id=found.id))


class DiscussionDecisionView(ChoiceSearchMixin, BaseModelView):
    datamodel = SQLAInterface(DiscussionDecision)
    scope_column = "indicator.org_unit"
    base_permissions = ["can_read", "can_export"]
    search_relation_text = {"indicator": ("code", "name"), "recorded_by": _USER_TEXT}
    list_title = show_title = _l("Discussion decisions")
    list_columns = ["session", "unit", "indicator", "decision", "change", "recorded_at",
                    "recorded_by"]
    show_columns = list_columns
    search_columns = ["indicator", "decision", "change", "recorded_at", "recorded_by"]
    order_columns = ["decision", "recorded_at"]
    base_order = ("recorded_at", "desc")
    search_choices = {"decision": DECISION_LABELS}
    label_columns = {
        "session": _l("Session"), "unit": _l("Organisation unit"), "indicator": _l("Indicator"),
        "decision": _l("Decision"), "change": _l("Change"), "recorded_at": _l("Recorded"),
        "recorded_by": _l("Recorded by"),
    }  # fmt: skip
    formatters_columns = {"decision": labels_formatter(DECISION_LABELS)}

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        computed_columns(self, unit=lambda d: d.indicator.org_unit.name if d.indicator.org_unit
                 else "–", decision=lambda d: fmt.label(DECISION_LABELS, d.decision))


GROUPS_LINK, SESSION_LINK = _l("Discussion groups"), _l("Session record")


def discussion_link(cycle_id: int, item_id: int) -> tuple[str, str] | None:
    """(url, text) of the discussion page an item of the cycle page leads to, if any: the
    discussion step to its groups, a group's item to its session. Loaded once per request."""
    cache = request.environ.setdefault("iku.discussion_links", {})  # per request: `g` may
    # outlive one (an app context already pushed, as in tests and CLI code)
    if cycle_id not in cache:
        cache[cycle_id] = discussions.node_links(db.session, cycle_id)
    found = cache[cycle_id].get(item_id)
    if found is None:
        return None
    kind, target = found
    if kind == "groups":
        if not fmt.can("can_read", "DiscussionGroup"):
            return None
        return (url_for("DiscussionGroupPageView.groups", cycle_id=target),
                worded(GROUPS_LINK))
    if not fmt.can("can_read", "DiscussionSession"):
        return None
    return (url_for("DiscussionSessionPageView.show", session_id=target),
            worded(SESSION_LINK))


CATEGORY = "Cycles"


def register(appbuilder) -> None:
    from app.views.discussions import pages

    current_app.jinja_env.globals["iku_discussion_link"] = discussion_link
    current_app.jinja_env.filters["iku_decision"] = lambda v: fmt.label(DECISION_LABELS, v)
    current_app.jinja_env.filters["iku_indicator_status"] = lambda v: fmt.label(
        iku_service.STATUS_LABELS, v)
    for view, name, label, icon in (
        (DiscussionGroupView, "Discussion groups", _l("Discussion groups"), "fa-users"),
        (DiscussionSessionView, "Discussion sessions", _l("Discussion sessions"),
         "fa-comments"),
        (DiscussionDecisionView, "Discussion decisions", _l("Discussion decisions"),
         "fa-gavel"),
    ):
        appbuilder.add_view(view, name, label=label, icon=icon, category=CATEGORY,
                            category_label=_l("Cycles"))
    appbuilder.add_view_no_menu(pages.DiscussionGroupPageView())
    appbuilder.add_view_no_menu(pages.DiscussionSessionPageView())
