"""The refusals of the documents service, each with its message in Indonesian."""

from __future__ import annotations


class DocumentError(ValueError):
    """Base: a refusal the user can read and act on."""


class DocumentNotFoundError(DocumentError):
    """No such document or version, or none the user may see (a liaison: another unit's)."""


class DocumentForbiddenError(DocumentError):
    """The user may not act on this document at this step."""


class DocumentStateError(DocumentError):
    """The action does not fit the document's status (final, signed, superseded...)."""


class DocumentFileInvalidError(DocumentError):
    """An uploaded file that is not a DOCX/PDF, empty, or too large."""


class DocumentNumberError(DocumentError):
    """A number that is malformed, already used, or missing where one is required."""


class DocumentRenderError(DocumentError):
    """The template could not be rendered with the document's values."""


class PdfUnavailableError(DocumentError):
    """LibreOffice is not installed (or failed): no PDF copy can be made."""


class TemplateInvalidError(DocumentError):
    """An uploaded template refused; `problems` lists every reason."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("Templat ditolak: " + "; ".join(self.problems))
