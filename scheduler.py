"""Minimal daemon: crawl every enabled source on its interval, one crawl at a time.

A small APScheduler 3.x supervisor around ``warwatch.runner.run_crawl`` (each pass runs in
a child process). Sources that share an interval are crawled together; a job never
overlaps itself (``max_instances=1``) and missed runs are coalesced. Per-source cron
expressions, jitter, adaptive polling, reloads and health states are the daemon issue's.
"""

from __future__ import annotations

import logging
import signal
import sys
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.blocking import BlockingScheduler

from warwatch.runner import run_crawl
from warwatch.settings import Settings
from warwatch.sources import load_sources

logger = logging.getLogger("warwatch.scheduler")


def build_scheduler(settings: Settings) -> BlockingScheduler:
    config = load_sources(settings.config_path)
    groups: dict[timedelta, list[str]] = defaultdict(list)
    for source in config.select():
        groups[source.interval].append(source.id)
    scheduler = BlockingScheduler(
        job_defaults={"max_instances": 1, "coalesce": True, "misfire_grace_time": 60},
        executors={"default": {"type": "threadpool", "max_workers": 1}},
    )
    for interval, ids in groups.items():
        scheduler.add_job(
            _crawl,
            "interval",
            seconds=interval.total_seconds(),
            args=(settings, tuple(ids), interval.total_seconds()),
            id=f"every-{int(interval.total_seconds())}s",
            next_run_time=datetime.now(UTC),  # a first pass at once, then on the interval
        )
    return scheduler


def _crawl(settings: Settings, source_ids: tuple[str, ...], interval: float) -> None:
    outcome = run_crawl(settings, source_ids, trigger="scheduler", timeout=max(interval * 4, 600))
    for result in outcome.sources:
        logger.info("%s: %s, %d new versions", result.source_id, result.status, result.versions_new)


def main(config: str | None = None, db: str | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    scheduler = build_scheduler(Settings.resolve(config, db))
    signal.signal(signal.SIGTERM, lambda *_: scheduler.shutdown(wait=True))
    scheduler.start()
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
