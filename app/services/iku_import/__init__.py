"""Importing existing IKU from XLSX or CSV: one row per indicator, with the same dry-run
preview, problems by row and column, fingerprint confirm and all-or-nothing save as the
people and unit import (app/services/imports.py), whose file reading and result types it uses.

The rules are the registry's own (app/services/iku.py through app/services/validation.py):
each row is applied in a SAVEPOINT and validated there, so the checks against other rows
(a code used twice in a unit and period, too many IKU under one sasaran) see the rows of
the file above it as well as the database; the preview rolls everything back, the apply
commits only when no row has a problem. A row names its indicator by unit, period and code:
a new one is a draft, version 1; an existing draft (the newest version) is updated, an
empty cell keeping the stored value; an enacted IKU, or one further in its cycle, is
refused (it changes through a new version, on its page).
"""

from app.services.iku_import.columns import COLUMNS, parse_number, template_xlsx
from app.services.iku_import.rows import (
    KIND,
    KINDS,
    MAX_BYTES,
    MAX_ROWS,
    apply_import,
    preview_import,
)

__all__ = ["COLUMNS", "KIND", "KINDS", "MAX_BYTES", "MAX_ROWS", "apply_import", "parse_number",
           "preview_import", "template_xlsx"]
