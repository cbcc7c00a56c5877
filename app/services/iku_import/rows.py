"""Reading an IKU import file and checking its rows with the registry's rules; the dry
run and the all-or-nothing save (see the package's docstring)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import NamedTuple

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models.iku import Indicator, IndicatorStatus, IndicatorTarget
from app.models.org import OrgUnit
from app.services import iku as iku_service
from app.services import validation
from app.services.iku_import import columns
from app.services.iku_import.columns import COLUMNS, KIND, by_attr, parse_number
from app.services.iku_import.preview import build_preview
from app.services.import_columns import (
    MAX_BYTES,  # noqa: F401  (the import page reads it here)
    MAX_ROWS,
    CellError,
    ImportChangedError,
    ImportInvalidError,
    ImportPreview,
    ImportResult,
    Problem,
    Problems,
    cell_text,
)
from app.services.imports import read_rows

KINDS = {KIND: columns.listed_columns()}  # what the import page lists
TARGET_RE = re.compile(r"^(?:target\s*(?:tahun\s*)?)?(\d{4})$", re.IGNORECASE)
CODE_HEADER = by_attr("code").header


class ParsedRow(NamedTuple):
    number: int
    values: dict  # attr -> parsed value, None for an empty cell
    targets: dict[int, Decimal]  # year -> value, non-empty cells only
    target_headers: dict[int, str]  # year -> the file's header of that column (all rows')
    current: Indicator | None  # the draft it updates


def _map_headers(header_row, problems: Problems) -> tuple[dict[int, object], dict[int, str]]:
    """({column index: Column, or a year for a target column}, {year: its header})."""
    by_name = {column.header.casefold(): column for column in COLUMNS}
    expected = ", ".join([column.header for column in COLUMNS] + ["Target <tahun>"])
    mapping: dict[int, object] = {}
    years: dict[int, str] = {}
    for index, raw in enumerate(header_row or ()):
        text = cell_text(raw) if raw is not None else ""
        if not text:
            continue
        found = by_name.get(text.casefold())
        year = TARGET_RE.match(text)
        key = found if found is not None else int(year.group(1)) if year else None
        if key is None:
            problems.add(1, text, "unknown_header", expected=expected)
        elif key in mapping.values():
            problems.add(1, text, "repeated_header")
        else:
            mapping[index] = key
            if isinstance(key, int):
                years[key] = text
    for column in COLUMNS:
        if column.required and column not in mapping.values():
            problems.add(1, column.header, "missing_header")
    return mapping, years


def _lookups(session: Session) -> dict:
    units = list(session.scalars(select(OrgUnit)))
    return {"units": {u.name.casefold(): u for u in units} | {u.code.casefold(): u for u in units}}


def _parse_cell(column, raw, lookups):
    try:
        value = column.parse(raw, lookups)
    except validation.ValueInvalidError as exc:
        return None, str(exc)
    limit = getattr(Indicator.__table__.c.get(column.attr), "type", None)
    limit = getattr(limit, "length", None)
    if isinstance(value, str) and limit and len(value) > limit:
        raise CellError("too_long", limit=limit)
    return value, None


def _parse_row(mapping, years: dict[int, str], number: int, cells, lookups, problems: Problems):
    values: dict = {column.attr: None for column in COLUMNS if column in mapping.values()}
    targets, clean = {}, True
    for index, key in mapping.items():
        raw = cells[index] if index < len(cells) else None
        empty = raw is None or cell_text(raw) == ""
        if isinstance(key, int):
            if not empty:
                try:
                    targets[key] = parse_number(raw)
                except validation.ValueInvalidError as exc:
                    problems.append(Problem(number, years[key], str(exc)))
                    clean = False
            continue
        if empty:
            if key.required:
                problems.add(number, key.header, "required")
                clean = False
            continue
        try:
            value, message = _parse_cell(key, raw, lookups)
        except CellError as exc:
            problems.add(number, key.header, exc.key, **exc.params)
            clean = False
            continue
        if message:
            problems.append(Problem(number, key.header, message))
            clean = False
        values[key.attr] = value
    return values, targets, clean


def _key(values: dict) -> tuple:
    unit = values.get("org_unit")
    return (unit.id if unit is not None else None, values.get("start_year"),
            values.get("end_year"), values.get("code"))


def _existing(session: Session, keys: set[tuple], lock: bool) -> dict[tuple, Indicator]:
    """The newest version of each indicator the file names."""
    codes = {key[3] for key in keys}
    if not codes:
        return {}
    query = select(Indicator).where(Indicator.code.in_(codes))
    if lock:  # nobody changes them between the fingerprint check and the save
        query = query.with_for_update()
    newest: dict[tuple, Indicator] = {}
    for item in session.scalars(query):
        key = (item.org_unit_id, item.start_year, item.end_year, item.code)
        if key in keys and (key not in newest or item.version > newest[key].version):
            newest[key] = item
    return newest


def _refusal(current: Indicator) -> str | None:
    if current.status == IndicatorStatus.DITETAPKAN:
        return gettext("IKU %(code)s is enacted and is never changed in place: amend it on its "
                       "page (new version), then import the row again.", code=current.code)
    if current.status != IndicatorStatus.DRAFT:
        return gettext("IKU %(code)s is %(status)s: an import only updates drafts.",
                       code=current.code, status=iku_service.STATUS_LABELS[current.status])
    return None


def _validate(file_bytes: bytes, session: Session, lock: bool = False):
    """([ParsedRow], target years in the file, problems); rows are those that parsed."""
    problems = Problems()
    rows = read_rows(file_bytes, problems)
    if rows is None:
        return [], [], problems
    mapping, years = _map_headers(next(rows, None), problems)
    if problems:
        return [], [], problems  # columns cannot be trusted: the rows would only add noise
    lookups, parsed, first_seen = _lookups(session), [], {}
    for number, cells in enumerate(rows, start=2):
        if all(cell is None or cell_text(cell) == "" for cell in cells):
            continue
        if len(parsed) == MAX_ROWS:
            problems.add(None, None, "too_many_rows", max_rows=MAX_ROWS)
            return [], [], problems
        values, targets, clean = _parse_row(mapping, years, number, cells, lookups, problems)
        key = _key(values)
        if clean and key in first_seen:
            problems.add(number, CODE_HEADER, "duplicate", header=CODE_HEADER, key=key[3],
                         first=first_seen[key])
            clean = False
        if clean:
            first_seen[key] = number
            parsed.append((number, values, targets))
    if not parsed and not problems:
        problems.add(None, None, "no_rows")
    existing = _existing(session, set(first_seen), lock)
    result = []
    for number, values, targets in parsed:
        current = existing.get(_key(values))
        refusal = _refusal(current) if current is not None else None
        if refusal:
            problems.append(Problem(number, CODE_HEADER, refusal))
            continue
        result.append(ParsedRow(number, values, targets, years, current))
    return result, sorted(years), problems


def _apply_row(row: ParsedRow) -> Indicator:
    item = row.current or Indicator(status=IndicatorStatus.DRAFT, version=1)
    for attr, value in row.values.items():
        if value is not None or (row.current is None and attr == "org_unit"):
            setattr(item, attr, value)
    stored = {target.year: target for target in item.targets}
    for year, value in row.targets.items():
        if year in stored:
            stored[year].value = value
        else:
            item.targets.append(IndicatorTarget(year=year, value=value))
    return item


def _header_of(field: str, row: ParsedRow) -> str:
    if field in ("year", "value"):
        return ", ".join(row.target_headers[year] for year in sorted(row.targets)) or CODE_HEADER
    column = by_attr(field if field != "indicator" else "code")
    return column.header if column else CODE_HEADER


def _check_rows(session: Session, rows: list[ParsedRow], problems: Problems) -> list[Indicator]:
    """Each row in its own SAVEPOINT, validated by the registry's rules, kept (flushed) when
    valid: the next rows' checks see it. A refused row leaves nothing behind."""
    saved = []
    for row in rows:
        savepoint = session.begin_nested()
        item = _apply_row(row)
        found = []
        for target in item.targets:
            if target.year in row.targets:
                try:
                    iku_service.check_target(target)
                except validation.FieldInvalidError as exc:
                    found.append(Problem(row.number, row.target_headers[target.year], str(exc)))
        if not found:
            try:
                validation.validate_record(item)
            except validation.FieldInvalidError as exc:
                found.append(Problem(row.number, _header_of(exc.field, row), str(exc)))
        if found:
            problems.extend(found)
            savepoint.rollback()
            continue
        session.add(item)
        session.flush()
        savepoint.commit()
        saved.append(item)
    return saved


def preview_import(kind: str, file_bytes: bytes, session: Session) -> ImportPreview:
    """The dry run: every row is checked against the registry's rules, nothing is kept."""
    rows, years, problems = _validate(file_bytes, session)
    preview = build_preview(file_bytes, rows, years, problems)  # before the rows change them
    if rows:
        outer = session.begin_nested()
        try:
            _check_rows(session, rows, problems)
        finally:
            outer.rollback()
    return preview._replace(problems=sorted(problems, key=lambda p: p.row or 0))


def apply_import(kind: str, file_bytes: bytes, session: Session,
                 previewed: str | None = None) -> ImportResult:
    """Validate again, then save every row or none (ImportInvalidError); ImportChangedError
    when the drafts it updates or the file differ from the preview that was confirmed."""
    rows, years, problems = _validate(file_bytes, session, lock=previewed is not None)
    if problems:  # every problem, as the dry run lists them
        found = preview_import(kind, file_bytes, session).problems
        session.rollback()
        raise ImportInvalidError(found)
    if previewed is not None:
        preview = build_preview(file_bytes, rows, years, problems)
        if preview.fingerprint != previewed:
            session.rollback()
            raise ImportChangedError(preview_import(kind, file_bytes, session))
    created = sum(row.current is None for row in rows)
    _check_rows(session, rows, problems)
    if problems:
        session.rollback()
        raise ImportInvalidError(sorted(problems, key=lambda p: p.row or 0))
    from app.services import audit

    audit.log_event(session, "import", "Indicator", details={
        "kind": KIND, "created": created, "updated": len(rows) - created})
    session.commit()
    return ImportResult(created, len(rows) - created)
