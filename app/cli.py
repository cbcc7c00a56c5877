"""`flask iku ...`: operator commands, each a thin call into a service."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from app.services import access, demo, validation
from app.services.passwords import PasswordTooWeakError, generate_password

iku = AppGroup("iku", help="IKU Backoffice operations.")


def _fail(exc: Exception) -> None:
    raise click.ClickException(str(exc))


@iku.command("init")
def init_command() -> None:
    """Roles, permissions, service standards and the org seed (idempotent)."""
    access.sync_roles()
    for line in demo.load_reference_data():
        click.echo(line)


@iku.command("demo")
def demo_command() -> None:
    """Demo accounts and data on top of `init` (idempotent); prints the admin login once."""
    for line in demo.load_demo_data():
        click.echo(line)


@iku.command("documents-pdf")
@click.option("--limit", default=50, show_default=True, help="versions to convert in this run")
def documents_pdf_command(limit) -> None:
    """Make the PDFs of final documents that have none (LibreOffice absent or off when they
    were finalised), in one LibreOffice run."""
    from app.extensions import db
    from app.services import documents

    if not documents.pdf_available():
        _fail(RuntimeError("LibreOffice tidak terpasang; PDF tidak dapat dibuat."))
    click.echo(f"PDF dibuat: {documents.make_missing_pdfs(db.session, limit)}.")


@iku.command("create-user")
@click.argument("username")
@click.option("--email", required=True)
@click.option("--first-name", default="")
@click.option("--last-name", default="")
@click.option("--role", "roles", multiple=True, required=True)
@click.password_option()
def create_user_command(username, email, first_name, last_name, roles, password) -> None:
    """Create a user under the password policy and the email rule of the pages and API."""
    try:
        email = validation.validate_email(email)
        access.create_user(username, first_name or username, last_name or "-", email,
                           list(roles), password)
    except (PasswordTooWeakError, access.UserCreateError, validation.ValueInvalidError) as exc:
        _fail(exc)
    click.echo(f"Pengguna {username} dibuat.")


@iku.command("set-password")
@click.argument("username")
@click.password_option()
def set_password_command(username, password) -> None:
    """Set a user's password under the password policy."""
    try:
        access.set_password(username, password)
    except (PasswordTooWeakError, access.UserCreateError) as exc:
        _fail(exc)
    click.echo(f"Kata sandi {username} diubah.")


@iku.command("unlock")
@click.argument("username")
def unlock_command(username) -> None:
    """Unlock an account locked after repeated failed logins."""
    try:
        access.unlock_user(username)
    except access.UserCreateError as exc:
        _fail(exc)
    click.echo(f"Akun {username} dibuka kembali.")


@iku.command("gen-password")
def gen_password_command() -> None:
    """Print a random password that satisfies the policy."""
    click.echo(generate_password())


@iku.command("config-check")
def config_check_command() -> None:
    """Print the database the app would use (no secrets)."""
    click.echo(current_app.config["SQLALCHEMY_DATABASE_URI"].split("@")[-1])


def _anchor_texts(value: str) -> list[str]:
    """--anchor takes the anchor line itself or a file holding anchors, one per line (an
    operator may append one a day); each is checked."""
    import os

    from app.models.audit import ANCHOR_PREFIX

    if not os.path.isfile(value):
        return [value]
    with open(value, encoding="utf-8") as handle:
        lines = [line.strip() for line in handle if line.strip().startswith(ANCHOR_PREFIX)]
    if not lines:
        raise click.ClickException(f"{value}: tidak berisi jangkar jejak audit")
    return lines


@iku.command("audit-verify")
@click.option("--anchor", "anchors", multiple=True, metavar="ANCHOR_OR_FILE",
              help="An anchor printed by audit-anchor, or a file of them: the chain must still "
                   "hold each anchored entry unchanged.")
def audit_verify_command(anchors) -> None:
    """Recompute the audit trail's keyed hash chain; exit 1 at the first broken link or anchor
    the chain no longer matches."""
    from app.extensions import db
    from app.services import audit

    try:
        parsed = [audit.parse_anchor(text) for value in anchors for text in _anchor_texts(value)]
    except audit.AnchorInvalidError as exc:
        _fail(exc)
    broken = audit.verify_chain(db.session)
    for anchor in parsed:
        broken = broken or audit.verify_anchor(db.session, anchor)
    if broken is None:
        checked = f"; cocok dengan {len(parsed)} jangkar" if parsed else ""
        click.echo(f"OK: {audit.count_entries(db.session)} entri{checked}")
        return
    when = f" ({broken.occurred_at:%Y-%m-%d %H:%M:%S} UTC)" if broken.occurred_at else ""
    where = f"entri #{broken.entry_id}{when}" if broken.entry_id else "rantai"
    click.echo(f"RUSAK: {where}: {broken.reason}", err=True)
    raise SystemExit(1)


@iku.command("audit-anchor")
def audit_anchor_command() -> None:
    """Print the signed head of the audit trail. Keep it OUTSIDE this server (ticket, mail,
    paper): `audit-verify --anchor` then proves the trail was neither cut nor rebuilt since."""
    from app.extensions import db
    from app.services import audit

    anchor = audit.make_anchor(db.session)
    if anchor is None:
        raise click.ClickException("Jejak audit masih kosong: belum ada yang dijangkar.")
    click.echo(anchor)


@iku.command("due")
@click.argument("start")
@click.argument("duration")
def due_command(start, duration) -> None:
    """Print the due moment of DURATION (as written in a standard, e.g. '2 hari') from START
    (ISO 8601), in working time: the office hours and holidays stored in the database."""
    import datetime as dt

    from app.extensions import db
    from app.services import calendar
    from app.services.working_time import add_duration

    try:
        begin = dt.datetime.fromisoformat(start)
        schedule = calendar.load_schedule(db.session)
        click.echo(add_duration(begin, duration, schedule).isoformat())
    except ValueError as exc:
        _fail(exc)


@iku.command("plan")
@click.argument("start")
@click.option("--standard", "standard_code", default=None,
              help="Code of the standard (default: the only one in force).")
def plan_command(start, standard_code) -> None:
    """Print the plan of a cycle started at START (ISO 8601; without an offset, WIB): one line
    per step (number 1-15, printed label, title, planned start, planned due), then the end.
    Uses the standard in force and the office hours and holidays in the database."""
    import datetime as dt

    from app.extensions import db
    from app.services import cycles, standards
    from app.services.cycles.errors import CycleError

    try:
        begin = dt.datetime.fromisoformat(start)
    except ValueError as exc:
        _fail(exc)
    in_force = standards.current_standards(db.session)
    if standard_code is not None:
        chosen = [s for s in in_force if s.code == standard_code]
    else:
        chosen = in_force if len(in_force) == 1 else []
    if not chosen:
        codes = ", ".join(s.code for s in in_force) or "-"
        what = f"Standar '{standard_code}' belum dimuat" if standard_code else "Pilih standar"
        _fail(click.UsageError(f"{what}; gunakan --standard (dimuat: {codes})."))
    try:
        plan = cycles.plan_preview(db.session, chosen[0], begin)
    except (CycleError, ValueError) as exc:
        _fail(exc)
    for step in plan.steps:
        due = step.due.isoformat() if step.due else "tanpa tenggat"
        click.echo("\t".join((str(step.sequence), step.label, step.title,
                              step.start.isoformat(), due)))
    click.echo(f"selesai: {plan.end.isoformat()}")


@iku.command("sync-holidays")
@click.argument("years", nargs=-1, type=int)
def sync_holidays_command(years) -> None:
    """Add the national holidays and cuti bersama of YEARS (default: last, this and next year)."""
    import datetime as dt

    from app.extensions import db
    from app.services import calendar

    this_year = dt.date.today().year
    result = calendar.sync_holidays(db.session, years or range(this_year - 1, this_year + 2))
    click.echo(f"Hari libur: {len(result.added)} ditambahkan, {result.kept} sudah ada.")


@iku.command("load-standards")
def load_standards_command() -> None:
    """Load app/standards/*.yaml: a changed file becomes a new version; prints the warnings."""
    from app.extensions import db
    from app.services import calendar, standards

    try:
        shortest_day = calendar.shortest_workday_minutes(calendar.load_schedule(db.session))
        results = standards.load_all(db.session, current_app.config["IKU_STANDARDS_DIR"],
                                     day_minutes=shortest_day)
    except ValueError as exc:  # StandardInvalidError, or a schedule without working days
        _fail(exc)
    for standard, warnings in results:
        click.echo(f"Standar {standard.code} versi {standard.version}: "
                   f"{len(warnings)} peringatan.")
        for warning in warnings:
            click.echo(f"  ! {warning}")


@iku.command("sla-scan")
def sla_scan_command() -> None:
    """Mark open items at risk or overdue and remind their people (idempotent: for cron,
    e.g. every 10 minutes; safe to run on several machines at once)."""
    from app.extensions import db
    from app.services import cycles

    result = cycles.scan_sla(db.session)
    click.echo(
        f"Diperiksa {result.checked} butir: {result.overdue_marked} baru terlambat, "
        f"{result.at_risk_marked} baru berisiko, {result.reminders_created} pengingat baru."
    )


from app import cli_mail  # noqa: E402,F401  (its commands join the `iku` group)
