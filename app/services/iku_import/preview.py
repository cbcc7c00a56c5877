"""The dry run's table: each row as it will be saved (a stored value where the cell is
empty), the cells that change a stored value, and the fingerprint the confirm checks."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

from flask_babel import gettext

from app.models.org import OrgUnit
from app.services import iku as iku_service
from app.services.iku_import.columns import COLUMNS, KIND, by_attr
from app.services.import_columns import ImportPreview, PreviewRow, Problems


def _shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, OrgUnit):
        return value.code
    if isinstance(value, Decimal):
        return iku_service.number_text(value)
    return str(value)


def _fingerprint(file_bytes: bytes, rows: list) -> str:
    digest = hashlib.sha256(file_bytes)
    for row in rows:
        current = row.current
        state = None if current is None else [
            current.id, current.version, current.status,
            [_shown(getattr(current, column.attr, None)) for column in COLUMNS],
            [[t.year, _shown(t.value)] for t in current.targets]]
        digest.update(json.dumps([row.number, state]).encode("utf-8"))
    return digest.hexdigest()


def build_preview(file_bytes: bytes, rows: list, years: list[int],
             problems: Problems) -> ImportPreview:
    headers = [column.header for column in COLUMNS]
    at = headers.index(by_attr("baseline").header) + 1
    headers[at:at] = [f"Target {year}" for year in years]
    preview_rows = []
    for row in rows:
        current, shown, changes = row.current, {}, []
        for column in COLUMNS:
            if column.attr not in row.values:
                continue
            value = row.values[column.attr]
            old = getattr(current, column.attr) if current is not None else None
            shown[column.header] = _shown(old if value is None and current else value)
            if current is not None and value is not None and value != old:
                changes.append(column.header)
        stored = {t.year: t.value for t in current.targets} if current is not None else {}
        for year in years:
            value = row.targets.get(year)
            shown[f"Target {year}"] = _shown(stored.get(year) if value is None else value)
            if current is not None and value is not None and stored.get(year) != value:
                changes.append(f"Target {year}")
        if not shown.get(by_attr("org_unit").header) and "org_unit" in row.values:
            shown[by_attr("org_unit").header] = gettext("Ministry level")
        preview_rows.append(PreviewRow(row.number, "update" if current else "create", shown, changes))
    return ImportPreview(KIND, headers, preview_rows, sorted(problems, key=lambda p: p.row or 0),
                         _fingerprint(file_bytes, rows))


