"""`flask iku evaluation-reminders`: mail whoever holds up an evaluation near its period's end."""

from __future__ import annotations

import datetime as dt

import click
from flask import current_app

from app.cli import iku


@iku.command("evaluation-reminders")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Pretend today is this day (YYYY-MM-DD).")
def evaluation_reminders_command(today) -> None:
    """Evaluations still open within IKU_EVALUATION_REMIND_DAYS of their period's closing
    date: one email through the outbox to each evaluator or pelaksana who must act, once per
    evaluation and person however often cron runs it (the worker delivers them)."""
    from app.extensions import db
    from app.services import mail
    from app.services.evaluation.reminders import due_reminders

    day = today.date() if today else dt.date.today()
    due = due_reminders(db.session, day, current_app.config["IKU_EVALUATION_REMIND_DAYS"])
    queued = 0
    for reminder in due:
        if reminder.email:
            try:
                with db.session.begin_nested():
                    row = mail.queue_template(
                        db.session, reminder.email, "evaluation_reminder",
                        {"name": reminder.person_name, "text": reminder.subject,
                         "days_left": reminder.days_left},
                        subject=reminder.subject,
                        dedupe_key=f"evaluation:{reminder.evaluation_id}:{reminder.person_id}")
                queued += row is not None
            except mail.MailError as exc:
                click.echo(f"{reminder.person_name}: {exc}")
        click.echo(f"{reminder.person_name}: {reminder.subject}")
    db.session.commit()
    click.echo(f"{len(due)} evaluasi belum selesai, {queued} email masuk antrean.")
