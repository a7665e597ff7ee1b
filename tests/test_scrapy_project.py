"""``scrapy list`` and ``scrapy crawl feed -a source=ID`` work from the repository root."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from db.engine import get_engine
from db.models import CrawlRun, CrawlRunSource

ROOT = Path(__file__).parent.parent


def scrapy(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "scrapy", *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_scrapy_list_shows_the_feed_spider():
    result = scrapy("list")

    assert result.returncode == 0, result.stderr
    assert "feed" in result.stdout.split()


def test_scrapy_crawl_stores_and_records_its_own_run(server, write_config, tmp_path):
    url = f"sqlite:///{tmp_path / 'scrapy.db'}"
    config = write_config(
        {"state": server.serve_fixture("/feed", "feeds/state-press-releases-1648155971.rss")}
    )

    result = scrapy(
        "crawl",
        "feed",
        "-a",
        "source=state",
        env={"WARWATCH_CONFIG": str(config), "WARWATCH_DB_URL": url},
    )

    assert result.returncode == 0, result.stderr
    with get_engine(url).connect() as connection:
        run = connection.execute(select(CrawlRun.trigger, CrawlRun.status)).one()
        done = connection.execute(select(CrawlRunSource.status, CrawlRunSource.items_new)).one()
    assert tuple(run) == ("scrapy", "ok")
    assert tuple(done) == ("ok", 10)


def test_scrapy_crawl_of_an_unknown_source_says_so(write_config, tmp_path):
    config = write_config({"state": "https://example.org/feed"})

    result = scrapy(
        "crawl",
        "feed",
        "-a",
        "source=nope",
        env={"WARWATCH_CONFIG": str(config), "WARWATCH_DB_URL": f"sqlite:///{tmp_path / 'x.db'}"},
    )

    assert "unknown source 'nope'; known sources: state" in result.stderr
