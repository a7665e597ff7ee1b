"""Each source kind end to end against a local server serving real recorded pages.

Sitemaps and listing pages are small documents written here in each format, pointing at
the real article pages in tests/fixtures/golden (a real sitemap's URLs point at real sites,
which tests never touch); the real sitemaps themselves are parsed in test_sitemaps.py.
"""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from db.engine import get_engine
from db.models import Item, ItemVersion
from tests.httpserver import FIXTURES
from warwatch.runner import run_crawl
from warwatch.settings import Settings

PAGES = {
    "/news/helicopter": "golden/aljazeera.com__aeb-afghanistan-helicopter-crash-2019.html",
    "/news/burials": "golden/bbc.com__trafilatura-ny-mass-burials-2020.html",
    "/news/plumber": "golden/telegraph.co.uk__trafilatura-plumber-jailed.html",
}


def serve_pages(server):
    for path, name in PAGES.items():
        server.serve_fixture(path, name, "text/html; charset=utf-8")


def source(sid, kind, url, **fields):
    return {"id": sid, "name": sid, "family": "other", "kind": kind, "url": url, **fields}


def crawl(config, db_url):
    return run_crawl(Settings(config_path=config, db_url=db_url))


def stored_urls(db_url):
    with get_engine(db_url).connect() as connection:
        return set(connection.scalars(select(Item.canonical_url)))


def urlset(server, entries):
    urls = "".join(
        f"<url><loc>{server.url(path)}</loc><news:news><news:publication><news:name>T</news:name>"
        f"<news:language>en</news:language></news:publication>"
        f"<news:publication_date>{when.isoformat()}</news:publication_date>"
        f"<news:title>Title of {path}</news:title></news:news></url>"
        for path, when in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{urls}</urlset>'
    )


def test_a_sitemap_index_is_followed_to_fresh_articles_only(server, write_config, db_url):
    serve_pages(server)
    now = datetime.now(UTC)
    server.serve(
        "/news-1.xml",
        urlset(
            server,
            [
                ("/news/helicopter", now - timedelta(hours=2)),
                ("/news/plumber", now - timedelta(days=30)),
            ],
        ),
        "application/xml",
    )
    server.serve(
        "/news-2.xml.gz",
        gzip.compress(urlset(server, [("/news/burials", now)]).encode()),
        "application/x-gzip",
    )
    server.serve(
        "/news-old.xml",
        urlset(server, [("/news/plumber", now - timedelta(days=40))]),
        "application/xml",
    )
    index = (
        '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{server.url('/news-1.xml')}</loc><lastmod>{now.isoformat()}</lastmod></sitemap>"
        f"<sitemap><loc>{server.url('/news-2.xml.gz')}</loc></sitemap>"
        f"<sitemap><loc>{server.url('/news-old.xml')}</loc><lastmod>{(now - timedelta(days=40)).isoformat()}</lastmod></sitemap>"
        "</sitemapindex>"
    )
    config = write_config(
        [
            source(
                "wire",
                "sitemap",
                server.serve("/sitemap.xml", index, "application/xml"),
                since="7d",
            )
        ]
    )

    outcome = crawl(config, db_url)

    assert [(s.status, s.items_new) for s in outcome.sources] == [("ok", 2)]
    assert stored_urls(db_url) == {server.url("/news/helicopter"), server.url("/news/burials")}
    with get_engine(db_url).connect() as connection:  # news:language, as the source has none
        assert set(connection.scalars(select(ItemVersion.language))) == {"en"}
    assert server.requests_to("/news-old.xml") == []  # the index's lastmod says it is old
    assert server.requests_to("/news/plumber") == []  # older than the 7-day window


def test_a_listing_page_is_followed_to_its_articles_and_next_page(server, write_config, db_url):
    serve_pages(server)
    server.serve(
        "/press/",
        f"""<html><body><ul class="news">
      <li><a href="/news/helicopter">Helicopter crash</a></li>
      <li><a href="{server.url("/news/burials")}">Mass burials</a></li>
      <li><a href="/events/briefing">An event, not news</a></li></ul>
      <a class="next" href="/press/page/2/">Next</a></body></html>""",
        "text/html",
    )
    server.serve(
        "/press/page/2/",
        """<html><body><ul class="news">
      <li><a href="/news/plumber">Plumber jailed</a></li></ul>
      <a class="next" href="/press/page/3/">Next</a></body></html>""",
        "text/html",
    )
    config = write_config(
        [
            source(
                "press",
                "listing",
                server.url("/press/"),
                links={"css": "ul.news a"},
                next_page={"xpath": "//a[@class='next']/@href"},
                max_pages=2,
                exclude=["/events/"],
            )
        ]
    )

    outcome = crawl(config, db_url)

    assert [(s.status, s.items_new) for s in outcome.sources] == [("ok", 3)]
    assert stored_urls(db_url) == {server.url(p) for p in PAGES}
    assert server.requests_to("/press/page/3/") == []  # max_pages
    assert server.requests_to("/events/briefing") == []  # excluded


def test_a_listing_whose_selector_matches_nothing_is_an_error(server, write_config, db_url):
    server.serve(
        "/press/",
        "<html><body><div class='redesigned'><a href='/x'>x</a></div></body></html>",
        "text/html",
    )
    config = write_config(
        [source("press", "listing", server.url("/press/"), links={"css": "ul.news a"})]
    )

    outcome = crawl(config, db_url)

    assert outcome.sources[0].status == "failed"
    assert outcome.sources[0].errors == [
        (
            "selector_matched_nothing",
            server.url("/press/"),
            "the links selector css 'ul.news a' matched nothing (has the site changed its layout?)",
        )
    ]


def test_a_watched_page_gets_a_new_version_when_it_changes(server, write_config, db_url):
    url = server.serve_fixture("/statement", PAGES["/news/helicopter"], "text/html")
    config = write_config([source("statement", "page", url)])

    first = crawl(config, db_url)
    again = crawl(config, db_url)
    server.serve_fixture("/statement", PAGES["/news/burials"], "text/html")  # the page changed
    changed = crawl(config, db_url)

    assert [(s.status, s.items_new, s.versions_new) for s in first.sources] == [("ok", 1, 1)]
    assert [s.status for s in again.sources] == ["not_modified"]
    assert [(s.items_new, s.versions_new) for s in changed.sources] == [(0, 1)]
    with get_engine(db_url).connect() as connection:
        assert connection.scalar(select(func.count()).select_from(ItemVersion)) == 2


def test_bad_inputs_are_named_per_source_and_the_good_source_is_stored(
    server, write_config, db_url
):
    state = (FIXTURES / "feeds/state-press-releases-1648155971.rss").read_bytes()
    server.serve("/good", state)
    server.serve(
        "/empty",
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>',
    )
    server.serve(
        "/truncated-gzip", gzip.compress(state)[:2000], headers={"Content-Encoding": "gzip"}
    )
    server.serve("/lying-gzip", state, headers={"Content-Encoding": "gzip"})
    server.serve("/huge", state * 40)
    server.serve("/loop", "", "text/html", status=302, headers={"Location": "/loop"})
    server.serve(
        "/gzip-bomb",
        gzip.compress(b"<rss>" + b" " * 20_000_000),
        headers={"Content-Encoding": "gzip"},
    )
    config = write_config(
        [
            source(sid, "feed", server.url(f"/{sid}"))
            for sid in (
                "good",
                "empty",
                "truncated-gzip",
                "lying-gzip",
                "huge",
                "loop",
                "gzip-bomb",
            )
        ],
        max_size=1_000_000,
    )

    outcome = crawl(config, db_url)

    result = {s.source_id: s for s in outcome.sources}
    assert result["good"].status == "ok" and result["good"].items_new == 10
    assert result["empty"].status == "partial"
    assert result["empty"].errors[0][0] == "feed_empty"
    for sid in ("truncated-gzip", "lying-gzip", "huge", "loop", "gzip-bomb"):
        assert result[sid].status == "failed", sid
        assert result[sid].errors and result[sid].errors[0][1].startswith(server.url(f"/{sid}")), (
            sid
        )
    assert result["truncated-gzip"].errors[0][0] == "corrupt_body"
    assert "truncated" in result["truncated-gzip"].errors[0][2]
    assert result["lying-gzip"].errors[0][0] == "corrupt_body"
    assert "not gzip" in result["lying-gzip"].errors[0][2]
    assert result["huge"].errors[0][0] == "too_large"
    assert result["gzip-bomb"].errors[0][0] == "too_large"
    assert result["loop"].errors[0][0] == "redirect_loop"


def test_per_source_headers_and_politeness_are_applied(server, write_config, db_url):
    serve_pages(server)
    server.serve(
        "/press/",
        '<html><body><ul class="news"><li><a href="/news/burials">x</a></li></ul></body></html>',
        "text/html",
    )
    config = write_config(
        [
            source(
                "press",
                "listing",
                server.url("/press/"),
                links={"css": "ul.news a"},
                headers={"Accept-Language": "fr"},
                download_delay=0,
                concurrency=1,
                language="fr",
            )
        ]
    )

    crawl(config, db_url)

    assert server.requests_to("/press/")[0].headers["Accept-Language"] == "fr"
    assert server.requests_to("/news/burials")[0].headers["Accept-Language"] == "fr"
    with get_engine(db_url).connect() as connection:
        version = connection.execute(select(ItemVersion.language, ItemVersion.extractor)).one()
    assert version.language == "fr"  # the source's language wins over the page's
    assert version.extractor.startswith("trafilatura ")


def test_politeness_layers_the_source_over_the_crawler_section():
    from spiders.base import politeness
    from warwatch.sources import CrawlerConfig, Source

    crawler = CrawlerConfig(download_delay=3, concurrent_requests_per_domain=4, max_size="1MB")
    plain = Source(id="a", name="a", family="other", url="https://example.org/feed")
    slow = Source(
        id="b",
        name="b",
        family="other",
        url="https://example.org/feed",
        download_delay=10,
        concurrency=1,
    )

    assert politeness(crawler, plain)["DOWNLOAD_DELAY"] == 3
    assert politeness(crawler, plain)["CONCURRENT_REQUESTS_PER_DOMAIN"] == 4
    assert politeness(crawler, slow)["DOWNLOAD_DELAY"] == 10
    assert politeness(crawler, slow)["CONCURRENT_REQUESTS_PER_DOMAIN"] == 1
    assert politeness(crawler, slow)["DOWNLOAD_MAXSIZE"] == 1024 * 1024
    assert politeness(crawler, plain)["ROBOTSTXT_OBEY"] is True
    assert "+https://github.com/warwatch/warwatch" in politeness(crawler, plain)["USER_AGENT"]
