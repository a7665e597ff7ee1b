"""What spiders yield and pipelines fill in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from warwatch.evidence import RawResponse
from warwatch.flagging import Match


@dataclass(slots=True, repr=False)
class ArticleItem:
    """One article as found: raw HTML in, normalised text, hash and flags out.

    Spiders set the first block; ExtractPipeline, NormalizePipeline and FlagPipeline fill
    the rest in turn; StorePipeline writes it.
    """

    source_id: str
    url: str
    origin: str  # "feed": the feed carried the full text; "page": fetched from the article
    html: str | bytes
    fetched_at: datetime
    feed_url: str = ""  # the feed this item came from: a failed item withholds its validators
    http_status: int | None = None
    language: str | None = None
    feed_title: str = ""
    feed_author: str | None = None
    feed_published: datetime | None = None
    feed_updated: datetime | None = None
    response: RawResponse | None = None  # the evidence: kept if this item is new or changed

    canonical_url: str = ""
    title: str = ""
    text: str = ""
    author: str | None = None
    published_at: datetime | None = None
    modified_at: datetime | None = None
    extractor: str = ""
    content_hash: str = ""
    matches: list[Match] = field(default_factory=list)
    rules_version: str = ""

    def __repr__(self) -> str:  # Scrapy logs dropped items: keep the page out of the log
        return f"<ArticleItem {self.source_id} {self.url} {self.title or self.feed_title!r}>"


@dataclass(slots=True, frozen=True)
class FetchRecord:
    """A URL fetched in full, with the validators to send next time.

    Validators are saved only when the crawl finishes and every item that came from the
    URL was stored: a crawl killed half-way must fetch the feed again, not get a 304.
    """

    url: str
    etag: str | None
    last_modified: str | None


@dataclass(slots=True, repr=False)
class ListingRecord:
    """The entries a feed, sitemap or listing page showed, in order, when read in full.

    Compared with the previous reading to tell an item taken down from one that scrolled
    off the end (see ``db/takedowns.py``).
    """

    source_id: str
    url: str
    entries: list[tuple[str, datetime | None]]  # (canonical URL, published)
    response: RawResponse

    def __repr__(self) -> str:
        return f"<ListingRecord {self.source_id} {self.url} ({len(self.entries)} entries)>"


@dataclass(slots=True, repr=False)
class CheckRecord:
    """The outcome of re-fetching a stored item's page (a re-check that found no new
    content to store, or found it gone): ``live`` or a takedown kind."""

    source_id: str
    canonical_url: str
    outcome: str  # live | gone | redirected | redirected_to_index | soft_404 | blocked
    detail: str
    response: RawResponse | None
    location: str | None = None

    def __repr__(self) -> str:
        return f"<CheckRecord {self.canonical_url} {self.outcome}>"
