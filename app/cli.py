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


@iku.command("audit-verify")
def audit_verify_command() -> None:
    """Recompute the audit trail's hash chain; exit 1 at the first broken link."""
    from app.extensions import db
    from app.services import audit

    broken = audit.verify_chain(db.session)
    if broken is None:
        click.echo(f"OK: {audit.count_entries(db.session)} entri")
        return
    when = f" ({broken.occurred_at:%Y-%m-%d %H:%M:%S} UTC)" if broken.occurred_at else ""
    where = f"entri #{broken.entry_id}{when}" if broken.entry_id else "rantai"
    click.echo(f"RUSAK: {where}: {broken.reason}", err=True)
    raise SystemExit(1)


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
    from app.services import standards

    try:
        results = standards.load_all(db.session, current_app.config["IKU_STANDARDS_DIR"])
    except standards.StandardInvalidError as exc:
        _fail(exc)
    for standard, warnings in results:
        click.echo(f"{standard.code} versi {standard.version}")
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
