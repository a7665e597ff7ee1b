"""RunRecorderExtension: what each crawl did for its source, written to the database.

Ops read ``crawl_runs`` / ``crawl_run_sources`` / ``crawl_errors`` to know when a source
breaks; ``warwatch crawl`` reads them to decide its exit status.
"""

from __future__ import annotations

from datetime import UTC, datetime

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.spiders import Spider

from crawler.config import warwatch_settings
from db.engine import get_engine
from db.migrate import ensure_schema
from db.store import finish_run, record_errors, record_run_source, start_run, sync_sources


class RunRecorderExtension:
    def __init__(self, crawler: Crawler, db_url: str, run_id: int | None) -> None:
        self.crawler = crawler
        self.db_url = db_url
        self.run_id = run_id
        self.own_run = run_id is None  # a plain ``scrapy crawl``: this crawl is its own run
        self.started_at = datetime.now(UTC)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunRecorderExtension:
        run_id = crawler.settings.get("WARWATCH_RUN_ID")
        extension = cls(
            crawler, warwatch_settings(crawler.settings).db_url, int(run_id) if run_id else None
        )
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        source = getattr(spider, "source", None)
        if source is None:
            return
        if self.own_run:
            ensure_schema(self.db_url)
        now = datetime.now(UTC)
        with get_engine(self.db_url).begin() as connection:
            sync_sources(connection, [source], now)
            if self.own_run:
                self.run_id = start_run(connection, "scrapy", now)
        spider.run_id = self.run_id  # type: ignore[attr-defined]

    def spider_closed(self, spider: Spider, reason: str) -> None:
        source = getattr(spider, "source", None)
        if source is None or self.run_id is None:
            return
        now = datetime.now(UTC)
        stats = self.crawler.stats
        errors = list(spider.errors)  # type: ignore[attr-defined]
        status = _status(spider.failed, reason, stats.get_value("warwatch/not_modified", 0), errors)  # type: ignore[attr-defined]
        with get_engine(self.db_url).begin() as connection:
            record_run_source(
                connection,
                {
                    "run_id": self.run_id,
                    "source_id": source.id,
                    "started_at": self.started_at,
                    "finished_at": now,
                    "status": status,
                    "finish_reason": reason,
                    "requests": stats.get_value("downloader/request_count", 0),
                    "not_modified": stats.get_value("warwatch/not_modified", 0),
                    "entries_seen": stats.get_value("warwatch/entries_seen", 0),
                    "items_new": stats.get_value("warwatch/items_new", 0),
                    "versions_new": stats.get_value("warwatch/versions_new", 0),
                    "flags_new": stats.get_value("warwatch/flags_new", 0),
                    "errors": len(errors),
                    "retry_after_at": getattr(spider, "retry_after_at", None),
                },
            )
            record_errors(
                connection,
                [
                    {
                        "run_id": self.run_id,
                        "source_id": source.id,
                        "url": e.url,
                        "kind": e.kind,
                        "message": e.message,
                        "created_at": e.at,
                    }
                    for e in errors
                ],
            )
            if self.own_run:
                finish_run(connection, self.run_id, "failed" if status == "failed" else "ok", now)


def _status(failed: bool, reason: str, not_modified: int, errors: list[object]) -> str:
    if failed or reason != "finished":
        return "failed"
    if not_modified:
        return "not_modified"
    return "partial" if errors else "ok"
