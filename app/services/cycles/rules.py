"""Who may do what to a work item, in which state, and the refusals they get (Indonesian).

Kept apart from the state machine so that every refusal and its wording sits in one place.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from app.models.cycles import Cycle, CycleStatus, WorkItem, WorkItemKind, WorkItemStatus
from app.security import ROLE_KABAG, ROLE_KASUBBAG, ROLE_KEPALA_BIRO
from app.services.cycles.errors import (
    AttachmentInvalidError,
    CycleClosedError,
    CycleStartForbiddenError,
    ReassignTargetInvalidError,
    WorkItemConflictError,
    WorkItemForbiddenError,
    WorkItemNotLeafError,
    WorkItemOrderError,
    WorkItemReasonRequiredError,
    WorkItemReturnError,
    WorkItemStateError,
)
from app.services.cycles.flow import Tree, from_db
from app.services.cycles.naming import Family
from app.services.cycles.people import Directory, Person
from app.services.working_time import DEFAULT_TZ

# Roles, not position codes: which FAB roles run cycles is the application's rule, not a
# standard's (the Kepala Biro is penanggung jawab; a Kabag may start one on the Biro's behalf).
STARTER_ROLES = frozenset({ROLE_KEPALA_BIRO, ROLE_KABAG})
REASSIGNER_ROLES = frozenset({ROLE_KEPALA_BIRO, ROLE_KABAG, ROLE_KASUBBAG})
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
STATE_WORDS = {
    WorkItemStatus.WAITING: "belum tiba gilirannya",
    WorkItemStatus.READY: "siap dikerjakan",
    WorkItemStatus.IN_PROGRESS: "sedang dikerjakan",
    WorkItemStatus.PAUSED: "sedang dijeda",
    WorkItemStatus.DONE: "sudah selesai",
}


def describe(item: WorkItem, tree: Tree | None = None) -> str:
    """How a person names an item, never by its code: 'langkah 9 (7)', 'langkah 2 a 3)',
    'langkah 6 — Sekretariat Presiden' (app.services.cycles.naming). Without the cycle's tree
    at hand, by what the item itself says."""
    if tree is not None:
        return Family(tree.items).name(item.id, word="langkah")
    word = "langkah" if item.kind == WorkItemKind.STEP else {
        WorkItemKind.SESSION: "sesi", WorkItemKind.UNIT: "bagian unit",
        WorkItemKind.BAGIAN: "bagian", WorkItemKind.GROUP: "bagian",
    }.get(item.kind, "sub-langkah")
    shares = (WorkItemKind.UNIT, WorkItemKind.GROUP)
    return f"{word} {item.actor_name if item.kind in shares else item.label}"


def _cap(text: str) -> str:
    """Capitalised at the start only (str.capitalize would lower "Bagian AK I")."""
    return text[:1].upper() + text[1:]


def check_can_start_cycle(person: Person | None) -> None:
    if person is None or not (person.roles & STARTER_ROLES):
        raise CycleStartForbiddenError(
            "Hanya Kepala Biro atau Kepala Bagian yang dapat memulai atau membatalkan siklus."
        )


def check_cycle_open(cycle: Cycle) -> None:
    if cycle.status != CycleStatus.ACTIVE:
        word = "sudah selesai" if cycle.status == CycleStatus.COMPLETED else "dibatalkan"
        raise CycleClosedError(f"Siklus {cycle.code} {word}; tidak ada yang dapat dicatat lagi.")


def check_version(item: WorkItem, expected: int | None, tree: Tree | None = None) -> None:
    if expected is not None and expected != item.version_id:
        raise WorkItemConflictError(
            f"{_cap(describe(item, tree))} telah diubah oleh pengguna lain sejak Anda "
            "membukanya. Muat ulang halaman lalu periksa kembali."
        )


def check_leaf(tree: Tree, item: WorkItem) -> None:
    if tree.children(item):
        raise WorkItemNotLeafError(
            f"{_cap(describe(item, tree))} terdiri dari beberapa bagian; catat pada "
            "bagian-bagiannya."
        )


def check_state(tree: Tree, item: WorkItem, allowed: tuple[str, ...], done_by: str | None) -> None:
    """Refuse an action that does not fit the item's state, saying what is in the way."""
    if item.status in allowed:
        return
    if item.status == WorkItemStatus.WAITING:
        blocker = tree.blocker(item)
        if blocker is not None:
            raise WorkItemOrderError(
                f"Belum dapat dicatat: {describe(blocker, tree)} belum selesai "
                f"({STATE_WORDS[WorkItemStatus(blocker.status)]})."
            )
        raise WorkItemOrderError(
            f"Belum dapat dicatat: {describe(item, tree)} belum tiba gilirannya.")
    if item.status == WorkItemStatus.DONE:
        when = from_db(item.completed_at).astimezone(ZoneInfo(DEFAULT_TZ))
        who = f" oleh {done_by}" if done_by else ""
        raise WorkItemStateError(
            f"{_cap(describe(item, tree))} sudah diselesaikan{who} pada "
            f"{when:%d-%m-%Y %H:%M} WIB."
        )
    if item.status == WorkItemStatus.PAUSED:
        raise WorkItemStateError(
            f"{_cap(describe(item, tree))} sedang dijeda; lanjutkan terlebih dahulu."
        )
    raise WorkItemStateError(
        f"{_cap(describe(item, tree))} {STATE_WORDS[WorkItemStatus(item.status)]}."
    )


# What other domains require before an item of theirs may be completed, so that the engine
# stays free of them: each check takes (session, item) and raises a CycleError in words
# (app.services.discussions: a discussion group's session needs its minutes first).
COMPLETION_CHECKS: list[Callable] = []


def register_completion_check(check: Callable) -> None:
    if check not in COMPLETION_CHECKS:
        COMPLETION_CHECKS.append(check)


def check_completion(session, item: WorkItem) -> None:
    for check in COMPLETION_CHECKS:
        check(session, item)


def check_reason(reason: str | None, what: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise WorkItemReasonRequiredError(f"Alasan {what} wajib diisi.")
    return text


def acting_as(directory: Directory, item: WorkItem, person: Person | None,
              unit_name: str | None, tree: Tree | None = None) -> str | None:
    """Who the user records for (None: themself), or refuse. The assignee acts; for a unit's
    share its liaison, or the serving Bagian's staff on its behalf; for an outside actor, any
    pelaksana in the Bagian carrying the chain; an unassigned item, a holder of its position."""
    if person is None or not person.active:
        raise WorkItemForbiddenError("Akun Anda tidak aktif.")
    bureau_here = person.is_bureau and directory.same_line(person.section_id, item.section_id)
    if item.org_unit_id is not None:
        if person.is_liaison and person.org_unit_id == item.org_unit_id:
            return None
        if bureau_here:
            return unit_name
        raise WorkItemForbiddenError(
            f"Hanya penghubung {unit_name or 'unit ini'} atau staf Bagian yang melayaninya yang "
            "dapat mencatat butir ini."
        )
    if item.assignee_user_id == person.user_id:
        return item.on_behalf_of
    if item.on_behalf_of and bureau_here:
        return item.on_behalf_of
    if item.assignee_user_id is None and bureau_here and person.position_code == item.actor_code:
        return None
    holder = directory.person(item.assignee_user_id)
    who = holder.name if holder else "pejabat yang ditunjuk"
    raise WorkItemForbiddenError(
        f"{_cap(describe(item, tree))} ditugaskan kepada {who}. Anda tidak dapat mencatatnya; "
        "minta Kepala Bagian atau Kepala Subbagian menugaskan ulang bila perlu."
    )


def check_can_reassign(directory: Directory, item: WorkItem, person: Person | None) -> None:
    if person is None or not (person.roles & REASSIGNER_ROLES):
        raise WorkItemForbiddenError(
            "Hanya Kepala Biro, Kepala Bagian atau Kepala Subbagian yang dapat menugaskan ulang."
        )
    if ROLE_KEPALA_BIRO in person.roles:
        return
    current = directory.person(item.assignee_user_id)
    if not person.is_bureau or item.section_id is None or not directory.same_line(
        person.section_id, item.section_id
    ):
        raise WorkItemForbiddenError(
            "Anda hanya dapat menugaskan ulang pekerjaan Bagian Anda sendiri."
        )
    if current and current.level is not None and person.level is not None and (
        person.level > current.level
    ):
        raise WorkItemForbiddenError(
            f"Pekerjaan {current.name} hanya dapat dialihkan oleh atasannya."
        )


def check_target(directory: Directory, item: WorkItem, target: Person | None) -> None:
    if target is None or not target.active:
        raise ReassignTargetInvalidError("Pengguna tujuan tidak ditemukan atau tidak aktif.")
    if target.user_id == item.assignee_user_id:
        raise ReassignTargetInvalidError(f"Butir ini sudah ditugaskan kepada {target.name}.")
    if item.org_unit_id is not None and target.is_liaison:
        if target.org_unit_id != item.org_unit_id:
            raise ReassignTargetInvalidError(f"{target.name} bukan penghubung unit ini.")
        return
    if not target.is_bureau:
        raise ReassignTargetInvalidError(
            f"{target.name} bukan pelaksana biro; pekerjaan hanya dapat ditugaskan kepada "
            "pelaksana."
        )


def can_send_back(tree: Tree, item) -> bool:
    """Whether "send back" has anywhere to go, for the pages to offer it only then: the first
    sub-step of a step, a step itself and a share of a parallel part have nothing before them."""
    try:
        previous_in_chain(tree, item)
    except WorkItemReturnError:
        return False
    return True


def previous_in_chain(tree: Tree, item: WorkItem) -> WorkItem:
    parent = tree.parent(item)
    siblings = tree.siblings(item)
    if parent is None or parent.parallel or siblings.index(item) == 0:
        raise WorkItemReturnError(
            f"{_cap(describe(item, tree))} tidak mempunyai sub-langkah sebelumnya dalam "
            "rantainya; tidak ada yang dapat dikembalikan."
        )
    return siblings[siblings.index(item) - 1]


@dataclass(frozen=True)
class Attachment:
    """A file a user attaches when completing an item (from a form upload or the API)."""

    filename: str
    data: bytes


@dataclass(frozen=True)
class StoredAttachment:
    name: str
    path: str  # relative to the instance folder: attachments/<sha256>
    sha256: str
    size: int


def store_attachment(attachment: Attachment, directory: Path) -> StoredAttachment:
    """Content-addressed: the bytes go to <directory>/<sha256> (written once, atomically), the
    original name stays on the event. A file written for a transaction that then fails is
    harmless: the same content has the same name and nothing points at it."""
    name = Path((attachment.filename or "").replace("\\", "/")).name.strip()[:255]
    data = attachment.data or b""
    if not name:
        raise AttachmentInvalidError("Lampiran harus mempunyai nama berkas.")
    if not data:
        raise AttachmentInvalidError("Lampiran kosong.")
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise AttachmentInvalidError(
            f"Lampiran terlalu besar (maksimum {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB)."
        )
    sha = hashlib.sha256(data).hexdigest()
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / sha
    if not target.exists():
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".upload-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, target)
    return StoredAttachment(name, f"{directory.name}/{sha}", sha, len(data))
