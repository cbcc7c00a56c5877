"""Substance discussion of a cycle (seed step 5): groups of units, their sessions, attendance,
minutes and decisions per indicator; each group's session is a work item of the cycle.

Public API (each function takes the session first and commits once; `now` defaults to the
real clock):

- save_group(session, user, cycle_id, *, name, unit_ids, lead_id, member_ids, group_id?)
- delete_group(session, user, group_id)
- schedule_session(session, user, session_id, *, scheduled_at, place)
- add_attendance / remove_attendance, record_minutes, record_decisions
- groups_page, session_page, node_links: what the pages read

Completing a group's work item (the engine's complete_item) is refused until that session's
minutes are recorded: registered below as one of the engine's completion checks.
"""

from __future__ import annotations

from sqlalchemy import select

from app.models.cycles import WorkItemKind
from app.models.discussions import DiscussionSession
from app.services.cycles.rules import register_completion_check
from app.services.discussions.errors import (  # noqa: F401  (re-exported)
    DiscussionError,
    DiscussionForbiddenError,
    DiscussionGroupInvalidError,
    DiscussionLockedError,
    DiscussionNotFoundError,
    DiscussionRecordInvalidError,
    MinutesRequiredError,
)
from app.services.discussions.groups import (  # noqa: F401
    can_define,
    delete_group,
    discussion_items,
    save_group,
)
from app.services.discussions.queries import (  # noqa: F401
    GroupsPage,
    SessionPage,
    groups_page,
    node_links,
    session_page,
)
from app.services.discussions.records import (  # noqa: F401
    DECISION_WORDS,
    add_attendance,
    can_record,
    group_indicators,
    record_decisions,
    record_minutes,
    remove_attendance,
    schedule_session,
)


def check_minutes(session, item) -> None:
    """A group's share of the discussion is done only with its minutes."""
    if item.kind != WorkItemKind.GROUP:
        return
    found = session.scalars(select(DiscussionSession).where(
        DiscussionSession.work_item_id == item.id)).first()
    if found is not None and not found.has_minutes:
        raise MinutesRequiredError(
            f"Notulen {found.group.name} sesi {found.number} belum dicatat; catat notulen "
            "pembahasan pada halaman sesi sebelum menyelesaikannya.")


register_completion_check(check_minutes)
