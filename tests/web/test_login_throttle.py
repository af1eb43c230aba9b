"""Wrong passwords slow the guesser down, never the account's owner elsewhere (issue 11, item 5)."""

from __future__ import annotations

import html
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from pouls.access import normalize_login
from pouls.access.passwords import hash_password
from pouls.config import load
from pouls.store.sqlite import SQLiteStore
from pouls.web import auth
from pouls.web.app import create_app
from pouls.web.throttle import ADDRESS_FREE_TRIES, PAIR_FREE_TRIES, Throttle, pause
from tests.web.conftest import LOGIN, PASSWORD


class Clock:
    """Time that moves only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(home: Path, filled: SQLiteStore, account: int, clock: Clock) -> FastAPI:
    app = create_app(load(home, environ={}), filled)
    app.state.throttle = Throttle(clock=clock)
    return app


def _client(app: FastAPI, address: str) -> TestClient:
    return TestClient(app, follow_redirects=False, client=(address, 50000))


@pytest.fixture
def attacker(app: FastAPI) -> Iterator[TestClient]:
    with _client(app, "203.0.113.66") as c:
        yield c


@pytest.fixture
def owner(app: FastAPI) -> Iterator[TestClient]:
    with _client(app, "198.51.100.7") as c:
        yield c


def _try(client: TestClient, login: str, password: str) -> int:
    return client.post("/login", data={"login": login, "password": password}).status_code


def test_a_login_is_one_account_however_it_is_typed(filled: SQLiteStore, account: int) -> None:
    for typed in (LOGIN + " ", " " + LOGIN.upper(), f"\t{LOGIN}\n", LOGIN.replace("a", "\uff41")):
        user = filled.users.get(typed)
        assert user is not None and user.id == account
    assert normalize_login(" Zoé@EXAMPLE.fr ") == "zoé@example.fr"
    new = filled.users.add("  Bob@Acme.FR ", hash_password("x" * 12))
    assert filled.users.by_id(new).login == "bob@acme.fr"  # type: ignore[union-attr]


def test_a_trailing_space_does_not_escape_the_throttle(attacker: TestClient) -> None:
    """The bypass of the report: guesses at `"login "` were counted apart from `"login"`."""
    spellings = [LOGIN + " ", LOGIN + "  ", " " + LOGIN, LOGIN.upper(), LOGIN + "\t"]
    for typed in spellings[:PAIR_FREE_TRIES]:
        assert _try(attacker, typed, "wrong guess") == 401
    for typed in spellings:
        assert _try(attacker, typed, PASSWORD) == 429
    assert auth.COOKIE not in attacker.cookies


def test_guesses_from_another_address_do_not_lock_the_owner_out(
    attacker: TestClient, owner: TestClient
) -> None:
    for _ in range(PAIR_FREE_TRIES + 5):
        _try(attacker, LOGIN, "wrong guess")
    assert _try(attacker, LOGIN, PASSWORD) == 429
    response = owner.post("/login", data={"login": LOGIN, "password": PASSWORD})
    assert response.status_code == 303 and auth.COOKIE in response.cookies


def test_pauses_grow_with_each_failure_and_end(attacker: TestClient, clock: Clock) -> None:
    for _ in range(PAIR_FREE_TRIES):
        assert _try(attacker, LOGIN, "wrong guess") == 401
    waits = []
    for _ in range(4):
        paused = attacker.post("/login", data={"login": LOGIN, "password": "wrong guess"})
        assert paused.status_code == 429
        waits.append(int(paused.headers["retry-after"]))
        assert f"{waits[-1]} s" in html.unescape(paused.text)
        clock.now += waits[-1]  # waiting the time said lets the next try through
        assert _try(attacker, LOGIN, "wrong guess") == 401
    assert waits == [1, 2, 4, 8]
    clock.now += 16
    assert _try(attacker, LOGIN, PASSWORD) == 303


def test_a_right_password_during_a_pause_waits_too(attacker: TestClient, clock: Clock) -> None:
    for _ in range(PAIR_FREE_TRIES + 1):
        clock.now += 10
        _try(attacker, LOGIN, "wrong guess")
    clock.now += pause(PAIR_FREE_TRIES + 1, PAIR_FREE_TRIES) - 0.5
    assert _try(attacker, LOGIN, PASSWORD) == 429
    clock.now += 0.5
    assert _try(attacker, LOGIN, PASSWORD) == 303


def test_one_address_trying_many_logins_is_paused(attacker: TestClient, owner: TestClient) -> None:
    for n in range(ADDRESS_FREE_TRIES):
        assert _try(attacker, f"user{n}@acme.fr", "wrong guess") == 401
    assert _try(attacker, "someone-else@acme.fr", "wrong guess") == 429
    assert _try(owner, LOGIN, PASSWORD) == 303


def test_failures_are_forgotten_after_the_window(attacker: TestClient, clock: Clock) -> None:
    for _ in range(PAIR_FREE_TRIES + 2):
        _try(attacker, LOGIN, "wrong guess")
    clock.now += 15 * 60 + 1
    assert _try(attacker, LOGIN, PASSWORD) == 303


def test_a_failed_sign_in_is_logged_without_its_password(
    attacker: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    secret_guess = "hunter2-guess-never-logged"
    with caplog.at_level(logging.WARNING, logger="pouls.web.auth"):
        _try(attacker, LOGIN.upper() + " ", secret_guess)
        _try(attacker, "not-an-account " + secret_guess, secret_guess)
    lines = [r.getMessage() for r in caplog.records if r.name == "pouls.web.auth"]
    assert len(lines) == 2
    assert LOGIN in lines[0] and "203.0.113.66" in lines[0]
    assert "unknown login sha256:" in lines[1] and "203.0.113.66" in lines[1]
    assert all(secret_guess not in line for line in lines)


def test_every_paused_sign_in_says_when_to_retry(attacker: TestClient, clock: Clock) -> None:
    """The form as a browser posts it (French, Origin, HTML wanted) or a bare post: every 429
    carries Retry-After, and the page says the same number of seconds."""
    browser = {
        "origin": "http://testserver",
        "accept": "text/html,application/xhtml+xml,*/*;q=0.8",
        "accept-language": "fr-FR,fr;q=0.9",
    }
    for _ in range(PAIR_FREE_TRIES):
        assert _try(attacker, LOGIN, "wrong guess") == 401
    for headers in (browser, {}, {"accept": "application/json"}):
        form = {"login": LOGIN, "password": PASSWORD, "next": "/alerts"}
        paused = attacker.post("/login", data=form, headers=headers)
        assert paused.status_code == 429
        seconds = paused.headers["retry-after"]
        assert seconds.isdigit() and int(seconds) >= 1
        assert f"{seconds} s" in html.unescape(paused.text)
        if headers is browser:
            assert f"réessayez dans {seconds}" in html.unescape(paused.text)
