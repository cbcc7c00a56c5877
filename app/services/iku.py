"""Rules of the IKU registry: what a valid indicator and target are, how an indicator moves
through its statuses, how an enacted one is amended (a new version) and how two versions
compare. The rules are registered with app.services.validation, so the pages, the REST API and
any import refuse the same things with the same words.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from flask import current_app, has_app_context
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session, aliased, object_session

from app.models.iku import CalculationType, Indicator, IndicatorStatus, IndicatorTarget
from app.security import current_scope_unit_id
from app.services.validation import FieldInvalidError, choice, register_record_rule

STATUS_ORDER = list(IndicatorStatus)
STATUS_LABELS = {
    IndicatorStatus.DRAFT: _l("Draft"), IndicatorStatus.DIBAHAS: _l("Under discussion"),
    IndicatorStatus.DISETUJUI: _l("Approved by the unit head"),
    IndicatorStatus.FINAL: _l("Final"), IndicatorStatus.DITETAPKAN: _l("Enacted"),
}  # fmt: skip
CALCULATION_LABELS = {
    CalculationType.PERSENTASE: _l("Percentage"), CalculationType.RASIO: _l("Ratio"),
    CalculationType.JUMLAH: _l("Count"), CalculationType.INDEKS: _l("Index"),
    CalculationType.NILAI: _l("Score"),
}  # fmt: skip
# The fields two versions are compared on, in the order of the published matrix.
COMPARED_FIELDS = {
    "sasaran_code": _l("Strategic objective code"), "sasaran_text": _l("Strategic objective"),
    "code": _l("Indicator code"), "name": _l("Indicator"), "definition": _l("Operational definition"),
    "rationale": _l("Reason for choosing"), "numerator": _l("Numerator"),
    "denominator": _l("Denominator"), "calculation_type": _l("Calculation type"),
    "satuan": _l("Unit of measure"), "baseline": _l("Baseline"), "data_source": _l("Data source"),
    "responsible": _l("Responsible"), "status": _l("Status"),
    "enactment_number": _l("Enactment number"), "enactment_date": _l("Enactment date"),
}  # fmt: skip
REQUIRED = ("sasaran_code", "sasaran_text", "code", "name", "satuan")


class IndicatorRefusedError(ValueError):
    """A change the registry's rules refuse (an enacted IKU edited, a wrong status step)."""


def max_per_sasaran() -> int:
    return int(current_app.config.get("IKU_MAX_PER_SASARAN", 5)) if has_app_context() else 5


def _loaded_status(item: Indicator) -> str | None:
    """The status the row had in the database, before this change."""
    history = inspect(item).attrs.status.history
    if history.deleted:
        return history.deleted[0]
    return history.unchanged[0] if history.unchanged else None


def _lineage_ids(session: Session, item: Indicator) -> set[int]:
    """The ids of every version of the same indicator (older and newer)."""
    ids, row = set(), item
    while row is not None:
        if row.id is not None:
            ids.add(row.id)
        row = row.previous
    frontier = set(ids)
    while frontier:
        newer = set(session.scalars(select(Indicator.id).where(Indicator.previous_id.in_(frontier))))
        frontier = newer - ids
        ids |= newer
    return ids


def _unit_id(item: Indicator) -> int | None:
    """The unit the item is about to have: a form sets the relation, the API may set the id."""
    if item.org_unit is not None:
        return item.org_unit.id
    return None if inspect(item).attrs.org_unit.history.has_changes() else item.org_unit_id


def _same_period(item: Indicator):
    unit_id = _unit_id(item)
    return (
        Indicator.org_unit_id.is_(None) if unit_id is None else Indicator.org_unit_id == unit_id,
        Indicator.start_year == item.start_year, Indicator.end_year == item.end_year,
    )


def check_indicator(item: Indicator) -> None:
    state = inspect(item)
    if state.persistent and _loaded_status(item) == IndicatorStatus.DITETAPKAN:
        raise FieldInvalidError("status", gettext(
            "An enacted IKU is never changed: amend it to make a new version."))
    if (state.persistent and current_scope_unit_id() is not None
            and _loaded_status(item) != IndicatorStatus.DRAFT):
        raise FieldInvalidError("status", gettext("A unit can only change its IKU in draft."))
    for key in REQUIRED:
        if not str(getattr(item, key) or "").strip():
            raise FieldInvalidError(key, gettext("Required."))
    if item.start_year is None or item.end_year is None:
        raise FieldInvalidError("start_year", gettext("Required."))
    if not 2000 <= item.start_year <= item.end_year <= item.start_year + 10:
        raise FieldInvalidError("end_year", gettext(
            "The period must run from its first year to a later or the same year (at most 10 years)."))
    choice(CalculationType)(item.calculation_type)
    session = object_session(item) or _session()
    with session.no_autoflush:
        lineage = _lineage_ids(session, item)
        same = select(Indicator.id).where(*_same_period(item), Indicator.code == item.code)
        if set(session.scalars(same)) - lineage:
            raise FieldInvalidError("code", gettext(
                "Indicator code %(code)s is already used in this unit and period.", code=item.code))
        codes = set(session.scalars(select(Indicator.code).where(
            *_same_period(item), Indicator.sasaran_code == item.sasaran_code,
            Indicator.code != item.code)))
        if len(codes) >= max_per_sasaran():
            raise FieldInvalidError("sasaran_code", gettext(
                "Strategic objective %(code)s already has %(count)d IKU (at most %(max)d).",
                code=item.sasaran_code, count=len(codes), max=max_per_sasaran()))
    for target in item.targets:
        check_target(target)


def _session() -> Session:
    from app.extensions import db

    return db.session


def check_target(target: IndicatorTarget) -> None:
    indicator = target.indicator
    if indicator is None and target.indicator_id is not None:
        indicator = _session().get(Indicator, target.indicator_id)
    if indicator is None:
        raise FieldInvalidError("indicator", gettext("Required."))
    scope = current_scope_unit_id()
    if (indicator.start_year is None or indicator.end_year is None  # an id that names no IKU
            or (scope is not None and indicator.org_unit_id != scope)):  # or not the unit's own
        raise FieldInvalidError("indicator", gettext("Give the id of an existing record."))
    if indicator.id is not None and _loaded_status(indicator) == IndicatorStatus.DITETAPKAN:
        raise FieldInvalidError("indicator", gettext(
            "An enacted IKU is never changed: amend it to make a new version."))
    if (indicator.id is not None and current_scope_unit_id() is not None
            and _loaded_status(indicator) != IndicatorStatus.DRAFT):
        raise FieldInvalidError("indicator", gettext("A unit can only change its IKU in draft."))
    if target.year is None or not indicator.start_year <= target.year <= indicator.end_year:
        raise FieldInvalidError("year", gettext(
            "The year %(year)s is outside the period %(period)s.", year=target.year,
            period=indicator.period))
    try:
        value = Decimal(str(target.value))
    except (InvalidOperation, ValueError):
        raise FieldInvalidError("value", gettext("Required.")) from None
    if indicator.calculation_type == CalculationType.PERSENTASE and not 0 <= value <= 100:
        raise FieldInvalidError("value", gettext(
            "A percentage target must lie between 0 and 100 (given: %(value)s).", value=value))


def check_delete(item) -> None:
    """An enacted IKU (or a target of one) is a legal record: it is amended, never removed."""
    indicator = item if isinstance(item, Indicator) else item.indicator
    if indicator is not None and indicator.status == IndicatorStatus.DITETAPKAN:
        raise IndicatorRefusedError(gettext(
            "An enacted IKU is never changed: amend it to make a new version."))


register_record_rule(Indicator, check_indicator)
register_record_rule(IndicatorTarget, check_target)


def warnings(item: Indicator) -> list[str]:
    """What a reader of the matrix would miss, but that does not stop a draft being saved."""
    found = []
    if not (item.numerator or "").strip():
        found.append(gettext("No formula: how is this indicator calculated?"))
    if not (item.data_source or "").strip():
        found.append(gettext("No data source: where does the value come from?"))
    return found


def set_status(item: Indicator, new: str, number: str | None = None,
               date: dt.date | None = None) -> None:
    """One step forward, or one step back before enactment; enactment needs its Permensesneg."""
    if current_scope_unit_id() is not None:
        raise IndicatorRefusedError(gettext("The bureau moves an IKU through its statuses."))
    current = IndicatorStatus(item.status)
    if new not in set(IndicatorStatus):
        raise IndicatorRefusedError(gettext(
            "Unknown value: %(value)s. Use one of: %(allowed)s.", value=new,
            allowed=", ".join(IndicatorStatus)))
    target = IndicatorStatus(new)
    here = STATUS_ORDER.index(current)
    if current == IndicatorStatus.DITETAPKAN:
        raise IndicatorRefusedError(gettext(
            "An enacted IKU is never changed: amend it to make a new version."))
    if STATUS_ORDER.index(target) not in (here + 1, here - 1):
        raise IndicatorRefusedError(gettext(
            "From %(current)s the status can only move to the next or the previous step.",
            current=STATUS_LABELS[current]))
    if target == IndicatorStatus.DITETAPKAN:
        item.enactment_number = (number or item.enactment_number or "").strip() or None
        item.enactment_date = date or item.enactment_date
        if not item.enactment_number or not item.enactment_date:
            raise IndicatorRefusedError(gettext(
                "Enactment needs the number and date of the Permensesneg."))
        if not item.targets:
            raise IndicatorRefusedError(gettext("Enactment needs a target for the period."))
    item.status = target


def next_status(item: Indicator) -> IndicatorStatus | None:
    here = STATUS_ORDER.index(IndicatorStatus(item.status))
    return STATUS_ORDER[here + 1] if here + 1 < len(STATUS_ORDER) else None


def amend_indicator(session: Session, item: Indicator) -> Indicator:
    """A new draft version of an enacted indicator, with its targets; the enacted one stays."""
    if item.status != IndicatorStatus.DITETAPKAN:
        raise IndicatorRefusedError(gettext("Only an enacted IKU is amended; edit this one."))
    pending = session.scalar(select(Indicator.version).where(
        *_same_period(item), Indicator.code == item.code,
        Indicator.status != IndicatorStatus.DITETAPKAN).limit(1))
    if pending is not None:
        raise IndicatorRefusedError(gettext(
            "Version %(version)s of this IKU is already being drafted.", version=pending))
    latest = session.scalar(select(func.max(Indicator.version)).where(
        *_same_period(item), Indicator.code == item.code)) or item.version
    copy = Indicator(**{key: getattr(item, key) for key in (
        "org_unit_id", "start_year", "end_year", *COMPARED_FIELDS)})
    copy.status, copy.enactment_number, copy.enactment_date = IndicatorStatus.DRAFT, None, None
    copy.version, copy.previous = latest + 1, item
    copy.targets = [IndicatorTarget(year=t.year, value=t.value) for t in item.targets]
    session.add(copy)
    return copy


def number_text(value) -> str | None:
    """A target as a person writes it: no trailing zeros, decimal comma (95; 3,45)."""
    if value is None:
        return None
    text = format(Decimal(value).normalize(), "f")
    return text.replace(".", ",")


def compare(a: Indicator, b: Indicator) -> list[dict]:
    """Field by field, each target year as a field of its own: [{label, a, b, changed}]."""
    rows = []
    for key, label in COMPARED_FIELDS.items():
        left, right = getattr(a, key), getattr(b, key)
        words = {"status": STATUS_LABELS, "calculation_type": CALCULATION_LABELS}.get(key)
        if words:
            left, right = (str(words.get(v, v)) if v else v for v in (left, right))
        rows.append({"label": str(label), "a": left, "b": right, "changed": left != right})
    a_targets = {t.year: number_text(t.value) for t in a.targets}
    b_targets = {t.year: number_text(t.value) for t in b.targets}
    for year in sorted(a_targets.keys() | b_targets.keys()):
        left, right = a_targets.get(year), b_targets.get(year)
        rows.append({"label": gettext("Target %(year)s", year=year), "a": left, "b": right,
                     "changed": left != right})
    return rows


def versions(session: Session, item: Indicator) -> list[Indicator]:
    ids = _lineage_ids(session, item)
    return list(session.scalars(select(Indicator).where(Indicator.id.in_(ids))
                                .order_by(Indicator.version)))


def enacted(session: Session, unit_id: int | None = None, year: int | None = None,
            text: str | None = None, ministry: bool = False) -> list[Indicator]:
    """The public registry: the IKU in force (enacted, not replaced by an enacted amendment),
    filtered by unit (or the ministry level), year, words."""
    newer = aliased(Indicator)
    query = select(Indicator).where(
        Indicator.status == IndicatorStatus.DITETAPKAN,
        ~select(newer.id).where(newer.previous_id == Indicator.id,
                                newer.status == IndicatorStatus.DITETAPKAN).exists())
    if ministry:
        query = query.where(Indicator.org_unit_id.is_(None))
    elif unit_id:
        query = query.where(Indicator.org_unit_id == unit_id)
    if year:
        query = query.where(Indicator.start_year <= year, Indicator.end_year >= year)
    if text:
        like = f"%{text.strip()}%"
        query = query.where(Indicator.name.ilike(like) | Indicator.code.ilike(like)
                            | Indicator.sasaran_text.ilike(like) | Indicator.definition.ilike(like))
    return list(session.scalars(query.order_by(
        Indicator.org_unit_id.is_not(None), Indicator.org_unit_id, Indicator.sasaran_code,
        Indicator.code, Indicator.version)))
