"""User administration pages (placeholder until the hardening lands)."""


def register(appbuilder) -> None:
    return None
