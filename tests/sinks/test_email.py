"""SMTP replies to a real SMTP server on loopback (aiosmtpd), threaded under the message answered."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from pouls.signals import utcnow
from pouls.sinks.email import SendError, SmtpSink
from pouls.sources.email import to_signal
from tests.sources.dovecot import free_port

PAYLOADS = Path(__file__).parent.parent / "payloads" / "email"


class Inbox:
    """aiosmtpd handler keeping what it receives; `refuse` answers the next DATA commands."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], bytes]] = []
        self.refuse: list[str] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.refuse:
            return self.refuse.pop(0)
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def signal_of(name: str):
    """The signal the IMAP source makes of a payload (its parser, without a server)."""
    raw = (PAYLOADS / name).read_bytes()
    return to_signal(raw, workspace="acme", source="support", uid=7, observed_at=utcnow())


def sink(port: int, **kw: object) -> SmtpSink:
    options: dict[str, object] = {"security": "none", "backoff": 0.01}
    options.update(kw)
    return SmtpSink(
        host="127.0.0.1",
        port=port,
        sender="Service client <contact@maison-lumiere.example>",
        **options,  # type: ignore[arg-type]
    )


async def test_reply_is_threaded_under_the_message(smtp) -> None:
    inbox, port = smtp
    message_id = await sink(port).reply(signal_of("reply.eml"), "Parfait, bonne journée !")
    [(mail_from, rcpt, content)] = inbox.received
    assert mail_from == "contact@maison-lumiere.example"
    assert rcpt == ["ines.perso@example.org"]  # Reply-To wins over From
    msg = email.message_from_bytes(content, policy=email.policy.default)
    assert msg["Subject"] == "Re: Re: Commande 4521 non reçue"  # no third "Re:"
    assert msg["In-Reply-To"] == "<cmd4521.3@example.fr>"
    assert msg["References"] == (
        "<cmd4521.1@example.fr> <rep-4521.2@maison-lumiere.example> <cmd4521.3@example.fr>"
    )
    assert msg["Message-ID"] == message_id
    assert msg.get_content().strip() == "Parfait, bonne journée !"


async def test_first_reply_gets_re_and_references_the_message(smtp) -> None:
    inbox, port = smtp
    await sink(port).reply(signal_of("question.eml"), "Nous regardons.")
    msg = email.message_from_bytes(inbox.received[0][2], policy=email.policy.default)
    assert msg["Subject"] == "Re: Commande 4521 non reçue"
    assert msg["References"] == "<cmd4521.1@example.fr>"
    assert inbox.received[0][1] == ["ines.martin@example.fr"]


async def test_temporary_refusal_is_retried_and_permanent_one_raised(smtp) -> None:
    inbox, port = smtp
    inbox.refuse.append("451 Try again later")
    await sink(port).reply(signal_of("question.eml"), "Retried")
    assert len(inbox.received) == 1
    inbox.refuse += ["550 Mailbox unavailable"]
    with pytest.raises(SendError, match="550"):
        await sink(port).reply(signal_of("question.eml"), "Refused")


async def test_unreachable_server_error_hides_the_password() -> None:
    s = sink(free_port(), username="u", password="mdp-smtp-secret", attempts=2)
    with pytest.raises(SendError) as caught:
        await s.reply(signal_of("question.eml"), "x")
    assert "mdp-smtp-secret" not in str(caught.value)
