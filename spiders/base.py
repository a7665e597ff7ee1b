"""What every warwatch spider shares: its source, politeness, article pages, named errors."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.config import warwatch_settings
from crawler.items import ArticleItem, CheckRecord, FetchRecord, ListingRecord
from db.engine import get_engine
from db.store import due_for_recheck, known_urls
from warwatch import __version__
from warwatch.evidence import RawResponse, scrapy_headers
from warwatch.exceptions import ConfigError
from warwatch.feeds import FeedEntry
from warwatch.normalize import canonical_url
from warwatch.sources import CrawlerConfig, Source, load_sources
from warwatch.takedown import classify_redirect, is_soft_404

MAX_BENIGN_REDIRECTS = 5

logger = logging.getLogger(__name__)

HTML_TYPES = ("text/html", "application/xhtml")


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
        config = load_sources(settings.config_path)
        source = config.get(source_id)
        if source.kind != cls.kind:
            raise ConfigError(
                f"source {source.id!r} is of kind {source.kind!r}; the {cls.name} spider "
                f"reads kind {cls.kind!r}"
            )
        # Settings are frozen only after the spider is built: the source's politeness,
        # over the sources file's crawler section, over the project defaults.
        crawler.settings.setdict(politeness(config.crawler, source), priority="spider")
        return super().from_crawler(crawler, *args, source=source, db_url=settings.db_url, **kwargs)

    # -- article pages (feed entries without full text, sitemap and listing links) --

    def article_requests(self, entries: Iterable[FeedEntry], parent_url: str) -> Iterator[Request]:
        """Requests for the article pages not stored yet and wanted by the source."""
        wanted = [e for e in entries if self.source.wants(e.link)]
        with get_engine(self.db_url).connect() as connection:
            stored = known_urls(connection, (canonical_url(e.link) for e in wanted))
        seen: set[str] = set()
        for entry in wanted:
            key = canonical_url(entry.link)
            if key in stored or key in seen:
                continue
            seen.add(key)
            yield Request(
                entry.link,
                callback=self.parse_article,
                errback=self.article_failed,
                cb_kwargs={"entry": entry},
                meta={"parent_url": parent_url},
                headers=self.source.headers or None,
            )

    def parse_article(self, response: Response, entry: FeedEntry) -> Iterator[Any]:
        content_type = response.headers.get(b"Content-Type", b"text/html").decode("latin-1")
        if not content_type.startswith(HTML_TYPES):
            self.report_error("not_html", response.url, f"article served as {content_type}")
            self.incomplete_urls.add(response.meta["parent_url"])
            return
        yield self.make_item(
            entry,
            response.body,
            "page",
            response.status,
            response.meta["parent_url"],
            raw_response(response),
        )

    def article_failed(self, failure: Failure) -> None:
        self.report_failure(failure, fatal=False)
        request = getattr(failure, "request", None)
        if request is not None:
            self.incomplete_urls.add(request.meta["parent_url"])

    def make_item(
        self,
        entry: FeedEntry,
        html: str | bytes,
        origin: str,
        status: int,
        parent_url: str,
        raw: RawResponse | None = None,
    ) -> ArticleItem:
        return ArticleItem(
            source_id=self.source.id,
            url=entry.link,
            origin=origin,
            html=html,
            fetched_at=datetime.now(UTC),
            feed_url=parent_url,
            http_status=status,
            language=self.source.language or entry.language,
            feed_title=entry.title,
            feed_author=entry.author,
            feed_published=entry.published,
            feed_updated=entry.updated,
            response=raw,
        )

    def listing(self, raw: RawResponse, entries: Iterable[FeedEntry]) -> ListingRecord:
        """What this feed, sitemap or listing page lists now, for takedown detection."""
        seen: dict[str, datetime | None] = {}
        for entry in entries:
            if self.source.wants(entry.link):
                seen.setdefault(canonical_url(entry.link), entry.published)
        return ListingRecord(self.source.id, raw.url, list(seen.items()), raw)

    # -- re-checks: stored items' pages fetched again, for edits and takedowns --

    def recheck_requests(self) -> Iterator[Request]:
        """Requests for the stored items the re-check policy says are due.

        Redirects are not followed automatically: where a page now points is the evidence.
        """
        if not self.source.recheck or not self.source.recheck_per_run:
            return
        with get_engine(self.db_url).connect() as connection:
            due = due_for_recheck(
                connection, self.source.id, datetime.now(UTC), self.source.recheck_per_run
            )
        for url, canonical, origin in due:
            yield self._recheck_request(url, canonical, origin, hops=0)

    def _recheck_request(self, url: str, canonical: str, origin: str, hops: int) -> Request:
        return Request(
            url,
            callback=self.parse_recheck,
            errback=self.recheck_failed,
            dont_filter=True,
            headers=self.source.headers or None,
            cb_kwargs={"canonical": canonical, "origin": origin, "hops": hops},
            meta={"dont_redirect": True, "handle_httpstatus_all": True, "recheck": canonical},
        )

    def parse_recheck(
        self, response: Response, canonical: str, origin: str, hops: int
    ) -> Iterator[Any]:
        self.crawler.stats.inc_value("warwatch/rechecks")
        raw = raw_response(response)
        status = response.status
        if status in (301, 302, 303, 307, 308):
            location = response.urljoin(_header(response, b"Location") or "")
            kind = classify_redirect(canonical, location)
            if kind is None and hops < MAX_BENIGN_REDIRECTS:  # http→https, a trailing slash
                yield self._recheck_request(location, canonical, origin, hops + 1)
                return
            kind = kind or "redirected"
            yield CheckRecord(
                self.source.id, canonical, kind, f"HTTP {status} to {location}", raw, location
            )
        elif status in (404, 410):
            yield CheckRecord(self.source.id, canonical, "gone", f"HTTP {status}", raw)
        elif status in (401, 403, 451):
            yield CheckRecord(self.source.id, canonical, "blocked", f"HTTP {status}", raw)
        elif status == 200:
            if is_soft_404(response.body, response.url):
                yield CheckRecord(
                    self.source.id,
                    canonical,
                    "soft_404",
                    "HTTP 200 with a 'page not found' page",
                    raw,
                )
                return
            if origin == "page":  # its text is re-read: an edit becomes a new version
                yield self.make_item(
                    FeedEntry(link=canonical),
                    response.body,
                    "page",
                    status,
                    response.url,
                    raw,
                )
            yield CheckRecord(self.source.id, canonical, "live", "HTTP 200", raw)
        else:  # 429, 5xx…: says nothing about the item; it stays due
            self.report_error("http_error", response.url, f"HTTP {status} on re-check")

    def recheck_failed(self, failure: Failure) -> Iterator[Any]:
        """robots.txt now forbidding a stored item is a takedown kind (``blocked``); a
        network failure says nothing about the item and is reported as an error."""
        kind, message = describe_failure(failure)
        request = getattr(failure, "request", None)
        if kind == "blocked_by_robots" and request is not None:
            yield CheckRecord(
                self.source.id, request.cb_kwargs["canonical"], "blocked", message, None
            )
            return
        self.report_failure(failure, fatal=False)

    def source_request(self, url: str, callback: Any, **meta: Any) -> Request:
        """A conditional GET of one of the source's own URLs (feed, sitemap, listing)."""
        return Request(
            url,
            callback=callback,
            errback=self.source_failed,
            dont_filter=True,
            headers=self.source.headers or None,
            meta={"conditional": True, "handle_httpstatus_list": [304], **meta},
        )

    def not_modified(self, response: Response) -> bool:
        """A 304 to our conditional GET: nothing to re-parse, counted for the run."""
        if response.status != 304:
            return False
        self.crawler.stats.inc_value("warwatch/not_modified")
        return True

    def source_failed(self, failure: Failure) -> None:
        self.report_failure(failure, fatal=True)

    def fetched(self, response: Response, url: str | None = None) -> FetchRecord:
        """Validators of a fully read response, keyed by the URL as requested."""
        if url is None:
            url = response.request.url if response.request is not None else response.url
        return FetchRecord(
            url,
            _header(response, b"ETag"),
            _header(response, b"Last-Modified"),
        )

    # -- errors --

    def report_error(self, kind: str, url: str, message: str, *, fatal: bool = False) -> None:
        """Record a named error against this source: logged, counted, stored with the run."""
        self.errors.append(ReportedError(url, kind, message, datetime.now(UTC)))
        self.crawler.stats.inc_value("warwatch/errors")
        self.crawler.stats.inc_value(f"warwatch/errors/{kind}")
        if fatal:
            self.failed = True
        logger.warning("[%s] %s: %s: %s", self.source.id, kind, url, message)

    def report_failure(self, failure: Failure, *, fatal: bool) -> None:
        """Turn a download failure into a named error (HTTP status, DNS, timeout, robots)."""
        request = getattr(failure, "request", None)
        url = request.url if request is not None else self.source.url
        kind, message = describe_failure(failure)
        self.report_error(kind, url, message, fatal=fatal)


def politeness(crawler: CrawlerConfig, source: Source) -> dict[str, Any]:
    """Scrapy settings for one source's crawl."""
    delay = crawler.download_delay if source.download_delay is None else source.download_delay
    concurrency = source.concurrency or crawler.concurrent_requests_per_domain
    return {
        "USER_AGENT": f"Mozilla/5.0 (compatible; warwatch/{__version__}; +{crawler.contact_url})",
        "ROBOTSTXT_OBEY": crawler.obey_robots,
        "DOWNLOAD_DELAY": delay,
        "AUTOTHROTTLE_ENABLED": crawler.autothrottle,
        "AUTOTHROTTLE_START_DELAY": max(delay, 1.0),
        "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
        "DOWNLOAD_TIMEOUT": crawler.timeout,
        "DOWNLOAD_MAXSIZE": crawler.max_size,
        "DOWNLOAD_WARNSIZE": min(crawler.max_size, 5 * 1024 * 1024),
    }


def describe_failure(failure: Failure) -> tuple[str, str]:
    """A failure's kind and message, as operators read them in ``crawl_errors``."""
    from scrapy.exceptions import IgnoreRequest
    from scrapy.spidermiddlewares.httperror import HttpError
    from twisted.internet.defer import CancelledError

    from crawler.exceptions import BlockedRedirect, BodyTooLarge, CorruptBody, RateLimited

    error = failure.value
    if isinstance(error, BlockedRedirect):
        return "redirect_blocked", str(error)
    if isinstance(error, RateLimited):
        return "rate_limited", str(error)
    if isinstance(error, CorruptBody):
        return "corrupt_body", str(error)
    if isinstance(error, BodyTooLarge):
        return "too_large", str(error)
    if isinstance(error, HttpError):
        return "http_error", f"HTTP {error.response.status}"
    if isinstance(error, IgnoreRequest):
        text = str(error) or "request ignored"
        if "robots" in text.lower():
            return "blocked_by_robots", "forbidden by robots.txt"
        if "redirect" in text.lower():
            return "redirect_loop", text
        return "ignored", text
    if isinstance(error, CancelledError) or "max size" in str(error).lower():
        return "too_large", "response larger than the maximum size (max_size), abandoned"
    return type(error).__name__, str(error) or type(error).__name__


def raw_response(response: Response) -> RawResponse:
    """A Scrapy response as evidence: URL, status, both sides' headers, body bytes."""
    request = response.request
    return RawResponse(
        url=response.url,
        status=response.status,
        fetched_at=datetime.now(UTC),
        body=response.body,
        headers=scrapy_headers(response.headers),
        request_headers=scrapy_headers(request.headers) if request is not None else [],
    )


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
