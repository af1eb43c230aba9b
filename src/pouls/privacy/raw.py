"""Where each connector's payloads say who someone is, and how that is hidden before storage.

The `Pseudonymiser` (pouls.privacy.pseudonyms) applies this to every signal of a pseudonymous
workspace: identity fields of `raw` are replaced by keyed hashes (`hide`), identities inside
`native_id`, `conversation_id` and `parent_id` are hashed the same way (the same person gives
the same hashed id, so threads still hold together), a `url` that names its author is dropped,
and e-mail addresses and phone numbers left in any of these strings are hashed too.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Collection, Iterable
from typing import Any
from urllib.parse import unquote

Hide = Callable[[str], str]

# Keys (any depth) whose whole value identifies a person, in every payload; compared without
# case, `_` or `-` (`displayName`, `display_name` and `display-name` are one key).
COMMON_KEYS = frozenset(
    {
        "author",
        "authorhandle",
        "authorname",
        "authorfullname",
        "username",
        "user",
        "handle",
        "displayname",
        "firstname",
        "lastname",
        "fullname",
        "email",
        "mail",
        "phone",
        "phonenumber",
        "tel",
        "telephone",
        "mobile",
        "contact",
        "contacts",
    }
)

# What each connector's payload adds to COMMON_KEYS (see docs/privacy.md).
CHANNEL_KEYS: dict[str, frozenset[str]] = {
    # WhatsApp Cloud API: the sender's phone (`from`, `wa_id`), their profile name, shared contacts.
    "whatsapp": frozenset({"from", "waid", "profile", "recipientid", "to"}),
    # Messenger and Instagram: page-scoped user ids; Instagram comments name their author.
    # (The recipient of what pouls stores is the page itself.)
    "messenger": frozenset({"sender", "from"}),
    "instagram": frozenset({"sender", "from"}),
    # IMAP: every address header the source keeps.
    "email": frozenset({"from", "to", "cc", "bcc", "replyto", "sender"}),
    # Telegram Bot API: the sender, the chat (a private chat is the person), shared contacts.
    "telegram": frozenset({"from", "chat", "senderchat", "userid", "viabot"}),
    "mastodon": frozenset({"account", "acct", "mentions"}),
    "bluesky": frozenset({"did", "author"}),
    "reddit": frozenset({"authorflairtext"}),
    "webhook": frozenset(),
    "import": frozenset(),
    "mqtt": frozenset({"clientid", "owner"}),
    "checkin": frozenset(),
}
ALL_KEYS = COMMON_KEYS.union(*CHANNEL_KEYS.values())

EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# International numbers (+33 6 12 34 56 78, 0033…) and French national ones (06 12 34 56 78).
PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)\d{1,3}(?:[ .-]?\(?\d\)?){6,12}|0[1-9](?:[ .-]?\d{2}){4})(?![\w])"
)
HANDLE = re.compile(r"(?<![\w.@/])@[A-Za-z0-9_](?:[\w.-]{0,62}\w)?")
MIN_KNOWN = 3  # a known identity shorter than this is not searched for inside other strings


@functools.lru_cache(maxsize=4096)
def normal(key: str) -> str:
    """A key as COMMON_KEYS and CHANNEL_KEYS write it."""
    return key.lower().replace("_", "").replace("-", "")


def keys_for(channel: str) -> frozenset[str]:
    """The identity keys of a channel's payloads (all known keys for an unknown channel)."""
    found = CHANNEL_KEYS.get(channel)
    return ALL_KEYS if found is None else COMMON_KEYS | found


def identities(value: Any, keys: frozenset[str]) -> set[str]:
    """Every scalar found under an identity key of a payload, as text."""
    found: set[str] = set()
    if isinstance(value, dict):
        for k, v in value.items():
            if isinstance(k, str) and normal(k) in keys:
                found.update(_leaves(v))
            else:
                found.update(identities(v, keys))
    elif isinstance(value, list):
        for v in value:
            found.update(identities(v, keys))
    return found


def _leaves(value: Any) -> Iterable[str]:
    if isinstance(value, dict):
        for v in value.values():
            yield from _leaves(v)
    elif isinstance(value, list):
        for v in value:
            yield from _leaves(v)
    elif value is not None and not isinstance(value, bool):
        yield str(value)


def variants(known: Iterable[str | None], *, words: bool = True) -> list[str]:
    """Known identities and their forms (`@zoe@piaille.fr` → `zoe@piaille.fr`, `zoe`; with
    `words`, each word of a name of two or more), longest first."""
    out: set[str] = set()
    for value in known:
        if not value:
            continue
        value = value.strip()
        bare = value.lstrip("@")
        out.update((value, bare))
        local = bare.split("@")[0]
        if value.startswith("@") or not EMAIL.fullmatch(bare) or len(local) > 5:
            out.add(local)  # a handle's user, or a personal-looking e-mail's local part
        if words:
            out.update(w for w in _WORD.findall(bare) if len(w) > MIN_KNOWN)
    return sorted((v for v in out if len(v) >= MIN_KNOWN), key=len, reverse=True)


_WORD = re.compile(r"[^\W\d_][\w'-]*[^\W_]")


class Scrubber:
    """Hashes a payload's identities: under identity keys, known values and contact patterns."""

    def __init__(
        self,
        hide: Hide,
        keys: frozenset[str],
        known: Iterable[str | None],
        public: frozenset[str] | None = None,
    ) -> None:
        """`public`: handles (lowercase, no @) whose mentions are kept, e.g. the brand's own."""
        self.hide = hide
        self.keys = keys
        self.public = public or frozenset()
        known = list(known)
        whole = variants(known, words=False)
        words = variants(known)
        self.whole = [(v, v.casefold()) for v in whole]
        self.names = self.whole if words == whole else [(v, v.casefold()) for v in words]

    def _known(self, value: str, *, words: bool = True) -> re.Pattern[str] | None:
        """The known identities present in `value`, as one pattern (None: none is there)."""
        folded = value.casefold()
        present = [v for v, f in (self.names if words else self.whole) if f in folded]
        if not present:
            return None
        return re.compile("|".join(re.escape(v) for v in present), re.IGNORECASE)

    def text(self, value: str) -> str:
        """A string with known identities, e-mail addresses and phone numbers hashed."""
        known = self._known(value)
        if known is not None:
            value = known.sub(lambda m: self.hide(m.group(0)), value)
        if "@" in value:
            value = EMAIL.sub(lambda m: self.hide(m.group(0)), value)
        return PHONE.sub(lambda m: self.hide(_digits(m.group(0))), value)

    def contacts(self, text: str) -> str:
        """What people write (text, title) with e-mail addresses, @mentions and phone numbers
        hashed; the rest of what they wrote is kept as written."""
        if "@" in text:
            text = EMAIL.sub(lambda m: self.hide(m.group(0)), text)
            text = HANDLE.sub(self._mention, text)
        return PHONE.sub(lambda m: self.hide(_digits(m.group(0))), text)

    def _mention(self, found: re.Match[str]) -> str:
        mention = found.group(0)
        if mention[1:].casefold() in self.public:
            return mention
        return "@" + self.hide(mention)

    def value(self, value: Any) -> Any:
        """A JSON value with every identity in it hashed, keeping its shape."""
        if isinstance(value, dict):
            return {
                k: self._identity(v)
                if isinstance(k, str) and normal(k) in self.keys
                else self.value(v)
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [self.value(v) for v in value]
        if isinstance(value, str):
            return self.text(value)
        return value

    def _identity(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: self._identity(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._identity(v) for v in value]
        if value is None or isinstance(value, bool):
            return value
        text = str(value)
        return self.hide(_digits(text) if PHONE.fullmatch(text) else text)

    def names_in(self, url: str) -> bool:
        """Whether a URL (decoded) contains a known identity or a contact."""
        decoded = unquote(url)
        if self._known(decoded, words=False) is not None:
            return True
        return bool(EMAIL.search(decoded) or PHONE.search(decoded))


def _digits(phone: str) -> str:
    """One form per number, so `+33 6 12…` and `33612…` give the same hash."""
    digits = re.sub(r"\D", "", phone)
    if digits.startswith("00"):
        return digits[2:]
    if digits.startswith("0") and len(digits) == 10:  # French national form
        return "33" + digits[1:]
    return digits


# -- identities inside ids --------------------------------------------------------------------


def hide_id(channel: str, value: str | None, scrub: Scrubber) -> str | None:
    """A native, conversation or parent id with the identities in it hashed, the same way each time."""
    if value is None:
        return None
    rule = _ID_RULES.get(channel)
    if rule is not None:
        value = rule(value, scrub.hide)
    return scrub.text(value)


_NUMBER = re.compile(r"\+?[\d .()-]+")


def _whatsapp(value: str, hide: Hide) -> str:
    # whatsapp:<business number id>:<customer phone>; wamid.… encodes the phone in base64.
    parts = value.split(":")
    if value.startswith("wamid."):
        return hide(value)
    if len(parts) == 3 and parts[0] == "whatsapp":
        who = parts[2]
        return f"whatsapp:{parts[1]}:{hide(_digits(who) if _NUMBER.fullmatch(who) else who)}"
    return value


def _meta(value: str, hide: Hide) -> str:
    # <channel>:<page id>:<user id>, or postback:<user id>:<time>.
    parts = value.split(":")
    if len(parts) == 3 and parts[0] in ("messenger", "instagram"):
        return f"{parts[0]}:{parts[1]}:{hide(parts[2])}"
    if len(parts) == 3 and parts[0] == "postback":
        return f"postback:{hide(parts[1])}:{parts[2]}"
    return value


def _telegram(value: str, hide: Hide) -> str:
    # <chat id>[:<message id>]; a private chat's id is the person's user id (groups are < 0).
    chat, sep, rest = value.partition(":")
    if chat.isdigit():
        return hide(chat) + sep + rest
    return value


def _bluesky(value: str, hide: Hide) -> str:
    # at://<did>/<collection>/<rkey>: the DID is the account.
    if value.startswith("at://"):
        did, sep, rest = value[5:].partition("/")
        return f"at://{hide(did)}{sep}{rest}"
    return value


_ID_RULES: dict[str, Callable[[str, Hide], str]] = {
    "whatsapp": _whatsapp,
    "messenger": _meta,
    "instagram": _meta,
    "telegram": _telegram,
    "bluesky": _bluesky,
}


# -- dead letters -----------------------------------------------------------------------------

_HEADER = re.compile(
    r"^(from|to|cc|bcc|reply-to|sender|return-path|delivered-to|x-original-to|envelope-to)"
    r"[ \t]*:.*(?:\r?\n[ \t].*)*",
    re.IGNORECASE | re.MULTILINE,
)


# A `"key": value` pair of JSON cut short (dead letters keep 10,000 characters at most).
_PAIR = re.compile(r'"([^"\\]{1,64})"(\s*:\s*)("(?:[^"\\]|\\.)*"|-?\d+)')


def scrub_raw_text(raw: str, scrub: Scrubber) -> str:
    """Unreadable input as kept in a dead letter: JSON (or JSON lines) with identity keys
    hashed; otherwise the values of identity keys of cut-short JSON and the address headers
    of an e-mail hashed; then contacts and @handles hashed everywhere."""
    try:
        text = _dumps(scrub.value(json.loads(raw)))
    except (ValueError, RecursionError):
        text = _lines(raw, scrub) or _pattern_scrub(raw, scrub)
    return HANDLE.sub(lambda m: scrub.hide(m.group(0)), text)


def _lines(raw: str, scrub: Scrubber) -> str | None:
    lines = raw.splitlines()
    if len(lines) < 2:
        return None
    try:
        return "\n".join(_dumps(scrub.value(json.loads(line))) for line in lines)
    except (ValueError, RecursionError):
        return None


def _pattern_scrub(raw: str, scrub: Scrubber) -> str:
    def pair(m: re.Match[str]) -> str:
        # Which object an `id` belongs to is lost in cut-short JSON: every id is hashed.
        if normal(m.group(1)) not in scrub.keys and m.group(1) != "id":
            return m.group(0)
        value = m.group(3).strip('"')
        return f'"{m.group(1)}"{m.group(2)}"{scrub.hide(value)}"'

    raw = _PAIR.sub(pair, raw)
    head, sep, body = raw.partition("\r\n\r\n") if "\r\n\r\n" in raw else raw.partition("\n\n")
    head = _HEADER.sub(lambda m: m.group(1) + ": " + scrub.hide(m.group(0)), head)
    return scrub.text(head + sep + body)


def _dumps(value: Any) -> str:
    """JSON as readable as it came, or escaped where a lone surrogate could not be stored."""
    text = json.dumps(value, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value)
    return text


def known_in(raw: str, keys: Collection[str]) -> set[str]:
    """Identities found under identity keys of a raw text that parses as JSON."""
    try:
        return identities(json.loads(raw), frozenset(keys))
    except (ValueError, RecursionError):
        return set()
