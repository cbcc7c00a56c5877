"""Audit trail of changes to core records (placeholder until the hash-chained trail lands)."""


def install(db) -> None:
    return None
