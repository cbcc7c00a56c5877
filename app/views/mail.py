"""Mail pages: the outbox (admin: filter, read, resend a failed email), the local mailbox of
`make run`'s SMTP sink, the dispatch of a final document, and each person's email setting.

Thin: every change is one call into app.services.mail, which validates and commits.
"""

from __future__ import annotations

import re

from flask import abort, current_app, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.actions import action
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.models.complaints import HIDDEN
from app.models.mail import OutboundMail
from app.models.org import IkuUser
from app.security import METHOD_PERMISSIONS, current_scope_unit_id
from app.services import mail as service
from app.views.base import BaseModelView
from app.views.computed import computed_columns, labelled
from app.views.cycles import format as fmt
from app.views.display import when_utc
from app.views.search_form import ChoiceSearchMixin

STATUS_LABELS = {"queued": _l("Queued"), "sending": _l("Sending"), "sent": _l("Sent"),
                 "failed": _l("Failed")}
KIND_LABELS = {"memorandum": _l("Memorandum"), "notice": _l("Notice"),
               "complaint_response": _l("Complaint response"),
               "complaint_confidential": _l("Complaint response (confidential)")}
# A confidential complainant's address is the Kepala Biro's and the delegated Kabag's to see,
# on the complaint's page; the outbox delivers to it but shows "dirahasiakan".
CONFIDENTIAL_KINDS = ("complaint_confidential",)
GROUP_LABELS = {"ak1": _l("Units served by Bagian AK I"), "ak2": _l("Units served by Bagian AK II"),
                "all": _l("All units of the cycle"), "team": _l("The team (bureau staff)"),
                "people": _l("Chosen people")}


def current_user():
    return current_app.appbuilder.sm.current_user


def _addresses(values) -> str:
    return ", ".join(values or [])


class MailOutboxView(ChoiceSearchMixin, BaseModelView):
    """Every email: queued, sent (time, Message-ID) or failed (the server's answer)."""

    datamodel = SQLAInterface(OutboundMail)
    base_permissions = ["can_read", "can_export", "can_resend"]
    method_permission_name = {**METHOD_PERMISSIONS, "resend": "resend"}
    list_template = "outbox/list.html"
    show_template = "outbox/show.html"
    list_title = show_title = _l("Outbox")
    list_columns = ["created_at", "subject", "recipient_label", "to_addrs", "status", "attempts",
                    "sent_at", "last_error"]
    show_columns = ["subject", "kind", "to_addrs", "cc_addrs", "status", "attempts",
                    "created_at", "next_attempt_at", "sent_at", "message_id", "last_error",
                    "document", "cycle", "work_item", "org_unit", "created_by"]
    search_columns = ["status", "kind", "subject", "recipient_label", "created_at", "sent_at",
                      "last_error", "message_id"]
    order_columns = ["created_at", "status", "sent_at", "attempts"]
    base_order = ("created_at", "desc")
    search_choices = {"status": STATUS_LABELS, "kind": KIND_LABELS}
    label_columns = {
        "created_at": _l("Queued on"), "subject": _l("Subject"), "kind": _l("Kind"),
        "recipient_label": _l("Recipient"), "to_addrs": _l("To"), "cc_addrs": _l("Cc"),
        "status": _l("Status"), "attempts": _l("Attempts"), "sent_at": _l("Sent"),
        "next_attempt_at": _l("Next attempt"), "message_id": _l("Message-ID"),
        "last_error": _l("Server's answer"), "document": _l("Document"), "cycle": _l("Cycle"),
        "work_item": _l("Step"), "org_unit": _l("Organisation unit"),
        "created_by": _l("Sent by"),
    }  # fmt: skip

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        computed_columns(self, status=labelled("status", STATUS_LABELS),
                 kind=labelled("kind", KIND_LABELS),
                 to_addrs=lambda m: HIDDEN if m.kind in CONFIDENTIAL_KINDS
                 else _addresses(m.to_addrs),
                 cc_addrs=lambda m: _addresses(m.cc_addrs) or "–",
                 cycle=lambda m: m.cycle.code if m.cycle else None,
                 work_item=lambda m: m.work_item.title if m.work_item else None)

    def render_template(self, template, **kwargs):
        if template == self.list_template:
            kwargs["mail_summary"] = service.queue_summary(db.session)
            kwargs["status_labels"] = STATUS_LABELS
        return super().render_template(template, **kwargs)

    @action("resend", _l("Resend"), _l("Put the selected failed emails back in the queue?"),
            "fa-repeat")
    def resend(self, items):
        rows = items if isinstance(items, list) else [items]
        try:
            count = service.resend(db.session, current_user(), [m.id for m in rows if m])
        except service.MailError as exc:
            flash(str(exc), "danger")
        else:
            flash(gettext("%(n)d email(s) queued again.", n=count), "success")
        return redirect(self.get_redirect())


class LocalMailboxView(BaseView):
    """What the local SMTP sink of `make run` received: the app's mail, read in the app."""

    route_base = "/mailbox"
    default_view = "list"
    class_permission_name = "LocalMailbox"
    method_permission_name = {"list": "read", "show": "read"}

    @expose("/")
    @has_access
    def list(self):
        query = request.args.get("q", "")
        page = max(0, request.args.get("page", 0, type=int))
        messages, total = service.sink_messages(query, page)
        return self.render_template(
            "outbox/mailbox.html", messages=messages, total=total, page=page, q=query,
            pages=max(1, -(-total // 25)), folder=service.reading.sink_dir(),
            title=gettext("Local mailbox"))

    @expose("/<path:key>")
    @has_access
    def show(self, key: str):
        message = service.sink_message(key)
        if message is None:
            abort(404)
        return self.render_template("outbox/mailbox_show.html", message=message,
                                    title=message.subject)


class MailDispatchView(BaseView):
    """Choose recipients of a final document, preview each email, send."""

    route_base = "/mail/dispatch"
    class_permission_name = "MailDispatch"
    method_permission_name = {"dispatch": "dispatch"}

    @expose("/<int:document_id>", methods=["GET", "POST"])
    @has_access
    def dispatch(self, document_id: int):
        group = request.values.get("group", "ak1")
        user_ids = [int(v) for v in request.values.getlist("people") if v.isdigit()]
        typed = request.values.get("addresses", "")
        addresses = [a for a in re.split(r"[\s,;]+", typed) if a]
        back = url_for("DocumentView.show", pk=document_id)
        drafts, error = [], None
        try:  # the send needs the confirmation box ticked under the previewed emails
            if request.method == "POST" and "send" in request.form \
                    and request.form.get("confirm") != "1":
                error = gettext("Please tick the box to confirm.")
            elif request.method == "POST" and "send" in request.form:
                queued = service.dispatch(db.session, current_user(), document_id, group,
                                          user_ids, addresses)
                flash(gettext("%(n)d email(s) queued; the worker sends them shortly.",
                              n=len(queued)), "success")
                return redirect(back + "#deliveries")
            if request.method == "POST":  # a preview, or a send not confirmed yet
                drafts = service.preview(db.session, current_user(), document_id, group,
                                         user_ids, addresses)
        except service.MailForbiddenError:
            abort(403)
        except service.MailError as exc:
            db.session.rollback()
            error = str(exc)
        people = db.session.execute(
            select(IkuUser.id, IkuUser.first_name, IkuUser.last_name, IkuUser.email)
            .where(IkuUser.active.is_(True)).order_by(IkuUser.first_name)).all()
        return self.render_template(
            "outbox/dispatch.html", document_id=document_id, back=back, group=group,
            groups=GROUP_LABELS, people=people, chosen=set(user_ids), addresses=typed,
            drafts=drafts,
            error=error, blocked=any(d.problem for d in drafts),
            title=gettext("Send the document by email"))


class MailSettingsView(BaseView):
    """A person's own choice: reminder and notice emails on or off."""

    route_base = "/mail/settings"
    default_view = "settings"
    class_permission_name = "MailSettings"
    method_permission_name = {"settings": "edit"}

    @expose("/", methods=["GET", "POST"])
    @has_access
    def settings(self):
        user = db.session.get(IkuUser, current_user().id)
        if request.method == "POST":
            user.mail_reminders = request.form.get("mail_reminders") == "1"
            db.session.commit()
            flash(gettext("Your email setting was saved."), "success")
            return redirect(url_for("MailSettingsView.settings"))
        return self.render_template("outbox/settings.html", enabled=user.mail_reminders,
                                    email=user.email, title=gettext("Email settings"))


def document_mail(document_id):
    """For the document's show page: its deliveries and whether the user may dispatch it."""
    sm = current_app.appbuilder.sm
    try:
        rows = service.document_deliveries(db.session, int(document_id))
    except (TypeError, ValueError):
        return None
    unit = current_scope_unit_id()
    if unit is not None:  # a liaison sees the emails to its own unit, not the others'
        rows = [row for row in rows if row.org_unit_id == unit]
    return {"rows": rows, "can_dispatch": sm.has_access("can_dispatch", "MailDispatch"),
            "labels": STATUS_LABELS}


def item_dispatch(item_id):
    """For the item page's completion form: the final document a "menyampaikan" sub-step may
    send while completing, with the recipient groups; None elsewhere or without permission."""
    if not current_app.appbuilder.sm.has_access("can_dispatch", "MailDispatch"):
        return None
    doc = service.sendable_document(db.session, int(item_id))
    if doc is None:
        return None
    return {"document": doc, "groups": {k: v for k, v in GROUP_LABELS.items() if k != "people"}}


def outbox_mail(pk):
    """For the outbox's show page (already permission-checked): the email and attachments."""
    try:
        return db.session.get(OutboundMail, int(pk))
    except (TypeError, ValueError):
        return None


def register(appbuilder) -> None:
    app = current_app
    app.jinja_env.globals["iku_document_mail"] = document_mail
    app.jinja_env.globals["iku_outbox_mail"] = outbox_mail
    app.jinja_env.globals["iku_item_dispatch"] = item_dispatch
    app.jinja_env.filters["iku_mail_status"] = lambda s: fmt.label(STATUS_LABELS, s)
    app.jinja_env.filters.setdefault("iku_when_utc", when_utc)
    label = _l("Mail")
    appbuilder.add_view(MailOutboxView, "Outbox", label=_l("Outbox"), icon="fa-envelope",
                        category="Mail", category_label=label)
    appbuilder.add_view(LocalMailboxView, "Local mailbox", label=_l("Local mailbox"),
                        icon="fa-inbox", category="Mail", category_label=label)
    appbuilder.add_view(MailSettingsView, "Email settings", label=_l("Email settings"),
                        icon="fa-bell-slash", category="Mail", category_label=label)
    appbuilder.add_view_no_menu(MailDispatchView())
