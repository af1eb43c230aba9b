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
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

from pouls.config.fields import Name, doc, read_secret
from pouls.config.platforms import BlueskySource, MastodonSource, RedditSource, TelegramSource
from pouls.config.privacy import Privacy
from pouls.config.reports import Report
from pouls.config.sources import (
    CheckinSource,
    EmailSource,
    ImportSource,
    MetaSource,
    MqttSource,
    MqttTopic,
    ReplaySource,
    RssSource,
    WebhookSource,
)
from pouls.config.watch import (
    RESERVED_RULE_NAMES,
    Alerts,
    EmailSink,
    Metric,
    MqttSink,
    Rule,
    RuleKind,
    SinkSettings,
    SlackSink,
    TelegramSink,
    WebhookSink,
)
from pouls.query import QueryError
from pouls.query import parse as parse_query
from pouls.signals import CHANNELS

__all__ = [
    "CONFIG_NAME",
    "Alerts",
    "BlueskySource",
    "CheckinSource",
    "ConfigError",
    "EmailSink",
    "EmailSource",
    "File",
    "ImportSource",
    "MastodonSource",
    "MetaSource",
    "Metric",
    "MqttSink",
    "MqttSource",
    "MqttTopic",
    "Name",
    "Privacy",
    "RedditSource",
    "ReplaySource",
    "Report",
    "RssSource",
    "Rule",
    "RuleKind",
    "Settings",
    "SinkSettings",
    "SlackSink",
    "SourceSettings",
    "TelegramSink",
    "TelegramSource",
    "WebhookSink",
    "WebhookSource",
    "Workspace",
    "describe",
    "load",
    "locate",
    "read_secret",
    "reference",
]

CONFIG_NAME = "pouls.toml"


class Workspace(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """One client or one person: every signal belongs to exactly one workspace."""

    id: Annotated[Name, doc("Short id used in URLs, the CLI and every stored row.")]
    name: Annotated[str, doc("Display name shown in the web app.")] = ""
    enrichers: Annotated[
        list[Literal["language", "sentiment", "toxicity", "scam", "entities", "duplicates"]] | None,
        doc("Enrichments to run on this workspace's signals, by name; unset means all available."),
    ] = None
    identities: Annotated[
        Literal["pseudonymous", "named"],
        doc(
            "pseudonymous replaces authors by a keyed hash and drops handles and names; named keeps them."
        ),
    ] = "pseudonymous"
    timezone: Annotated[
        str,
        doc(
            "IANA time zone of the workspace (Europe/Paris): calendar ranges such as this month,"
            " dashboards' days and report schedules are read in it."
        ),
    ] = "Europe/Paris"
    languages: Annotated[
        list[Literal["fr", "en", "es", "de", "it", "pt", "ar", "nl", "hi"]],
        doc(
            'Languages this workspace expects its signals in, as ISO 639-1 codes: ["fr", "en"].'
            ' A short text that could be several languages ("Bien dormi") is read as one of'
            " these; a text plainly written in another keeps its own. Empty: no preference."
        ),
    ] = msgspec.field(default_factory=list)
    gazetteer: Annotated[
        dict[str, list[str]],
        doc(
            "Names always recognised as entities, by type: {brand = [...], product = [...], place = [...]}."
        ),
    ] = msgspec.field(default_factory=dict)
    entities: Annotated[
        Literal["off", "on", "topics"],
        doc(
            "Names found by spaCy's NER on top of the gazetteer: off; on, for every signal;"
            " topics, for the signals that match a topic only. NER reads stored signals on a"
            " background worker of `pouls up` (at most half a core), so imports and webhooks"
            " never wait for it; the gazetteer's names are found at once."
        ),
    ] = "topics"
    own_accounts: Annotated[
        dict[str, list[str]],
        doc(
            'The brand\'s own accounts, by channel: {instagram = ["maisonlumiere"], mastodon ='
            ' ["maisonlumiere@piaille.fr"], whatsapp = ["+33 1 99 00 42 42"]}. Their signals'
            " are marked own, shown as such, and left out of alert volumes and shares, crisis"
            " stories, campaigns, emerging terms and digest rankings (a rule counts them with"
            " `include_own`). Handles match without case or a leading @ (u/ on reddit); phone"
            " numbers by their digits; a platform's account id works too."
        ),
    ] = msgspec.field(default_factory=dict)


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

    name: Annotated[Name, doc("Topic id, unique within the workspace.")]
    workspace: Annotated[str, doc("Workspace id.")]
    query: Annotated[str, doc("Boolean query, e.g. '\"maison lumière\" AND (retard OR annul*)'.")]
    tags: Annotated[list[str], doc("Free labels to group topics.")] = msgspec.field(
        default_factory=list
    )
    color: Annotated[str | None, doc("Colour in the web app, e.g. #c0392b.")] = None


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

    host: Annotated[str, doc("Address to bind; 127.0.0.1 keeps it on this machine.")] = "127.0.0.1"
    port: Annotated[int, msgspec.Meta(ge=1, le=65535, description="TCP port.")] = 8000
    intake_queue: Annotated[
        int,
        msgspec.Meta(
            ge=1,
            description="Most webhook entries accepted and not yet stored (the intake journal's"
            " backlog, on disk); past it a delivery is refused at once with 503 and Retry-After"
            " (senders retry) instead of waiting.",
        ),
    ] = 20_000
    page_size: Annotated[
        int, msgspec.Meta(ge=1, le=500, description="Signals per page on the wall.")
    ] = 50
    session_hours: Annotated[
        int,
        msgspec.Meta(ge=1, le=24 * 90, description="How long a browser stays signed in, in hours."),
    ] = 24 * 14
    max_body_bytes: Annotated[
        int,
        msgspec.Meta(
            ge=1024,
            description="Largest request body, in bytes, on every route (413 above); a webhook"
            " source's own `max_bytes` wins on its route.",
        ),
    ] = 1_048_576


class Store(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Where signals are kept."""

    path: Annotated[
        str, doc("SQLite database file; relative paths are resolved from the pouls home.")
    ] = "pouls.db"


class File(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The whole of pouls.toml."""

    workspaces: Annotated[
        list[Workspace], doc("Workspaces; one named `default` exists when none is declared.")
    ] = msgspec.field(default_factory=list)
    sources: Annotated[list[SourceSettings], doc("Connectors, each tagged with its `type`.")] = (
        msgspec.field(default_factory=list)
    )
    topics: Annotated[list[Topic], doc("Saved searches.")] = msgspec.field(default_factory=list)
    pipeline: Annotated[Pipeline, doc("Batching between stages.")] = msgspec.field(
        default_factory=Pipeline
    )
    web: Annotated[Web, doc("The web app.")] = msgspec.field(default_factory=Web)
    store: Annotated[Store, doc("The database.")] = msgspec.field(default_factory=Store)
    rules: Annotated[list[Rule], doc("Alert rules.")] = msgspec.field(default_factory=list)
    sinks: Annotated[list[SinkSettings], doc("Where alerts go, each tagged with its `type`.")] = (
        msgspec.field(default_factory=list)
    )
    alerts: Annotated[Alerts, doc("Alert delivery and digests.")] = msgspec.field(
        default_factory=Alerts
    )
    privacy: Annotated[Privacy, doc("How long personal data is kept.")] = msgspec.field(
        default_factory=Privacy
    )
    reports: Annotated[list[Report], doc("Saved reports, rendered as HTML or PDF.")] = (
        msgspec.field(default_factory=list)
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


_ENV_SECTIONS: dict[str, type[msgspec.Struct]] = {
    "pipeline": Pipeline,
    "web": Web,
    "store": Store,
    "privacy": Privacy,
}


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
    for i, workspace in enumerate(file.workspaces):
        try:
            ZoneInfo(workspace.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            line = locate(text, ["workspaces", i, "timezone"])
            raise ConfigError(
                f"{path}:{line}: `workspaces[{i}].timezone`: {workspace.timezone!r} is not a time"
                " zone; use an IANA name such as Europe/Paris or UTC"
            ) from None
        for channel, handles in workspace.own_accounts.items():
            if channel not in CHANNELS or not all(h.strip().lstrip("@") for h in handles):
                line = locate(text, ["workspaces", i, "own_accounts"])
                what = (
                    f"no channel {channel!r}; channels: {', '.join(CHANNELS)}"
                    if channel not in CHANNELS
                    else f"an empty handle for {channel}"
                )
                raise ConfigError(f"{path}:{line}: `workspaces[{i}].own_accounts`: {what}")
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
    _check_reports(path, text, file, known)


def _check_alerts(path: Path, text: str, file: File, known: set[str]) -> None:
    sinks = {s.name for s in file.sinks}
    for i, rule in enumerate(file.rules):
        if rule.name in RESERVED_RULE_NAMES:
            line = locate(text, ["rules", i, "name"])
            raise ConfigError(
                f"{path}:{line}: `rules[{i}].name`: {rule.name!r} is reserved by the rules"
                " pages' addresses: choose another name"
            )
        if rule.workspace not in known:
            line = locate(text, ["rules", i, "workspace"])
            raise ConfigError(
                f"{path}:{line}: `rules[{i}].workspace`: no workspace {rule.workspace!r}"
            )
        for name in rule.sinks:
            if name not in sinks:
                line = locate(text, ["rules", i, "sinks"])
                raise ConfigError(f"{path}:{line}: `rules[{i}].sinks`: no sink {name!r}")
        if rule.kind in ("campaign", "new_terms") and rule.min_authors > rule.min_signals:
            line = locate(text, ["rules", i, "min_authors"])
            raise ConfigError(
                f"{path}:{line}: `rules[{i}].min_authors`: {rule.min_authors} authors cannot"
                f" come from {rule.min_signals} signals (`min_signals`)"
            )


def _check_reports(path: Path, text: str, file: File, known: set[str]) -> None:
    from pouls.config.reports import FACETS

    emails = {s.name for s in file.sinks if isinstance(s, EmailSink)}
    seen: set[tuple[str, str]] = set()
    for i, report in enumerate(file.reports):
        problem: tuple[str, str] | None = None
        if report.workspace not in known:
            problem = ("workspace", f"no workspace {report.workspace!r}")
        elif (report.workspace, report.name) in seen:
            problem = ("name", f"{report.name!r} is used twice")
        elif unknown := sorted(set(report.facets) - set(FACETS)):
            problem = ("facets", f"no facet {unknown[0]!r}; facets: {', '.join(FACETS)}")
        elif missing := [n for n in report.sinks if n not in emails]:
            problem = ("sinks", f"no e-mail sink {missing[0]!r}")
        elif report.query:
            try:
                parse_query(report.query)
            except QueryError as exc:
                problem = ("query", f"{exc.message} (column {exc.column} of the query)")
        if problem is not None:
            key, what = problem
            line = locate(text, ["reports", i, key])
            raise ConfigError(f"{path}:{line}: `reports[{i}].{key}`: {what}")
        seen.add((report.workspace, report.name))


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
        " `pouls init` writes a commented example. Scalars of `[pipeline]`, `[web]`, `[store]` and"
        " `[privacy]` can be overridden by `POULS_<SECTION>_<KEY>` environment variables, e.g. `POULS_WEB_PORT=8080`.",
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
