"""StorePipeline: items, versions and flags into SQL, in batches.

Validators (ETag / Last-Modified) are written only when the crawl finished and every item
from that URL was stored, so a crawl that dies half-way fetches in full next time instead
of being told "304 Not Modified" about items it never saved.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.spiders import Spider
from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from crawler.config import warwatch_settings
from crawler.items import ArticleItem, CheckRecord, FetchRecord, ListingRecord
from db.engine import get_engine
from db.store import save_validators, store_batch
from db.takedowns import observe_listing, record_check

logger = logging.getLogger(__name__)
T = TypeVar("T")


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
                events = self._write(lambda connection: self._observe(connection, item))
            except DBAPIError as error:
                self._not_stored({self.crawler.spider.source.url}, "listing or check", error)
                return item
            for kind in events:
                self.crawler.stats.inc_value(f"warwatch/events/{kind}")
        return item

    def _observe(self, connection: Connection, item: ListingRecord | CheckRecord) -> list[str]:
        """Judge a listing (removals) or a re-check (takedowns); the events it records."""
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

    def _write(self, work: Callable[[Connection], T]) -> T:
        """Run ``work`` in one transaction. A dropped connection (the server restarted) is
        retried once on a fresh one: the transaction rolled back, nothing is half-written."""
        try:
            with self.engine.begin() as connection:
                return work(connection)
        except DBAPIError as error:
            if not error.connection_invalidated:
                raise
            logger.warning("database connection lost, writing again: %s", error)
        with self.engine.begin() as connection:
            return work(connection)

    def _not_stored(self, urls: set[str], what: str, error: DBAPIError) -> None:
        """Lost for this run only: the URLs are marked incomplete, so their validators are
        not saved and the next crawl reads them in full."""
        spider = self.crawler.spider
        message = f"{what} not stored: {type(error).__name__}: {error.orig}"
        spider.report_error("store_failed", spider.source.url, message, fatal=True)
        spider.incomplete_urls.update(urls)

    def flush(self) -> None:
        if not self.buffer:
            return
        batch, self.buffer = self.buffer, []
        recheck = self.crawler.spider.source.recheck
        try:
            result = self._write(
                lambda connection: store_batch(connection, batch, self._run_id(), recheck)
            )
        except DBAPIError as error:
            self._not_stored({item.feed_url for item in batch}, f"{len(batch)} items", error)
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
