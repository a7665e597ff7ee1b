"""The feed spider: RSS 2.0, RSS 1.0 and Atom sources."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

from scrapy import Request
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.items import ArticleItem, FetchRecord
from db.engine import get_engine
from db.store import known_urls
from spiders.base import SourceSpider
from warwatch.exceptions import FeedParseError
from warwatch.feeds import FeedEntry, parse_feed
from warwatch.normalize import canonical_url


class FeedSpider(SourceSpider):
    """Fetches a feed with a conditional GET; takes each entry's full text from the feed
    when it carries one (``content:encoded`` / Atom content), else fetches the article
    (the source's ``fetch_articles`` setting can force either way).

    Entries already stored are not fetched again from their pages here (the version
    re-check policy decides that); entries with full text are re-read on every fetch, so
    an edit in the feed becomes a new version.
    """

    name = "feed"
    kind = "feed"

    async def start(self) -> AsyncIterator[Request]:
        yield Request(
            self.source.url,
            callback=self.parse_feed,
            errback=self.feed_failed,
            dont_filter=True,
            meta={"conditional": True, "handle_httpstatus_list": [304]},
        )

    def parse_feed(self, response: Response) -> Iterator[Any]:
        if response.status == 304:
            self.crawler.stats.inc_value("warwatch/not_modified")
            return
        try:
            feed = parse_feed(response.body, response.url)
        except FeedParseError as error:
            self.report_error("feed_parse_error", response.url, error.reason, fatal=True)
            return
        if feed.warning:
            self.report_error("feed_malformed", response.url, feed.warning)
        if not feed.entries:
            self.report_error("feed_empty", response.url, "the feed has no entries")
        self.crawler.stats.inc_value("warwatch/entries_seen", len(feed.entries))
        fetched_at = datetime.now(UTC)
        to_fetch = []
        policy = self.source.fetch_articles
        for entry in feed.entries:
            if policy == "never":
                body = entry.content_html or entry.summary_html or ""
            elif policy == "auto" and entry.content_html:
                body = entry.content_html
            else:
                to_fetch.append(entry)
                continue
            item = self._item(entry, body, "feed", fetched_at, response.status)
            item.feed_url = self.source.url
            yield item
        yield from self._article_requests(to_fetch)
        # Keyed by the configured URL: that is the request the validators will go out with.
        yield FetchRecord(
            self.source.url, _header(response, b"ETag"), _header(response, b"Last-Modified")
        )

    def _article_requests(self, entries: list[FeedEntry]) -> Iterator[Request]:
        with get_engine(self.db_url).connect() as connection:
            stored = known_urls(connection, (canonical_url(e.link) for e in entries))
        for entry in entries:
            if canonical_url(entry.link) in stored:
                continue
            yield Request(
                entry.link,
                callback=self.parse_article,
                errback=self.article_failed,
                cb_kwargs={"entry": entry},
                meta={"feed_url": self.source.url},
            )

    def parse_article(self, response: Response, entry: FeedEntry) -> Iterator[Any]:
        content_type = response.headers.get(b"Content-Type", b"text/html").decode("latin-1")
        if not content_type.startswith(("text/html", "application/xhtml")):
            self.report_error("not_html", response.url, f"article served as {content_type}")
            self.incomplete_urls.add(response.meta["feed_url"])
            return
        item = self._item(entry, response.body, "page", datetime.now(UTC), response.status)
        item.feed_url = response.meta["feed_url"]
        yield item

    def _item(
        self, entry: FeedEntry, html: str | bytes, origin: str, fetched_at: datetime, status: int
    ) -> ArticleItem:
        return ArticleItem(
            source_id=self.source.id,
            url=entry.link,
            origin=origin,
            html=html,
            fetched_at=fetched_at,
            http_status=status,
            language=self.source.language,
            feed_title=entry.title,
            feed_author=entry.author,
            feed_published=entry.published,
            feed_updated=entry.updated,
        )

    def feed_failed(self, failure: Failure) -> None:
        self.report_failure(failure, fatal=True)

    def article_failed(self, failure: Failure) -> None:
        self.report_failure(failure, fatal=False)
        request = getattr(failure, "request", None)
        if request is not None:
            self.incomplete_urls.add(request.meta["feed_url"])


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
