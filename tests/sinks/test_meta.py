"""Graph API replies sent to a loopback server that records the exact requests."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from pouls.signals import utcnow
from pouls.sinks.meta import GraphSink, OutsideWindow, RetryLater, SendError
from pouls.sinks.reply import Reply
from pouls.sources.meta import parse

PAYLOADS = Path(__file__).parent.parent / "payloads" / "meta"
TOKEN = "EAAG-graph-token-for-tests"


class Graph:
    """A loopback Graph API: records requests, answers from a queue (200 by default)."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.answers: list[tuple[int, dict, dict]] = []
        graph = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                url = urlsplit(self.path)
                graph.requests.append(
                    {
                        "path": url.path,
                        "query": parse_qs(url.query),
                        "headers": dict(self.headers),
                        "body": json.loads(self.rfile.read(length) or b"null"),
                    }
                )
                status, headers, body = (
                    graph.answers.pop(0) if graph.answers else (200, {}, graph.default(url.path))
                )
                data = json.dumps(body).encode()
                self.send_response(status)
                for k, v in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v23.0"

    @staticmethod
    def default(path: str) -> dict:
        if path.endswith("/replies"):
            return {"id": "17900000000000001"}
        if path.endswith("/me/messages"):
            return {"recipient_id": "6543210987654321", "message_id": "m_sent"}
        return {
            "messaging_product": "whatsapp",
            "contacts": [{"input": "33698765432", "wa_id": "33698765432"}],
            "messages": [{"id": "wamid.SENT"}],
        }


@pytest.fixture
def graph() -> Iterator[Graph]:
    g = Graph()
    thread = threading.Thread(target=g.server.serve_forever, daemon=True)
    thread.start()
    yield g
    g.server.shutdown()
    g.server.server_close()


def signal_from(name: str, index: int = 0):
    delivery = parse(
        (PAYLOADS / name).read_bytes(), workspace="acme", source="meta", observed_at=utcnow()
    )
    return delivery.batch.signals[index]


async def test_whatsapp_reply_is_the_documented_request(graph: Graph) -> None:
    signal = signal_from("whatsapp_text.json")
    sink = GraphSink(access_token=TOKEN, graph_url=graph.url)
    now = signal.created_at + timedelta(hours=2)
    assert await sink.reply(signal, "Nous regardons tout de suite.", now=now) == "wamid.SENT"
    [request] = graph.requests
    assert request["path"] == "/v23.0/106540352242922/messages"
    assert request["headers"]["Authorization"] == f"Bearer {TOKEN}"
    assert request["body"] == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "33698765432",
        "type": "text",
        "text": {"preview_url": False, "body": "Nous regardons tout de suite."},
        "context": {"message_id": signal.native_id},
    }


async def test_whatsapp_reply_outside_the_24_hour_window_is_refused(graph: Graph) -> None:
    signal = signal_from("whatsapp_text.json")
    sink = GraphSink(access_token=TOKEN, graph_url=graph.url)
    late = signal.created_at + timedelta(hours=24, minutes=1)
    with pytest.raises(OutsideWindow, match="template message"):
        await sink.reply(signal, "Trop tard ?", now=late)
    # A newer message from the customer reopens the window.
    await sink.reply(signal, "Merci !", now=late, last_customer_message=late - timedelta(hours=1))
    assert len(graph.requests) == 1


async def test_messenger_and_instagram_replies(graph: Graph) -> None:
    sink = GraphSink(access_token=TOKEN, graph_url=graph.url)
    await sink.reply(signal_from("messenger_message.json"), "Yes, 10am to 6pm.")
    await sink.reply(signal_from("instagram_message.json"), "Oui, en 3 jours.")
    await sink.reply(signal_from("instagram_comment.json"), "Oui, en vert sauge !")
    messenger, ig_message, ig_comment = graph.requests
    assert messenger["path"] == "/v23.0/me/messages"
    assert messenger["body"] == {
        "recipient": {"id": "6543210987654321"},
        "messaging_type": "RESPONSE",
        "message": {"text": "Yes, 10am to 6pm."},
    }
    assert ig_message["body"]["recipient"] == {"id": "1234567890123456"}
    assert ig_comment["path"] == "/v23.0/17865799348089039/replies"
    assert ig_comment["query"] == {"message": ["Oui, en vert sauge !"]}


async def test_rate_limit_raises_retry_later_with_metas_estimate(graph: Graph) -> None:
    usage = {
        "102290129340398": [
            {
                "type": "whatsapp",
                "call_count": 100,
                "total_cputime": 20,
                "total_time": 30,
                "estimated_time_to_regain_access": 5,
            }
        ]
    }
    graph.answers.append(
        (
            429,
            {"X-Business-Use-Case-Usage": json.dumps(usage)},
            {"error": {"message": "Too many calls", "type": "OAuthException", "code": 80007}},
        )
    )
    sink = GraphSink(access_token=TOKEN, graph_url=graph.url)
    signal = signal_from("whatsapp_text.json")
    with pytest.raises(RetryLater) as caught:
        await sink.reply(signal, "x", now=signal.created_at)
    assert caught.value.seconds == 300
    assert TOKEN not in str(caught.value)


async def test_graph_error_and_server_failures_never_show_the_token(graph: Graph) -> None:
    graph.answers += [
        (500, {}, {}),
        (400, {}, {"error": {"message": "(#100) Invalid parameter", "code": 100}}),
    ]
    sink = GraphSink(access_token=TOKEN, graph_url=graph.url, backoff=0.01)
    with pytest.raises(SendError) as caught:
        await sink.reply(signal_from("messenger_message.json"), "x")
    assert "Invalid parameter" in str(caught.value)
    assert TOKEN not in str(caught.value)
    assert len(graph.requests) == 2  # the 500 was retried


async def test_unreachable_graph_is_a_send_error(graph: Graph) -> None:
    sink = GraphSink(access_token=TOKEN, graph_url="http://127.0.0.1:1", attempts=2, backoff=0.01)
    with pytest.raises(SendError, match="unreachable"):
        await sink.reply(signal_from("messenger_message.json"), "x", now=datetime.now(UTC))


async def test_send_reports_each_outcome_as_a_delivery(graph: Graph) -> None:
    sink = GraphSink(access_token=TOKEN, graph_url=graph.url)
    sent = await sink.send(Reply(signal=signal_from("messenger_message.json"), text="Oui"))
    assert (sent.status, sent.id) == ("sent", "m_sent")
    old = signal_from("whatsapp_text.json")  # from 2026-10-02: outside the window by now
    refused = await sink.send(Reply(signal=old, text="Bonjour"))
    assert refused.status == "failed" and refused.error and "template" in refused.error
