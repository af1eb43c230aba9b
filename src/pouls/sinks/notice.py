"""`Notice`: what a team is told (an alert change, a crisis escalation, a digest), and the retry
loop the notice sinks share, which reports every attempt so the store can record it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Literal

import msgspec

from pouls.sinks import Delivery
from pouls.sinks.reply import Refused, Transient, deliver
from pouls.sources.retry import Backoff

__all__ = ["Attempt", "Notice", "Refused", "Transient", "send_with_retries"]


class Notice(msgspec.Struct, frozen=True, kw_only=True):
    """A message ready to go: every sink picks the form it needs (text, HTML, JSON)."""

    kind: Literal["alert", "escalation", "digest", "report"]
    workspace: str
    subject: str  # one line
    text: str  # plain text body
    html: str | None = None  # e-mail body; images referenced as cid:<name>
    data: dict[str, Any] = msgspec.field(default_factory=dict)  # JSON payload (webhook, MQTT)
    images: dict[str, bytes] = msgspec.field(default_factory=dict)  # name -> PNG
    # file name -> bytes, attached as files (a report's PDF); sinks that carry no files skip them
    attachments: dict[str, bytes] = msgspec.field(default_factory=dict)
    lang: str = "fr"
    rule: str | None = None
    alert_id: int | None = None
    change: str | None = None  # opened, updated, closed
    link: str | None = None


class Attempt(msgspec.Struct, frozen=True, kw_only=True):
    """One delivery attempt, for the record: nothing is sent or lost without a trace."""

    sink: str
    notice: Notice
    number: int
    ok: bool
    final: bool
    detail: str | None


OnAttempt = Callable[[Attempt], None]


async def send_with_retries(
    sink: str,
    notice: Notice,
    attempt: Callable[[], Awaitable[str]],
    *,
    attempts: int,
    backoff: float,
    on_attempt: OnAttempt | None = None,
    secrets: tuple[str | None, ...] = (),
) -> Delivery:
    """Run `attempt` with back-off (`pouls.sinks.reply.deliver`), reporting each try."""
    count = 0

    def report(ok: bool, final: bool, detail: str | None) -> None:
        for secret in secrets:
            if secret and detail:
                detail = detail.replace(secret, "***")
        if on_attempt is not None:
            on_attempt(
                Attempt(sink=sink, notice=notice, number=count, ok=ok, final=final, detail=detail)
            )

    async def once() -> str:
        nonlocal count
        count += 1
        try:
            sent = await attempt()
        except Refused as exc:
            report(False, True, str(exc))
            raise
        except Exception as exc:
            report(False, count >= attempts, f"{type(exc).__name__}: {exc}")
            if isinstance(exc, Transient | Refused):
                raise
            raise Transient(f"{type(exc).__name__}: {exc}") from exc
        report(True, True, sent)
        return sent

    return await deliver(
        once, attempts=attempts, backoff=Backoff(backoff, backoff * 64), secrets=secrets
    )
