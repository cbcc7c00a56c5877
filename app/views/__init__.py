"""register_views() is THE one place that builds the menu: read it to see the whole app."""

from flask import current_app

from app.api import register_apis
from app.views import (
    audit,
    calendar,
    cycles,
    display,
    documents,
    iku,
    imports,
    org,
    standards,
    users,
)


def register_views(appbuilder) -> None:
    display.register_filters(current_app)
    cycles.register(appbuilder)  # first: the daily work comes first in the menu
    documents.register(appbuilder)
    iku.register(appbuilder)
    org.register(appbuilder)
    calendar.register(appbuilder)
    standards.register(appbuilder)
    users.register(appbuilder)
    imports.register(appbuilder)
    audit.register(appbuilder)
    register_apis(appbuilder)
