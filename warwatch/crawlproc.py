"""The crawl child process: every due source in one AsyncCrawlerProcess.

Scrapy's reactor cannot restart within a process, so each crawl pass runs here, started
by ``warwatch.runner`` with the run id to record against. Run as
``python -m warwatch.crawlproc --config F --db URL --run-id N SOURCE_ID ...``.
"""

from __future__ import annotations

import argparse

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="warwatch.crawlproc")
    parser.add_argument("--config", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--run-id", type=int, required=True)
    parser.add_argument("--log-level", default="WARNING")
    parser.add_argument("--json-logs", action="store_true")
    parser.add_argument("sources", nargs="+")
    args = parser.parse_args(argv)

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
