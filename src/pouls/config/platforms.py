"""Settings of the social platforms' connectors: Mastodon, Telegram, Bluesky, Reddit."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from pouls.config.fields import Backoff, BackoffCap, Name, SourceName, WorkspaceId, doc


class MastodonSource(
    msgspec.Struct, tag="mastodon", tag_field="type", forbid_unknown_fields=True, kw_only=True
):
    """A Mastodon account and instance: hashtag and public streams, mentions, direct conversations."""

    name: SourceName
    workspace: WorkspaceId
    api_base_url: Annotated[str, doc("The instance's URL, e.g. https://mastodon.social.")]
    access_token: Annotated[
        str | None,
        doc(
            "Access token of an application (Preferences → Development); prefer `access_token_env`."
        ),
    ] = None
    access_token_env: Annotated[
        str | None, doc("Name of the environment variable holding the access token.")
    ] = None
    hashtags: Annotated[
        list[str], doc('Hashtags to follow, without or with the #, e.g. ["fournil"].')
    ] = msgspec.field(default_factory=list)
    public: Annotated[bool, doc("Follow the whole public (federated) timeline.")] = False
    local: Annotated[
        bool, doc("Restrict hashtag and public timelines to the instance's own posts.")
    ] = False
    mentions: Annotated[
        bool, doc("Collect the account's mentions (needs a token with read:notifications).")
    ] = False
    conversations: Annotated[
        bool, doc("Collect the account's direct conversations (needs read:statuses).")
    ] = False
    streaming: Annotated[
        bool, doc("Use the streaming API (server-sent events); false polls the REST API only.")
    ] = True
    streaming_base_url: Annotated[
        str | None,
        doc("Streaming server URL when it differs from the instance's (its `urls.streaming`)."),
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
    backoff: Backoff = 5.0
    backoff_cap: BackoffCap = 300.0
    timeout: Annotated[
        float, msgspec.Meta(gt=0, description="Seconds before a request gives up.")
    ] = 20.0
    user_agent: Annotated[str, doc("User-Agent sent to the instance.")] = "pouls (+mastodon)"


class TelegramSource(
    msgspec.Struct, tag="telegram", tag_field="type", forbid_unknown_fields=True, kw_only=True
):
    """A Telegram bot: private messages to it, its groups, channels where it is admin."""

    name: Annotated[
        Name, doc("Source id, unique within the workspace; the webhook URL's {source}.")
    ]
    workspace: WorkspaceId
    token: Annotated[str | None, doc("The bot token given by @BotFather; prefer `token_env`.")] = (
        None
    )
    token_env: Annotated[
        str | None, doc("Name of the environment variable holding the bot token.")
    ] = None
    mode: Annotated[
        Literal["polling", "webhook"],
        doc("polling: long-poll getUpdates; webhook: Telegram POSTs to /hooks/telegram/{name}."),
    ] = "polling"
    secret_token: Annotated[
        str | None,
        doc(
            "Webhook mode: the secret_token given to setWebhook (required); prefer `secret_token_env`."
        ),
    ] = None
    secret_token_env: Annotated[
        str | None, doc("Name of the environment variable holding the webhook secret token.")
    ] = None
    api_base_url: Annotated[str, doc("Bot API server URL (a local Bot API server, if any).")] = (
        "https://api.telegram.org"
    )
    poll_timeout: Annotated[
        int,
        msgspec.Meta(ge=0, le=100, description="Seconds a getUpdates long poll waits for news."),
    ] = 50
    allowed_updates: Annotated[
        list[str], doc("Update types to receive; others are not sent by Telegram.")
    ] = msgspec.field(
        default_factory=lambda: ["message", "edited_message", "channel_post", "edited_channel_post"]
    )
    backoff: Backoff = 2.0
    backoff_cap: BackoffCap = 300.0


class BlueskySource(
    msgspec.Struct, tag="bluesky", tag_field="type", forbid_unknown_fields=True, kw_only=True
):
    """Bluesky: Jetstream firehose filtered by keywords, searchPosts backfill, the account's mentions."""

    name: SourceName
    workspace: WorkspaceId
    keywords: Annotated[
        list[str],
        doc("Posts are kept only when their text contains one of these (case-insensitive)."),
    ] = msgspec.field(default_factory=list)
    firehose: Annotated[bool, doc("Read new posts from Jetstream.")] = True
    jetstream_url: Annotated[str, doc("Jetstream subscribe endpoint (wss://…/subscribe).")] = (
        "wss://jetstream2.us-east.bsky.network/subscribe"
    )
    handle: Annotated[
        str | None,
        doc("Account handle, for search backfill and mentions (e.g. name.bsky.social)."),
    ] = None
    app_password: Annotated[
        str | None,
        doc(
            "An app password of that account (Settings → App passwords); prefer `app_password_env`."
        ),
    ] = None
    app_password_env: Annotated[
        str | None, doc("Name of the environment variable holding the app password.")
    ] = None
    api_base_url: Annotated[
        str, doc("XRPC service the account logs in to (its PDS or entryway).")
    ] = "https://bsky.social"
    backfill: Annotated[
        bool,
        doc("On first start, search past posts for each keyword (app.bsky.feed.searchPosts)."),
    ] = False
    backfill_limit: Annotated[
        int, msgspec.Meta(ge=1, description="Most past posts searched per keyword.")
    ] = 500
    mentions: Annotated[bool, doc("Collect mentions, replies and quotes of the account.")] = False
    interval: Annotated[
        float, msgspec.Meta(ge=1, description="Seconds between two checks of the mentions.")
    ] = 60.0
    heartbeat_timeout: Annotated[
        float,
        msgspec.Meta(gt=0, description="Seconds without a Jetstream message before reconnecting."),
    ] = 30.0
    backoff: Backoff = 2.0
    backoff_cap: BackoffCap = 300.0


class RedditSource(
    msgspec.Struct, tag="reddit", tag_field="type", forbid_unknown_fields=True, kw_only=True
):
    """Reddit listings polled: subreddits' new posts (and comments), search results."""

    name: SourceName
    workspace: WorkspaceId
    subreddits: Annotated[
        list[str], doc('Subreddits whose new posts are read, e.g. ["lyon", "r/boulangerie"].')
    ] = msgspec.field(default_factory=list)
    comments: Annotated[bool, doc("Also read the subreddits' new comments.")] = False
    searches: Annotated[list[str], doc("Reddit search queries whose newest results are read.")] = (
        msgspec.field(default_factory=list)
    )
    user_agent: Annotated[
        str,
        doc("User-Agent Reddit requires: <platform>:<app id>:<version> (by /u/<username>)."),
    ]
    token: Annotated[
        str | None,
        doc("OAuth bearer token (higher quota, via oauth.reddit.com); prefer `token_env`."),
    ] = None
    token_env: Annotated[
        str | None, doc("Name of the environment variable holding the OAuth bearer token.")
    ] = None
    base_url: Annotated[
        str | None,
        doc(
            "API base URL; default https://oauth.reddit.com with a token, https://www.reddit.com without."
        ),
    ] = None
    interval: Annotated[
        float, msgspec.Meta(ge=1, description="Seconds between two polls of each listing.")
    ] = 120.0
    backoff: Backoff = 5.0
    backoff_cap: BackoffCap = 600.0
    timeout: Annotated[
        float, msgspec.Meta(gt=0, description="Seconds before a request gives up.")
    ] = 20.0
