"""What every warwatch spider shares: its source, politeness settings, named errors."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings
from twisted.python.failure import Failure

from crawler.config import warwatch_settings
from warwatch import __version__
from warwatch.exceptions import ConfigError
from warwatch.sources import Source, load_sources

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ReportedError:
    url: str
    kind: str
    message: str
    at: datetime


class SourceSpider(Spider):
    """A spider bound to one configured source (``-a source=<id>``)."""

    kind: ClassVar[str]

    def __init__(self, source: Source, db_url: str, **kwargs: Any) -> None:
        super().__init__(name=self.name, **kwargs)
        self.source = source
        self.db_url = db_url
        self.errors: list[ReportedError] = []
        self.failed = False  # the source itself could not be read (not one of its pages)
        self.incomplete_urls: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> SourceSpider:
        source_id = kwargs.pop("source", None)
        if not source_id:
            raise ConfigError(f"the {cls.name} spider needs a source: -a source=<id>")
        settings = warwatch_settings(crawler.settings)
        source = load_sources(settings.config_path).get(source_id)
        if source.kind != cls.kind:
            raise ConfigError(
                f"source {source.id!r} is of kind {source.kind!r}; the {cls.name} spider "
                f"reads kind {cls.kind!r}"
            )
        return super().from_crawler(crawler, *args, source=source, db_url=settings.db_url, **kwargs)

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        """Apply the sources file's politeness section on top of the project defaults."""
        super().update_settings(settings)
        polite = load_sources(warwatch_settings(settings).config_path).crawler
        settings.setdict(
            {
                "USER_AGENT": (
                    f"Mozilla/5.0 (compatible; warwatch/{__version__}; +{polite.contact_url})"
                ),
                "ROBOTSTXT_OBEY": polite.obey_robots,
                "DOWNLOAD_DELAY": polite.download_delay,
                "AUTOTHROTTLE_ENABLED": polite.autothrottle,
                "AUTOTHROTTLE_START_DELAY": max(polite.download_delay, 1.0),
                "CONCURRENT_REQUESTS_PER_DOMAIN": polite.concurrent_requests_per_domain,
                "DOWNLOAD_TIMEOUT": polite.timeout,
                "DOWNLOAD_MAXSIZE": polite.max_size,
            },
            priority="spider",
        )

    def report_error(self, kind: str, url: str, message: str, *, fatal: bool = False) -> None:
        """Record a named error against this source: logged, counted, stored with the run."""
        self.errors.append(ReportedError(url, kind, message, datetime.now(UTC)))
        self.crawler.stats.inc_value("warwatch/errors")
        self.crawler.stats.inc_value(f"warwatch/errors/{kind}")
        if fatal:
            self.failed = True
        logger.warning("[%s] %s: %s: %s", self.source.id, kind, url, message)

    def report_failure(self, failure: Failure, *, fatal: bool, kind: str | None = None) -> None:
        """Turn a download failure into a named error (HTTP status, DNS, timeout, robots)."""
        request = getattr(failure, "request", None)
        url = request.url if request is not None else self.source.url
        name, message = describe_failure(failure)
        self.report_error(kind or name, url, message, fatal=fatal)


def describe_failure(failure: Failure) -> tuple[str, str]:
    from scrapy.exceptions import IgnoreRequest
    from scrapy.spidermiddlewares.httperror import HttpError

    error = failure.value
    if isinstance(error, HttpError):
        status = error.response.status
        return "http_error", f"HTTP {status}"
    if isinstance(error, IgnoreRequest):
        text = str(error) or "request ignored"
        if "robots" in text.lower():
            return "blocked_by_robots", "forbidden by robots.txt"
        return "ignored", text
    return type(error).__name__, str(error) or type(error).__name__
