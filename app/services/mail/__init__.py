"""Mail: the outbox (a row per email, written with the change that causes it) and its delivery.

Public API:

- queue_template(session, to, template, context, *, subject, cc=(), attachments=(),
  dedupe_key=None, **links) -> OutboundMail | None
  render templates/mail/<template>.txt (+ .html) and add the email to the caller's
  transaction (never commits); links: document_id, cycle_id, work_item_id, org_unit_id,
  recipient_user_id, recipient_label, created_by_id
- queue(session, to, subject, text, *, html=None, cc=(), attachments=(), ...) -> the same,
  with bodies already written
- FileRef(version_id=..., file_format="docx"|"pdf") / FileRef(path=..., filename=...): an
  attachment by reference to the archive
- preview / dispatch / queue_dispatch (session, user, document_id, group, user_ids=()):
  a final document to a group of recipients (dispatch commits, queue_dispatch does not)
- sendable_document(session, item_id) / on_complete(user, document_id, group): a "menyampaikan"
  sub-step's final document, and the `also` hook of cycles.complete_item that dispatches it in
  the completion's transaction
- deliver(session, *, batch=None, now=None) -> DeliveryResult: one worker round
- work(session, *, once=False, ...): the worker loop (`flask iku mail-worker`)
- notices.reminders / notices.assigned / notices.returned: work-item notices
- resend(session, user, mail_ids), document_deliveries(session, document_id), sink_messages()

Errors: MailError and its subclasses MailAddressInvalidError (names the address),
MailContentInvalidError, MailForbiddenError, MailStateError; str(error) is for the person.
"""

from app.services.mail import notices  # noqa: F401
from app.services.mail.delivery import DeliveryResult, backoff, deliver, work  # noqa: F401
from app.services.mail.dispatch import (  # noqa: F401
    GROUPS,
    DispatchRefusedError,
    MailForbiddenError,
    dispatch,
    on_complete,
    preview,
    queue_dispatch,
    sendable_document,
)
from app.services.mail.outbox import (  # noqa: F401
    FileRef,
    MailAddressInvalidError,
    MailContentInvalidError,
    MailError,
    check_address,
    check_subject,
    queue,
    queue_template,
)
from app.services.mail.reading import (  # noqa: F401
    MailStateError,
    document_deliveries,
    queue_summary,
    resend,
    sink_message,
    sink_messages,
)
