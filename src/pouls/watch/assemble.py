"""Builds the live watcher from settings: rules (file and store), sinks, warm start.

`pouls up` calls `start(settings, store)`, adds `watcher.listener` to the pipeline's listeners
and runs `watcher.run()` beside it; `await watcher.close()` at shutdown.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from pouls import config
from pouls.config import Settings
from pouls.sinks import Sink
from pouls.sinks.notice import OnAttempt
from pouls.store.sqlite import SQLiteStore
from pouls.store.watch import WatchStore
from pouls.watch.delivery import recorder
from pouls.watch.escalation import CrisisWatch
from pouls.watch.ruleset import rules_of, sync_rules
from pouls.watch.watcher import RELOAD_EVERY, Reload, Watcher


def sinks_from(settings: Settings, on_attempt: OnAttempt | None = None) -> dict[str, Sink]:
    """The configured `[[sinks]]` as notice sinks, by name."""
    from pouls.sinks.alert_email import EmailNotices
    from pouls.sinks.alert_mqtt import MqttNotices
    from pouls.sinks.email import SmtpSink
    from pouls.sinks.mqtt import MqttSink
    from pouls.sinks.slack import SlackSink
    from pouls.sinks.telegram import TelegramSink
    from pouls.sinks.webhook import WebhookSink

    a = settings.file.alerts
    out: dict[str, Sink] = {}
    for s in settings.file.sinks:
        if isinstance(s, config.WebhookSink):
            secret = config.read_secret(s.secret, s.secret_env)
            out[s.name] = WebhookSink(
                s.name,
                s.url,
                secret=secret,
                attempts=a.attempts,
                backoff=a.backoff,
                on_attempt=on_attempt,
            )
        elif isinstance(s, config.EmailSink):
            smtp = SmtpSink(
                host=s.host,
                sender=s.sender,
                port=s.port,
                security=s.security,
                username=s.username,
                password=config.read_secret(s.password, s.password_env),
                attempts=1,
            )
            out[s.name] = EmailNotices(
                s.name, smtp, to=s.to, attempts=a.attempts, backoff=a.backoff, on_attempt=on_attempt
            )
        elif isinstance(s, config.TelegramSink):
            token = config.read_secret(s.token, s.token_env) or ""
            out[s.name] = TelegramSink(
                s.name,
                token=token,
                chat_id=s.chat_id,
                api_base_url=s.api_base_url,
                attempts=a.attempts,
                backoff=a.backoff,
                on_attempt=on_attempt,
            )
        elif isinstance(s, config.SlackSink):
            url = config.read_secret(s.url, s.url_env) or ""
            out[s.name] = SlackSink(
                s.name, url, attempts=a.attempts, backoff=a.backoff, on_attempt=on_attempt
            )
        elif isinstance(s, config.MqttSink):
            broker = MqttSink(
                host=s.host,
                port=s.port,
                username=s.username,
                password=config.read_secret(s.password, s.password_env),
                tls=s.tls,
            )
            out[s.name] = MqttNotices(
                s.name,
                broker,
                topic=s.topic,
                attempts=a.attempts,
                backoff=a.backoff,
                on_attempt=on_attempt,
            )
    return out


def start(
    settings: Settings,
    store: SQLiteStore,
    *,
    clock: Callable[[], datetime] | None = None,
    prime: bool = True,
    reload_every: float = RELOAD_EVERY,
) -> Watcher:
    """A watcher for every rule and for crises, its sinks wired to record each attempt, warmed
    up on history. The rules of pouls.toml are seeded into the store first; rules saved or
    deleted later (web app, API, CLI) are taken up while it runs."""
    book = WatchStore(store)
    sync_rules(settings, book)
    kwargs = {"clock": clock} if clock is not None else {}
    a = settings.file.alerts
    crisis = CrisisWatch(
        store,
        workspaces=[w.id for w in settings.workspaces],
        sinks=a.crisis_sinks,
        lang=a.lang,
        base_url=a.base_url,
        quiet=timedelta(hours=a.crisis_quiet),
        timezones={w.id: w.timezone for w in settings.workspaces},
        **kwargs,  # type: ignore[arg-type]
    )
    watcher = Watcher(
        rules_of(settings, book),
        store,
        sinks=sinks_from(settings, recorder(book)),
        alerts=a,
        crisis=crisis,
        workspaces=[w.id for w in settings.workspaces],
        timezones={w.id: w.timezone for w in settings.workspaces},
        reload=Reload(book.rules_version, lambda: rules_of(settings, book), reload_every),
        **kwargs,  # type: ignore[arg-type]
    )
    if prime:
        watcher.prime()
    return watcher
