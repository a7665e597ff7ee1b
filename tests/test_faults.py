"""Servers that misbehave: the crawl completes, each fault is recorded against its own
source by name, and the healthy source beside them is stored in full."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from db.engine import get_engine
from db.models import CrawlError, Item
from warwatch.runner import run_crawl
from warwatch.settings import Settings

from .faultserver import FAULTS, FaultServer

GOOD_FEED = "state-press-releases-1648155971.rss"

# What each fault is recorded as (crawl_errors.kind of the source's first error).
EXPECTED = {
    "/500": "http_error",
    "/hang": "DownloadTimeoutError",
    "/trickle": "DownloadTimeoutError",
    "/reset": "DownloadFailedError",
    "/huge": "too_large",
    "/gzip-bomb": "too_large",
    "/malformed": "feed_malformed",
    "/loop": "redirect_loop",
    "/to-metadata": "redirect_blocked",
    "/entity-bomb": "feed_malformed",
    "/entity-bomb-sitemap": "sitemap_parse_error",
}


@pytest.fixture
def faults() -> Iterator[FaultServer]:
    server = FaultServer().start()
    yield server
    server.stop()


def source(sid: str, url: str, **extra: object) -> dict[str, object]:
    return {"id": sid, "name": sid, "family": "other", "kind": "feed", "url": url,
            "language": "en", "recheck": [], **extra}  # fmt: skip


def first_errors(db_url: str) -> dict[str, tuple[str, str]]:
    with get_engine(db_url).connect() as connection:
        rows = connection.execute(
            select(CrawlError.source_id, CrawlError.kind, CrawlError.message).order_by(
                CrawlError.id
            )
        ).all()
    found: dict[str, tuple[str, str]] = {}
    for source_id, kind, message in rows:
        found.setdefault(source_id, (kind, message))
    return found


def test_every_fault_is_recorded_against_its_source_and_the_good_source_is_stored(
    faults, write_config, db_url
):
    assert set(EXPECTED) == set(FAULTS)
    sources = [source("good", faults.url(f"/feed/{GOOD_FEED}"))]
    sources += [
        source(f"fault{path.replace('/', '-')}", faults.url(path),
               **({"kind": "sitemap"} if path.endswith("sitemap") else {}))
        for path in FAULTS
    ]  # fmt: skip
    config = write_config(sources, timeout=2, max_size="1MB")

    outcome = run_crawl(Settings(config_path=config, db_url=db_url), timeout=120)

    results = {result.source_id: result for result in outcome.sources}
    assert results["good"].status == "ok"
    assert results["good"].items_new == 10
    errors = first_errors(db_url)
    assert "good" not in errors
    for path, kind in EXPECTED.items():
        sid = f"fault{path.replace('/', '-')}"
        assert errors[sid][0] == kind, (path, errors[sid])
        assert results[sid].items_new == 0, path
    assert "169.254.169.254" in errors["fault-to-metadata"][1]
    assert "undefined entity" in errors["fault-entity-bomb"][1]  # read, never expanded
    assert "declares XML entities" in errors["fault-entity-bomb-sitemap"][1]
    with get_engine(db_url).connect() as connection:
        stored = connection.scalar(select(func.count()).select_from(Item))
    assert stored == 10


def test_a_redirect_to_a_private_address_is_followed_only_where_the_source_allows_it(
    faults, write_config, db_url
):
    """The same redirect, from 127.0.0.1 to "localhost" (a different host that resolves
    to a loopback address): refused by default, followed with allow_private_redirects."""
    faults.extra_redirects["/moved"] = faults.url(f"/feed/{GOOD_FEED}", host="localhost")
    config = write_config(
        [
            source("strict", faults.url("/moved")),
            source("intranet", faults.url("/moved") + "?allowed", allow_private_redirects=True),
        ]
    )

    outcome = run_crawl(Settings(config_path=config, db_url=db_url), timeout=60)

    results = {result.source_id: result for result in outcome.sources}
    assert results["strict"].status == "failed"
    assert first_errors(db_url)["strict"][0] == "redirect_blocked"
    assert results["intranet"].status == "ok"
    assert results["intranet"].items_new == 10
