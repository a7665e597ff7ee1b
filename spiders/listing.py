"""The listing spider: an HTML index page whose article links a selector picks out."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from scrapy import Request
from scrapy.http import Response, TextResponse

from spiders.base import SourceSpider, raw_response
from warwatch.feeds import FeedEntry
from warwatch.sources import Selector


class ListingSpider(SourceSpider):
    """Reads up to ``max_pages`` listing pages (following ``next_page``) and fetches the
    articles they link to. A selector that matches nothing on the first page means the
    site changed its layout: that is an error against the source, not "no news"."""

    name = "listing"
    kind = "listing"

    async def start(self) -> AsyncIterator[Request]:
        yield self.source_request(self.source.url, self.parse_listing, page=1)
        for request in self.recheck_requests():
            yield request

    def parse_listing(self, response: Response) -> Iterator[Any]:
        page = response.meta["page"]
        if self.not_modified(response):
            return
        if not isinstance(response, TextResponse):
            self.report_error(
                "not_html", response.url, "the listing page is not HTML", fatal=page == 1
            )
            return
        assert self.source.links is not None  # validated: a listing source has links
        links = _select(response, self.source.links)
        if not links:
            self.report_error(
                "selector_matched_nothing",
                response.url,
                f"the links selector {_describe(self.source.links)} matched nothing "
                "(has the site changed its layout?)",
                fatal=page == 1,
            )
            return
        self.crawler.stats.inc_value("warwatch/entries_seen", len(links))
        entries = [FeedEntry(link=response.urljoin(href), title=title) for href, title in links]
        yield self.listing(raw_response(response), entries)
        yield from self.article_requests(entries, self.source.url)
        if self.source.next_page is not None and page < self.source.max_pages:
            following = _select(response, self.source.next_page)
            if following:
                yield self.source_request(
                    response.urljoin(following[0][0]), self.parse_listing,
                    page=page + 1, handle_httpstatus_list=[],
                )  # fmt: skip
        if page == 1:
            yield self.fetched(response, self.source.url)


def _select(response: TextResponse, selector: Selector) -> list[tuple[str, str]]:
    """(href, link text) of the matched elements: <a> elements, or href attributes."""
    found = response.css(selector.css) if selector.css else response.xpath(selector.xpath)  # type: ignore[arg-type]
    links: list[tuple[str, str]] = []
    for node in found:
        root = node.root
        if isinstance(root, str):  # an attribute or text node selected directly
            href, text = root, ""
        else:
            anchor = node if root.tag == "a" else node.css("a")
            href = anchor.attrib.get("href")
            text = " ".join(node.css("::text").getall()).strip()
        if href and not href.startswith(("javascript:", "mailto:", "#")):
            links.append((href.strip(), " ".join(text.split())))
    return links


def _describe(selector: Selector) -> str:
    return f"css {selector.css!r}" if selector.css else f"xpath {selector.xpath!r}"
