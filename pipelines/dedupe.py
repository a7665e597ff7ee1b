"""DedupePipeline: one item per canonical URL per crawl.

A feed that lists the same article twice (or under two tracking URLs) yields it once;
across crawls, dedupe is the database's UNIQUE keys (see ``db/store.py``).
"""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawler.items import ArticleItem


class DedupePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.seen: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        if item.canonical_url in self.seen:
            self.crawler.stats.inc_value("warwatch/duplicates_dropped")
            raise DropItem(f"duplicate entry in this crawl: {item.canonical_url}")
        self.seen.add(item.canonical_url)
        return item
