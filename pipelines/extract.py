"""ExtractPipeline: article text and metadata out of raw HTML (trafilatura)."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawler.items import ArticleItem
from warwatch.exceptions import ExtractionError
from warwatch.extract import EXTRACTOR, extract_fragment, extract_page


class ExtractPipeline:
    """Feed items: the feed's own title, dates and author, text from its full content.
    Page items: everything from the page, the feed's values filling any gap.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        try:
            extract_item(item)
        except ExtractionError as error:
            spider = self.crawler.spider
            spider.report_error("extraction_failed", error.url, error.reason)
            spider.incomplete_urls.add(item.feed_url)
            raise DropItem(f"no text extracted from {error.url}") from error
        return item


def extract_item(item: ArticleItem) -> ArticleItem:
    """Fill in text, title, dates and author; raise ExtractionError if there is no text.

    The raw body stays in ``item.response`` (the evidence); ``item.html`` is emptied so
    the page is not carried through the other pipelines twice.
    """
    if item.origin == "feed":
        _from_feed(item)
    else:
        _from_page(item)
    item.extractor = item.extractor or EXTRACTOR
    item.html = b""
    return item


def _from_feed(item: ArticleItem) -> None:
    item.text = extract_fragment(str(item.html), item.url)
    if not item.text and not item.feed_title:
        raise ExtractionError(item.url, "the feed entry has neither text nor title")
    item.title = item.feed_title
    item.author = item.feed_author
    item.published_at = item.feed_published
    item.modified_at = item.feed_updated


def _from_page(item: ArticleItem) -> None:
    page = extract_page(item.html, item.url)
    item.text = page.text
    item.title = page.title or item.feed_title
    item.author = page.author or item.feed_author
    item.published_at = page.published_at or item.feed_published
    item.modified_at = page.modified_at or item.feed_updated
    item.language = item.language or page.language
    item.extractor = page.extractor
