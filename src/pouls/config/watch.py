"""Settings of alert rules, the sinks alerts are delivered to, and the alert defaults."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from pouls.config.fields import Name, doc

RuleKind = Literal["spike", "threshold", "match", "toxicity", "scam", "campaign", "new_terms"]
Metric = Literal["volume", "negative", "toxic", "scam", "reach", "authors"]
# Words of the rules pages' addresses (/rules/new, /rules/preview): a rule of that name would
# hide its replay page behind them, so no rule may take one (tests/web/test_rule_names.py
# fails when a page's address gains a word that is not listed here).
RESERVED_RULE_NAMES = frozenset({"new", "preview"})


class Rule(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """An alert rule: a condition on a topic or query, and the sinks its alerts go to."""

    name: Annotated[Name, doc("Rule id, unique within the workspace.")]
    workspace: Annotated[str, doc("Workspace id the rule watches.")]
    kind: Annotated[
        RuleKind,
        doc(
            "spike: the metric jumps above its seasonal baseline; threshold: the metric over"
            " `window` reaches `threshold`; match: every new signal matching the query alerts at"
            " once (a VIP, a journalist); toxicity and scam: a wave of toxic or scam signals;"
            " campaign: a new near-duplicate cluster grows fast (copy-paste); new_terms: words"
            " rare over the 7 days before appear in many signals."
        ),
    ] = "spike"
    topic: Annotated[
        str | None, doc("Topic name to watch; unset with no `query` watches the workspace.")
    ] = None
    query: Annotated[str | None, doc("Query in the query language, when no `topic` is named.")] = (
        None
    )
    metric: Annotated[
        Metric,
        doc(
            "What is measured: volume, negative (share of negative sentiment), toxic (share),"
            " scam (share), reach (sum of audiences) or authors (distinct authors)."
        ),
    ] = "volume"
    threshold: Annotated[
        float | None,
        doc(
            "For threshold rules: the value that alerts; a share for negative, toxic and scam (0.3 = 30 %)."
        ),
    ] = None
    window: Annotated[
        int,
        msgspec.Meta(
            ge=1,
            description="Minutes summed by a threshold rule, or counted by campaign and new_terms.",
        ),
    ] = 60
    bucket: Annotated[
        int,
        msgspec.Meta(
            ge=1, le=1440, description="Minutes per step of the detector (spike, toxicity, scam)."
        ),
    ] = 60
    sensitivity: Annotated[
        float,
        msgspec.Meta(
            gt=0, lt=1, description="Between 0 and 1: higher finds more, and smaller, events."
        ),
    ] = 0.5
    min_volume: Annotated[
        int,
        msgspec.Meta(ge=0, description="Fewer signals than this in a step never alert on a share."),
    ] = 5
    min_signals: Annotated[
        int,
        msgspec.Meta(
            ge=2,
            description="campaign: copies within `window` that alert; new_terms: signals within"
            " `window` carrying the new word. The sensitivity scales it (0.5 keeps it, 0.75 halves it).",
        ),
    ] = 10
    min_authors: Annotated[
        int,
        msgspec.Meta(
            ge=1,
            description="campaign and new_terms: distinct authors among those signals (scaled too).",
        ),
    ] = 5
    cooldown: Annotated[
        int,
        msgspec.Meta(
            ge=1,
            description="Minutes without alert-worthy steps (for a campaign: without a new copy)"
            " before an alert is closed.",
        ),
    ] = 360
    quiet_hours: Annotated[
        Annotated[str, msgspec.Meta(pattern=r"^\d{2}:\d{2}-\d{2}:\d{2}$")] | None,
        doc("Local hours (e.g. 22:00-07:00) when deliveries wait; alerts are still recorded."),
    ] = None
    timezone: Annotated[str, doc("Time zone of `quiet_hours`, e.g. Europe/Paris.")] = "Europe/Paris"
    sinks: Annotated[list[str], doc("Names of the `[[sinks]]` its alerts are delivered to.")] = (
        msgspec.field(default_factory=list)
    )
    lang: Annotated[
        Literal["fr", "en"] | None, doc("Language of its messages; default from [alerts].")
    ] = None
    include_own: Annotated[
        bool,
        doc(
            "Count the signals of the workspace's own accounts (`own_accounts`) too; by default"
            " the brand's posts and answers are left out of what a rule measures and shows."
        ),
    ] = False


class WebhookSink(
    msgspec.Struct, tag="webhook", tag_field="type", forbid_unknown_fields=True, kw_only=True
):
    """POSTs each alert as JSON, signed `X-Pouls-Signature: sha256=<HMAC-SHA256 of the body>`."""

    name: Annotated[Name, doc("Sink id that rules name.")]
    url: Annotated[str, doc("URL receiving the POST.")]
    secret: Annotated[str | None, doc("HMAC key; prefer `secret_env`.")] = None
    secret_env: Annotated[str | None, doc("Environment variable holding the HMAC key.")] = None
    workspace: Annotated[str | None, doc("Only this workspace may use the sink; unset: any.")] = (
        None
    )


class EmailSink(
    msgspec.Struct, tag="email", tag_field="type", forbid_unknown_fields=True, kw_only=True
):
    """Sends alerts and digests by SMTP: HTML and text, with the chart inline."""

    name: Annotated[Name, doc("Sink id that rules name.")]
    host: Annotated[str, doc("SMTP server.")]
    port: Annotated[int | None, doc("SMTP port; default from `security` (465, 587 or 25).")] = None
    security: Annotated[Literal["ssl", "starttls", "none"], doc("ssl, starttls or none.")] = (
        "starttls"
    )
    username: Annotated[str | None, doc("SMTP login.")] = None
    password: Annotated[str | None, doc("SMTP password; prefer `password_env`.")] = None
    password_env: Annotated[str | None, doc("Environment variable holding the password.")] = None
    sender: Annotated[str, doc("From address.")]
    to: Annotated[list[str], doc("Recipient addresses.")]
    workspace: Annotated[str | None, doc("Only this workspace may use the sink; unset: any.")] = (
        None
    )


class TelegramSink(
    msgspec.Struct, tag="telegram", tag_field="type", forbid_unknown_fields=True, kw_only=True
):
    """Posts alerts to a Telegram chat through a bot (`sendMessage`)."""

    name: Annotated[Name, doc("Sink id that rules name.")]
    chat_id: Annotated[str, doc("Chat, group or channel id (or @channelname).")]
    token: Annotated[str | None, doc("Bot token; prefer `token_env`.")] = None
    token_env: Annotated[str | None, doc("Environment variable holding the bot token.")] = None
    api_base_url: Annotated[str, doc("Bot API base URL.")] = "https://api.telegram.org"
    workspace: Annotated[str | None, doc("Only this workspace may use the sink; unset: any.")] = (
        None
    )


class SlackSink(
    msgspec.Struct, tag="slack", tag_field="type", forbid_unknown_fields=True, kw_only=True
):
    """Posts alerts to a Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat)."""

    name: Annotated[Name, doc("Sink id that rules name.")]
    url: Annotated[str | None, doc("Incoming webhook URL; prefer `url_env`.")] = None
    url_env: Annotated[str | None, doc("Environment variable holding the webhook URL.")] = None
    workspace: Annotated[str | None, doc("Only this workspace may use the sink; unset: any.")] = (
        None
    )


class MqttSink(
    msgspec.Struct, tag="mqtt", tag_field="type", forbid_unknown_fields=True, kw_only=True
):
    """Publishes alerts as JSON to an MQTT broker (QoS 1)."""

    name: Annotated[Name, doc("Sink id that rules name.")]
    host: Annotated[str, doc("Broker host.")] = "127.0.0.1"
    port: Annotated[int, msgspec.Meta(ge=1, le=65535, description="Broker port.")] = 1883
    username: Annotated[str | None, doc("Broker login.")] = None
    password: Annotated[str | None, doc("Broker password; prefer `password_env`.")] = None
    password_env: Annotated[str | None, doc("Environment variable holding the password.")] = None
    tls: Annotated[bool, doc("Connect with TLS.")] = False
    topic: Annotated[str, doc("Topic published to; {workspace} and {rule} are replaced.")] = (
        "pouls/{workspace}/alerts/{rule}"
    )
    workspace: Annotated[str | None, doc("Only this workspace may use the sink; unset: any.")] = (
        None
    )


SinkSettings = WebhookSink | EmailSink | TelegramSink | SlackSink | MqttSink


class Alerts(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """How alerts are delivered, and the digest."""

    base_url: Annotated[str, doc("Address of the web app, for links in alerts.")] = (
        "http://127.0.0.1:8000"
    )
    lang: Annotated[Literal["fr", "en"], doc("Language of alerts and digests: fr or en.")] = "fr"
    attempts: Annotated[
        int, msgspec.Meta(ge=1, le=20, description="Delivery attempts before a failure is final.")
    ] = 5
    backoff: Annotated[
        float,
        msgspec.Meta(ge=0, description="Seconds before the first retry; doubled at each retry."),
    ] = 2.0
    crisis_sinks: Annotated[
        list[str], doc("Sinks told when a story escalates from private to public to press.")
    ] = msgspec.field(default_factory=list)
    crisis_quiet: Annotated[
        int,
        msgspec.Meta(
            ge=1, description="Hours without a new signal in its story before an escalation closes."
        ),
    ] = 24
    digest: Annotated[
        Literal["off", "day", "week"], doc("Send each workspace a digest every day or week.")
    ] = "off"
    digest_sinks: Annotated[list[str], doc("E-mail sinks the digest goes to.")] = msgspec.field(
        default_factory=list
    )
    digest_hour: Annotated[
        int, msgspec.Meta(ge=0, le=23, description="Local hour the digest is sent.")
    ] = 8
    timezone: Annotated[str, doc("Time zone of `digest_hour`.")] = "Europe/Paris"
