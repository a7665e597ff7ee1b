"""One crawl pass, as cron and the daemon run it: a child process, then its outcome.

The parent records the run, starts the child, enforces a wall-clock limit (SIGTERM, then
SIGKILL), and reads back what the child recorded per source; a source the child never
reported on (it crashed, was killed, or the spider could not start) is marked failed.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime

from db.engine import get_engine
from db.migrate import ensure_schema
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
from warwatch.sources import load_sources

KILL_GRACE_SECONDS = 30


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
    run_id: int
    sources: list[SourceOutcome]

    @property
    def ok(self) -> bool:
        return all(outcome.fetched for outcome in self.sources)


def run_crawl(
    settings: Settings,
    source_ids: tuple[str, ...] = (),
    *,
    trigger: str = "cli",
    timeout: float = 3600.0,
    log_level: str = "WARNING",
) -> CrawlOutcome:
    config = load_sources(settings.config_path)
    sources = config.select(source_ids)
    ensure_schema(settings.db_url)
    engine = get_engine(settings.db_url)
    with engine.begin() as connection:
        sync_sources(connection, config.sources, datetime.now(UTC))
        run_id = start_run(connection, trigger, datetime.now(UTC))
    if sources:
        code = _run_child(settings, run_id, [s.id for s in sources], timeout, log_level)
    else:
        code = 0
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
        )
        finish_run(connection, run_id, "ok" if outcome.ok else "failed", datetime.now(UTC))
    return outcome


def _run_child(
    settings: Settings, run_id: int, source_ids: list[str], timeout: float, log_level: str
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
        *source_ids,
    ]
    child = subprocess.Popen(command)
    try:
        return child.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        child.terminate()
        try:
            child.wait(timeout=KILL_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        return -999


def _exit_reason(code: int) -> str:
    if code == -999:
        return "crawl timed out and was stopped"
    if code < 0:
        return f"crawl process killed by signal {-code}"
    if code:
        return f"crawl process exited with status {code}"
    return "the spider did not start (see the crawl log)"
