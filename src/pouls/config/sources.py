"""Settings of the connectors that read files, feeds, brokers, mailboxes and webhooks."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from pouls.config.fields import Name, SourceName, WorkspaceId, doc
from pouls.signals import Channel, Kind, Visibility


class ImportSource(
    msgspec.Struct, tag="import", tag_field="type", forbid_unknown_fields=True, kw_only=True
):
    """A JSONL or CSV file read once from start to end, resumable at the line it stopped."""

    name: SourceName
    workspace: WorkspaceId
    path: Annotated[str, doc("File to read; relative paths are resolved from the pouls home.")]
    format: Annotated[
        Literal["jsonl", "csv"] | None,
        doc("jsonl or csv; guessed from the file extension when unset."),
    ] = None
    mapping: Annotated[
        dict[str, str],
        doc('Signal field = input column or key, e.g. {text = "body", created_at = "date"}.'),
    ] = msgspec.field(default_factory=dict)
    channel: Annotated[Channel, doc("Channel for rows that do not name one.")] = "import"
    kind: Annotated[Kind, doc("Kind for rows that do not name one.")] = "post"
    visibility: Annotated[Visibility, doc("Visibility for rows that do not name one.")] = "public"


class RssSource(
    msgspec.Struct, tag="rss", tag_field="type", forbid_unknown_fields=True, kw_only=True
):
    """An RSS or Atom feed polled with conditional GET."""

    name: SourceName
    workspace: WorkspaceId
    url: Annotated[str, doc("Feed URL (http or https).")]
    interval: Annotated[
        float, msgspec.Meta(ge=1, description="Seconds between two polls of this feed.")
    ] = 300.0
    visibility: Annotated[Visibility, doc("press for news sites, public for blogs and forums.")] = (
        "press"
    )
    kind: Annotated[Kind, doc("Kind given to entries.")] = "article"
    timeout: Annotated[float, msgspec.Meta(gt=0, description="Seconds before a poll gives up.")] = (
        20.0
    )


class ReplaySource(
    msgspec.Struct, tag="replay", tag_field="type", forbid_unknown_fields=True, kw_only=True
):
    """A JSONL stream replayed at N times the pace of its `created_at` times."""

    name: SourceName
    workspace: WorkspaceId
    path: Annotated[str, doc("JSONL file of signals, oldest first.")]
    speed: Annotated[
        float, msgspec.Meta(gt=0, description="Pace multiplier: 60 plays an hour in a minute.")
    ] = 1.0
    retime: Annotated[bool, doc("Shift times so the first signal happens now, as if live.")] = True
    loop: Annotated[bool, doc("Start again from the top at the end of the file.")] = False
    after: Annotated[
        str | None,
        doc("Name of a source of the same workspace to finish first (replay live after history)."),
    ] = None


class WebhookSource(
    msgspec.Struct, tag="webhook", tag_field="type", forbid_unknown_fields=True, kw_only=True
):
    """`POST /ingest/{name}`: JSON, a JSON array or JSON lines, signed (HMAC-SHA256) or with a token."""

    name: Annotated[Name, doc("Source id, unique within the workspace; the URL's {source}.")]
    workspace: WorkspaceId
    auth: Annotated[
        Literal["hmac", "bearer"],
        doc(
            "hmac: the body's HMAC-SHA256 with the secret in `signature_header`; bearer: `Authorization: Bearer <secret>`."
        ),
    ] = "hmac"
    secret: Annotated[
        str | None,
        doc("HMAC key or bearer token; prefer `secret_env` to keep it out of the file."),
    ] = None
    secret_env: Annotated[
        str | None, doc("Name of the environment variable holding the HMAC key or bearer token.")
    ] = None
    signature_header: Annotated[
        str, doc("Header carrying the hex HMAC-SHA256 of the raw body, `sha256=` prefix optional.")
    ] = "X-Signature-256"
    mapping: Annotated[
        dict[str, str],
        doc(
            'Signal field = key in the posted object (dotted for nesting), e.g. {text = "message.body"}.'
        ),
    ] = msgspec.field(default_factory=dict)
    channel: Annotated[Channel, doc("Channel for entries that do not name one.")] = "webhook"
    kind: Annotated[Kind, doc("Kind for entries that do not name one.")] = "post"
    visibility: Annotated[Visibility, doc("Visibility for entries that do not name one.")] = (
        "public"
    )
    max_bytes: Annotated[
        int, msgspec.Meta(ge=1, description="Largest body accepted, in bytes (413 above).")
    ] = 10_000_000


class CheckinSource(
    msgspec.Struct, tag="checkin", tag_field="type", forbid_unknown_fields=True, kw_only=True
):
    """Personal check-ins (mood or any measure) from `pouls checkin` and `POST /api/v1/checkins`."""

    name: SourceName
    workspace: Annotated[str, doc("Workspace id the check-ins belong to.")]
    token: Annotated[
        str | None,
        doc("Bearer token the API requires for this source; prefer `token_env`. Unset: no token."),
    ] = None
    token_env: Annotated[
        str | None, doc("Name of the environment variable holding the API bearer token.")
    ] = None


class MqttTopic(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A topic filter and how its payloads become signals."""

    filter: Annotated[
        str, doc("MQTT topic filter, wildcards allowed: home/+/temperature, sensors/#.")
    ]
    kind: Annotated[Kind, doc("reading for measures; post or message for events with text.")] = (
        "reading"
    )
    value: Annotated[
        str | None,
        doc("Dotted path of the number in a JSON payload; unset: the payload is the number."),
    ] = None
    unit: Annotated[str | None, doc("Unit of the value, e.g. °C, %, ppm.")] = None
    unit_path: Annotated[
        str | None, doc("Dotted path of the unit in a JSON payload (wins over `unit`).")
    ] = None
    text: Annotated[
        str | None, doc("Dotted path of a text in a JSON payload (events); unset: none.")
    ] = None
    time: Annotated[
        str | None,
        doc(
            "Dotted path of the measure's time (ISO 8601 or seconds since 1970); it also makes the id, so a duplicate is stored once."
        ),
    ] = None


class MqttSource(
    msgspec.Struct, tag="mqtt", tag_field="type", forbid_unknown_fields=True, kw_only=True
):
    """Subscription to an MQTT broker (QoS 1, persistent session) mapping topics to readings."""

    name: SourceName
    workspace: WorkspaceId
    host: Annotated[str, doc("Broker host name or address.")] = "127.0.0.1"
    port: Annotated[int, msgspec.Meta(ge=1, le=65535, description="Broker TCP port.")] = 1883
    tls: Annotated[bool, doc("Connect with TLS (port 8883 usually).")] = False
    username: Annotated[str | None, doc("Broker user name, if it requires one.")] = None
    password: Annotated[str | None, doc("Broker password; prefer `password_env`.")] = None
    password_env: Annotated[
        str | None, doc("Name of the environment variable holding the broker password.")
    ] = None
    client_id: Annotated[
        str | None,
        doc("MQTT client id of the persistent session; default pouls-<workspace>-<name>."),
    ] = None
    topics: Annotated[list[MqttTopic], doc("Topic filters to subscribe to and their mapping.")] = (
        msgspec.field(default_factory=list)
    )
    qos: Annotated[
        Literal[0, 1, 2], doc("Subscription QoS; 1 or 2 keep messages queued while pouls is away.")
    ] = 1
    retained: Annotated[
        Literal["store", "skip"],
        doc(
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

    name: SourceName
    workspace: Annotated[str, doc("Workspace id the messages belong to.")]
    host: Annotated[str, doc("IMAP server host name.")]
    port: Annotated[
        int, msgspec.Meta(ge=0, le=65535, description="IMAP port; 0 means 993 (ssl) or 143.")
    ] = 0
    security: Annotated[
        Literal["ssl", "starttls", "none"],
        doc("ssl (implicit TLS), starttls, or none (only on a trusted local network)."),
    ] = "ssl"
    username: Annotated[str, doc("IMAP login.")]
    password: Annotated[str | None, doc("IMAP password; prefer `password_env`.")] = None
    password_env: Annotated[
        str | None, doc("Name of the environment variable holding the IMAP password.")
    ] = None
    mailbox: Annotated[str, doc("Folder to read.")] = "INBOX"
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

    name: Annotated[Name, doc("Source id, unique within the workspace; the URL's {source}.")]
    workspace: Annotated[str, doc("Workspace id the messages belong to.")]
    app_secret: Annotated[
        str | None, doc("The Meta app's secret, which signs every POST; prefer `app_secret_env`.")
    ] = None
    app_secret_env: Annotated[
        str | None, doc("Name of the environment variable holding the app secret.")
    ] = None
    verify_token: Annotated[
        str | None, doc("Token typed in the app's webhook settings; prefer `verify_token_env`.")
    ] = None
    verify_token_env: Annotated[
        str | None, doc("Name of the environment variable holding the verify token.")
    ] = None
    access_token: Annotated[
        str | None, doc("Graph API token used to send replies; prefer `access_token_env`.")
    ] = None
    access_token_env: Annotated[
        str | None, doc("Name of the environment variable holding the Graph API token.")
    ] = None
    graph_url: Annotated[str, doc("Graph API base URL, version included.")] = (
        "https://graph.facebook.com/v23.0"
    )
