"""register_views() is THE one place that builds the menu: read it to see the whole app."""

from flask import current_app

from app.api import register_apis
from app.views import (
    assets,
    audit,
    calendar,
    complaints,
    cycles,
    dashboard,
    discussions,
    display,
    documents,
    evaluation,
    home,
    iku,
    iku_matrix,
    imports,
    liaisons,
    list_links,
    mail,
    navbar,
    org,
    portal,
    proposals,
    standards,
    submissions,
    supervision,
    survey,
    users,
)


def register_views(appbuilder) -> None:
    display.register_filters(current_app)
    home.register(current_app)
    navbar.register(current_app)
    assets.register(current_app)
    list_links.register(current_app)
    cycles.register(appbuilder)  # first: the daily work comes first in the menu
    dashboard.register(appbuilder)
    submissions.register(appbuilder)
    portal.register(current_app)
    discussions.register(appbuilder)
    documents.register(appbuilder)
    mail.register(appbuilder)
    complaints.register(appbuilder)
    supervision.register(appbuilder)
    evaluation.register(appbuilder)
    survey.register(appbuilder)
    iku.register(appbuilder)
    iku_matrix.register(appbuilder)
    proposals.register(appbuilder)
    org.register(appbuilder)
    liaisons.register(appbuilder)
    calendar.register(appbuilder)
    standards.register(appbuilder)
    users.register(appbuilder)
    imports.register(appbuilder)
    audit.register(appbuilder)
    register_apis(appbuilder)
