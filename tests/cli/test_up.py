"""`pouls up` says it is up only once a click on its address gets an answer."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import uvicorn

from pouls.cli import serve


async def _app(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 204, "headers": []})
    await send({"type": "http.response.body", "body": b""})


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_address_is_announced_once_the_socket_listens() -> None:
    port = _free_port()
    said: list[bool] = []

    def announce() -> None:
        with socket.create_connection(("127.0.0.1", port), timeout=1):  # refused if too soon
            said.append(True)

    async def main() -> None:
        server = uvicorn.Server(
            uvicorn.Config(_app, host="127.0.0.1", port=port, lifespan="off", log_level="error")
        )
        web = asyncio.create_task(server.serve())
        await asyncio.wait_for(serve.when_listening(server, web, announce), 10)
        server.should_exit = True
        await web

    asyncio.run(main())
    assert said == [True]


def test_nothing_is_announced_when_the_server_stops_before_listening() -> None:
    said: list[str] = []

    async def main() -> None:
        server = uvicorn.Server(uvicorn.Config(_app))
        web = asyncio.create_task(asyncio.sleep(0))
        await asyncio.wait_for(serve.when_listening(server, web, lambda: said.append("up")), 5)

    asyncio.run(main())
    assert said == []


def test_models_are_loading_is_said_before_the_address(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    web = SimpleNamespace(host="127.0.0.1", port=8000)
    monkeypatch.setattr(
        serve.context, "settings", lambda: SimpleNamespace(file=SimpleNamespace(web=web))
    )
    users = SimpleNamespace(get=lambda login: None, count=lambda: 0)
    monkeypatch.setattr(serve.context, "store", lambda: SimpleNamespace(users=users))
    monkeypatch.setattr(serve.context, "home", lambda: tmp_path)

    async def fake_serve(*args: Any) -> None:
        announce: Callable[[], None] = args[-1]
        print("warming and binding")
        announce()

    monkeypatch.setattr(serve, "_serve", fake_serve)
    serve.up(host=None, port=None, no_sources=True)
    said = capsys.readouterr().out
    loading, working = said.index("Loading the models"), said.index("warming and binding")
    assert loading < working < said.index("is up on") < said.index("No account can sign in")
