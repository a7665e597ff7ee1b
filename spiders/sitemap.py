"""The sitemap spider: sitemap indexes, urlsets and Google News sitemaps."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

from scrapy import Request
from scrapy.http import Response

from spiders.base import SourceSpider, raw_response
from warwatch.exceptions import FeedParseError
from warwatch.feeds import FeedEntry
from warwatch.sitemaps import SitemapEntry, parse_sitemap

MAX_CHILD_SITEMAPS = 50


class SitemapSpider(SourceSpider):
    """Follows only what is newer than the source's ``since`` window: child sitemaps of
    an index by their ``lastmod``, articles by ``news:publication_date`` or ``lastmod``
    (entries with no date at all are followed: they cannot be told old)."""

    name = "sitemap"
    kind = "sitemap"

    async def start(self) -> AsyncIterator[Request]:
        yield self.source_request(self.source.url, self.parse_sitemap)
        for request in self.recheck_requests():
            yield request

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        is_root = response.meta.get("depth_in_index", 0) == 0
        if self.not_modified(response):
            return
        try:
            sitemap = parse_sitemap(response.body, response.url)
        except FeedParseError as error:
            self.report_error("sitemap_parse_error", response.url, error.reason, fatal=is_root)
            if not is_root:
                self.incomplete_urls.add(self.source.url)
            return
        cutoff = datetime.now(UTC) - self.source.since
        fresh = [e for e in sitemap.entries if e.newest is None or e.newest >= cutoff]
        if sitemap.kind == "sitemapindex":
            for entry in fresh[:MAX_CHILD_SITEMAPS]:
                yield self.source_request(
                    entry.loc, self.parse_sitemap, depth_in_index=1, handle_httpstatus_list=[]
                )
        else:
            if not sitemap.entries:
                self.report_error("sitemap_empty", response.url, "the sitemap lists no URLs")
            self.crawler.stats.inc_value("warwatch/entries_seen", len(fresh))
            if sitemap.entries:
                yield self.listing(raw_response(response), map(_as_entry, sitemap.entries))
            yield from self.article_requests(map(_as_entry, fresh), self.source.url)
        if is_root:
            yield self.fetched(response, self.source.url)


def _as_entry(entry: SitemapEntry) -> FeedEntry:
    language = entry.language.split("-")[0].lower() if entry.language else None
    return FeedEntry(
        link=entry.loc, title=entry.title or "", published=entry.published,
        updated=entry.lastmod, language=language,
    )  # fmt: skip
