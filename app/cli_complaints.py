"""`flask iku complaint-scan` and `flask iku supervision-remind`: the cron jobs of complaints
and supervision, each a thin call into its service (registered on the `iku` group)."""

from __future__ import annotations

import click

from app.cli import iku


@iku.command("complaint-scan")
def complaint_scan_command() -> None:
    """Remind whoever holds a complaint whose stage is at risk or overdue (once per stage run
    and kind; for cron, e.g. every 10 minutes)."""
    from app.extensions import db
    from app.services import complaints

    result = complaints.scan_complaints(db.session)
    click.echo(f"Diperiksa {result.checked} pengaduan terbuka: {result.overdue} terlambat, "
               f"{result.at_risk} berisiko, {result.reminders} pengingat baru.")


@iku.command("supervision-remind")
def supervision_remind_command() -> None:
    """List each superior whose pelaksana has had no periodic supervision in the standard's
    period (supervision.frequency), and record the reminder in the audit trail."""
    from app.extensions import db
    from app.services import audit, supervision

    due = supervision.due_supervisions(db.session)
    for row in due:
        last = row.last.strftime("%d-%m-%Y") if row.last else "belum pernah"
        click.echo(f"{row.supervisor}: supervisi {row.pelaksana} (terakhir: {last})")
        audit.log_event(db.session, "supervision_due", "Pelaksana", row.pelaksana_id,
                        {"supervisor_user_id": row.supervisor_user_id})
    db.session.commit()
    click.echo(f"{len(due)} supervisi berkala jatuh tempo.")
