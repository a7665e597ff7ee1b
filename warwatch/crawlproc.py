"""The crawl child process: every due source in one AsyncCrawlerProcess.

Scrapy's reactor cannot restart within a process, so each crawl pass runs here, started
by ``warwatch.runner`` with the run id to record against. Run as
``python -m warwatch.crawlproc --config F --db URL --run-id N [--parent-pid P] SOURCE_ID ...``.

The child dies with the runner that started it: the runner holds the sources' crawl
locks (``db.locks``), which the database or the kernel releases when the runner dies; a
crawl going on without them could overlap the next one.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import signal
import sys

from scrapy.crawler import AsyncCrawlerProcess
from scrapy.settings import Settings

from warwatch.logs import configure_logging
from warwatch.sources import load_sources


def build_settings(config: str, db_url: str, run_id: int | None, log_level: str) -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.setdict(
        {
            "WARWATCH_CONFIG": config,
            "WARWATCH_DB_URL": db_url,
            "WARWATCH_RUN_ID": run_id,
            "LOG_LEVEL": log_level,
        },
        priority="cmdline",
    )
    return settings


PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid: int) -> None:
    """Ask Linux to SIGKILL this process when its parent dies; exit now if it already has."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent_pid:
        raise SystemExit(f"the runner (pid {parent_pid}) that started this crawl is gone")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="warwatch.crawlproc")
    parser.add_argument("--config", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--run-id", type=int, required=True)
    parser.add_argument("--log-level", default="WARNING")
    parser.add_argument("--json-logs", action="store_true")
    parser.add_argument("--parent-pid", type=int, help="die with this process (the runner)")
    parser.add_argument("sources", nargs="+")
    args = parser.parse_args(argv)
    if args.parent_pid:
        die_with_parent(args.parent_pid)

    config = load_sources(args.config)
    settings = build_settings(args.config, args.db, args.run_id, args.log_level)
    if args.json_logs:  # Scrapy installs no handler of its own; ours writes JSON lines
        settings.set("LOG_ENABLED", False, priority="cmdline")
        configure_logging(json_lines=True, level=args.log_level)
    process = AsyncCrawlerProcess(settings)
    for source_id in args.sources:
        source = config.get(source_id)
        process.crawl(source.kind, source=source.id)
    process.start()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
