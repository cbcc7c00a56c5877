"""Official documents: generate from the step, number, archive, verify.

Public API (session first; each write commits once, and rolls back entirely on refusal):

- generate(session, user, item_id, doc_code, fields, *, correction=False) -> Document
  render the template with the values of the cycle (app.services.document_context) and the
  free-text fields, as a new draft version; `correction` supersedes a final document
- upload_version(session, user, item_id, document_id, filename, data) -> DocumentVersion
- finalise(session, user, item_id, document_id, *, manual_number=None) -> Document
  number (allocate_number, in the same transaction), re-render with the number and the QR code
  of the verification page, hash, freeze; then make_pdf() for the PDF copy
- upload_signed_scan(session, user, item_id, document_id, filename, data, *, manual_number)
- allocate_number(session, series, year) -> int
- download(session, user, document_id, n=None, file_format="docx") -> Download (scoped, logged)
- item_documents(session, item_id) -> (step item, [DocumentSlot]) for the item page
- verify_token(session, token) / verify_file(session, data): the public verification
- upload_template(session, user, code, filename, data) -> DocumentTemplate (admin)
- standalone.issue(session, user, doc_code, *, pelaksana_id, fields, values) -> Document
  a personal document outside any cycle (teguran, laporan), final at once, not committed
"""

from app.services.documents.errors import (  # noqa: F401
    DocumentError,
    DocumentFileInvalidError,
    DocumentForbiddenError,
    DocumentNotFoundError,
    DocumentNumberError,
    DocumentRenderError,
    DocumentStateError,
    PdfUnavailableError,
    TemplateInvalidError,
)
from app.services.documents.lifecycle import (  # noqa: F401
    anchor_of,
    current_document,
    finalise,
    generate,
    latest_version,
    upload_signed_scan,
    upload_version,
)
from app.services.documents.numbering import Scheme, allocate_number  # noqa: F401
from app.services.documents.pdf import pdf_available  # noqa: F401
from app.services.documents.reading import (  # noqa: F401
    DocumentSlot,
    Download,
    FileMatch,
    download,
    item_documents,
    make_missing_pdfs,
    make_pdf,
    verify_file,
    verify_token,
    visible,
)
from app.services.documents.templates import document_types, upload_template  # noqa: F401
