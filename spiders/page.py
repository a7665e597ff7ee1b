"""The page spider: one URL watched as a whole (a statement page, a situation page)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from scrapy import Request
from scrapy.http import Response

from spiders.base import HTML_TYPES, SourceSpider, raw_response
from warwatch.feeds import FeedEntry


class PageSpider(SourceSpider):
    """Each fetch of the page is an item; a change of its content is a new version."""

    name = "page"
    kind = "page"

    async def start(self) -> AsyncIterator[Request]:
        yield self.source_request(self.source.url, self.parse_page)

    def parse_page(self, response: Response) -> Iterator[Any]:
        if self.not_modified(response):
            return
        content_type = response.headers.get(b"Content-Type", b"text/html").decode("latin-1")
        if not content_type.startswith(HTML_TYPES):
            self.report_error(
                "not_html", response.url, f"page served as {content_type}", fatal=True
            )
            return
        self.crawler.stats.inc_value("warwatch/entries_seen")
        entry = FeedEntry(link=self.source.url)
        yield self.make_item(
            entry, response.body, "page", response.status, self.source.url, raw_response(response)
        )
        yield self.fetched(response, self.source.url)
