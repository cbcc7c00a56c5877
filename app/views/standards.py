"""Service standard pages (placeholder until the standards module lands)."""


def register(appbuilder) -> None:
    return None
