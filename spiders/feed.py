"""The feed spider: RSS 2.0, RSS 1.0 and Atom sources."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from scrapy import Request
from scrapy.http import Response

from spiders.base import SourceSpider, raw_response
from warwatch.exceptions import FeedParseError
from warwatch.feeds import parse_feed


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
        yield self.source_request(self.source.url, self.parse_feed)
        for request in self.recheck_requests():
            yield request

    def parse_feed(self, response: Response) -> Iterator[Any]:
        if self.not_modified(response):
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
        raw = raw_response(response)
        policy = self.source.fetch_articles
        to_fetch = []
        for entry in feed.entries:
            if not self.source.wants(entry.link):
                continue
            if policy == "never":
                body = entry.content_html or entry.summary_html or ""
            elif policy == "auto" and entry.content_html:
                body = entry.content_html
            else:
                to_fetch.append(entry)
                continue
            yield self.make_item(entry, body, "feed", response.status, self.source.url, raw)
        if feed.entries:
            yield self.listing(raw, feed.entries)
        yield from self.article_requests(to_fetch, self.source.url)
        # Keyed by the configured URL: that is the request the validators go out with.
        yield self.fetched(response, self.source.url)
