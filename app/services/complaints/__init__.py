"""Complaints, grievances and suggestions (seed H), routed by the standard's data.

Public verbs: file_complaint, verify, reject, archive, assign, draft_response, return_draft,
send_response, reopen, pause, resume, comment (app.services.complaints.handling/intake);
reading: identity_for, history, available_actions, open_complaints_visible,
complaints_handled_by; public page: find_by_secret; cron: scan_complaints; reports.
"""

from app.services.complaints.actions import VERB_NAMES, available_actions, perform  # noqa: F401
from app.services.complaints.errors import (  # noqa: F401
    ComplaintConflictError,
    ComplaintRefusedError,
)
from app.services.complaints.handling import (  # noqa: F401
    archive,
    assign,
    comment,
    draft_response,
    pause,
    reject,
    reopen,
    resume,
    return_draft,
    send_response,
    verify,
)
from app.services.complaints.intake import Filed, file_complaint, find_by_secret  # noqa: F401
from app.services.complaints.queries import (  # noqa: F401
    HandledComplaint,
    Identity,
    complaints_handled_by,
    history,
    identity_for,
    open_complaints_visible,
)
from app.services.complaints.scan import scan_complaints  # noqa: F401
