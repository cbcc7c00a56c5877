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
from app.services import iku_import, imports

IMPORT_TTL = 3600
SESSION_KEY = "iku_import"
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
KIND_LABELS = {"pelaksana": _l("Pelaksana"), "units": _l("Organisation units")}
LIST_ENDPOINTS = {"pelaksana": "PelaksanaView.list", "units": "OrgUnitView.list"}


class UploadForm(DynamicForm):
    kind = SelectField(_l("Data"), choices=[], validators=[DataRequired()])
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
    """The people and unit import (admin only); IndicatorImportView below is the same flow
    for IKU with its own permission. `service` reads and saves: app.services.imports or a
    module with the same verbs."""

    route_base = "/import"
    default_view = "index"
    class_permission_name = "Import"
    method_permission_name = {"index": "import", "template": "import", "preview": "import", "apply": "import"}
    service = imports
    kinds = KIND_LABELS
    list_endpoints = LIST_ENDPOINTS
    session_key = SESSION_KEY
    notes = None  # what the upload page says of updates, when not the people/unit words

    def _form(self, cls=None):
        form = (cls or UploadForm)()
        if hasattr(form, "kind"):
            form.kind.choices = list(self.kinds.items())
        return form

    @expose("/")
    @has_access
    def index(self):
        return self._upload_page(self._form())

    @expose("/template/<kind>")
    @has_access
    def template(self, kind: str):
        if kind not in self.kinds:
            abort(404)
        headers = {"Content-Disposition": f'attachment; filename="template-import-{kind}.xlsx"'}
        return Response(
            self.service.template_xlsx(kind),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers=headers,
        )

    @expose("/preview", methods=["POST"])
    @has_access
    def preview(self):
        form = self._form()
        if not form.validate_on_submit():
            return self._upload_page(form), 400
        kind, content = form.kind.data, _read_upload(form.file.data)
        result = self.service.preview_import(kind, content, db.session)
        token = None
        if not result.problems:
            now = time.time()
            _sweep(_import_dir(), now)
            token = secrets.token_urlsafe(32)
            _stored_file(token).write_bytes(content)
            session[self.session_key] = {"token": token, "kind": kind, "created": now,
                                         "fingerprint": result.fingerprint}
        return self._preview_page(result, ConfirmForm(token=token), form.file.data.filename)

    @expose("/apply", methods=["POST"])
    @has_access
    def apply(self):
        form, pending = ConfirmForm(), session.get(self.session_key) or {}
        if (not form.validate_on_submit() or form.token.data != pending.get("token")
                or pending.get("kind") not in self.kinds):
            flash(_("This import is no longer pending; upload the file again."), "warning")
            return redirect(url_for(f"{self.endpoint}.index"))
        path = _stored_file(pending["token"])
        session.pop(self.session_key, None)
        if time.time() - pending.get("created", 0) > IMPORT_TTL or not path.exists():
            path.unlink(missing_ok=True)
            flash(_("The uploaded file has expired; upload it again."), "warning")
            return redirect(url_for(f"{self.endpoint}.index"))
        try:
            result = self.service.apply_import(pending["kind"], path.read_bytes(), db.session,
                                               pending.get("fingerprint", ""))
        except imports.ImportChangedError as exc:  # the file stays for the new confirm
            session[self.session_key] = {**pending, "fingerprint": exc.preview.fingerprint}
            flash(_("The data changed since the preview, so nothing was saved. Review the "
                    "preview below as it stands now and confirm again."), "warning")
            return self._preview_page(exc.preview, ConfirmForm(token=pending["token"]), ""), 409
        except imports.ImportInvalidError as exc:
            path.unlink(missing_ok=True)
            empty = imports.ImportPreview(pending["kind"], [], [], exc.problems)
            return self._preview_page(empty, ConfirmForm(), ""), 422
        path.unlink(missing_ok=True)
        flash(_("Import saved: %(created)s created, %(updated)s updated.", **result._asdict()), "success")
        return redirect(url_for(self.list_endpoints[pending["kind"]]))

    def _upload_page(self, form):
        return self.render_template(
            "imports/upload.html",
            form=form,
            kinds=self.kinds,
            max_rows=self.service.MAX_ROWS,
            max_mb=self.service.MAX_BYTES // 1024 // 1024,
            columns={kind: _columns(self.service.KINDS[kind]) for kind in self.kinds},
            endpoint=self.endpoint,
            notes=self.notes,
        )

    def _preview_page(self, result, confirm_form, filename: str):
        return self.render_template(
            "imports/preview.html",
            result=result,
            kind_label=self.kinds[result.kind],
            endpoint=self.endpoint,
            confirm_form=confirm_form,
            filename=os.path.basename(filename or ""),
            created=sum(1 for row in result.rows if row.action == "create"),
            updated=sum(1 for row in result.rows if row.action == "update"),
        )


def _columns(spec):
    return spec.columns if hasattr(spec, "columns") else spec


class IndicatorImportView(ImportView):
    """Existing IKU from XLSX or CSV, for the bureau (app.services.iku_import)."""

    route_base = "/iku-import"
    class_permission_name = "IndicatorImport"
    service = iku_import
    kinds = {iku_import.KIND: _l("IKU")}
    list_endpoints = {iku_import.KIND: "IndicatorView.list"}
    session_key = "iku_import_indicator"
    notes = _l("A row names its IKU by unit code (empty: the ministry level), period and "
               "indicator code. A new one is saved as a draft, version 1; an existing draft is "
               "updated, an empty cell keeping the stored value; an enacted IKU is never "
               "changed by an import (amend it on its page). Target columns are headed "
               "\"Target 2025\" or \"2025\", one per year of the period.")


def register(appbuilder) -> None:
    appbuilder.add_view(
        ImportView,
        "Import",
        label=_l("Import data"),
        icon="fa-upload",
        category="Organisation",
        category_label=_l("Organisation"),
    )
    appbuilder.add_view(IndicatorImportView, "IKU import", label=_l("Import IKU"),
                        icon="fa-upload", category="IKU", category_label=_l("IKU"))
