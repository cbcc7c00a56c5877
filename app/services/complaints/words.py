"""How a complaint's codes read to a person (lists, pages, exports, the status page)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

KIND_LABELS = {"pengaduan": _l("Complaint"), "keluhan": _l("Grievance"),
               "masukan": _l("Suggestion")}
CHANNEL_LABELS = {"portal": _l("Application (unit liaison)"), "telepon": _l("Phone"),
                  "surat": _l("Letter"), "email": _l("Email"), "langsung": _l("In person")}
STATUS_LABELS = {
    "received": _l("Awaiting verification"), "delegated": _l("Delegated"),
    "in_progress": _l("Being followed up"), "awaiting_approval": _l("Response awaiting approval"),
    "closed": _l("Answered and closed"), "rejected": _l("Not the bureau's authority"),
    "archived": _l("Archived"),
}
ACTION_LABELS = {
    "file": _l("Filed"), "verify": _l("Verified and delegated"), "reject": _l("Rejected"),
    "archive": _l("Archived"), "assign": _l("Handler assigned"), "draft": _l("Response drafted"),
    "return": _l("Draft returned"), "send": _l("Response sent"), "reopen": _l("Reopened"),
    "pause": _l("Clock paused"), "resume": _l("Clock resumed"), "comment": _l("Comment"),
    "remind": _l("Reminder"),
}
STAGE_LABELS = {"verify": _l("Verification"), "follow_up": _l("Follow-up")}
