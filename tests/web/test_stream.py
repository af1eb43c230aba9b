"""Live updates over a real HTTP connection: a uvicorn server in a thread, read with httpx."""

from __future__ import annotations

import asyncio

import httpx

from pouls.web.live import Live
from tests.conftest import make_signal
from tests.web.conftest import TOKEN


def test_stream_sends_new_signals_of_the_selection_as_cards(
    server: tuple[str, Live, asyncio.AbstractEventLoop],
) -> None:
    base, live, loop = server
    events: list[tuple[str, str]] = []
    with (
        httpx.Client(timeout=10, headers={"Authorization": f"Bearer {TOKEN}"}) as client,
        client.stream("GET", f"{base}/stream", params={"channel": "telegram"}) as r,
    ):
        assert r.headers["content-type"].startswith("text/event-stream")
        event, data = None, []
        for line in r.iter_lines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:"):
                data.append(line[5:])
            elif not line and event:  # a blank line dispatches the event
                events.append((event, "\n".join(data)))
                if event == "ready":
                    batch = [
                        make_signal(500, "pas pour ce filtre", channel="mastodon"),
                        make_signal(501, "Nouveau message Telegram ✨", channel="telegram"),
                        make_signal(502, "autre espace", channel="telegram", workspace="globex"),
                    ]
                    loop.call_soon_threadsafe(live.publish, batch)
                elif event == "signal":
                    break
                event, data = None, []
    kinds = [e for e, _ in events]
    assert kinds == ["ready", "signal"]
    card = events[1][1]
    assert "Nouveau message Telegram" in card and f"s-{make_signal(501).id}" in card
    assert 'name="ids"' in card  # Ana may correct it with the wall's bulk form
