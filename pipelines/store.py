"""StorePipeline: items, versions and flags into SQL, in batches.

Validators (ETag / Last-Modified) are written only when the crawl finished and every item
from that URL was stored, so a crawl that dies half-way fetches in full next time instead
of being told "304 Not Modified" about items it never saved.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.spiders import Spider
from sqlalchemy.exc import DBAPIError

from crawler.config import warwatch_settings
from crawler.items import ArticleItem, CheckRecord, FetchRecord, ListingRecord
from db.engine import get_engine
from db.store import save_validators, store_batch
from db.takedowns import observe_listing, record_check

logger = logging.getLogger(__name__)


class StorePipeline:
    def __init__(self, crawler: Crawler, db_url: str, batch_size: int) -> None:
        self.crawler = crawler
        self.engine = get_engine(db_url)
        self.batch_size = batch_size
        self.buffer: list[ArticleItem] = []
        self.fetches: list[FetchRecord] = []
        run_id = crawler.settings.get("WARWATCH_RUN_ID")
        self.run_id = int(run_id) if run_id else None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        pipeline = cls(
            crawler,
            warwatch_settings(crawler.settings).db_url,
            crawler.settings.getint("WARWATCH_BATCH_SIZE", 50),
        )
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def process_item(self, item: Any) -> Any:
        if isinstance(item, FetchRecord):
            self.fetches.append(item)
        elif isinstance(item, ArticleItem):
            self.buffer.append(item)
            if len(self.buffer) >= self.batch_size:
                self.flush()
        elif isinstance(item, ListingRecord | CheckRecord):
            self.flush()  # the items read before it are stored before it is judged
            try:
                events = self._observe(item)
            except DBAPIError as error:
                spider = self.crawler.spider
                message = f"listing or check not stored: {error.orig}"
                spider.report_error("store_failed", spider.source.url, message, fatal=True)
                spider.incomplete_urls.add(spider.source.url)
                return item
            for kind in events:
                self.crawler.stats.inc_value(f"warwatch/events/{kind}")
        return item

    def _observe(self, item: ListingRecord | CheckRecord) -> list[str]:
        """Judge a listing (removals) or a re-check (takedowns); the events it records."""
        with self.engine.begin() as connection:
            if isinstance(item, ListingRecord):
                return [kind for _, kind in observe_listing(connection, item, self._run_id())]
            kind = record_check(
                connection,
                item,
                item.response.fetched_at if item.response else datetime.now(UTC),
                self._run_id(),
                self.crawler.spider.source.recheck,
            )
            return [kind] if kind else []

    def _run_id(self) -> int | None:
        return self.run_id or getattr(self.crawler.spider, "run_id", None)

    def flush(self) -> None:
        if not self.buffer:
            return
        batch, self.buffer = self.buffer, []
        spider = self.crawler.spider
        for attempt in (1, 2):
            try:
                with self.engine.begin() as connection:
                    result = store_batch(connection, batch, self._run_id(), spider.source.recheck)
                break
            except DBAPIError as error:
                # A dropped connection (the server restarted) is retried once on a fresh
                # one; the transaction rolled back, so nothing was half-written.
                if attempt == 1 and error.connection_invalidated:
                    logger.warning("database connection lost, storing the batch again: %s", error)
                    continue
                # The batch is lost for this run only: its feeds are marked incomplete, so
                # their validators are not saved and the next crawl reads them in full.
                spider.report_error(
                    "store_failed",
                    spider.source.url,
                    f"{len(batch)} items not stored: {type(error).__name__}: {error.orig}",
                    fatal=True,
                )
                spider.incomplete_urls.update(item.feed_url for item in batch)
                return
        stats = self.crawler.stats
        stats.inc_value("warwatch/items_stored", len(batch))
        stats.inc_value("warwatch/items_new", result.items_new)
        stats.inc_value("warwatch/versions_new", result.versions_new)
        stats.inc_value("warwatch/changes_new", result.changes_new)
        stats.inc_value("warwatch/flags_new", result.flags_new)

    def close_spider(self) -> None:
        self.flush()

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if reason != "finished":
            logger.warning("crawl ended (%s): HTTP validators not saved", reason)
            return
        incomplete = getattr(spider, "incomplete_urls", set())
        complete = [record for record in self.fetches if record.url not in incomplete]
        with self.engine.begin() as connection:
            save_validators(connection, complete, datetime.now(UTC))
