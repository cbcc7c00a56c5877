"""XLSX import pages (placeholder until imports land)."""


def register(appbuilder) -> None:
    return None
