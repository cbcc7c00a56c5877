"""Errors of the cycle engine. Each is a ValueError whose message a user can read (Indonesian):
the API base class answers any ValueError with 422 and the message, views flash it."""

from __future__ import annotations


class CycleError(ValueError):
    """Base of every refusal of the cycle engine."""


class CycleStartForbiddenError(CycleError):
    """Only the Kepala Biro or a Kabag may start (or cancel) a cycle."""


class CycleCodeTakenError(CycleError):
    """Another cycle already has this code."""


class CycleReasonUnknownError(CycleError):
    """The reason is not one the standard lists."""


class CycleUnitsEmptyError(CycleError):
    """No active unit to run the cycle for."""


class CycleStandardMissingError(CycleError):
    """The standard has not been loaded (or has no current version)."""


class CycleNotFoundError(CycleError):
    """No cycle with this id."""


class CycleClosedError(CycleError):
    """The cycle is completed or cancelled: nothing more can be recorded on it."""


class WorkItemNotFoundError(CycleError):
    """No work item with this id."""


class WorkItemNotLeafError(CycleError):
    """A step made of sub-steps is done through its sub-steps, not directly."""


class WorkItemOrderError(CycleError):
    """The previous item of the chain, or the previous step, is not done yet."""


class WorkItemStateError(CycleError):
    """The action does not fit the item's state (already done, not paused, ...)."""


class WorkItemForbiddenError(CycleError):
    """The user is not the one who may record this item (wrong person or role)."""


class WorkItemConflictError(CycleError):
    """Someone else changed the item since the user loaded it (optimistic lock)."""


class WorkItemReasonRequiredError(CycleError):
    """Pausing and returning need a reason: the next person has to know why."""


class WorkItemReturnError(CycleError):
    """There is no previous item in the chain to send the work back to."""


class ReassignTargetInvalidError(CycleError):
    """The new assignee cannot take this item."""


class AttachmentInvalidError(CycleError):
    """The attachment is empty, too large or has no usable name."""
