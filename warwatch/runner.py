"""One crawl pass, as cron and the daemon run it: a child process, then its outcome.

The parent skips sources that are backing off (failures, Retry-After) and those another
warwatch process is crawling (``db.locks``), records the run, starts the child, enforces
a wall-clock limit (SIGTERM, then SIGKILL; also when the daemon is stopping and its
grace period ends), and reads back what the child recorded per source; a source the
child never reported on (it crashed, was killed, or the spider could not start) is
marked failed. Last, it re-assesses the crawled sources' health and logs each change of
state once.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, select

from db import health as source_health
from db.engine import get_engine
from db.locks import source_locks
from db.migrate import ensure_schema
from db.models import SourceHealth
from db.store import (
    finish_run,
    record_errors,
    record_run_source,
    run_errors,
    run_sources,
    start_run,
    sync_sources,
)
from warwatch.settings import Settings
from warwatch.sources import Source, load_sources

DEFAULT_GRACE_SECONDS = 30  # how long a running crawl may go on once the daemon stops
# Once stopped, the child gets this long to close its spiders and flush what it holds
# (Scrapy's graceful shutdown waits for downloads in flight) before SIGKILL.
KILL_GRACE_SECONDS = 10
TIMED_OUT = -999
STOPPED = -998

logger = logging.getLogger("warwatch.runner")


@dataclass(frozen=True, slots=True)
class SourceOutcome:
    source_id: str
    status: str  # ok | not_modified | partial | failed
    items_new: int = 0
    versions_new: int = 0
    flags_new: int = 0
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, url, message)

    @property
    def fetched(self) -> bool:
        return self.status != "failed"


@dataclass(frozen=True, slots=True)
class CrawlOutcome:
    run_id: int | None  # None: nothing was crawled (every source skipped)
    sources: list[SourceOutcome]
    # Sources not crawled this time, and why: another process holds them, or backing off.
    skipped: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(outcome.fetched for outcome in self.sources)


def run_crawl(
    settings: Settings,
    source_ids: tuple[str, ...] = (),
    *,
    trigger: str = "cli",
    timeout: float | None = None,
    log_level: str = "WARNING",
    force: bool = False,
    stop: threading.Event | None = None,
    grace: float = DEFAULT_GRACE_SECONDS,
    json_logs: bool = False,
) -> CrawlOutcome:
    """Crawl these sources (default: every enabled one) once, in a child process.

    ``timeout`` defaults to the longest ``timeout`` of the sources crawled. ``force``
    crawls sources that are backing off. When ``stop`` is set (the daemon is shutting
    down) the crawl gets ``grace`` seconds to finish before it is stopped.
    """
    config = load_sources(settings.config_path)
    sources = config.select(source_ids)
    ensure_schema(settings.db_url)
    engine = get_engine(settings.db_url)
    now = datetime.now(UTC)
    with engine.begin() as connection:
        sync_sources(connection, config.sources, now)
        waiting = {} if force else _backing_off(connection, [s.id for s in sources], now)
    skipped = [
        (sid, f"backing off after failures until {when:%Y-%m-%d %H:%M:%S}Z")
        for sid, when in waiting.items()
    ]
    due = [s for s in sources if s.id not in waiting]
    with source_locks(settings.db_url, [s.id for s in due]) as locks:
        skipped += [(sid, "being crawled by another warwatch process") for sid in locks.busy]
        held = [s for s in due if s.id in locks.held]
        if not held:
            return CrawlOutcome(None, [], skipped)
        with engine.begin() as connection:
            run_id = start_run(connection, trigger, datetime.now(UTC))
        limit = timeout if timeout is not None else max(s.timeout.total_seconds() for s in held)
        code = _run_child(
            settings, run_id, [s.id for s in held], limit, log_level, stop, grace, json_logs
        )
        outcome = _record_outcome(engine, run_id, held, code, skipped)
        _assess(engine, held)
    return outcome


def _backing_off(
    connection: Connection, source_ids: list[str], now: datetime
) -> dict[str, datetime]:
    rows = connection.execute(
        select(SourceHealth.source_id, SourceHealth.next_attempt_at).where(
            SourceHealth.source_id.in_(source_ids), SourceHealth.next_attempt_at > now
        )
    )
    return {source_id: when for source_id, when in rows}


def _record_outcome(
    engine: Engine, run_id: int, sources: list[Source], code: int, skipped: list[tuple[str, str]]
) -> CrawlOutcome:
    with engine.begin() as connection:
        recorded = run_sources(connection, run_id)
        now = datetime.now(UTC)
        for source in sources:
            if source.id not in recorded:
                reason = _exit_reason(code)
                record_run_source(
                    connection,
                    {
                        "run_id": run_id,
                        "source_id": source.id,
                        "started_at": now,
                        "finished_at": now,
                        "status": "failed",
                        "finish_reason": reason,
                        "errors": 1,
                    },
                )
                record_errors(
                    connection,
                    [
                        {
                            "run_id": run_id,
                            "source_id": source.id,
                            "url": source.url,
                            "kind": "crawl_incomplete",
                            "message": f"no result recorded for the source: {reason}",
                            "created_at": now,
                        }
                    ],
                )
        recorded = run_sources(connection, run_id)
        errors = run_errors(connection, run_id)
        outcome = CrawlOutcome(
            run_id,
            [
                SourceOutcome(
                    source.id,
                    recorded[source.id].status,
                    recorded[source.id].items_new,
                    recorded[source.id].versions_new,
                    recorded[source.id].flags_new,
                    [(e.kind, e.url, e.message) for e in errors if e.source_id == source.id],
                )
                for source in sources
            ],
            skipped,
        )
        finish_run(connection, run_id, "ok" if outcome.ok else "failed", datetime.now(UTC))
    return outcome


def _assess(engine: Engine, sources: list[Source]) -> None:
    """Store the crawled sources' health; log each change of state once."""
    with engine.begin() as connection:
        transitions = source_health.update(connection, sources, datetime.now(UTC))
    for change in transitions:
        health = change.health
        if health.state in ("failing", "drifting", "silent"):
            logger.warning("source %s is now %s: %s", change.source_id, health.state, health.reason)
        elif change.before in ("failing", "drifting", "silent"):
            logger.info(
                "source %s is %s again (was %s)", change.source_id, health.state, change.before
            )


def _run_child(
    settings: Settings,
    run_id: int,
    source_ids: list[str],
    timeout: float,
    log_level: str,
    stop: threading.Event | None = None,
    grace: float = DEFAULT_GRACE_SECONDS,
    json_logs: bool = False,
) -> int:
    command = [
        sys.executable,
        "-m",
        "warwatch.crawlproc",
        "--config",
        str(settings.config_path),
        "--db",
        settings.db_url,
        "--run-id",
        str(run_id),
        "--log-level",
        log_level,
        *(["--json-logs"] if json_logs else []),
        "--parent-pid",
        str(os.getpid()),
        *source_ids,
    ]
    # Its own session: a Ctrl-C or SIGTERM meant for the daemon does not reach the child,
    # which the daemon stops itself once the grace period is over.
    child = subprocess.Popen(command, start_new_session=True)
    deadline = time.monotonic() + timeout
    stop_deadline: float | None = None
    while True:
        try:
            return child.wait(timeout=0.2)
        except subprocess.TimeoutExpired:
            pass
        if stop is not None and stop.is_set() and stop_deadline is None:
            stop_deadline = time.monotonic() + grace
        now = time.monotonic()
        if now >= deadline or (stop_deadline is not None and now >= stop_deadline):
            _terminate(child)
            return TIMED_OUT if now >= deadline else STOPPED


def _terminate(child: subprocess.Popen[bytes]) -> None:
    """SIGTERM (Scrapy closes its spiders and flushes what it has), then SIGKILL."""
    child.terminate()
    try:
        child.wait(timeout=KILL_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


def _exit_reason(code: int) -> str:
    if code == TIMED_OUT:
        return "crawl timed out and was stopped"
    if code == STOPPED:
        return "crawl stopped: warwatch was shutting down and the grace period ended"
    if code < 0:
        return f"crawl process killed by signal {-code}"
    if code:
        return f"crawl process exited with status {code}"
    return (
        "the crawl recorded nothing for it: its spider did not start, or the database was "
        "unreachable when it finished (see the crawl log)"
    )
