"""Normalisation: one canonical URL per article, UTC dates, clean white space, a content hash.

These decide what counts as "the same item" and "the same content", so they are pure
functions, tested on their own.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from warwatch.dates import parse_loose_date

# Query parameters that identify a campaign or a click, never the page.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "igshid",
        "ocid",
        "cmpid",
        "smid",
        "smtyp",
        "ref",
        "ref_src",
        "ref_url",
        "cmp",
        "src",
        "ito",
        "at_medium",
        "at_campaign",
        "at_custom1",
        "at_custom2",
        "at_custom3",
        "at_custom4",
        "spm",
        "share",
        "feature",
        "mkt_tok",
        "s_cid",
        "wt.mc_id",
        "cid",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "piwik_", "hsa_", "oly_", "vero_", "__s")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_url(url: str) -> str:
    """The URL that identifies an article: lower-case host, no fragment, no tracking query.

    Remaining query parameters are kept in their order (some sites route on them); the
    path is kept exactly, trailing slash included, because sites do serve different pages
    with and without it.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    port = parts.port
    netloc = host if port is None or _DEFAULT_PORTS.get(scheme) == port else f"{host}:{port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if key.lower() not in TRACKING_PARAMS and not key.lower().startswith(TRACKING_PREFIXES)
    ]
    return urlunsplit((scheme, netloc, parts.path or "/", urlencode(query, doseq=True), ""))


_SPACES = re.compile(r"[^\S\n]+")
_AROUND_NEWLINES = re.compile(r" ?\n ?")
_BLANK_LINES = re.compile(r"\n{2,}")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)


def clean_text(text: str | None) -> str:
    """NFC, no invisible characters, single spaces, paragraphs separated by one blank line."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _AROUND_NEWLINES.sub("\n", _SPACES.sub(" ", text))
    return _BLANK_LINES.sub("\n\n", text).strip()


def clean_title(title: str | None) -> str:
    """A title on one line."""
    return _SPACES.sub(" ", clean_text(title).replace("\n", " ")).strip()


def content_hash(title: str, text: str) -> str:
    """SHA-256 of the normalised title and text: equal hashes mean the same content."""
    return hashlib.sha256(f"{title}\n\n{text}".encode()).hexdigest()


def to_utc(value: datetime | str | None) -> datetime | None:
    """An aware UTC datetime from a datetime, an ISO 8601 or an RFC 822 string.

    Naive values are taken to be UTC already; strings that parse as neither give None.
    """
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = _parse_date(value.strip())
        if value is None:
            return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _parse_date(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    loose = parse_loose_date(text)  # before email.utils, which ignores zones like GMT+9
    if loose is not None:
        return loose
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
