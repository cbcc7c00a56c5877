"""A real SMTP server for the mail tests: aiosmtpd on 127.0.0.1, on a free port, started and
stopped by the `smtp` fixture (never a mock of Flask-Mail). Received messages are parsed and
kept in order; addresses in `refuse` get a permanent 550 at RCPT, in `defer` a 451."""

from __future__ import annotations

import email
import email.policy
import socket
import threading

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Recorder:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refuse: set[str] = set()
        self.defer: set[str] = set()
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 Mailbox unavailable: user unknown"
        if address in self.defer:
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(parsed)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"

    def message_ids(self) -> list[str]:
        with self.lock:
            return [str(m["Message-ID"]) for m in self.messages]


class SmtpServer:
    """Start/stop at will on the same port: "the server is down" is a real refused connection."""

    def __init__(self, port: int):
        self.port, self.handler, self.controller = port, Recorder(), None

    def start(self) -> None:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self):
        return self.handler.messages


@pytest.fixture(name="smtp")
def smtp_fixture(app):
    server = SmtpServer(free_port())
    state = app.extensions["mail"]
    saved = (state.server, state.port, state.use_tls, state.use_ssl)
    state.server, state.port, state.use_tls, state.use_ssl = "127.0.0.1", server.port, False, False
    server.start()
    try:
        yield server
    finally:
        server.stop()
        state.server, state.port, state.use_tls, state.use_ssl = saved
