"""Complaint pages: the register, the complaint's own page and intake form, the public status
page and the reports (seed H)."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l

from app.views.complaints import public
from app.views.complaints.lists import ComplaintView
from app.views.complaints.pages import ComplaintBoardView, ComplaintPageView
from app.views.complaints.reports import ComplaintReportView


def register(appbuilder) -> None:
    label = _l("Complaints")
    appbuilder.add_view(ComplaintView, "Complaint list", label=_l("Complaint list"),
                        icon="fa-comments", category="Complaints", category_label=label)
    appbuilder.add_view(ComplaintPageView, "File a complaint", label=_l("File a complaint"),
                        icon="fa-plus", category="Complaints")
    appbuilder.add_view(ComplaintBoardView, "Complaint board", label=_l("Complaint board"),
                        icon="fa-tachometer", category="Complaints")
    appbuilder.add_view(ComplaintReportView, "Complaint report", label=_l("Complaint report"),
                        icon="fa-bar-chart", category="Complaints")
    appbuilder.add_view_no_menu(public.PublicComplaintStatusView())
    public.limit_checks(current_app)
