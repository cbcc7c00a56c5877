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
    date: one email to each evaluator or pelaksana who must act (for cron, once a day)."""
    from flask_mail import Message

    from app.extensions import db, mail
    from app.services.evaluation.reminders import due_reminders

    day = today.date() if today else dt.date.today()
    due = due_reminders(db.session, day, current_app.config["IKU_EVALUATION_REMIND_DAYS"])
    sent = 0
    for reminder in due:
        if reminder.email:
            mail.send(Message(subject=reminder.subject, recipients=[reminder.email],
                              body=f"Yth. {reminder.person_name},\n\n{reminder.subject}. "
                                   f"Sisa waktu {reminder.days_left} hari.\n"))
            sent += 1
        click.echo(f"{reminder.person_name}: {reminder.subject}")
    click.echo(f"{len(due)} evaluasi belum selesai, {sent} surel terkirim.")
