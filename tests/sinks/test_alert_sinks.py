"""Notice sinks against loopback servers: a signing-checking HTTP receiver, a local SMTP server
(aiosmtpd), Telegram and Slack stand-ins, and the real Mosquitto; failures retried and recorded."""

from __future__ import annotations

import asyncio
import email
import hashlib
import hmac
import json
import socket
import uuid
from email import policy

import aiomqtt
from aiosmtpd.controller import Controller

from pouls.sinks.alert_email import EmailNotices
from pouls.sinks.alert_mqtt import MqttNotices
from pouls.sinks.email import SmtpSink
from pouls.sinks.mqtt import MqttSink
from pouls.sinks.notice import Attempt, Notice
from pouls.sinks.slack import SlackSink
from pouls.sinks.telegram import TelegramSink
from pouls.sinks.webhook import WebhookSink
from pouls.watch.chart import png
from tests.loopback import Loopback, Reply, json_reply

NOTICE = Notice(
    kind="alert",
    workspace="acme",
    subject="Volume en hausse sur « intoxication » : 24 (habituel 0)",
    text="Termes en hausse: intoxication, lille",
    html='<h2>Alerte</h2><img src="cid:chart">',
    images={"chart": png([1, 2, 3, 9], baseline=2, alert_from=3)},
    data={"observed": 24},
    rule="buzz",
    alert_id=7,
    change="opened",
    link="http://pouls.test/alerts/7?ws=acme",
)


async def test_webhook_is_signed_and_a_failing_receiver_is_retried_and_recorded() -> None:
    hooks = Loopback()
    answers = iter([500, 503, 204])

    def hook(request) -> Reply:  # type: ignore[no-untyped-def]
        expected = "sha256=" + hmac.new(b"k", request.body, hashlib.sha256).hexdigest()
        assert request.headers["X-Pouls-Signature"] == expected
        return Reply(next(answers))

    hooks.routes["POST /hook"] = hook
    hooks.start()
    attempts: list[Attempt] = []
    sink = WebhookSink(
        "ops", hooks.url + "/hook", secret="k", backoff=0.01, on_attempt=attempts.append
    )
    delivery = await sink.send(NOTICE)
    hooks.stop()
    assert delivery.status == "sent" and delivery.attempts == 3
    assert [(a.number, a.ok, a.final) for a in attempts] == [
        (1, False, False),
        (2, False, False),
        (3, True, True),
    ]
    assert attempts[0].detail == "Transient: HTTP 500" or "500" in (attempts[0].detail or "")
    body = json.loads(hooks.received("POST", "/hook")[0].body)
    assert body["alert_id"] == 7 and body["observed"] == 24


async def test_a_refusing_receiver_fails_at_once_and_an_unreachable_one_after_all_attempts() -> (
    None
):
    hooks = Loopback()
    hooks.routes["POST /hook"] = lambda r: Reply(400, b"bad")
    hooks.start()
    attempts: list[Attempt] = []
    refused = await WebhookSink(
        "ops", hooks.url + "/hook", backoff=0.01, on_attempt=attempts.append
    ).send(NOTICE)
    hooks.stop()
    assert refused.status == "failed" and [a.final for a in attempts] == [True]
    attempts.clear()
    gone = await WebhookSink(
        "ops", "http://127.0.0.1:9/hook", attempts=3, backoff=0.01, on_attempt=attempts.append
    ).send(NOTICE)
    assert gone.status == "failed" and gone.error and "3 attempts" in gone.error
    assert [(a.ok, a.final) for a in attempts] == [(False, False), (False, False), (False, True)]


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.messages.append(envelope.content)
        return "250 OK"


async def test_email_is_html_and_text_with_the_chart_inline() -> None:
    inbox = _Inbox()
    with socket.socket() as probe:  # a free port: aiosmtpd checks its server by connecting
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        smtp = SmtpSink(host="127.0.0.1", port=port, security="none", sender="pouls@acme.test")
        sink = EmailNotices("team", smtp, to=["crise@acme.test"], backoff=0.01)
        delivery = await sink.send(NOTICE)
    finally:
        controller.stop()
    assert delivery.status == "sent"
    msg = email.message_from_bytes(inbox.messages[0], policy=policy.default)
    assert msg["Subject"].startswith("[pouls] Volume en hausse")
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "intoxication" in text and "http://pouls.test/alerts/7" in text
    images = [p for p in msg.walk() if p.get_content_type() == "image/png"]
    assert len(images) == 1 and images[0].get_content().startswith(b"\x89PNG")
    assert f"cid:{images[0]['Content-ID'][1:-1]}" in html


async def test_telegram_and_slack_get_their_own_formats() -> None:
    api = Loopback()
    api.routes["POST /botT0KEN/sendMessage"] = lambda r: json_reply(
        {"ok": True, "result": {"message_id": 42}}
    )
    api.routes["POST /slack"] = lambda r: Reply(200, b"ok")
    api.start()
    tg = await TelegramSink("tg", token="T0KEN", chat_id="-100", api_base_url=api.url).send(NOTICE)
    sl = await SlackSink("sl", api.url + "/slack").send(NOTICE)
    api.stop()
    assert tg.status == "sent" and sl.status == "sent"
    sent = api.received("POST", "/botT0KEN/sendMessage")[0].json()
    assert sent["parse_mode"] == "HTML" and sent["text"].startswith("<b>Volume en hausse")
    slack = api.received("POST", "/slack")[0].json()
    assert (
        slack["text"].startswith("*Volume en hausse")
        and "<http://pouls.test/alerts/7?ws=acme|Ouvrir" in slack["text"]
    )


async def test_mqtt_publishes_the_alert_to_mosquitto() -> None:
    prefix = f"pouls-test/{uuid.uuid4().hex[:12]}"
    sink = MqttNotices("home", MqttSink(), topic=prefix + "/{workspace}/{rule}", backoff=0.01)
    async with aiomqtt.Client("127.0.0.1") as client:
        await client.subscribe(f"{prefix}/#", qos=1)
        delivery = await sink.send(NOTICE)
        message = await asyncio.wait_for(anext(aiter(client.messages)), 10)
    assert delivery.status == "sent"
    assert str(message.topic) == f"{prefix}/acme/buzz"
    assert json.loads(message.payload)["change"] == "opened"  # type: ignore[arg-type]
