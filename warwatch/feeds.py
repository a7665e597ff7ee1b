"""Reading RSS 2.0, RSS 1.0 and Atom with feedparser, strict about what is not a feed.

feedparser reads almost anything, including an HTML page, as "a feed with no entries";
a monitor must instead say that the feed broke, so empty results are checked here.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

import feedparser

from warwatch.dates import parse_loose_date
from warwatch.exceptions import FeedParseError
from warwatch.normalize import clean_title


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """An entry of a feed, or a link found in a sitemap or on a listing page."""

    link: str
    title: str = ""
    author: str | None = None
    published: datetime | None = None
    updated: datetime | None = None
    content_html: str | None = None  # the full text, when the feed carries it
    summary_html: str | None = None
    language: str | None = None  # as the entry states it (a news sitemap's news:language)


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    version: str
    title: str
    language: str | None
    entries: list[FeedEntry]
    warning: str | None  # set when the feed was only readable leniently


def parse_feed(body: bytes, url: str) -> ParsedFeed:
    """Parse a feed body; raise FeedParseError when it is not a feed at all."""
    parsed = feedparser.parse(body, sanitize_html=False, resolve_relative_uris=True)
    problem = parsed.get("bozo_exception")
    if not parsed.get("version"):
        head = body.lstrip()[:100].lower()
        if head.startswith((b"<!doctype html", b"<html")):
            raise FeedParseError(url, "an HTML page was served instead of a feed")
        reason = f"not a feed ({_describe(problem)})" if problem else "not an RSS or Atom feed"
        raise FeedParseError(url, reason)
    entries = [
        entry
        for entry in (_entry(raw, parsed.version) for raw in parsed.entries)
        if entry is not None
    ]
    warning = None
    if problem is not None:
        warning = f"feed read leniently: {_describe(problem)}"
    feed = parsed.get("feed", {})
    return ParsedFeed(
        version=parsed.version,
        title=clean_title(feed.get("title")),
        language=feed.get("language"),
        entries=entries,
        warning=warning,
    )


def _entry(raw: feedparser.FeedParserDict, version: str) -> FeedEntry | None:
    link = raw.get("link") or (raw.get("id") if str(raw.get("id", "")).startswith("http") else None)
    if not link:
        return None
    content = None
    for part in raw.get("content") or []:
        if part.get("value") and "html" in part.get("type", "text/html"):
            content = part["value"]
            break
    # dict.get: feedparser's own .get() falls back from "updated" to "published",
    # which would report every publication date as a modification date.
    published = _date(dict.get(raw, "published_parsed")) or parse_loose_date(
        dict.get(raw, "published")
    )
    updated = _date(dict.get(raw, "updated_parsed")) or parse_loose_date(dict.get(raw, "updated"))
    if version == "rss10" and published is None:
        published, updated = updated, None  # RSS 1.0's dc:date is the publication date
    return FeedEntry(
        link=link.strip(),
        title=clean_title(raw.get("title")),
        author=raw.get("author") or None,
        published=published,
        updated=updated,
        content_html=content,
        summary_html=raw.get("summary") or None,
    )


def _date(value: time.struct_time | None) -> datetime | None:
    if value is None:
        return None
    return datetime(*value[:6], tzinfo=UTC)


def _describe(problem: BaseException | None) -> str:
    text = str(problem) if problem else ""
    line = getattr(problem, "getLineNumber", None)
    if callable(line):
        text = f"line {line()}: {text}"
    return f"{type(problem).__name__}: {text}" if problem else ""
