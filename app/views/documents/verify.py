"""The public verification page, without login: /verifikasi/<token> (the QR code on every
final document) shows the document's number, date, title, status and the SHA-256 of each of
its versions; anyone may upload a file there to learn whether it matches a registered document,
and which version. The upload is rate-limited like the login and size-limited."""

from __future__ import annotations

from flask import abort, current_app, request, url_for
from flask_appbuilder import BaseView, expose
from flask_babel import gettext

from app.extensions import db
from app.services import documents
from app.services.documents import storage
from app.views.documents.forms import VerifyFileForm


class PublicVerifyView(BaseView):
    route_base = "/verifikasi"
    default_view = "check"
    base_permissions: list[str] = []  # public: no permission, no login

    def _page(self, doc=None, match=None, checked=False, problem=None, status=200):
        return self.render_template(
            "documents/verify.html", doc=doc, match=match, checked=checked, problem=problem,
            form=VerifyFileForm(formdata=None), title=gettext("Document verification"),
            action=url_for("PublicVerifyView.check")), status

    @expose("/<token>")
    def show(self, token: str):
        doc = documents.verify_token(db.session, token)
        if doc is None:
            abort(404)
        return self._page(doc=doc)

    @expose("/", methods=["GET", "POST"])
    def check(self):
        if request.method == "GET":
            return self._page()
        upload = request.files.get("file")
        data = upload.read(storage.max_bytes() + 1) if upload is not None else b""
        if not data:
            return self._page(problem=gettext("Choose a file to check."), status=400)
        if len(data) > storage.max_bytes():
            return self._page(problem=gettext("The file is too large to be a registered "
                                              "document."), status=413)
        match = documents.verify_file(db.session, data)
        return self._page(doc=match.document if match else None, match=match, checked=True)


def limit_checks(app) -> None:
    """The file check gets the login's treatment: a limit per client address, shared by all
    workers through the rate-limit storage (IKU_VERIFY_RATE_LIMIT)."""
    sm = app.appbuilder.sm
    endpoint = "PublicVerifyView.check"
    limiter = getattr(sm, "limiter", None)
    if limiter is None or endpoint not in app.view_functions:
        return
    rate = current_app.config.get("IKU_VERIFY_RATE_LIMIT") or "10 per minute"
    app.view_functions[endpoint] = limiter.limit(rate, methods=["POST"])(
        app.view_functions[endpoint])
