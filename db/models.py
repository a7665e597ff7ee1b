"""The schema: a contract for downstream tools (see docs/schema.md).

Models are declarative only; reads and writes live in ``db/store.py`` and friends.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from db.types import UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets 64-bit ids.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Source(Base):
    """A watched source as last configured (synced from the sources file on each crawl)."""

    __tablename__ = "sources"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    family: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    url: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(16))
    enabled: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Item(Base):
    """One article or statement, identified by its canonical URL."""

    __tablename__ = "items"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"), index=True)
    canonical_url: Mapped[str] = mapped_column(Text, unique=True)
    url: Mapped[str] = mapped_column(Text)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The content last observed (a version id); an edit moves it, a revert moves it back.
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("item_versions.id", use_alter=True, ondelete="SET NULL")
    )
    # live | gone | redirected | redirected_to_index | soft_404 | removed_from_listing | blocked
    status: Mapped[str] = mapped_column(String(32), default="live", server_default="live")
    status_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the re-check policy next wants the item's page fetched; None: no longer watched.
    next_check_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    cluster_id: Mapped[int | None] = mapped_column(
        ForeignKey("clusters.id", use_alter=True, ondelete="SET NULL"), index=True
    )


class ItemVersion(Base):
    """Each distinct content of an item ever seen: the evidence of what was published."""

    __tablename__ = "item_versions"
    __table_args__ = (
        UniqueConstraint("item_id", "content_hash"),
        Index("ix_item_versions_fetched_at", "fetched_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    content_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(16))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    modified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime)
    origin: Mapped[str] = mapped_column(String(16))  # "feed" (full text in feed) or "page"
    http_status: Mapped[int | None] = mapped_column(Integer)
    extractor: Mapped[str] = mapped_column(String(64))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    # The HTTP response this content was read from (headers and raw body: the evidence).
    response_id: Mapped[int | None] = mapped_column(ForeignKey("responses.id"), index=True)


class RawBody(Base):
    """A response body exactly as received (after transfer decoding), compressed, keyed
    by the SHA-256 of the uncompressed bytes: stored once however often it is cited."""

    __tablename__ = "raw_bodies"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    compression: Mapped[str] = mapped_column(String(16))  # "zlib"
    data: Mapped[bytes] = mapped_column(LargeBinary)


class Response(Base):
    """One HTTP exchange kept as evidence: what was asked, what came back, and when.

    Kept only when it shows something (a new version, a change, a takedown), so polling an
    unchanged feed every few minutes does not grow the store.
    """

    __tablename__ = "responses"
    __table_args__ = (UniqueConstraint("url", "fetched_at", "body_sha256"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"), index=True)
    url: Mapped[str] = mapped_column(Text)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[int] = mapped_column(Integer)
    request_headers: Mapped[str] = mapped_column(Text)  # JSON list of [name, value]
    response_headers: Mapped[str] = mapped_column(Text)  # JSON list of [name, value]
    body_sha256: Mapped[str] = mapped_column(ForeignKey("raw_bodies.sha256"))
    origin: Mapped[str] = mapped_column(String(16))  # "fetch" | "import" (archived capture)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))


class ItemChange(Base):
    """An observed change of an item's content from one version to another, classified.

    A return to an earlier version records ``revert_of``: the change it undoes, so
    flapping (A→B→A) reads as one episode, not two edits.
    """

    __tablename__ = "item_changes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    from_version_id: Mapped[int] = mapped_column(ForeignKey("item_versions.id"))
    to_version_id: Mapped[int] = mapped_column(ForeignKey("item_versions.id"))
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    kind: Mapped[str] = mapped_column(String(16))  # cosmetic|retitled|substantive|flag_relevant
    title_changed: Mapped[bool] = mapped_column(Boolean)
    sentences_added: Mapped[int] = mapped_column(Integer)
    sentences_removed: Mapped[int] = mapped_column(Integer)
    sentences_reworded: Mapped[int] = mapped_column(Integer)
    reasons: Mapped[str] = mapped_column(Text)  # why this class, for operators
    revert_of: Mapped[int | None] = mapped_column(ForeignKey("item_changes.id"))
    response_id: Mapped[int | None] = mapped_column(ForeignKey("responses.id"))


class ItemEvent(Base):
    """A takedown (or a return) observed for an item, with its time and evidence."""

    __tablename__ = "item_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    # gone | redirected | redirected_to_index | soft_404 | removed_from_listing | blocked
    # | restored
    kind: Mapped[str] = mapped_column(String(32), index=True)
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    http_status: Mapped[int | None] = mapped_column(Integer)
    location: Mapped[str | None] = mapped_column(Text)  # a redirect's target
    detail: Mapped[str] = mapped_column(Text)
    response_id: Mapped[int | None] = mapped_column(ForeignKey("responses.id"))


class Listing(Base):
    """The entries a feed, sitemap or listing page showed when last read in full.

    Compared with the next read to tell an item taken out of the list (older entries still
    there) from one that scrolled off the end.
    """

    __tablename__ = "listings"

    url: Mapped[str] = mapped_column(Text, primary_key=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"), index=True)
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    entries: Mapped[str] = mapped_column(Text)  # JSON list of [canonical_url, published|null]


class Cluster(Base):
    """Near-duplicate items across sources: one statement, echoed; reviewed once."""

    __tablename__ = "clusters"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # The earliest member from an official source (else the earliest member).
    origin_item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id", ondelete="SET NULL"))
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ItemBand(Base):
    """LSH bands of an item's MinHash signature: items sharing a band are candidates."""

    __tablename__ = "item_bands"
    __table_args__ = (PrimaryKeyConstraint("band_key", "item_id"),)

    band_key: Mapped[int] = mapped_column(BigInteger)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)


class Flag(Base):
    """A war-crimes or investigation mention, with the rule and text that raised it.

    ``sentence_key`` identifies the flagged sentence regardless of case, punctuation and
    position, so the UNIQUE key on (item, rule, sentence) raises a mention once per item:
    later versions that repeat or re-punctuate the sentence add nothing, and an operator's
    dismissal stays dismissed.
    """

    __tablename__ = "flags"
    __table_args__ = (UniqueConstraint("item_id", "rule_id", "sentence_key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("item_versions.id", ondelete="CASCADE"))
    category: Mapped[str] = mapped_column(String(64), index=True)
    rule_id: Mapped[str] = mapped_column(String(128))
    rules_version: Mapped[str] = mapped_column(String(32))
    matched_text: Mapped[str] = mapped_column(Text)
    sentence: Mapped[str] = mapped_column(Text)
    sentence_key: Mapped[str] = mapped_column(String(40))
    start_offset: Mapped[int] = mapped_column(Integer)  # into item_versions.text
    end_offset: Mapped[int] = mapped_column(Integer)
    modality: Mapped[str] = mapped_column(String(16))  # asserted | alleged | denied | …
    language: Mapped[str | None] = mapped_column(String(16))
    score: Mapped[float] = mapped_column()
    status: Mapped[str] = mapped_column(String(16), default="new")  # operators' review
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CrawlRun(Base):
    """One pass over some sources (a cron run, a daemon tick, a ``scrapy crawl``)."""

    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    trigger: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16))  # running | ok | failed


class CrawlRunSource(Base):
    """What one run did for one source: counts, outcome, and how many errors."""

    __tablename__ = "crawl_run_sources"
    __table_args__ = (UniqueConstraint("run_id", "source_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id", ondelete="CASCADE"))
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16))  # ok | not_modified | partial | failed
    finish_reason: Mapped[str | None] = mapped_column(String(64))
    requests: Mapped[int] = mapped_column(Integer, default=0)
    not_modified: Mapped[int] = mapped_column(Integer, default=0)
    entries_seen: Mapped[int] = mapped_column(Integer, default=0)
    items_new: Mapped[int] = mapped_column(Integer, default=0)
    versions_new: Mapped[int] = mapped_column(Integer, default=0)
    flags_new: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    # A 429/503 with Retry-After: the server asked not to be asked again before then.
    retry_after_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SourceHealth(Base):
    """Each source's latest health assessment (``warwatch.health``), for dashboards."""

    __tablename__ = "source_health"

    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"), primary_key=True)
    state: Mapped[str] = mapped_column(String(16))  # pending | ok | failing | drifting | silent
    reason: Mapped[str] = mapped_column(Text)
    state_since: Mapped[datetime] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    consecutive_failures: Mapped[int] = mapped_column(Integer)
    last_item_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    items_per_day: Mapped[float] = mapped_column(Float)
    usual_items_per_day: Mapped[float | None] = mapped_column(Float)
    usual_gap_seconds: Mapped[float | None] = mapped_column(Float)
    # Failing sources back off across runs; no crawl of the source before this time.
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The daemon's current (adaptive) polling interval for the source.
    poll_interval_seconds: Mapped[float | None] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CrawlError(Base):
    """A named error against a source in a run, with the URL it concerns."""

    __tablename__ = "crawl_errors"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id", ondelete="CASCADE"), index=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"), index=True)
    url: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class HttpValidator(Base):
    """The ETag / Last-Modified last served for a URL, sent back as a conditional GET."""

    __tablename__ = "http_validators"

    url: Mapped[str] = mapped_column(Text, primary_key=True)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
