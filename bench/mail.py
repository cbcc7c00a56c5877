"""Mail throughput: messages/second delivered through the outbox (`app.services.mail.work`:
claim, build, send on one connection, commit each outcome) beside bare Flask-Mail sending the
same messages on one connection, in the same run, to a local aiosmtpd sink (a subprocess on
127.0.0.1 that discards what it receives). Rounds alternate; each side keeps its best round.

    .venv/bin/python bench/mail.py [-n 1000] [--rounds 3] [--db postgresql+psycopg://...]

Target (issue 10): the outbox delivers at least 80 % of bare Flask-Mail's rate.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import documents as docs_bench  # noqa: E402  (bench/documents.py: app on a fresh database)

TEXT = ("Yth. Pimpinan Unit,\n\nBersama ini kami sampaikan Memorandum permintaan usulan "
        "keanggotaan Tim, sebagaimana terlampir.\n") * 8
HTML = "<p>" + TEXT.replace("\n", "<br>\n") + "</p>"


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _sink(port: int) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l",
                                f"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Sink"])
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    sys.exit("the SMTP sink did not start")


def _bare(app, n: int) -> tuple[float, float]:
    from flask_mail import Message

    from app.services.mail.delivery import SmtpConnection

    cpu, start = time.process_time(), time.perf_counter()
    with SmtpConnection(app.extensions["mail"]) as connection:
        for i in range(n):
            connection.send(Message(subject=f"Memorandum {i}", recipients=[f"unit{i}@iku.local"],
                                    cc=[f"penghubung{i}@iku.local"], body=TEXT, html=HTML,
                                    sender=app.config["MAIL_DEFAULT_SENDER"]))
    return n / (time.perf_counter() - start), (time.process_time() - cpu) * 1000 / n


def _outbox(app, session, n: int) -> tuple[float, float, float]:
    from app.services import mail

    start = time.perf_counter()
    for i in range(n):
        mail.queue(session, f"unit{i}@iku.local", f"Memorandum {i}", TEXT, html=HTML,
                   cc=[f"penghubung{i}@iku.local"])
    session.commit()
    queued = n / (time.perf_counter() - start)
    cpu, start = time.process_time(), time.perf_counter()
    total = mail.work(session, once=True)
    elapsed = time.perf_counter() - start
    assert total.sent == n, total
    return n / elapsed, (time.process_time() - cpu) * 1000 / n, queued


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--db", default="")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="iku-bench-mail-"))
    app = docs_bench._setup(args.db or f"sqlite:///{work / 'iku.db'}", str(work / "documents"))
    port = _port()
    app.extensions["mail"].port = port
    app.config["IKU_MAIL_BATCH"] = 100
    sink = _sink(port)
    try:
        with app.app_context():
            from flask_migrate import upgrade

            from app.extensions import db

            upgrade()
            bare, outbox, queued = [], [], []
            for _ in range(args.rounds):
                bare.append(_bare(app, args.n))
                rate, cpu, queue_rate = _outbox(app, db.session, args.n)
                outbox.append((rate, cpu))
                queued.append(queue_rate)
            db.session.remove()
    finally:
        sink.terminate()
        sink.wait(timeout=10)
    backend = "PostgreSQL" if args.db.startswith("postgresql") else "SQLite file"
    print(f"{args.n} messages x {args.rounds} rounds, {backend}, sink on 127.0.0.1:{port}")
    for name, rounds in (("bare Flask-Mail, one connection  ", bare),
                         ("outbox worker (claim+send+commit)", outbox)):
        rates = [r for r, _ in rounds]
        print(f"{name}: best {max(rates):5.0f} msg/s, median {statistics.median(rates):5.0f}, "
              f"CPU {statistics.median(c for _, c in rounds):.2f} ms/msg  (rounds: "
              + ", ".join(f"{r:.0f}" for r in rates) + ")")
    best = max(r for r, _ in outbox) / max(r for r, _ in bare)
    median = (statistics.median(r for r, _ in outbox) / statistics.median(r for r, _ in bare))
    cpu = statistics.median(c for _, c in bare) / statistics.median(c for _, c in outbox)
    print(f"ratio outbox/bare: best {best:.2f}, median {median:.2f}, by CPU {cpu:.2f} "
          "(target >= 0.80)")
    print(f"queueing (validate + insert, one commit): {max(queued):.0f} msg/s")


if __name__ == "__main__":
    main()
