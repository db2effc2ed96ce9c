"""A real SMTP server in process (aiosmtpd) that records what it accepts, for mail tests."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from tests.support.servers import free_port


@dataclass
class Received:
    """One message the SMTP server accepted, parsed, with the time it arrived."""

    rcpt: list[str]
    message: object
    at: float


@dataclass
class MailSink:
    """What an in-process SMTP server received and which recipients it refuses (550)."""

    host: str
    port: int
    received: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.rcpt]

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        with self.lock:
            self.received.append(Received(list(envelope.rcpt_tos), message, time.monotonic()))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp():
    """A real SMTP server on a free loopback port, for the length of one test."""
    sink = MailSink("127.0.0.1", free_port())
    controller = Controller(sink, hostname=sink.host, port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()
