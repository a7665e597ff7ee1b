"""When the database fails under the store pipeline: a dropped connection is retried once
on a fresh one; any other failure is reported by name and the feed is marked incomplete,
so its validators are not saved and the next crawl reads it in full (nothing is lost to
a "304 Not Modified" about items that were never stored)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from scrapy.settings import Settings
from scrapy.statscollectors import MemoryStatsCollector
from sqlalchemy.exc import OperationalError

import pipelines.store
from db.store import BatchResult
from pipelines.store import StorePipeline

FEED = "http://127.0.0.1:1/feed"


class Spider:
    def __init__(self) -> None:
        self.source = SimpleNamespace(url=FEED, recheck=())
        self.incomplete_urls: set[str] = set()
        self.errors: list[tuple[str, str, str, bool]] = []

    def report_error(self, kind: str, url: str, message: str, *, fatal: bool = False) -> None:
        self.errors.append((kind, url, message, fatal))


@pytest.fixture
def pipeline(tmp_path):
    crawler = SimpleNamespace(spider=Spider(), settings=Settings())
    crawler.stats = MemoryStatsCollector(crawler)
    store = StorePipeline(crawler, f"sqlite:///{tmp_path / 'w.db'}", batch_size=50)
    store.buffer = [SimpleNamespace(feed_url=FEED), SimpleNamespace(feed_url=FEED)]
    return store


def failing(*errors: Exception):
    """A store_batch that raises these, in order, then succeeds."""
    calls = []

    def store_batch(connection, batch, run_id, recheck):  # type: ignore[no-untyped-def]
        calls.append(len(batch))
        if len(calls) <= len(errors):
            raise errors[len(calls) - 1]
        return BatchResult(items_new=len(batch), versions_new=len(batch), flags_new=0)

    return store_batch, calls


def dropped() -> OperationalError:
    return OperationalError("INSERT …", {}, Exception("server closed the connection"),
                            connection_invalidated=True)  # fmt: skip


def test_a_dropped_connection_is_retried_once_and_the_batch_stored(pipeline, monkeypatch):
    store_batch, calls = failing(dropped())
    monkeypatch.setattr(pipelines.store, "store_batch", store_batch)

    pipeline.flush()

    assert calls == [2, 2]
    assert pipeline.crawler.spider.errors == []
    assert pipeline.crawler.stats.get_value("warwatch/items_new") == 2


def test_a_store_that_keeps_failing_is_reported_and_withholds_the_validators(pipeline, monkeypatch):
    store_batch, calls = failing(dropped(), dropped())
    monkeypatch.setattr(pipelines.store, "store_batch", store_batch)

    pipeline.flush()

    spider = pipeline.crawler.spider
    assert calls == [2, 2]
    [(kind, url, message, fatal)] = spider.errors
    assert (kind, url, fatal) == ("store_failed", FEED, True)
    assert message.startswith("2 items not stored: OperationalError: server closed")
    assert spider.incomplete_urls == {FEED}
    assert pipeline.buffer == []
