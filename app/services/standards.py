"""Service standards: from the YAML files in app/standards/ to versioned rows.

The standard is data. Loading is idempotent (same normalised content -> the current version,
untouched) and append-only (changed content -> version n+1, the old one kept but no longer
current), so cycles started under an older version keep the steps and time standards they
were started with, and `flask iku load-standards` can run at every deploy.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models.standards import ServiceStandard, StepDefinition
from app.services.standards_schema import (
    SHORTEST_WORKDAY_MINUTES,
    WORKDAYS_PER_WEEK,
    Problem,
    StandardInvalidError,
    StandardWarning,
    collect_warnings,
    normalise,
    read_source,
    validate,
)

__all__ = [
    "STANDARDS_DIR",
    "StandardInvalidError",
    "StandardWarning",
    "content_hash",
    "current_standard",
    "current_standards",
    "load_all",
    "load_standard",
    "parse_standard",
    "standard_version",
]

STANDARDS_DIR = Path(__file__).resolve().parent.parent / "standards"


def parse_standard(
    source: str | Path,
    *,
    day_minutes: int = SHORTEST_WORKDAY_MINUTES,
    week_days: int = WORKDAYS_PER_WEEK,
) -> tuple[dict, list[StandardWarning]]:
    """(normalised document, warnings) for a YAML path or YAML text; no database.

    Raises StandardInvalidError (file, path, reason, line) when the file is not a standard.
    `day_minutes` is what "1 hari" is worth when comparing times: the shortest working day,
    because a one-day step has to fit on any of them.
    """
    file, text = read_source(source)
    document = normalise(validate(file, text))
    return document, collect_warnings(document, day_minutes=day_minutes, week_days=week_days)


def content_hash(document: dict) -> str:
    """SHA-256 of the canonical JSON: formatting and comments in the YAML do not count."""
    canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def current_standard(session: Session, code: str) -> ServiceStandard | None:
    return session.scalars(
        select(ServiceStandard).where(ServiceStandard.code == code, ServiceStandard.is_current)
    ).one_or_none()


def current_standards(session: Session) -> list[ServiceStandard]:
    return list(session.scalars(
        select(ServiceStandard).where(ServiceStandard.is_current).order_by(ServiceStandard.code)
    ))


def standard_version(session: Session, code: str, version: int) -> ServiceStandard | None:
    return session.scalars(
        select(ServiceStandard).where(
            ServiceStandard.code == code, ServiceStandard.version == version
        )
    ).one_or_none()


def load_standard(
    session: Session, path: str | Path, *, day_minutes: int = SHORTEST_WORKDAY_MINUTES
) -> tuple[ServiceStandard, list[StandardWarning]]:
    """Make the file's content the current version of its standard; commits.

    Returns the version now current (existing if unchanged, new otherwise) and the warnings.
    """
    path = Path(path)
    document, found = parse_standard(path, day_minutes=day_minutes)
    return _store(session, document, found, path.name), found


def load_all(
    session: Session,
    folder: str | Path = STANDARDS_DIR,
    *,
    day_minutes: int = SHORTEST_WORKDAY_MINUTES,
) -> list[tuple[ServiceStandard, list[StandardWarning]]]:
    """Load every *.yaml/*.yml in `folder`. All files are validated before anything is written,
    so one broken file leaves the database as it was."""
    files = sorted(p for p in Path(folder).iterdir() if p.suffix in (".yaml", ".yml"))
    parsed, owner = [], {}
    for path in files:
        document, found = parse_standard(path, day_minutes=day_minutes)
        if document["code"] in owner:
            reason = f"code {document['code']!r} is also defined in {owner[document['code']]}"
            raise StandardInvalidError(str(path), [Problem("code", reason)])
        owner[document["code"]] = path.name
        parsed.append((path, document, found))
    return [(_store(session, doc, found, path.name), found) for path, doc, found in parsed]


def _store(
    session: Session, document: dict, found: list[StandardWarning], source_file: str
) -> ServiceStandard:
    sha = content_hash(document)
    for attempt in range(2):
        current = current_standard(session, document["code"])
        if current is not None and current.content_sha256 == sha:
            return current
        try:
            standard = _new_version(session, document, found, source_file, sha, current)
            session.commit()
            return standard
        except IntegrityError:
            # another process loaded the same standard at the same moment: look again
            session.rollback()
            if attempt:
                raise
    raise AssertionError("unreachable")


def _new_version(
    session: Session,
    document: dict,
    found: list[StandardWarning],
    source_file: str,
    sha: str,
    current: ServiceStandard | None,
) -> ServiceStandard:
    last = session.scalar(
        select(func.max(ServiceStandard.version)).where(ServiceStandard.code == document["code"])
    )
    if current is not None:
        current.is_current = False
        session.flush()  # the partial unique index allows one current row at any moment
    standard = ServiceStandard(
        code=document["code"],
        version=(last or 0) + 1,
        title=document["title"],
        content=document,
        content_sha256=sha,
        source_file=source_file,
        warnings=[w.as_dict() for w in found],
        is_current=True,
        loaded_at=dt.datetime.now(dt.UTC),
        steps=[_step_row(step) for step in document["steps"]],
    )
    session.add(standard)
    session.flush()
    return standard


def _step_row(step: dict) -> StepDefinition:
    duration = step["duration"] or {}
    performed_by = step["performed_by"]
    return StepDefinition(
        position=step["position"],
        code=step["code"],
        label=step["label"],
        title=step["title"],
        duration_value=duration.get("value"),
        duration_unit=duration.get("unit"),
        repetitions=step["repetitions"],
        actors=[{"actor": a["actor"], "bagian": a["bagian"]} for a in step["actors"]],
        performed_by=performed_by["actor"] if performed_by else None,
        relative_deadline=step["relative_deadline"],
        substeps=step["substeps"],
        documents=step["documents"],
    )
