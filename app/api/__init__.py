"""REST APIs (FAB ModelRestApi, JWT or session auth), one module per domain."""

from app.api import cycles, documents, iku, org


def register_apis(appbuilder) -> None:
    org.register(appbuilder)
    cycles.register(appbuilder)
    iku.register(appbuilder)
    documents.register(appbuilder)
