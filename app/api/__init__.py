"""REST APIs (FAB ModelRestApi, JWT or session auth), one module per domain."""

from app.api import complaints, cycles, discussions, documents, iku, org, proposals, submissions


def register_apis(appbuilder) -> None:
    org.register(appbuilder)
    cycles.register(appbuilder)
    iku.register(appbuilder)
    proposals.register(appbuilder)
    submissions.register(appbuilder)
    discussions.register(appbuilder)
    documents.register(appbuilder)
    complaints.register(appbuilder)
