"""Numbers of official documents: the pattern of each kind, and the sequence per series and year.

allocate_number() is one statement, INSERT ... ON CONFLICT (series, year) DO UPDATE SET
next_value = next_value + 1 RETURNING: atomic on PostgreSQL and SQLite alike. The updated row
stays locked until the caller's transaction ends, so concurrent finalisations of one series
take turns; a rolled-back finalisation undoes its increment (the number is given again, never
skipped) and a committed one is never given again (never reused).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import string

from flask import current_app, has_app_context
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.models.documents import Document, NumberSequence
from app.services.documents.errors import DocumentNumberError

_INSERT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]
MANUAL_RE = re.compile(r"^\s*(?:NOMOR\s+)?(\d{1,6})(?:\s+TAHUN\s+(\d{4}))?\s*$", re.IGNORECASE)


def allocate_number(session: Session, series: str, year: int) -> int:
    """The next number of `series` in `year`, taken in the caller's transaction."""
    insert = _INSERT[session.get_bind().dialect.name]
    table = NumberSequence.__table__
    statement = insert(table).values(series=series, year=year, next_value=2)
    statement = statement.on_conflict_do_update(
        index_elements=["series", "year"],
        set_={"next_value": table.c.next_value + 1},
    ).returning(table.c.next_value)
    return int(session.execute(statement).scalar_one()) - 1


def numbering_config() -> dict:
    base = {"codes": {}, "offices": {}, "kinds": {}, "documents": {}}
    if not has_app_context():
        return base
    config = current_app.config
    merged = json.loads(json.dumps(config.get("IKU_DOCUMENT_NUMBERING") or base))
    extra = config.get("IKU_DOCUMENT_NUMBERING_JSON") or ""
    if extra:
        for key, value in json.loads(extra).items():
            if isinstance(value, dict):
                merged.setdefault(key, {}).update(value)
            else:
                merged[key] = value
    return merged


class Scheme:
    """How documents of one code are numbered: by sequence, by hand, or not at all (a draft
    decree, "Rancangan", is never numbered by the bureau)."""

    def __init__(self, doc: dict, config: dict | None = None):
        config = config or numbering_config()
        kind = doc.get("kind") or ""
        spec = dict(config.get("kinds", {}).get(kind) or {})
        codes = dict(config.get("codes") or {})
        office = (config.get("offices") or {}).get(doc.get("signed_by") or "")
        if office:
            codes["office"] = office
        override = (config.get("documents") or {}).get(doc.get("code") or "") or {}
        codes.update(override.get("codes") or {})
        spec.update({k: v for k, v in override.items() if k != "codes"})
        self.kind, self.codes = kind, codes
        self.pattern: str | None = spec.get("pattern")
        self.manual = bool(spec.get("manual"))
        self.numbered = bool(self.pattern) and not doc.get("draft")
        self.series = _fill(spec.get("series") or kind, codes, seq=0, when=None) \
            if self.pattern else None

    def format(self, seq: int, when: dt.datetime) -> str:
        return _fill(self.pattern or "{seq}", self.codes, seq, when)

    def parse_manual(self, text: str, when: dt.datetime) -> tuple[int, int, str]:
        """'12', '12 TAHUN 2027' or 'NOMOR 12 TAHUN 2027' -> (12, 2027, 'NOMOR 12 TAHUN 2027')."""
        match = MANUAL_RE.match(text or "")
        if not match or int(match.group(1)) < 1:
            raise DocumentNumberError(
                "Nomor harus berupa angka, misalnya 12 atau \"NOMOR 12 TAHUN 2027\".")
        seq = int(match.group(1))
        year = int(match.group(2)) if match.group(2) else when.year
        if not 2000 <= year <= 2100:
            raise DocumentNumberError("Tahun nomor tidak masuk akal.")
        return seq, year, _fill(self.pattern or "NOMOR {seq} TAHUN {year}", self.codes, seq,
                                when.replace(year=year))


def _fill(pattern: str, codes: dict, seq: int, when: dt.datetime | None) -> str:
    values = {"seq": seq, **{k: str(v) for k, v in codes.items()}}
    if when is not None:
        values.update(year=when.year, month=when.month, month_roman=ROMAN[when.month - 1])
    names = {name for _, name, _, _ in string.Formatter().parse(pattern) if name}
    missing = names - set(values)
    if missing:
        raise DocumentNumberError(
            f"Pola penomoran memakai kode yang tidak diatur: {', '.join(sorted(missing))}.")
    return pattern.format(**values)


def check_unique(session: Session, series: str, number: str, exclude_id: int | None) -> None:
    query = select(Document.id).where(Document.number_series == series,
                                      Document.number == number)
    if exclude_id is not None:
        query = query.where(Document.id != exclude_id)
    if session.scalar(query) is not None:
        raise DocumentNumberError(f"Nomor {number} sudah dipakai dokumen lain.")
