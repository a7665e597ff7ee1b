"""The warwatch daemon: every source on its own schedule, crawled in child processes.

``python scheduler.py [--config FILE] [--db URL] [--grace S] [--json-logs]`` and
``warwatch run`` are the same thing. An APScheduler 3.x ``BackgroundScheduler`` holds one
job per enabled source (its ``interval`` or ``cron``, with jitter; ``max_instances=1``
and ``coalesce`` so a source never overlaps itself and missed runs collapse into one).
A job that comes due hands its source to the ``Batcher``, which crawls every source due
at that moment together in one child process (Scrapy's reactor cannot restart in a
process), one child at a time, each with a wall-clock timeout.

After each crawl a source's interval adapts: back to ``interval`` when it had new items,
×1.5 towards ``max_interval`` when it had none, and a failing source waits for its
backoff (``warwatch.health``). SIGTERM/SIGINT stop scheduling, give a running crawl
``--grace`` seconds, then stop it. SIGHUP reloads the sources file; an invalid file is
logged and the sources last loaded keep running (the daemon crawls from its own copy of
the last valid file, so a half-edited file on disk never reaches a crawl).
"""

from __future__ import annotations

import argparse
import logging
import shutil
import signal
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import select, update

from db.engine import get_engine
from db.migrate import ensure_schema
from db.models import SourceHealth
from warwatch.exceptions import ConfigError
from warwatch.logs import configure_logging
from warwatch.runner import CrawlOutcome, SourceOutcome, run_crawl
from warwatch.settings import Settings
from warwatch.sources import Source, SourcesConfig, cron_trigger, load_sources

logger = logging.getLogger("warwatch.scheduler")

GATHER_SECONDS = 0.5  # sources falling due within this much of each other share a child
QUIET_FACTOR = 1.5


@dataclass
class _Ticket:
    """A source waiting for a crawl, and what the crawl did for it."""

    done: threading.Event = field(default_factory=threading.Event)
    result: SourceOutcome | None = None
    skipped: str | None = None


class Batcher:
    """One crawl child at a time, holding every source due when it starts."""

    def __init__(self, crawl: Any, stopping: threading.Event) -> None:
        self._crawl = crawl  # (source_ids) -> CrawlOutcome
        self._stopping = stopping
        self._pending: dict[str, _Ticket] = {}
        self._wakeup = threading.Condition()
        self._thread = threading.Thread(target=self._work, name="warwatch-batcher", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def join(self, timeout: float | None = None) -> None:
        with self._wakeup:
            self._wakeup.notify_all()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def submit(self, source_id: str) -> _Ticket:
        """Queue a source for the next crawl and wait until that crawl is over."""
        with self._wakeup:
            ticket = self._pending.setdefault(source_id, _Ticket())
            self._wakeup.notify_all()
        ticket.done.wait()
        return ticket

    def _work(self) -> None:
        while True:
            with self._wakeup:
                while not self._pending and not self._stopping.is_set():
                    self._wakeup.wait()
                if self._stopping.is_set():
                    self._release_all()
                    return
                # Let sources due in the same instant join the same child.
                self._wakeup.wait(GATHER_SECONDS)
                batch, self._pending = self._pending, {}
            self._run(batch)

    def _run(self, batch: dict[str, _Ticket]) -> None:
        try:
            outcome: CrawlOutcome = self._crawl(tuple(sorted(batch)))
        except Exception:  # the daemon must outlive a bad crawl; the error is logged
            logger.exception("crawl of %s failed to run", ", ".join(sorted(batch)))
            outcome = CrawlOutcome(None, [], [])
        results = {result.source_id: result for result in outcome.sources}
        reasons = dict(outcome.skipped)
        for source_id, ticket in batch.items():
            ticket.result = results.get(source_id)
            ticket.skipped = reasons.get(source_id)
            ticket.done.set()

    def _release_all(self) -> None:
        for ticket in self._pending.values():
            ticket.skipped = "warwatch is shutting down"
            ticket.done.set()
        self._pending.clear()


class Daemon:
    def __init__(self, settings: Settings, *, grace: float = 30.0, json_logs: bool = False):
        self.settings = settings
        self.grace = grace
        self.json_logs = json_logs
        self.stopping = threading.Event()
        self._snapshots = Path(tempfile.mkdtemp(prefix="warwatch-sources-"))
        self.config = self._load(settings.config_path)
        self.intervals: dict[str, float] = {}  # adaptive interval per source
        self._scheduled: dict[str, float] = {}  # the delay each interval job now runs on
        self.batcher = Batcher(self._crawl, self.stopping)
        self.scheduler = BackgroundScheduler(
            timezone=UTC,
            executors={"default": ThreadPoolExecutor(max_workers=256)},
            job_defaults={"max_instances": 1, "coalesce": True, "misfire_grace_time": None},
        )

    # -- configuration --

    def _load(self, path: Path) -> SourcesConfig:
        """Validate the sources file and keep a private copy of it for the crawls."""
        config = load_sources(path)
        snapshot = self._snapshots / path.name
        shutil.copyfile(path, snapshot)
        self.crawl_settings = Settings(config_path=snapshot, db_url=self.settings.db_url)
        return config

    def reload(self) -> bool:
        """SIGHUP: apply a changed sources file, or keep the running one if it is invalid."""
        try:
            config = self._load(self.settings.config_path)
        except ConfigError as error:
            logger.error("sources file not reloaded, the previous sources keep running:\n%s", error)
            return False
        old = {s.id: s for s in self.config.select()}
        new = {s.id: s for s in config.select()}
        self.config = config
        for source_id in old.keys() - new.keys():
            self.scheduler.remove_job(source_id)
            self.intervals.pop(source_id, None)
            self._scheduled.pop(source_id, None)
        for source_id, source in new.items():
            if source_id not in old:
                self._add(source, at_once=True)
            elif _schedule(old[source_id]) != _schedule(source):
                self.intervals.pop(source_id, None)
                self.scheduler.reschedule_job(source_id, trigger=self._trigger(source))
        logger.info(
            "sources reloaded: %d scheduled (%d added, %d removed)",
            len(new), len(new.keys() - old.keys()), len(old.keys() - new.keys()),
        )  # fmt: skip
        return True

    # -- scheduling --

    def start(self) -> None:
        ensure_schema(self.settings.db_url)
        self.intervals = self._stored_intervals()
        for source in self.config.select():
            self._add(source, at_once=True)
        self.batcher.start()
        self.scheduler.start()
        logger.info(
            "warwatch daemon started: %d sources from %s, database %s",
            len(self.config.select()), self.settings.config_path,
            get_engine(self.settings.db_url).url.render_as_string(hide_password=True),
        )  # fmt: skip

    def stop(self) -> None:
        """Stop scheduling; let a running crawl finish within the grace period."""
        logger.info("stopping: no new crawls; a running crawl gets %.0f s to finish", self.grace)
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        self.stopping.set()
        self.batcher.join()
        shutil.rmtree(self._snapshots, ignore_errors=True)
        logger.info("warwatch daemon stopped")

    def _add(self, source: Source, *, at_once: bool) -> None:
        self.scheduler.add_job(
            self._due,
            trigger=self._trigger(source),
            args=(source.id,),
            id=source.id,
            name=f"crawl {source.id}",
            replace_existing=True,
            **({"next_run_time": datetime.now(UTC)} if at_once else {}),
        )

    def _trigger(self, source: Source, seconds: float | None = None) -> BaseTrigger:
        if source.cron:
            return cron_trigger(source.cron)
        interval = seconds or self.intervals.get(source.id) or source.interval.total_seconds()
        self._scheduled[source.id] = interval
        jitter = source.jitter_seconds
        return IntervalTrigger(seconds=interval, jitter=int(jitter) or None, timezone=UTC)

    def _due(self, source_id: str) -> None:
        """A source's job: wait for its crawl, then adapt its interval."""
        if self.stopping.is_set():
            return
        ticket = self.batcher.submit(source_id)
        if ticket.skipped:
            logger.info("%s: skipped, %s", source_id, ticket.skipped)
        elif ticket.result is not None:
            r = ticket.result
            log = logger.warning if r.status == "failed" else logger.info
            first = f": {r.errors[0][0]}: {r.errors[0][2]}" if r.errors else ""
            log(
                "%s: %s, %d new items, %d new versions, %d new flags%s",
                source_id, r.status, r.items_new, r.versions_new, r.flags_new, first,
            )  # fmt: skip
        if not self.stopping.is_set():
            self._adapt(source_id, ticket.result)

    def _adapt(self, source_id: str, result: SourceOutcome | None) -> None:
        """Busy sources are polled at their interval, quiet ones less often (within
        ``max_interval``), failing ones after their backoff."""
        source = next((s for s in self.config.select() if s.id == source_id), None)
        if source is None or source.cron:
            return
        base = source.interval.total_seconds()
        ceiling = (source.max_interval or source.interval).total_seconds()
        current = self.intervals.get(source_id, base)
        scheduled = self._scheduled.get(source_id, current)
        if result is not None and result.items_new:
            wanted = base
        elif result is not None and result.fetched:
            wanted = min(ceiling, current * QUIET_FACTOR)
        else:
            wanted = current
        delay = max(wanted, self._backoff_seconds(source_id))
        if self.intervals.get(source_id) != wanted:
            self._store_interval(source_id, wanted)
        self.intervals[source_id] = wanted
        if delay != scheduled:
            self.scheduler.reschedule_job(source_id, trigger=self._trigger(source, delay))

    def _backoff_seconds(self, source_id: str) -> float:
        with get_engine(self.settings.db_url).connect() as connection:
            when = connection.scalar(
                select(SourceHealth.next_attempt_at).where(SourceHealth.source_id == source_id)
            )
        return max((when - datetime.now(UTC)).total_seconds(), 0.0) if when else 0.0

    def _stored_intervals(self) -> dict[str, float]:
        """Adaptive intervals survive a restart (within the sources' current bounds)."""
        with get_engine(self.settings.db_url).connect() as connection:
            rows = dict(
                connection.execute(
                    select(SourceHealth.source_id, SourceHealth.poll_interval_seconds)
                ).all()
            )
        kept = {}
        for source in self.config.select():
            seconds = rows.get(source.id)
            ceiling = source.max_interval or source.interval
            if seconds and source.interval.total_seconds() <= seconds <= ceiling.total_seconds():
                kept[source.id] = seconds
        return kept

    def _store_interval(self, source_id: str, seconds: float) -> None:
        with get_engine(self.settings.db_url).begin() as connection:
            connection.execute(
                update(SourceHealth)
                .where(SourceHealth.source_id == source_id)
                .values(poll_interval_seconds=seconds)
            )

    def _crawl(self, source_ids: tuple[str, ...]) -> CrawlOutcome:
        return run_crawl(
            self.crawl_settings,
            source_ids,
            trigger="scheduler",
            stop=self.stopping,
            grace=self.grace,
            json_logs=self.json_logs,
        )


def _schedule(source: Source) -> tuple[Any, ...]:
    return (source.interval, source.max_interval, source.cron, source.jitter)


def serve(settings: Settings, *, grace: float = 30.0, json_logs: bool = False) -> int:
    """Run the daemon until SIGTERM or SIGINT; SIGHUP reloads the sources file."""
    configure_logging(json_logs)
    daemon = Daemon(settings, grace=grace, json_logs=json_logs)
    wake = threading.Event()
    requests: list[str] = []

    def on_signal(number: int, _frame: object) -> None:
        requests.append("reload" if number == signal.SIGHUP else "stop")
        wake.set()

    for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(number, on_signal)
    daemon.start()
    while True:
        wake.wait()
        wake.clear()
        while requests:
            if requests.pop(0) == "stop":
                daemon.stop()
                return 0
            daemon.reload()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scheduler.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", metavar="FILE", help="sources file (as for warwatch)")
    parser.add_argument("--db", metavar="URL", help="database URL (as for warwatch)")
    parser.add_argument("--grace", type=float, default=30.0, help="seconds a crawl may finish")
    parser.add_argument("--json-logs", action="store_true", help="one JSON object per line")
    args = parser.parse_args(argv)
    try:
        return serve(Settings.resolve(args.config, args.db), grace=args.grace,
                     json_logs=args.json_logs)  # fmt: skip
    except ConfigError as error:
        print(f"warwatch: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
