"""Every real feed and sitemap in the fixtures parses; hostile XML stays inert."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

import feedparser
import pytest

from tests.httpserver import FIXTURES
from warwatch.exceptions import FeedParseError
from warwatch.feeds import parse_feed
from warwatch.sitemaps import parse_sitemap

FEEDS = sorted(p for p in (FIXTURES / "feeds").iterdir() if "sitemap" not in p.name)
SITEMAPS = sorted(p for p in (FIXTURES / "feeds").iterdir() if "sitemap" in p.name)


@pytest.mark.parametrize("path", FEEDS, ids=[p.name for p in FEEDS])
def test_every_real_feed_parses(path):
    body = path.read_bytes()
    feed = parse_feed(body, f"https://example.org/{path.name}")

    assert feed.entries
    assert all(e.link.startswith("http") for e in feed.entries)
    assert all(e.title or e.summary_html or e.content_html for e in feed.entries)
    # Every entry whose feed gives a date gets one, odd formats included.
    raw = feedparser.parse(body).entries
    stated = {r.get("link") for r in raw if dict.get(r, "published") or dict.get(r, "updated")}
    assert stated <= {e.link for e in feed.entries if e.published or e.updated}


def test_portuguese_day_names_and_odd_dates_are_read():
    uol = parse_feed((FIXTURES / "feeds/uol-noticias-2018-09-24.rss").read_bytes(), "u")
    korea = parse_feed((FIXTURES / "feeds/koreatimes.co.kr__feed.rss").read_bytes(), "k")

    assert all(e.published and e.published.year == 2018 for e in uol.entries)
    assert all(e.published for e in korea.entries)


@pytest.mark.parametrize("path", SITEMAPS, ids=[p.name for p in SITEMAPS])
def test_every_real_sitemap_parses(path):
    sitemap = parse_sitemap(path.read_bytes(), f"https://example.org/{path.name}")

    assert sitemap.kind == "urlset"
    assert sitemap.entries and all(e.loc.startswith("https://") for e in sitemap.entries)
    assert all(e.published and e.title and e.language for e in sitemap.entries)


def test_news_sitemap_fields():
    sitemap = parse_sitemap((FIXTURES / "feeds/xfeed.ca__news-sitemap.xml").read_bytes(), "x")

    first = sitemap.entries[0]
    assert first.published == datetime(2025, 4, 14, 0, 56, 11, tzinfo=UTC)
    assert (
        first.title == "REAL ID for Flights in 2025: Hacks to Prepare Without Stress (Global Guide)"
    )
    assert first.language == "en"


def test_a_gzipped_sitemap_is_read_and_a_corrupt_one_named():
    body = (FIXTURES / "feeds/xfeed.ca__news-sitemap.xml").read_bytes()

    assert len(parse_sitemap(gzip.compress(body), "x").entries) == 8
    with pytest.raises(FeedParseError, match="gzip body is corrupt or truncated"):
        parse_sitemap(gzip.compress(body)[:300], "https://example.org/s.xml.gz")


def test_an_entity_bomb_is_refused_unexpanded():
    bomb = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://e.org/&lol3;&xxe;</loc></url></urlset>"""

    with pytest.raises(FeedParseError, match="declares XML entities: refused, not expanded"):
        parse_sitemap(bomb, "x")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (
            b"<!DOCTYPE html><html><body>Not found</body></html>",
            "an HTML page was served instead of a sitemap",
        ),
        (b'<?xml version="1.0"?><rss version="2.0"></rss>', "not a sitemap: the document is <rss>"),
    ],
)
def test_what_is_not_a_sitemap_is_named(body, reason):
    with pytest.raises(FeedParseError, match=reason):
        parse_sitemap(body, "https://example.org/sitemap.xml")
