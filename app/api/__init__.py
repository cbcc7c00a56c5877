"""REST APIs (FAB ModelRestApi, JWT or session auth), one module per domain."""

from app.api import org


def register_apis(appbuilder) -> None:
    org.register(appbuilder)
