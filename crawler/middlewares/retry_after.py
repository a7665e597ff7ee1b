"""RetryAfterMiddleware: a server that says "slow down" is not asked again at once.

Scrapy's RetryMiddleware retries 429 and 503 immediately, ignoring ``Retry-After``. For
those two statuses this middleware (just before it, on the way back) stops the retry,
records on the spider when the server allows the next request (``Retry-After`` as
seconds or an HTTP date, capped at a day), and fails the request by name. The source's
next crawl then waits for that time and its backoff (``warwatch.health``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response

from crawler.exceptions import RateLimited

STATUSES = (429, 503)
MAX_RETRY_AFTER = timedelta(days=1)


def parse_retry_after(value: str | None, now: datetime) -> datetime | None:
    """The time a ``Retry-After`` header names (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        when = now + timedelta(seconds=int(value))
    else:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
    return min(max(when, now), now + MAX_RETRY_AFTER)


class RetryAfterMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status not in STATUSES:
            return response
        now = datetime.now(UTC)
        header = response.headers.get(b"Retry-After")
        when = parse_retry_after(header.decode("latin-1") if header else None, now)
        spider = self.crawler.spider
        if when is not None and spider is not None:
            previous = getattr(spider, "retry_after_at", None)
            spider.retry_after_at = max(when, previous) if previous else when  # type: ignore[attr-defined]
        wait = f", Retry-After {int((when - now).total_seconds())} s" if when else ""
        raise RateLimited(f"HTTP {response.status} from {response.url}{wait}")
