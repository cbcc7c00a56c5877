"""Audit trail pages (placeholder until the audit trail lands)."""


def register(appbuilder) -> None:
    return None
