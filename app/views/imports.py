"""XLSX and CSV import pages: upload, dry-run preview, confirm.

The uploaded file is kept server-side under a random token remembered in the user's session,
and the confirm step validates that stored file again rather than trusting the preview: the
database may have changed in between, and a form field carrying the rows could be edited.
The preview's fingerprint waits in the session beside the token: when the apply finds the
records changed since, it saves nothing and shows the new preview to confirm instead.
The file is deleted once applied, and any file older than IMPORT_TTL at the next upload.
"""

from __future__ import annotations

import os
import re
import secrets
import time
from pathlib import Path

from flask import Response, abort, current_app, flash, redirect, session, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.forms import DynamicForm
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectField
from wtforms.validators import DataRequired

from app.extensions import db
from app.services import imports

IMPORT_TTL = 3600
SESSION_KEY = "iku_import"
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
KIND_LABELS = {"pelaksana": _l("Pelaksana"), "units": _l("Organisation units")}
LIST_ENDPOINTS = {"pelaksana": "PelaksanaView.list", "units": "OrgUnitView.list"}


class UploadForm(DynamicForm):
    kind = SelectField(_l("Data"), choices=list(KIND_LABELS.items()), validators=[DataRequired()])
    file = FileField(_l("XLSX or CSV file"), validators=[FileRequired()])


class ConfirmForm(DynamicForm):
    token = HiddenField(validators=[DataRequired()])


def _import_dir() -> Path:
    path = Path(current_app.config.get("IKU_IMPORT_DIR") or Path(current_app.instance_path) / "imports")
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _sweep(directory: Path, now: float) -> None:
    """Uploads never confirmed would otherwise pile up (and hold personal data: NIPs)."""
    for stale in directory.glob("*.xlsx"):
        try:
            if now - stale.stat().st_mtime > IMPORT_TTL:
                stale.unlink()
        except OSError:
            pass  # another worker swept it first


def _stored_file(token: str) -> Path:
    if not TOKEN_RE.match(token or ""):
        abort(400)
    return _import_dir() / f"{token}.xlsx"


def _read_upload(storage) -> bytes:
    """At most one byte more than the cap: enough to tell the file is too big."""
    return storage.stream.read(imports.MAX_BYTES + 1)


class ImportView(BaseView):
    route_base = "/import"
    default_view = "index"
    class_permission_name = "Import"
    method_permission_name = {"index": "import", "template": "import", "preview": "import", "apply": "import"}

    @expose("/")
    @has_access
    def index(self):
        return self._upload_page(UploadForm())

    @expose("/template/<kind>")
    @has_access
    def template(self, kind: str):
        if kind not in imports.KINDS:
            abort(404)
        headers = {"Content-Disposition": f'attachment; filename="template-import-{kind}.xlsx"'}
        return Response(
            imports.template_xlsx(kind),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers=headers,
        )

    @expose("/preview", methods=["POST"])
    @has_access
    def preview(self):
        form = UploadForm()
        if not form.validate_on_submit():
            return self._upload_page(form), 400
        kind, content = form.kind.data, _read_upload(form.file.data)
        result = imports.preview_import(kind, content, db.session)
        token = None
        if not result.problems:
            now = time.time()
            _sweep(_import_dir(), now)
            token = secrets.token_urlsafe(32)
            _stored_file(token).write_bytes(content)
            session[SESSION_KEY] = {"token": token, "kind": kind, "created": now,
                                    "fingerprint": result.fingerprint}
        return self._preview_page(result, ConfirmForm(token=token), form.file.data.filename)

    @expose("/apply", methods=["POST"])
    @has_access
    def apply(self):
        form, pending = ConfirmForm(), session.get(SESSION_KEY) or {}
        if not form.validate_on_submit() or form.token.data != pending.get("token"):
            flash(_("This import is no longer pending; upload the file again."), "warning")
            return redirect(url_for("ImportView.index"))
        path = _stored_file(pending["token"])
        session.pop(SESSION_KEY, None)
        if time.time() - pending.get("created", 0) > IMPORT_TTL or not path.exists():
            path.unlink(missing_ok=True)
            flash(_("The uploaded file has expired; upload it again."), "warning")
            return redirect(url_for("ImportView.index"))
        try:
            result = imports.apply_import(pending["kind"], path.read_bytes(), db.session,
                                          pending.get("fingerprint", ""))
        except imports.ImportChangedError as exc:  # the file stays for the new confirm
            session[SESSION_KEY] = {**pending, "fingerprint": exc.preview.fingerprint}
            flash(_("The data changed since the preview, so nothing was saved. Review the "
                    "preview below as it stands now and confirm again."), "warning")
            return self._preview_page(exc.preview, ConfirmForm(token=pending["token"]), ""), 409
        except imports.ImportInvalidError as exc:
            path.unlink(missing_ok=True)
            empty = imports.ImportPreview(pending["kind"], [], [], exc.problems)
            return self._preview_page(empty, ConfirmForm(), ""), 422
        path.unlink(missing_ok=True)
        flash(_("Import saved: %(created)s created, %(updated)s updated.", **result._asdict()), "success")
        return redirect(url_for(LIST_ENDPOINTS[pending["kind"]]))

    def _upload_page(self, form):
        return self.render_template(
            "imports/upload.html",
            form=form,
            kinds=KIND_LABELS,
            max_rows=imports.MAX_ROWS,
            max_mb=imports.MAX_BYTES // 1024 // 1024,
            columns={kind: spec.columns for kind, spec in imports.KINDS.items()},
        )

    def _preview_page(self, result, confirm_form, filename: str):
        return self.render_template(
            "imports/preview.html",
            result=result,
            kind_label=KIND_LABELS[result.kind],
            confirm_form=confirm_form,
            filename=os.path.basename(filename or ""),
            created=sum(1 for row in result.rows if row.action == "create"),
            updated=sum(1 for row in result.rows if row.action == "update"),
        )


def register(appbuilder) -> None:
    appbuilder.add_view(
        ImportView,
        "Import",
        label=_l("Import data"),
        icon="fa-upload",
        category="Organisation",
        category_label=_l("Organisation"),
    )
