"""register_views() is THE one place that builds the menu: read it to see the whole app."""

from app.api import register_apis
from app.views import org


def register_views(appbuilder) -> None:
    org.register(appbuilder)
    register_apis(appbuilder)
