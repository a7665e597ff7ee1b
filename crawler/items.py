"""What spiders yield and pipelines fill in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

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
