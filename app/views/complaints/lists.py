"""The complaint register (scoped: a liaison sees its own unit's), read and exported. Its
complainant column is `complainant_listed`: "dirahasiakan" for a confidential complaint, for
everybody; only the complaint's page reveals an identity, to whom may see it, and logs it."""

from __future__ import annotations

from flask import redirect, url_for
from flask_appbuilder import expose
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l

from app.models.complaints import Complaint
from app.services.complaints.words import CHANNEL_LABELS, KIND_LABELS, STATUS_LABELS
from app.views.base import BaseModelView
from app.views.fields import enum_formatter

LABELS = {
    "ticket": _l("Ticket"), "kind": _l("Kind"), "channel": _l("Channel"),
    "subject": _l("Subject"), "org_unit": _l("Organisation unit"),
    "complainant_listed": _l("Complainant"), "status": _l("Status"),
    "received_at": _l("Received"), "verify_due_at": _l("Verification due"),
    "follow_up_due_at": _l("Follow-up due"), "delegated_to": _l("Delegated to"),
    "handler": _l("Handler"), "responded_at": _l("Answered"), "confidential": _l("Confidential"),
}  # fmt: skip


class ComplaintView(BaseModelView):
    datamodel = SQLAInterface(Complaint)
    scope_column = "org_unit"
    base_permissions = ["can_read", "can_export"]
    list_title = show_title = _l("Complaints")
    list_columns = ["ticket", "kind", "subject", "org_unit", "complainant_listed", "status",
                    "received_at", "verify_due_at", "follow_up_due_at", "responded_at"]
    show_columns = list_columns
    search_columns = ["ticket", "kind", "subject", "org_unit", "status", "received_at",
                      "channel", "confidential"]
    search_relation_text = {"org_unit": ("name", "code")}
    order_columns = ["ticket", "received_at", "verify_due_at", "follow_up_due_at", "status"]
    base_order = ("received_at", "desc")
    label_columns = LABELS
    formatters_columns = {"kind": enum_formatter(KIND_LABELS),
                          "status": enum_formatter(STATUS_LABELS),
                          "channel": enum_formatter(CHANNEL_LABELS)}

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        """The complaint's own page (history, clock, actions) stands for FAB's show page."""
        return redirect(url_for("ComplaintPageView.page", pk=pk))
