"""Settings resolved once: defaults, then `pouls.toml`, then `POULS_*` variables, then CLI flags.

Every setting is declared here with its help text (`msgspec.Meta(description=...)`); a test fails
if one is undocumented. An invalid file gets an error naming the key, its line and what is expected.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec

from pouls.query import QueryError
from pouls.query import parse as parse_query
from pouls.signals import Channel, Kind, Visibility

CONFIG_NAME = "pouls.toml"


def _doc(text: str) -> msgspec.Meta:
    return msgspec.Meta(description=text)


Name = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$",
        description="An id: lowercase letters, digits, - and _.",
    ),
]


class Workspace(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """One client or one person: every signal belongs to exactly one workspace."""

    id: Annotated[Name, _doc("Short id used in URLs, the CLI and every stored row.")]
    name: Annotated[str, _doc("Display name shown in the web app.")] = ""
    enrichers: Annotated[
        list[Literal["language", "sentiment", "toxicity", "scam", "entities", "duplicates"]] | None,
        _doc("Enrichments to run on this workspace's signals, by name; unset means all available."),
    ] = None
    identities: Annotated[
        Literal["pseudonymous", "named"],
        _doc(
            "pseudonymous replaces authors by a keyed hash and drops handles and names; named keeps them."
        ),
    ] = "pseudonymous"
    gazetteer: Annotated[
        dict[str, list[str]],
        _doc(
            "Names always recognised as entities, by type: {brand = [...], product = [...], place = [...]}."
        ),
    ] = msgspec.field(default_factory=dict)


class ImportSource(
    msgspec.Struct, tag="import", tag_field="type", forbid_unknown_fields=True, kw_only=True
):
    """A JSONL or CSV file read once from start to end, resumable at the line it stopped."""

    name: Annotated[Name, _doc("Source id, unique within the workspace.")]
    workspace: Annotated[str, _doc("Workspace id the signals belong to.")]
    path: Annotated[str, _doc("File to read; relative paths are resolved from the pouls home.")]
    format: Annotated[
        Literal["jsonl", "csv"] | None,
        _doc("jsonl or csv; guessed from the file extension when unset."),
    ] = None
    mapping: Annotated[
        dict[str, str],
        _doc('Signal field = input column or key, e.g. {text = "body", created_at = "date"}.'),
    ] = msgspec.field(default_factory=dict)
    channel: Annotated[Channel, _doc("Channel for rows that do not name one.")] = "import"
    kind: Annotated[Kind, _doc("Kind for rows that do not name one.")] = "post"
    visibility: Annotated[Visibility, _doc("Visibility for rows that do not name one.")] = "public"


class RssSource(
    msgspec.Struct, tag="rss", tag_field="type", forbid_unknown_fields=True, kw_only=True
):
    """An RSS or Atom feed polled with conditional GET."""

    name: Annotated[Name, _doc("Source id, unique within the workspace.")]
    workspace: Annotated[str, _doc("Workspace id the signals belong to.")]
    url: Annotated[str, _doc("Feed URL (http or https).")]
    interval: Annotated[
        float, msgspec.Meta(ge=1, description="Seconds between two polls of this feed.")
    ] = 300.0
    visibility: Annotated[
        Visibility, _doc("press for news sites, public for blogs and forums.")
    ] = "press"
    kind: Annotated[Kind, _doc("Kind given to entries.")] = "article"
    timeout: Annotated[float, msgspec.Meta(gt=0, description="Seconds before a poll gives up.")] = (
        20.0
    )


class ReplaySource(
    msgspec.Struct, tag="replay", tag_field="type", forbid_unknown_fields=True, kw_only=True
):
    """A JSONL stream replayed at N times the pace of its `created_at` times."""

    name: Annotated[Name, _doc("Source id, unique within the workspace.")]
    workspace: Annotated[str, _doc("Workspace id the signals belong to.")]
    path: Annotated[str, _doc("JSONL file of signals, oldest first.")]
    speed: Annotated[
        float, msgspec.Meta(gt=0, description="Pace multiplier: 60 plays an hour in a minute.")
    ] = 1.0
    retime: Annotated[bool, _doc("Shift times so the first signal happens now, as if live.")] = True
    loop: Annotated[bool, _doc("Start again from the top at the end of the file.")] = False


class WebhookSource(
    msgspec.Struct, tag="webhook", tag_field="type", forbid_unknown_fields=True, kw_only=True
):
    """`POST /ingest/{name}`: JSON, a JSON array or JSON lines, signed (HMAC-SHA256) or with a token."""

    name: Annotated[Name, _doc("Source id, unique within the workspace; the URL's {source}.")]
    workspace: Annotated[str, _doc("Workspace id the signals belong to.")]
    auth: Annotated[
        Literal["hmac", "bearer"],
        _doc(
            "hmac: the body's HMAC-SHA256 with the secret in `signature_header`; bearer: `Authorization: Bearer <secret>`."
        ),
    ] = "hmac"
    secret: Annotated[
        str | None,
        _doc("HMAC key or bearer token; prefer `secret_env` to keep it out of the file."),
    ] = None
    secret_env: Annotated[
        str | None, _doc("Name of the environment variable holding the HMAC key or bearer token.")
    ] = None
    signature_header: Annotated[
        str, _doc("Header carrying the hex HMAC-SHA256 of the raw body, `sha256=` prefix optional.")
    ] = "X-Signature-256"
    mapping: Annotated[
        dict[str, str],
        _doc(
            'Signal field = key in the posted object (dotted for nesting), e.g. {text = "message.body"}.'
        ),
    ] = msgspec.field(default_factory=dict)
    channel: Annotated[Channel, _doc("Channel for entries that do not name one.")] = "webhook"
    kind: Annotated[Kind, _doc("Kind for entries that do not name one.")] = "post"
    visibility: Annotated[Visibility, _doc("Visibility for entries that do not name one.")] = (
        "public"
    )
    max_bytes: Annotated[
        int, msgspec.Meta(ge=1, description="Largest body accepted, in bytes (413 above).")
    ] = 10_000_000


class CheckinSource(
    msgspec.Struct, tag="checkin", tag_field="type", forbid_unknown_fields=True, kw_only=True
):
    """Personal check-ins (mood or any measure) from `pouls checkin` and `POST /api/v1/checkins`."""

    name: Annotated[Name, _doc("Source id, unique within the workspace.")]
    workspace: Annotated[str, _doc("Workspace id the check-ins belong to.")]
    token: Annotated[
        str | None,
        _doc("Bearer token the API requires for this source; prefer `token_env`. Unset: no token."),
    ] = None
    token_env: Annotated[
        str | None, _doc("Name of the environment variable holding the API bearer token.")
    ] = None


class MqttTopic(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A topic filter and how its payloads become signals."""

    filter: Annotated[
        str, _doc("MQTT topic filter, wildcards allowed: home/+/temperature, sensors/#.")
    ]
    kind: Annotated[Kind, _doc("reading for measures; post or message for events with text.")] = (
        "reading"
    )
    value: Annotated[
        str | None,
        _doc("Dotted path of the number in a JSON payload; unset: the payload is the number."),
    ] = None
    unit: Annotated[str | None, _doc("Unit of the value, e.g. °C, %, ppm.")] = None
    unit_path: Annotated[
        str | None, _doc("Dotted path of the unit in a JSON payload (wins over `unit`).")
    ] = None
    text: Annotated[
        str | None, _doc("Dotted path of a text in a JSON payload (events); unset: none.")
    ] = None
    time: Annotated[
        str | None,
        _doc(
            "Dotted path of the measure's time (ISO 8601 or seconds since 1970); it also makes the id, so a duplicate is stored once."
        ),
    ] = None


class MqttSource(
    msgspec.Struct, tag="mqtt", tag_field="type", forbid_unknown_fields=True, kw_only=True
):
    """Subscription to an MQTT broker (QoS 1, persistent session) mapping topics to readings."""

    name: Annotated[Name, _doc("Source id, unique within the workspace.")]
    workspace: Annotated[str, _doc("Workspace id the signals belong to.")]
    host: Annotated[str, _doc("Broker host name or address.")] = "127.0.0.1"
    port: Annotated[int, msgspec.Meta(ge=1, le=65535, description="Broker TCP port.")] = 1883
    tls: Annotated[bool, _doc("Connect with TLS (port 8883 usually).")] = False
    username: Annotated[str | None, _doc("Broker user name, if it requires one.")] = None
    password: Annotated[str | None, _doc("Broker password; prefer `password_env`.")] = None
    password_env: Annotated[
        str | None, _doc("Name of the environment variable holding the broker password.")
    ] = None
    client_id: Annotated[
        str | None,
        _doc("MQTT client id of the persistent session; default pouls-<workspace>-<name>."),
    ] = None
    topics: Annotated[list[MqttTopic], _doc("Topic filters to subscribe to and their mapping.")] = (
        msgspec.field(default_factory=list)
    )
    qos: Annotated[
        Literal[0, 1, 2], _doc("Subscription QoS; 1 or 2 keep messages queued while pouls is away.")
    ] = 1
    retained: Annotated[
        Literal["store", "skip"],
        _doc(
            "store: a retained message is stored once (its id ignores when it was received); skip: ignored."
        ),
    ] = "store"
    keepalive: Annotated[
        int,
        msgspec.Meta(ge=5, description="Seconds of silence before the broker link is deemed dead."),
    ] = 30


class EmailSource(
    msgspec.Struct, tag="email", tag_field="type", forbid_unknown_fields=True, kw_only=True
):
    """An IMAP mailbox polled for new messages (UIDVALIDITY + UID cursor)."""

    name: Annotated[Name, _doc("Source id, unique within the workspace.")]
    workspace: Annotated[str, _doc("Workspace id the messages belong to.")]
    host: Annotated[str, _doc("IMAP server host name.")]
    port: Annotated[
        int, msgspec.Meta(ge=0, le=65535, description="IMAP port; 0 means 993 (ssl) or 143.")
    ] = 0
    security: Annotated[
        Literal["ssl", "starttls", "none"],
        _doc("ssl (implicit TLS), starttls, or none (only on a trusted local network)."),
    ] = "ssl"
    username: Annotated[str, _doc("IMAP login.")]
    password: Annotated[str | None, _doc("IMAP password; prefer `password_env`.")] = None
    password_env: Annotated[
        str | None, _doc("Name of the environment variable holding the IMAP password.")
    ] = None
    mailbox: Annotated[str, _doc("Folder to read.")] = "INBOX"
    interval: Annotated[
        float, msgspec.Meta(ge=1, description="Seconds between two checks for new mail.")
    ] = 60.0
    timeout: Annotated[
        float, msgspec.Meta(gt=0, description="Seconds before a silent server is deemed dead.")
    ] = 30.0


class MetaSource(
    msgspec.Struct, tag="meta", tag_field="type", forbid_unknown_fields=True, kw_only=True
):
    """Meta webhooks at `/hooks/meta/{name}`: WhatsApp Cloud API, Messenger and Instagram."""

    name: Annotated[Name, _doc("Source id, unique within the workspace; the URL's {source}.")]
    workspace: Annotated[str, _doc("Workspace id the messages belong to.")]
    app_secret: Annotated[
        str | None, _doc("The Meta app's secret, which signs every POST; prefer `app_secret_env`.")
    ] = None
    app_secret_env: Annotated[
        str | None, _doc("Name of the environment variable holding the app secret.")
    ] = None
    verify_token: Annotated[
        str | None, _doc("Token typed in the app's webhook settings; prefer `verify_token_env`.")
    ] = None
    verify_token_env: Annotated[
        str | None, _doc("Name of the environment variable holding the verify token.")
    ] = None
    access_token: Annotated[
        str | None, _doc("Graph API token used to send replies; prefer `access_token_env`.")
    ] = None
    access_token_env: Annotated[
        str | None, _doc("Name of the environment variable holding the Graph API token.")
    ] = None
    graph_url: Annotated[str, _doc("Graph API base URL, version included.")] = (
        "https://graph.facebook.com/v23.0"
    )


class MastodonSource(
    msgspec.Struct, tag="mastodon", tag_field="type", forbid_unknown_fields=True, kw_only=True
):
    """A Mastodon account and instance: hashtag and public streams, mentions, direct conversations."""

    name: Annotated[Name, _doc("Source id, unique within the workspace.")]
    workspace: Annotated[str, _doc("Workspace id the signals belong to.")]
    api_base_url: Annotated[str, _doc("The instance's URL, e.g. https://mastodon.social.")]
    access_token: Annotated[
        str | None,
        _doc(
            "Access token of an application (Preferences → Development); prefer `access_token_env`."
        ),
    ] = None
    access_token_env: Annotated[
        str | None, _doc("Name of the environment variable holding the access token.")
    ] = None
    hashtags: Annotated[
        list[str], _doc('Hashtags to follow, without or with the #, e.g. ["fournil"].')
    ] = msgspec.field(default_factory=list)
    public: Annotated[bool, _doc("Follow the whole public (federated) timeline.")] = False
    local: Annotated[
        bool, _doc("Restrict hashtag and public timelines to the instance's own posts.")
    ] = False
    mentions: Annotated[
        bool, _doc("Collect the account's mentions (needs a token with read:notifications).")
    ] = False
    conversations: Annotated[
        bool, _doc("Collect the account's direct conversations (needs read:statuses).")
    ] = False
    streaming: Annotated[
        bool, _doc("Use the streaming API (server-sent events); false polls the REST API only.")
    ] = True
    streaming_base_url: Annotated[
        str | None,
        _doc("Streaming server URL when it differs from the instance's (its `urls.streaming`)."),
    ] = None
    interval: Annotated[
        float,
        msgspec.Meta(
            ge=1, description="Seconds between two REST polls (mentions, conversations, fallback)."
        ),
    ] = 60.0
    heartbeat_timeout: Annotated[
        float,
        msgspec.Meta(
            gt=0,
            description="Seconds without a byte (heartbeats included) before a stream is deemed dead.",
        ),
    ] = 90.0
    backoff: Annotated[
        float,
        msgspec.Meta(
            gt=0,
            description="First wait, in seconds, after a failure; doubled each time, with jitter.",
        ),
    ] = 5.0
    backoff_cap: Annotated[
        float,
        msgspec.Meta(
            gt=0, description="Longest wait, in seconds, between two attempts after failures."
        ),
    ] = 300.0
    timeout: Annotated[
        float, msgspec.Meta(gt=0, description="Seconds before a request gives up.")
    ] = 20.0
    user_agent: Annotated[str, _doc("User-Agent sent to the instance.")] = "pouls (+mastodon)"


class TelegramSource(
    msgspec.Struct, tag="telegram", tag_field="type", forbid_unknown_fields=True, kw_only=True
):
    """A Telegram bot: private messages to it, its groups, channels where it is admin."""

    name: Annotated[
        Name, _doc("Source id, unique within the workspace; the webhook URL's {source}.")
    ]
    workspace: Annotated[str, _doc("Workspace id the signals belong to.")]
    token: Annotated[str | None, _doc("The bot token given by @BotFather; prefer `token_env`.")] = (
        None
    )
    token_env: Annotated[
        str | None, _doc("Name of the environment variable holding the bot token.")
    ] = None
    mode: Annotated[
        Literal["polling", "webhook"],
        _doc("polling: long-poll getUpdates; webhook: Telegram POSTs to /hooks/telegram/{name}."),
    ] = "polling"
    secret_token: Annotated[
        str | None,
        _doc(
            "Webhook mode: the secret_token given to setWebhook (required); prefer `secret_token_env`."
        ),
    ] = None
    secret_token_env: Annotated[
        str | None, _doc("Name of the environment variable holding the webhook secret token.")
    ] = None
    api_base_url: Annotated[str, _doc("Bot API server URL (a local Bot API server, if any).")] = (
        "https://api.telegram.org"
    )
    poll_timeout: Annotated[
        int,
        msgspec.Meta(ge=0, le=100, description="Seconds a getUpdates long poll waits for news."),
    ] = 50
    allowed_updates: Annotated[
        list[str], _doc("Update types to receive; others are not sent by Telegram.")
    ] = msgspec.field(
        default_factory=lambda: ["message", "edited_message", "channel_post", "edited_channel_post"]
    )
    backoff: Annotated[
        float,
        msgspec.Meta(
            gt=0,
            description="First wait, in seconds, after a failure; doubled each time, with jitter.",
        ),
    ] = 2.0
    backoff_cap: Annotated[
        float,
        msgspec.Meta(
            gt=0, description="Longest wait, in seconds, between two attempts after failures."
        ),
    ] = 300.0


class BlueskySource(
    msgspec.Struct, tag="bluesky", tag_field="type", forbid_unknown_fields=True, kw_only=True
):
    """Bluesky: Jetstream firehose filtered by keywords, searchPosts backfill, the account's mentions."""

    name: Annotated[Name, _doc("Source id, unique within the workspace.")]
    workspace: Annotated[str, _doc("Workspace id the signals belong to.")]
    keywords: Annotated[
        list[str],
        _doc("Posts are kept only when their text contains one of these (case-insensitive)."),
    ] = msgspec.field(default_factory=list)
    firehose: Annotated[bool, _doc("Read new posts from Jetstream.")] = True
    jetstream_url: Annotated[str, _doc("Jetstream subscribe endpoint (wss://…/subscribe).")] = (
        "wss://jetstream2.us-east.bsky.network/subscribe"
    )
    handle: Annotated[
        str | None,
        _doc("Account handle, for search backfill and mentions (e.g. name.bsky.social)."),
    ] = None
    app_password: Annotated[
        str | None,
        _doc(
            "An app password of that account (Settings → App passwords); prefer `app_password_env`."
        ),
    ] = None
    app_password_env: Annotated[
        str | None, _doc("Name of the environment variable holding the app password.")
    ] = None
    api_base_url: Annotated[
        str, _doc("XRPC service the account logs in to (its PDS or entryway).")
    ] = "https://bsky.social"
    backfill: Annotated[
        bool,
        _doc("On first start, search past posts for each keyword (app.bsky.feed.searchPosts)."),
    ] = False
    backfill_limit: Annotated[
        int, msgspec.Meta(ge=1, description="Most past posts searched per keyword.")
    ] = 500
    mentions: Annotated[bool, _doc("Collect mentions, replies and quotes of the account.")] = False
    interval: Annotated[
        float, msgspec.Meta(ge=1, description="Seconds between two checks of the mentions.")
    ] = 60.0
    heartbeat_timeout: Annotated[
        float,
        msgspec.Meta(gt=0, description="Seconds without a Jetstream message before reconnecting."),
    ] = 30.0
    backoff: Annotated[
        float,
        msgspec.Meta(
            gt=0,
            description="First wait, in seconds, after a failure; doubled each time, with jitter.",
        ),
    ] = 2.0
    backoff_cap: Annotated[
        float,
        msgspec.Meta(
            gt=0, description="Longest wait, in seconds, between two attempts after failures."
        ),
    ] = 300.0


class RedditSource(
    msgspec.Struct, tag="reddit", tag_field="type", forbid_unknown_fields=True, kw_only=True
):
    """Reddit listings polled: subreddits' new posts (and comments), search results."""

    name: Annotated[Name, _doc("Source id, unique within the workspace.")]
    workspace: Annotated[str, _doc("Workspace id the signals belong to.")]
    subreddits: Annotated[
        list[str], _doc('Subreddits whose new posts are read, e.g. ["lyon", "r/boulangerie"].')
    ] = msgspec.field(default_factory=list)
    comments: Annotated[bool, _doc("Also read the subreddits' new comments.")] = False
    searches: Annotated[list[str], _doc("Reddit search queries whose newest results are read.")] = (
        msgspec.field(default_factory=list)
    )
    user_agent: Annotated[
        str,
        _doc("User-Agent Reddit requires: <platform>:<app id>:<version> (by /u/<username>)."),
    ]
    token: Annotated[
        str | None,
        _doc("OAuth bearer token (higher quota, via oauth.reddit.com); prefer `token_env`."),
    ] = None
    token_env: Annotated[
        str | None, _doc("Name of the environment variable holding the OAuth bearer token.")
    ] = None
    base_url: Annotated[
        str | None,
        _doc(
            "API base URL; default https://oauth.reddit.com with a token, https://www.reddit.com without."
        ),
    ] = None
    interval: Annotated[
        float, msgspec.Meta(ge=1, description="Seconds between two polls of each listing.")
    ] = 120.0
    backoff: Annotated[
        float,
        msgspec.Meta(
            gt=0,
            description="First wait, in seconds, after a failure; doubled each time, with jitter.",
        ),
    ] = 5.0
    backoff_cap: Annotated[
        float,
        msgspec.Meta(
            gt=0, description="Longest wait, in seconds, between two attempts after failures."
        ),
    ] = 600.0
    timeout: Annotated[
        float, msgspec.Meta(gt=0, description="Seconds before a request gives up.")
    ] = 20.0


def read_secret(value: str | None, env: str | None, environ: Any = None) -> str | None:
    """A secret given inline or, preferably, by the name of the environment variable holding it."""
    if env:
        found = (os.environ if environ is None else environ).get(env)
        if found:
            return str(found)
    return value


SourceSettings = (
    ImportSource
    | RssSource
    | ReplaySource
    | WebhookSource
    | CheckinSource
    | MqttSource
    | EmailSource
    | MetaSource
    | MastodonSource
    | TelegramSource
    | BlueskySource
    | RedditSource
)


class Topic(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A saved search: a name and a query in the query language."""

    name: Annotated[Name, _doc("Topic id, unique within the workspace.")]
    workspace: Annotated[str, _doc("Workspace id.")]
    query: Annotated[str, _doc("Boolean query, e.g. '\"maison lumière\" AND (retard OR annul*)'.")]
    tags: Annotated[list[str], _doc("Free labels to group topics.")] = msgspec.field(
        default_factory=list
    )
    color: Annotated[str | None, _doc("Colour in the web app, e.g. #c0392b.")] = None


class Pipeline(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """How signals are batched between stages."""

    batch_size: Annotated[
        int, msgspec.Meta(ge=1, le=100_000, description="Most signals in one batch.")
    ] = 500
    batch_latency_ms: Annotated[
        int, msgspec.Meta(ge=1, description="Longest wait, in ms, before a partial batch moves on.")
    ] = 200
    queue_size: Annotated[
        int,
        msgspec.Meta(ge=1, description="Batches waiting between stages before sources are paused."),
    ] = 8


class Web(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The web app served by `pouls up`."""

    host: Annotated[str, _doc("Address to bind; 127.0.0.1 keeps it on this machine.")] = "127.0.0.1"
    port: Annotated[int, msgspec.Meta(ge=1, le=65535, description="TCP port.")] = 8000
    page_size: Annotated[
        int, msgspec.Meta(ge=1, le=500, description="Signals per page on the wall.")
    ] = 50


class Store(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Where signals are kept."""

    path: Annotated[
        str, _doc("SQLite database file; relative paths are resolved from the pouls home.")
    ] = "pouls.db"


RuleKind = Literal["spike", "threshold", "match", "toxicity", "scam"]
Metric = Literal["volume", "negative", "toxic", "scam", "reach", "authors"]


class Rule(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """An alert rule: a condition on a topic or query, and the sinks its alerts go to."""

    name: Annotated[Name, _doc("Rule id, unique within the workspace.")]
    workspace: Annotated[str, _doc("Workspace id the rule watches.")]
    kind: Annotated[
        RuleKind,
        _doc(
            "spike: the metric jumps above its seasonal baseline; threshold: the metric over"
            " `window` reaches `threshold`; match: every new signal matching the query alerts at"
            " once (a VIP, a journalist); toxicity and scam: a wave of toxic or scam signals."
        ),
    ] = "spike"
    topic: Annotated[
        str | None, _doc("Topic name to watch; unset with no `query` watches the workspace.")
    ] = None
    query: Annotated[str | None, _doc("Query in the query language, when no `topic` is named.")] = (
        None
    )
    metric: Annotated[
        Metric,
        _doc(
            "What is measured: volume, negative (share of negative sentiment), toxic (share),"
            " scam (share), reach (sum of audiences) or authors (distinct authors)."
        ),
    ] = "volume"
    threshold: Annotated[
        float | None,
        _doc(
            "For threshold rules: the value that alerts; a share for negative, toxic and scam (0.3 = 30 %)."
        ),
    ] = None
    window: Annotated[
        int, msgspec.Meta(ge=1, description="Minutes summed by a threshold rule.")
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
    cooldown: Annotated[
        int,
        msgspec.Meta(
            ge=1, description="Minutes without alert-worthy steps before an alert is closed."
        ),
    ] = 360
    quiet_hours: Annotated[
        Annotated[str, msgspec.Meta(pattern=r"^\d{2}:\d{2}-\d{2}:\d{2}$")] | None,
        _doc("Local hours (e.g. 22:00-07:00) when deliveries wait; alerts are still recorded."),
    ] = None
    timezone: Annotated[str, _doc("Time zone of `quiet_hours`, e.g. Europe/Paris.")] = (
        "Europe/Paris"
    )
    sinks: Annotated[list[str], _doc("Names of the `[[sinks]]` its alerts are delivered to.")] = (
        msgspec.field(default_factory=list)
    )
    lang: Annotated[
        Literal["fr", "en"] | None, _doc("Language of its messages; default from [alerts].")
    ] = None


class WebhookSink(
    msgspec.Struct, tag="webhook", tag_field="type", forbid_unknown_fields=True, kw_only=True
):
    """POSTs each alert as JSON, signed `X-Pouls-Signature: sha256=<HMAC-SHA256 of the body>`."""

    name: Annotated[Name, _doc("Sink id that rules name.")]
    url: Annotated[str, _doc("URL receiving the POST.")]
    secret: Annotated[str | None, _doc("HMAC key; prefer `secret_env`.")] = None
    secret_env: Annotated[str | None, _doc("Environment variable holding the HMAC key.")] = None
    workspace: Annotated[str | None, _doc("Only this workspace may use the sink; unset: any.")] = (
        None
    )


class EmailSink(
    msgspec.Struct, tag="email", tag_field="type", forbid_unknown_fields=True, kw_only=True
):
    """Sends alerts and digests by SMTP: HTML and text, with the chart inline."""

    name: Annotated[Name, _doc("Sink id that rules name.")]
    host: Annotated[str, _doc("SMTP server.")]
    port: Annotated[int | None, _doc("SMTP port; default from `security` (465, 587 or 25).")] = None
    security: Annotated[Literal["ssl", "starttls", "none"], _doc("ssl, starttls or none.")] = (
        "starttls"
    )
    username: Annotated[str | None, _doc("SMTP login.")] = None
    password: Annotated[str | None, _doc("SMTP password; prefer `password_env`.")] = None
    password_env: Annotated[str | None, _doc("Environment variable holding the password.")] = None
    sender: Annotated[str, _doc("From address.")]
    to: Annotated[list[str], _doc("Recipient addresses.")]
    workspace: Annotated[str | None, _doc("Only this workspace may use the sink; unset: any.")] = (
        None
    )


class TelegramSink(
    msgspec.Struct, tag="telegram", tag_field="type", forbid_unknown_fields=True, kw_only=True
):
    """Posts alerts to a Telegram chat through a bot (`sendMessage`)."""

    name: Annotated[Name, _doc("Sink id that rules name.")]
    chat_id: Annotated[str, _doc("Chat, group or channel id (or @channelname).")]
    token: Annotated[str | None, _doc("Bot token; prefer `token_env`.")] = None
    token_env: Annotated[str | None, _doc("Environment variable holding the bot token.")] = None
    api_base_url: Annotated[str, _doc("Bot API base URL.")] = "https://api.telegram.org"
    workspace: Annotated[str | None, _doc("Only this workspace may use the sink; unset: any.")] = (
        None
    )


class SlackSink(
    msgspec.Struct, tag="slack", tag_field="type", forbid_unknown_fields=True, kw_only=True
):
    """Posts alerts to a Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat)."""

    name: Annotated[Name, _doc("Sink id that rules name.")]
    url: Annotated[str | None, _doc("Incoming webhook URL; prefer `url_env`.")] = None
    url_env: Annotated[str | None, _doc("Environment variable holding the webhook URL.")] = None
    workspace: Annotated[str | None, _doc("Only this workspace may use the sink; unset: any.")] = (
        None
    )


class MqttSink(
    msgspec.Struct, tag="mqtt", tag_field="type", forbid_unknown_fields=True, kw_only=True
):
    """Publishes alerts as JSON to an MQTT broker (QoS 1)."""

    name: Annotated[Name, _doc("Sink id that rules name.")]
    host: Annotated[str, _doc("Broker host.")] = "127.0.0.1"
    port: Annotated[int, msgspec.Meta(ge=1, le=65535, description="Broker port.")] = 1883
    username: Annotated[str | None, _doc("Broker login.")] = None
    password: Annotated[str | None, _doc("Broker password; prefer `password_env`.")] = None
    password_env: Annotated[str | None, _doc("Environment variable holding the password.")] = None
    tls: Annotated[bool, _doc("Connect with TLS.")] = False
    topic: Annotated[str, _doc("Topic published to; {workspace} and {rule} are replaced.")] = (
        "pouls/{workspace}/alerts/{rule}"
    )
    workspace: Annotated[str | None, _doc("Only this workspace may use the sink; unset: any.")] = (
        None
    )


SinkSettings = WebhookSink | EmailSink | TelegramSink | SlackSink | MqttSink


class Alerts(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """How alerts are delivered, and the digest."""

    base_url: Annotated[str, _doc("Address of the web app, for links in alerts.")] = (
        "http://127.0.0.1:8000"
    )
    lang: Annotated[Literal["fr", "en"], _doc("Language of alerts and digests: fr or en.")] = "fr"
    attempts: Annotated[
        int, msgspec.Meta(ge=1, le=20, description="Delivery attempts before a failure is final.")
    ] = 5
    backoff: Annotated[
        float,
        msgspec.Meta(ge=0, description="Seconds before the first retry; doubled at each retry."),
    ] = 2.0
    crisis_sinks: Annotated[
        list[str], _doc("Sinks told when a story escalates from private to public to press.")
    ] = msgspec.field(default_factory=list)
    digest: Annotated[
        Literal["off", "day", "week"], _doc("Send each workspace a digest every day or week.")
    ] = "off"
    digest_sinks: Annotated[list[str], _doc("E-mail sinks the digest goes to.")] = msgspec.field(
        default_factory=list
    )
    digest_hour: Annotated[
        int, msgspec.Meta(ge=0, le=23, description="Local hour the digest is sent.")
    ] = 8
    timezone: Annotated[str, _doc("Time zone of `digest_hour`.")] = "Europe/Paris"


class File(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The whole of pouls.toml."""

    workspaces: Annotated[
        list[Workspace], _doc("Workspaces; one named `default` exists when none is declared.")
    ] = msgspec.field(default_factory=list)
    sources: Annotated[list[SourceSettings], _doc("Connectors, each tagged with its `type`.")] = (
        msgspec.field(default_factory=list)
    )
    topics: Annotated[list[Topic], _doc("Saved searches.")] = msgspec.field(default_factory=list)
    pipeline: Annotated[Pipeline, _doc("Batching between stages.")] = msgspec.field(
        default_factory=Pipeline
    )
    web: Annotated[Web, _doc("The web app.")] = msgspec.field(default_factory=Web)
    store: Annotated[Store, _doc("The database.")] = msgspec.field(default_factory=Store)
    rules: Annotated[list[Rule], _doc("Alert rules.")] = msgspec.field(default_factory=list)
    sinks: Annotated[list[SinkSettings], _doc("Where alerts go, each tagged with its `type`.")] = (
        msgspec.field(default_factory=list)
    )
    alerts: Annotated[Alerts, _doc("Alert delivery and digests.")] = msgspec.field(
        default_factory=Alerts
    )


class Settings(msgspec.Struct, kw_only=True):
    """The file's content resolved against the home folder and the environment."""

    home: Path
    file: File

    @property
    def database_path(self) -> Path:
        return self.resolve(self.file.store.path)

    @property
    def data_dir(self) -> Path:
        return self.database_path.parent

    @property
    def workspaces(self) -> list[Workspace]:
        return self.file.workspaces or [Workspace(id="default", name="Default")]

    def workspace(self, workspace_id: str) -> Workspace | None:
        return next((w for w in self.workspaces if w.id == workspace_id), None)

    def resolve(self, path: str) -> Path:
        p = Path(path).expanduser()
        return p if p.is_absolute() else self.home / p


class ConfigError(Exception):
    """pouls.toml (or a POULS_* variable) is not valid; the message says where and why."""


_ENV_SECTIONS: dict[str, type[msgspec.Struct]] = {"pipeline": Pipeline, "web": Web, "store": Store}


def load(home: Path, environ: dict[str, str] | None = None) -> Settings:
    """Read `<home>/pouls.toml` (defaults when absent), then apply `POULS_<SECTION>_<KEY>` variables."""
    path = home / CONFIG_NAME
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    _apply_env(data, os.environ if environ is None else environ)
    try:
        file = msgspec.convert(data, File, strict=False)
    except msgspec.ValidationError as exc:
        raise ConfigError(_explain(path, text, str(exc))) from exc
    _check_references(path, text, file)
    return Settings(home=home, file=file)


def _apply_env(data: dict[str, Any], environ: Any) -> None:
    for section, struct in _ENV_SECTIONS.items():
        for field in msgspec.structs.fields(struct):
            value = environ.get(f"POULS_{section}_{field.name}".upper())
            if value is not None:
                data.setdefault(section, {})[field.name] = value


_PATH_RE = re.compile(r"at `\$((?:\.[A-Za-z_][\w-]*|\[\d+\])*)`")


def _explain(path: Path, text: str, message: str) -> str:
    """Turn msgspec's `... - at `$.sources[0].url`` into `pouls.toml:12: sources[0].url: ...`."""
    found = _PATH_RE.search(message)
    what = _PATH_RE.sub("", message).rstrip(" -")
    if not found:
        return f"{path}: {what}"
    steps = re.findall(r"\.([\w-]+)|\[(\d+)\]", found.group(1))
    key = found.group(1).lstrip(".")
    line = locate(text, [name or int(index) for name, index in steps])
    where = f"{path}:{line}" if line else str(path)
    return f"{where}: `{key}`: {what}"


def locate(text: str, steps: list[str | int]) -> int | None:
    """Line number (1-based) of the key at a path such as ["sources", 0, "url"] in TOML text.

    Good enough for files written by people: tables, arrays of tables and `key = value` lines.
    """
    tables: list[str] = [s for s in steps if isinstance(s, str)]
    want_table = ".".join(tables[:-1]) if len(tables) > 1 else ""
    index = next((s for s in steps if isinstance(s, int)), None)
    key = tables[-1] if tables else None
    current, best = "", None
    seen: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        header = re.match(r"^\[\[?\s*([\w.-]+)\s*\]\]?", line)
        if header:
            current = header.group(1)
            seen[current] = seen.get(current, -1) + 1
            if current == (want_table or key) and (index is None or seen[current] == index):
                best = best or number
            continue
        if key and re.match(rf"^{re.escape(key)}\s*=", line):
            in_item = index is None or seen.get(current, -1) == index
            if current == want_table and in_item:
                return number
    return best


def _check_references(path: Path, text: str, file: File) -> None:
    known = {w.id for w in file.workspaces} or {"default"}
    seen: set[tuple[str, str]] = set()
    for i, source in enumerate(file.sources):
        if source.workspace not in known:
            line = locate(text, ["sources", i, "workspace"])
            raise ConfigError(
                f"{path}:{line}: `sources[{i}].workspace`: no workspace {source.workspace!r}; "
                f"declared: {', '.join(sorted(known))}"
            )
        if (source.workspace, source.name) in seen:
            line = locate(text, ["sources", i, "name"])
            raise ConfigError(f"{path}:{line}: `sources[{i}].name`: {source.name!r} is used twice")
        seen.add((source.workspace, source.name))
    for i, topic in enumerate(file.topics):
        try:
            parse_query(topic.query)
        except QueryError as exc:
            line = locate(text, ["topics", i, "query"])
            raise ConfigError(
                f"{path}:{line}: `topics[{i}].query`: {exc.message} (column {exc.column} of the query)"
            ) from None
        if topic.workspace not in known:
            line = locate(text, ["topics", i, "workspace"])
            raise ConfigError(
                f"{path}:{line}: `topics[{i}].workspace`: no workspace {topic.workspace!r}"
            )
    _check_alerts(path, text, file, known)


def _check_alerts(path: Path, text: str, file: File, known: set[str]) -> None:
    sinks = {s.name for s in file.sinks}
    for i, rule in enumerate(file.rules):
        if rule.workspace not in known:
            line = locate(text, ["rules", i, "workspace"])
            raise ConfigError(
                f"{path}:{line}: `rules[{i}].workspace`: no workspace {rule.workspace!r}"
            )
        for name in rule.sinks:
            if name not in sinks:
                line = locate(text, ["rules", i, "sinks"])
                raise ConfigError(f"{path}:{line}: `rules[{i}].sinks`: no sink {name!r}")


def describe() -> list[tuple[str, str, str]]:
    """Every setting as (section, key, help text), from the JSON schema of the file format."""
    schema = msgspec.json.schema(File)
    rows: list[tuple[str, str, str]] = []
    for section, definition in schema["$defs"].items():
        for key, prop in definition.get("properties", {}).items():
            if key != "type":  # the tag that picks a source's kind
                rows.append((section, key, prop.get("description", "")))
    return rows


def reference() -> str:
    """docs/configuration.md: every setting with its help text (a test keeps the file in sync)."""
    lines = [
        "# Configuration reference",
        "",
        "`pouls.toml` lives in the pouls home (`--home`, `POULS_HOME`, default `./.pouls`);"
        " `pouls init` writes a commented example. Scalars of `[pipeline]`, `[web]` and `[store]`"
        " can be overridden by `POULS_<SECTION>_<KEY>` environment variables, e.g. `POULS_WEB_PORT=8080`.",
        "",
        "Generated from `src/pouls/config.py`; `tests/test_config.py` fails when it is out of date.",
    ]
    section = None
    for name, key, text in describe():
        if name != section:
            section = name
            lines += ["", f"## {name}", "", "| key | meaning |", "| --- | --- |"]
        lines.append(f"| `{key}` | {text.replace('|', '/')} |")
    return "\n".join(lines) + "\n"
