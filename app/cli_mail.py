"""`flask iku mail-worker`: deliver the outbox (registered on the `iku` group in app/cli.py)."""

from __future__ import annotations

import signal

import click
from flask import current_app

from app.cli import iku


@iku.command("mail-worker")
@click.option("--once", is_flag=True, help="deliver what is due, then exit")
def mail_worker_command(once: bool) -> None:
    """Deliver queued emails until stopped (SIGTERM/SIGINT finish the current message first).
    Run as many as you like, on any machine: each email is claimed by one worker."""
    from app.extensions import db
    from app.services import mail

    stopping = []
    if not once:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_args: stopping.append(True))
    poll = float(current_app.config.get("IKU_MAIL_POLL_SECONDS") or 5)
    total = mail.work(db.session, once=once, poll_seconds=poll,
                      should_stop=lambda: bool(stopping), log=lambda text: click.echo(text))
    click.echo(f"Terkirim {total.sent}, dicoba lagi nanti {total.retried}, gagal {total.failed}.")
