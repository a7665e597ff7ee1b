"""``warwatch import-captures``: a folder of archived captures of one source, replayed.

Each file ``<unix time>.<ext>`` is one past response of the source's URL. Files are read
in time order and each goes through the crawl's own stages — feed parsing, extraction,
normalisation, flagging, storing with versions, changes, takedown detection and
clustering — as if fetched at that time. Nothing is fetched: article pages a capture only
links to are not read, so a feed capture contributes what it carries itself.
"""

from __future__ import annotations

import hashlib
import logging
import re
import resource
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from crawler.items import ArticleItem, ListingRecord
from db.engine import get_engine
from db.migrate import ensure_schema
from db.store import (
    finish_run,
    record_errors,
    record_run_source,
    start_run,
    store_batch,
    sync_sources,
)
from db.takedowns import observe_listing
from pipelines.extract import extract_item
from pipelines.flag import FlagPipeline
from pipelines.normalize import normalize_item
from warwatch.evidence import RawResponse
from warwatch.exceptions import ConfigError, ExtractionError, FeedParseError
from warwatch.feeds import FeedEntry, parse_feed
from warwatch.normalize import canonical_url
from warwatch.settings import Settings
from warwatch.sources import Source, load_sources

logger = logging.getLogger(__name__)

_CAPTURE = re.compile(r"^(\d{9,11})\.[A-Za-z0-9.]+$")
CONTENT_TYPES = {"rss": "application/rss+xml", "atom": "application/atom+xml",
                 "xml": "application/xml", "html": "text/html", "htm": "text/html"}  # fmt: skip
# Entries processed lately, so an entry unchanged since the last capture is not extracted
# and flagged again; a feed shows tens of entries, so a few hundred cover it, and the
# bound keeps memory flat however long the series.
CACHE_SIZE = 256


@dataclass(slots=True)
class ImportReport:
    source_id: str
    captures: int = 0
    skipped: list[str] = field(default_factory=list)
    errors: int = 0
    items_new: int = 0
    versions_new: int = 0
    changes_new: int = 0
    flags_new: int = 0
    events: int = 0
    seconds: float = 0.0
    peak_rss_mb: float = 0.0
    rss_samples: list[tuple[int, float]] = field(default_factory=list)  # (captures, MB)

    @property
    def per_second(self) -> float:
        return self.captures / self.seconds if self.seconds else 0.0


def captures_in(directory: Path) -> tuple[list[tuple[int, Path]], list[str]]:
    """The capture files of a folder in time order, and the names that are not captures."""
    found, skipped = [], []
    for path in directory.iterdir():
        match = _CAPTURE.match(path.name)
        if match and path.is_file():
            found.append((int(match[1]), path))
        elif path.is_file():
            skipped.append(path.name)
    return sorted(found), sorted(skipped)


def import_captures(
    settings: Settings,
    source_id: str,
    directory: Path,
    progress: Callable[[ImportReport], None] | None = None,
    progress_every: int = 200,
) -> ImportReport:
    source = load_sources(settings.config_path).get(source_id)
    if source.kind not in ("feed", "page"):
        raise ConfigError(
            f"source {source.id!r} is of kind {source.kind}: import-captures reads captures "
            "of feed and page sources (the others only link to pages, which are not archived)"
        )
    if not directory.is_dir():
        raise ConfigError(f"{directory}: not a directory")
    captures, skipped = captures_in(directory)
    ensure_schema(settings.db_url)
    engine = get_engine(settings.db_url)
    started = datetime.now(UTC)
    with engine.begin() as connection:
        sync_sources(connection, [source], started)
        run_id = start_run(connection, "import", started)
    report = ImportReport(source.id, skipped=skipped)
    for name in skipped:
        logger.warning("[%s] skipped %s: not named <unix time>.<ext>", source.id, name)
    replay = _Replay(source)
    clock = time.perf_counter()
    error_rows = []
    for number, (timestamp, path) in enumerate(captures, 1):
        fetched_at = datetime.fromtimestamp(timestamp, UTC)
        content_type = CONTENT_TYPES.get(path.suffix.lstrip("."), "application/octet-stream")
        raw = RawResponse(
            url=source.url, status=200, fetched_at=fetched_at, body=path.read_bytes(),
            headers=[("Content-Type", content_type), ("X-Warwatch-Capture", path.name)],
            origin="import",
        )  # fmt: skip
        items, listing, problems = replay.read(raw)
        for kind, message in problems:
            report.errors += 1
            logger.warning("[%s] %s: %s: %s", source.id, kind, path, message)
            error_rows.append(
                {"run_id": run_id, "source_id": source.id, "url": str(path), "kind": kind,
                 "message": message, "created_at": fetched_at}
            )  # fmt: skip
        with engine.begin() as connection:
            result = store_batch(connection, items, run_id, source.recheck)
            if listing is not None:
                report.events += len(observe_listing(connection, listing, run_id))
        report.captures += 1
        report.items_new += result.items_new
        report.versions_new += result.versions_new
        report.changes_new += result.changes_new
        report.flags_new += result.flags_new
        if number % progress_every == 0 or number == len(captures):
            report.seconds = time.perf_counter() - clock
            report.rss_samples.append((number, _rss_mb()))
            if progress is not None:
                progress(report)
    report.seconds = time.perf_counter() - clock
    report.peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    finished = datetime.now(UTC)
    with engine.begin() as connection:
        record_errors(connection, error_rows)
        record_run_source(connection, {
            "run_id": run_id, "source_id": source.id, "started_at": started,
            "finished_at": finished, "status": "ok" if not report.errors else "partial",
            "finish_reason": "imported", "requests": report.captures, "not_modified": 0,
            "entries_seen": 0, "items_new": report.items_new,
            "versions_new": report.versions_new, "flags_new": report.flags_new,
            "errors": report.errors,
        })  # fmt: skip
        finish_run(connection, run_id, "ok", finished)
    return report


class _Replay:
    """One capture at a time through the crawl's stages, remembering processed entries."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.flagger = FlagPipeline()
        self.cache: OrderedDict[tuple[str, ...], ArticleItem] = OrderedDict()

    def read(
        self, raw: RawResponse
    ) -> tuple[list[ArticleItem], ListingRecord | None, list[tuple[str, str]]]:
        if self.source.kind == "page":
            item = self._process(FeedEntry(link=self.source.url), raw.body, "page", raw)
            return ([item] if item else []), None, []
        try:
            feed = parse_feed(raw.body, raw.url)
        except FeedParseError as error:
            return [], None, [("feed_parse_error", error.reason)]
        problems = [("feed_malformed", feed.warning)] if feed.warning else []
        items: dict[str, ArticleItem] = {}
        for entry in self._wanted(feed.entries):
            body = entry.content_html or entry.summary_html or ""
            try:
                item = self._process(entry, body, "feed", raw)
            except ExtractionError as error:
                problems.append(("extraction_failed", f"{error.url}: {error.reason}"))
                continue
            items.setdefault(item.canonical_url, item)
        listing = None
        if feed.entries:
            entries = {canonical_url(e.link): e.published for e in self._wanted(feed.entries)}
            listing = ListingRecord(self.source.id, raw.url, list(entries.items()), raw)
        return list(items.values()), listing, problems

    def _wanted(self, entries: list[FeedEntry]) -> Iterator[FeedEntry]:
        return (entry for entry in entries if entry.link and self.source.wants(entry.link))

    def _process(
        self, entry: FeedEntry, body: str | bytes, origin: str, raw: RawResponse
    ) -> ArticleItem:
        data = body.encode() if isinstance(body, str) else body
        key = (entry.link, entry.title, str(entry.published), str(entry.updated),
               entry.author or "", hashlib.sha256(data).hexdigest())  # fmt: skip
        done = self.cache.get(key)
        if done is not None:
            self.cache.move_to_end(key)
            return _as_of(done, raw)
        item = ArticleItem(
            source_id=self.source.id, url=entry.link, origin=origin, html=body,
            fetched_at=raw.fetched_at, feed_url=raw.url, http_status=raw.status,
            language=self.source.language or entry.language, feed_title=entry.title,
            feed_author=entry.author, feed_published=entry.published,
            feed_updated=entry.updated, response=raw,
        )  # fmt: skip
        self.flagger.process_item(normalize_item(extract_item(item)))
        result = _as_of(item, raw)
        item.response = None  # the cache must not keep every capture's body alive
        self.cache[key] = item
        if len(self.cache) > CACHE_SIZE:
            self.cache.popitem(last=False)
        return result


def _as_of(item: ArticleItem, raw: RawResponse) -> ArticleItem:
    """The same processed entry, seen again in a later capture."""
    return ArticleItem(
        source_id=item.source_id, url=item.url, origin=item.origin, html=b"",
        fetched_at=raw.fetched_at, feed_url=raw.url, http_status=raw.status,
        language=item.language, response=raw, canonical_url=item.canonical_url,
        title=item.title, text=item.text, author=item.author,
        published_at=item.published_at, modified_at=item.modified_at,
        extractor=item.extractor, content_hash=item.content_hash, matches=item.matches,
        rules_version=item.rules_version,
    )  # fmt: skip


def _rss_mb() -> float:
    """Resident memory now (not the peak), from /proc where there is one."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return pages * resource.getpagesize() / 1024 / 1024
