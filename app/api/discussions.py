"""REST API of the discussion (read-only): groups, sessions, decisions.

Same permissions and unit scope as the lists: the bureau and the auditor read everything; a
liaison reads the groups and sessions that include its unit and the decisions about its own
IKU; any other answers 404. Groups and sessions change through the pages, which keep the
cycle's items in step (app.services.discussions).
"""

from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface

from app.api.base import BaseModelApi
from app.models.discussions import DiscussionDecision, DiscussionGroup, DiscussionSession

READ = {"get", "get_list", "info"}


class DiscussionGroupApi(BaseModelApi):
    datamodel = SQLAInterface(DiscussionGroup)
    resource_name = "discussion-group"
    scope_column = "units"
    include_route_methods = READ
    list_columns = show_columns = ["id", "cycle_id", "cycle.code", "number", "name",
                                   "lead_user_id", "lead.username", "units.code",
                                   "units.name", "members.username"]
    search_columns = ["cycle", "name", "number"]
    order_columns = ["number", "name"]
    base_order = ("id", "asc")


class DiscussionSessionApi(BaseModelApi):
    datamodel = SQLAInterface(DiscussionSession)
    resource_name = "discussion-session"
    scope_column = "group.units"
    include_route_methods = READ
    list_columns = show_columns = [
        "id", "group_id", "group.name", "group.cycle_id", "number", "scheduled_at", "place",
        "minutes", "minutes_file_name", "minutes_file_sha256", "minutes_recorded_at",
        "work_item_id", "work_item.code", "work_item.status"]
    search_columns = ["group", "number", "scheduled_at", "place"]
    order_columns = ["number", "scheduled_at"]
    base_order = ("id", "asc")


class DiscussionDecisionApi(BaseModelApi):
    datamodel = SQLAInterface(DiscussionDecision)
    resource_name = "discussion-decision"
    scope_column = "indicator.org_unit"
    include_route_methods = READ
    list_columns = show_columns = [
        "id", "session_id", "session.number", "session.group_id", "indicator_id",
        "indicator.code", "indicator.name", "indicator.org_unit_id", "decision", "change",
        "recorded_at", "recorded_by.username"]
    search_columns = ["session", "indicator", "decision", "recorded_at"]
    order_columns = ["decision", "recorded_at"]
    base_order = ("recorded_at", "desc")


APIS = [DiscussionGroupApi, DiscussionSessionApi, DiscussionDecisionApi]


def register(appbuilder) -> None:
    for api in APIS:
        appbuilder.add_api(api)
