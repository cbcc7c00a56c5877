"""Change proposals (usulan perubahan IKU, seed C.2): a unit submits, the bureau decides.

Public verbs (session first; each commits once, or raises a ValueError with the person's words
and leaves nothing behind):

- submit_proposal(session, user, *, org_unit_id, start_year, end_year, reason, description,
  attachment, indicator_ids=(), ...) -> ChangeProposal
- withdraw_proposal(session, user, proposal_id, *, now=None) -> ChangeProposal
- decide_proposal(session, user, proposal_id, *, decision, note=None, now=None)
- link_cycle(session, user, proposal_id, cycle_id) -> ChangeProposal
- proposal_reasons(session), pending_count(session), unit_proposals(session, org_unit_id)

The record's own rules (a reason of the standard's list, a description, a period, IKU of the
proposing unit) are registered with app.services.validation, the one validation path; the
verbs add who may act and in which state. Scope (another unit's proposal answers 404) is the
pages' and API's unit filter; the verbs check the liaison's unit again all the same.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session

from app.models.cycles import Cycle
from app.models.iku import Indicator
from app.models.org import OrgUnit
from app.models.proposals import ChangeProposal, ProposalStatus
from app.models.standards import ServiceStandard
from app.security import (
    ROLE_ADMIN,
    ROLE_KABAG,
    ROLE_KASUBBAG,
    ROLE_KEPALA_BIRO,
    ROLE_PENGGUNA,
    ROLE_STAF,
)
from app.services import validation
from app.services.cycles.action import attachments_dir as default_attachments_dir
from app.services.cycles.errors import AttachmentInvalidError
from app.services.cycles.rules import MAX_ATTACHMENT_BYTES, Attachment, store_attachment
from app.services.standards import current_standard
from app.services.validation import FieldInvalidError, register_record_rule

STANDARD_CODE = "iku"
STATUS_LABELS = {
    ProposalStatus.SUBMITTED: _l("Submitted"), ProposalStatus.ACCEPTED: _l("Accepted"),
    ProposalStatus.REJECTED: _l("Rejected"), ProposalStatus.WITHDRAWN: _l("Withdrawn"),
}  # fmt: skip
DECISIONS = (ProposalStatus.ACCEPTED, ProposalStatus.REJECTED)
# The bureau records a proposal a unit sent on paper; the Kepala Biro or a Kabag decides.
RECORDER_ROLES = frozenset({ROLE_ADMIN, ROLE_KEPALA_BIRO, ROLE_KABAG, ROLE_KASUBBAG, ROLE_STAF})
DECIDER_ROLES = frozenset({ROLE_KEPALA_BIRO, ROLE_KABAG})
# A supporting document: PDF, or an office file (DOCX, XLSX, ODT: ZIP containers).
ATTACHMENT_TYPES = {".pdf": b"%PDF-", ".docx": b"PK\x03\x04", ".xlsx": b"PK\x03\x04",
                    ".odt": b"PK\x03\x04"}


class ProposalRefusedError(ValueError):
    """Who may not do this, or not in the proposal's state."""


class ProposalInvalidError(FieldInvalidError):
    """A field of the proposal breaks a rule (str(self) is the message)."""


def _roles(user) -> set[str]:
    return {role.name for role in getattr(user, "roles", None) or []}


def may_decide(user) -> bool:
    return bool(_roles(user) & DECIDER_ROLES)


def may_withdraw(user, proposal: ChangeProposal) -> bool:
    return (ROLE_PENGGUNA in _roles(user) and proposal.status == ProposalStatus.SUBMITTED
            and getattr(user, "org_unit_id", None) == proposal.org_unit_id)


def _now(now: dt.datetime | None) -> dt.datetime:
    """Naive UTC, the stored form; `now` (aware) for tests."""
    moment = now or dt.datetime.now(dt.UTC)
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def _standard(session: Session) -> ServiceStandard | None:
    return current_standard(session, STANDARD_CODE)


def reasons_of(standard: ServiceStandard | None) -> list[dict]:
    """The reasons a unit may give ({code, text}): the standard's proposal_reasons as the seed
    prints them. A reason marked `printed: false` (periodic drafting, the bureau's own reason
    for starting a cycle) is not one a unit proposes."""
    if standard is None:
        return []
    reasons = (standard.content or {}).get("requirements", {}).get("user", {}).get(
        "proposal_reasons", [])
    return [r for r in reasons if r.get("printed", True)]


def proposal_reasons(session: Session) -> list[dict]:
    """The reasons of the standard version in force."""
    return reasons_of(_standard(session))


def check_proposal(item: ChangeProposal) -> None:
    """The record's rules, for every path that saves one (registered below)."""
    if item.org_unit_id is None and item.org_unit is None:
        raise ProposalInvalidError("org_unit", gettext("Required."))
    standard = item.standard
    if standard is None and item.standard_id is not None:
        standard = (object_session(item) or _session()).get(ServiceStandard, item.standard_id)
    codes = [r["code"] for r in reasons_of(standard)]
    if not item.reason or item.reason not in codes:
        texts = "; ".join(r["text"] for r in reasons_of(standard)) or "–"
        raise ProposalInvalidError("reason", gettext(
            "Choose one of the reasons of the service standard: %(reasons)s.", reasons=texts))
    if not (item.description or "").strip():
        raise ProposalInvalidError("description", gettext("Required."))
    if item.start_year is None or item.end_year is None:
        raise ProposalInvalidError("start_year", gettext("Required."))
    if not 2000 <= item.start_year <= item.end_year <= item.start_year + 10:
        raise ProposalInvalidError("end_year", gettext(
            "The period must run from its first year to a later or the same year (at most 10 years)."))
    unit_id = item.org_unit.id if item.org_unit is not None else item.org_unit_id
    for indicator in item.indicators:
        if indicator.org_unit_id != unit_id:
            raise ProposalInvalidError("indicators", gettext(
                "IKU %(code)s is not an IKU of the proposing unit.", code=indicator.code))


def _session() -> Session:
    from app.extensions import db

    return db.session


register_record_rule(ChangeProposal, check_proposal)


def check_attachment(attachment: Attachment | None) -> None:
    """Required; a PDF, DOCX, XLSX or ODT file (by its name and its first bytes), within the
    size limit of every attachment."""
    if attachment is None or not (attachment.filename or "").strip():
        raise ProposalInvalidError("attachment", gettext("Attach the supporting document."))
    suffix = Path(attachment.filename.replace("\\", "/")).suffix.lower()
    data = attachment.data or b""
    if not data:
        raise ProposalInvalidError("attachment", gettext("The attachment is empty."))
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise ProposalInvalidError("attachment", gettext(
            "The attachment is too large (at most %(size)d MB).",
            size=MAX_ATTACHMENT_BYTES // (1024 * 1024)))
    magic = ATTACHMENT_TYPES.get(suffix)
    if magic is None or not data.startswith(magic):
        raise ProposalInvalidError("attachment", gettext(
            "The attachment must be a PDF, DOCX, XLSX or ODT file."))


def submit_proposal(
    session: Session, user, *, org_unit_id: int | None, start_year: int | None,
    end_year: int | None, reason: str, description: str, attachment: Attachment | None,
    indicator_ids: Iterable[int] = (), attachments_dir: Path | None = None,
    now: dt.datetime | None = None,
) -> ChangeProposal:
    """A liaison proposes for its own unit (no unit given: its own); bureau staff record a
    unit's proposal on its behalf. Everything is checked before the file is stored, and the
    row is written only once the file is."""
    roles = _roles(user)
    own_unit = getattr(user, "org_unit_id", None)
    if ROLE_PENGGUNA in roles and not roles & RECORDER_ROLES:
        if own_unit is None:
            raise ProposalRefusedError(gettext("Your account is not linked to a unit."))
        if org_unit_id not in (None, own_unit):
            raise ProposalRefusedError(gettext("A unit proposes only for itself."))
        org_unit_id = own_unit
    elif not roles & RECORDER_ROLES:
        raise ProposalRefusedError(gettext("You may not submit a change proposal."))
    unit = session.get(OrgUnit, org_unit_id) if org_unit_id else None
    if unit is None or not unit.active:
        raise ProposalInvalidError("org_unit", gettext("Choose an active unit."))
    standard = _standard(session)
    if standard is None:
        raise ProposalRefusedError(gettext("The service standard has not been loaded."))
    ids = sorted({int(i) for i in indicator_ids or ()})
    indicators = list(session.scalars(select(Indicator).where(Indicator.id.in_(ids)))) if ids else []
    if len(indicators) != len(ids):
        raise ProposalInvalidError("indicators", gettext("Give the id of an existing record."))
    proposal = ChangeProposal(
        org_unit=unit, start_year=start_year, end_year=end_year, standard=standard,
        reason=(reason or "").strip() or None, description=(description or "").strip(),
        indicators=indicators, status=ProposalStatus.SUBMITTED, submitted_at=_now(now),
        submitted_by_id=user.id)
    with session.no_autoflush:
        validation.validate_record(proposal)
    check_attachment(attachment)
    try:
        stored = store_attachment(attachment, attachments_dir or default_attachments_dir())
    except AttachmentInvalidError as exc:
        raise ProposalInvalidError("attachment", str(exc)) from None
    proposal.attachment_name, proposal.attachment_path = stored.name, stored.path
    proposal.attachment_sha256, proposal.attachment_size = stored.sha256, stored.size
    session.add(proposal)
    _commit(session)
    return proposal


def _commit(session: Session) -> None:
    try:
        session.commit()
    except Exception:
        session.rollback()
        raise


def _locked(session: Session, proposal_id: int) -> ChangeProposal:
    """The proposal, its row locked (PostgreSQL) so two decisions take turns."""
    proposal = session.scalar(select(ChangeProposal).where(ChangeProposal.id == proposal_id)
                              .with_for_update().execution_options(populate_existing=True))
    if proposal is None:
        raise ProposalRefusedError(gettext("Change proposal not found."))
    return proposal


def _check_waiting(session: Session, proposal: ChangeProposal) -> None:
    """Still waiting for a decision; else the row's lock is let go and the change refused."""
    if proposal.status != ProposalStatus.SUBMITTED:
        session.rollback()
        raise ProposalRefusedError(gettext(
            "This proposal is already %(status)s; it can no longer change.",
            status=str(STATUS_LABELS[ProposalStatus(proposal.status)]).lower()))


def withdraw_proposal(session: Session, user, proposal_id: int, *,
                      now: dt.datetime | None = None) -> ChangeProposal:
    """The unit takes back its proposal while it waits for a decision."""
    proposal = _locked(session, proposal_id)
    if ROLE_PENGGUNA not in _roles(user) or user.org_unit_id != proposal.org_unit_id:
        session.rollback()
        raise ProposalRefusedError(gettext("Only the proposing unit's liaison may withdraw it."))
    _check_waiting(session, proposal)
    proposal.status = ProposalStatus.WITHDRAWN
    proposal.decided_at, proposal.decided_by_id = _now(now), user.id
    _commit(session)
    return proposal


def decide_proposal(session: Session, user, proposal_id: int, *, decision: str,
                    note: str | None = None, now: dt.datetime | None = None) -> ChangeProposal:
    """The Kepala Biro or a Kabag accepts or rejects; a rejection carries its reason."""
    note = (note or "").strip() or None
    if not may_decide(user):
        raise ProposalRefusedError(gettext(
            "Only the Kepala Biro or a Kepala Bagian may decide on a change proposal."))
    if decision not in DECISIONS:
        raise ProposalInvalidError("decision", gettext("Choose accept or reject."))
    if decision == ProposalStatus.REJECTED and not note:
        raise ProposalInvalidError("note", gettext("Say why the proposal is rejected."))
    proposal = _locked(session, proposal_id)
    _check_waiting(session, proposal)
    proposal.status, proposal.decision_note = ProposalStatus(decision), note
    proposal.decided_at, proposal.decided_by_id = _now(now), user.id
    _commit(session)
    return proposal


def link_cycle(session: Session, user, proposal_id: int, cycle_id: int | None) -> ChangeProposal:
    """Name the cycle an accepted proposal led to (None: unlink)."""
    if not may_decide(user):
        raise ProposalRefusedError(gettext(
            "Only the Kepala Biro or a Kepala Bagian may decide on a change proposal."))
    proposal = _locked(session, proposal_id)
    if proposal.status != ProposalStatus.ACCEPTED:
        session.rollback()
        raise ProposalRefusedError(gettext("Only an accepted proposal leads to a cycle."))
    if cycle_id is not None and session.get(Cycle, cycle_id) is None:
        session.rollback()
        raise ProposalInvalidError("cycle", gettext("Give the id of an existing record."))
    proposal.cycle_id = cycle_id
    _commit(session)
    return proposal


def check_delete(item: ChangeProposal) -> None:
    """A decided or withdrawn proposal is a record of what happened: it stays."""
    if item.status != ProposalStatus.SUBMITTED:
        raise ProposalRefusedError(gettext("A decided or withdrawn proposal is kept."))


def pending_count(session: Session) -> int:
    """Proposals waiting for the bureau's decision (the home page's badge)."""
    return session.scalar(select(func.count(ChangeProposal.id)).where(
        ChangeProposal.status == ProposalStatus.SUBMITTED)) or 0


def unit_proposals(session: Session, org_unit_id: int) -> list[ChangeProposal]:
    """One unit's proposals, newest first (the unit portal)."""
    return list(session.scalars(select(ChangeProposal).where(
        ChangeProposal.org_unit_id == org_unit_id).order_by(
        ChangeProposal.submitted_at.desc(), ChangeProposal.id.desc())))
