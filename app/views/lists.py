"""List mechanisms every CRUD page inherits (placeholder until exports land)."""


class ExportMixin:
    pass
