"""The refusals of the complaint engine, worded for the person refused (Indonesian)."""

from __future__ import annotations


class ComplaintRefusedError(ValueError):
    """An action the rules refuse; str(self) tells the person why. `field` names the form field
    at fault (as_messages: the API's 422 body)."""

    def __init__(self, message: str, field: str | None = None):
        self.field = field
        super().__init__(message)

    def as_messages(self) -> dict[str, list[str]]:
        return {self.field or "_schema": [str(self)]}


class ComplaintConflictError(ComplaintRefusedError):
    """Someone else acted on the complaint at the same moment."""
