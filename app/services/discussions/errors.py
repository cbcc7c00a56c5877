"""Refusals of the discussion services, in words a user can act on (Indonesian). They are
CycleErrors: the discussion is part of a cycle, and the engine's pages and API already show a
CycleError's message (a flash, a 422)."""

from __future__ import annotations

from app.services.cycles.errors import CycleError


class DiscussionError(CycleError):
    """Base of every refusal about discussion groups and sessions."""


class DiscussionNotFoundError(DiscussionError):
    """No such group, session or attendance row (or not in the user's scope)."""


class DiscussionForbiddenError(DiscussionError):
    """The user may not define groups, or may not record this group's sessions."""


class DiscussionGroupInvalidError(DiscussionError):
    """A group without a name, units or lead; a unit outside the cycle or already grouped."""


class DiscussionLockedError(DiscussionError):
    """The groups can no longer change (a group's discussion started, the step is done), or a
    session can no longer be recorded (its turn has not come, or it is done)."""


class DiscussionRecordInvalidError(DiscussionError):
    """An attendance row, minutes or a decision that breaks a rule."""


class MinutesRequiredError(DiscussionError):
    """A group's session is completed only once its minutes are recorded."""
