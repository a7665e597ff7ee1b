"""Logging for the daemon and the crawl child: plain lines, or one JSON object per line.

JSON lines carry the time (UTC, ISO 8601), level, logger and message, plus the exception
text when there is one, for log shippers that index fields rather than parse text.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

PLAIN = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(json_lines: bool = False, level: int | str = logging.INFO) -> None:
    """One handler on the root logger, to stderr, replacing any already there."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if json_lines else logging.Formatter(PLAIN))
    handler.setLevel(level)  # on the handler too: Scrapy resets the root logger's level
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level)
    for chatty in ("apscheduler", "alembic"):  # a line per job run, per schema check
        logging.getLogger(chatty).setLevel(logging.WARNING)
