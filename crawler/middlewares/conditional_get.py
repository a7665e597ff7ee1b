"""Conditional GET from validators kept in the database (not Scrapy's HTTP cache).

Scrapy's HTTPCACHE applies freshness heuristics and can skip a request altogether; a
monitor must ask every time and let the server answer 304.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.crawler import Crawler

from crawler.config import warwatch_settings
from db.engine import get_engine
from db.store import get_validators


class ConditionalGetMiddleware:
    """Adds If-None-Match / If-Modified-Since to requests marked ``meta["conditional"]``."""

    def __init__(self, db_url: str) -> None:
        self.db_url = db_url

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalGetMiddleware:
        return cls(warwatch_settings(crawler.settings).db_url)

    def process_request(self, request: Request) -> None:
        if not request.meta.get("conditional"):
            return
        with get_engine(self.db_url).connect() as connection:
            etag, last_modified = get_validators(connection, request.url)
        if etag:
            request.headers.setdefault(b"If-None-Match", etag)
        if last_modified:
            request.headers.setdefault(b"If-Modified-Since", last_modified)
