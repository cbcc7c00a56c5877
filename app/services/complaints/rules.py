"""The standard's complaint rules as the engine reads them: who receives, who may be delegated
to, who may follow up (`complaints.routing`), and the time limits per stage and the reopen
window (`complaints.time_limits`, `complaints.reopen_within`), with the national complaint
system's defaults where a standard names none. Nothing here names an actor: the data does.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.models.complaints import Complaint
from app.services.cycles.people import Directory, Person
from app.services.working_time import Duration

DEFAULT_LIMITS = {"verify": Duration(3, "hari"), "follow_up": Duration(5, "hari")}
DEFAULT_REOPEN = Duration(10, "hari")


@dataclass(frozen=True)
class Routing:
    receiver: str
    delegates: tuple[str, ...]
    handlers: tuple[str, ...]
    kinds: tuple[str, ...]
    limits: dict[str, Duration]
    reopen_within: Duration


def _duration(spec: dict | None, default: Duration) -> Duration:
    return Duration(spec["value"], spec["unit"]) if spec else default


def routing(content: dict) -> Routing:
    """The complaint rules of a standard's (normalised) content."""
    section = content.get("complaints") or {}
    data = section.get("routing") or {}
    limits = section.get("time_limits") or {}
    return Routing(
        receiver=data["receiver"]["actor"],
        delegates=tuple(ref["actor"] for ref in data.get("delegates") or []),
        handlers=tuple(ref["actor"] for ref in data.get("handlers") or []),
        kinds=tuple(data.get("kinds") or ("pengaduan", "keluhan", "masukan")),
        limits={stage: _duration(limits.get(stage), default)
                for stage, default in DEFAULT_LIMITS.items()},
        reopen_within=_duration(section.get("reopen_within"), DEFAULT_REOPEN),
    )


def rules_of(complaint: Complaint) -> Routing:
    return routing(complaint.standard.content)


def is_receiver(rules: Routing, person: Person | None) -> bool:
    return person is not None and person.is_bureau and person.position_code == rules.receiver


def is_delegate(rules: Routing, person: Person | None) -> bool:
    return person is not None and person.is_bureau and person.position_code in rules.delegates


def is_delegated_head(complaint: Complaint, person: Person | None) -> bool:
    """The Kabag the complaint was delegated to."""
    return person is not None and complaint.delegated_to_id == person.user_id


def may_handle(rules: Routing, directory: Directory, complaint: Complaint,
               person: Person | None) -> bool:
    """A handler the standard names, in the section line of the Bagian it was delegated to."""
    return (person is not None and person.is_bureau and person.position_code in rules.handlers
            and directory.same_line(person.section_id, complaint.section_id)
            and complaint.section_id in directory.lineage(person.section_id))


def receivers(rules: Routing, directory: Directory) -> list[Person]:
    return directory.holders(rules.receiver, None)


def delegates(rules: Routing, directory: Directory) -> list[Person]:
    return [p for code in rules.delegates for p in directory.holders(code, None)]


def handlers(rules: Routing, directory: Directory, section_id: int | None) -> list[Person]:
    people = [p for code in rules.handlers for p in directory.holders(code, section_id)]
    return sorted({p.user_id: p for p in people}.values(), key=lambda p: (p.level or 99, p.name))
