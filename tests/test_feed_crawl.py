"""End to end: a feed served locally → items, versions and flags in the database."""

from __future__ import annotations

from sqlalchemy import func, select

from db.engine import get_engine
from db.models import CrawlError, Flag, HttpValidator, Item, ItemVersion
from warwatch.runner import run_crawl
from warwatch.settings import Settings

STATE_1 = "feeds/state-press-releases-1648155971.rss"  # holds "War Crimes by Russia's Forces…"
STATE_2 = "feeds/state-press-releases-1648158556.rss"  # the next real capture
RETITLE_BEFORE = "feeds/state-press-releases-1648164228.rss"
RETITLE_AFTER = "feeds/state-press-releases-1648165761.rss"


def count(db_url, model):
    with get_engine(db_url).connect() as connection:
        return connection.scalar(select(func.count()).select_from(model))


def crawl(config, db_url, *sources):
    return run_crawl(Settings(config_path=config, db_url=db_url), tuple(sources))


def test_a_state_capture_is_stored_with_versions_and_war_crimes_flags(server, write_config, db_url):
    config = write_config({"state": server.serve_fixture("/feed", STATE_1)})

    outcome = crawl(config, db_url)

    assert outcome.ok
    assert [(s.status, s.items_new, s.versions_new) for s in outcome.sources] == [("ok", 10, 10)]
    with get_engine(db_url).connect() as connection:
        titles = set(connection.scalars(select(ItemVersion.title)))
        assert "War Crimes by Russia’s Forces in Ukraine" in titles
        flagged = connection.execute(
            select(
                ItemVersion.title,
                Flag.category,
                Flag.matched_text,
                Flag.start_offset,
                Flag.end_offset,
                ItemVersion.text,
            ).join(ItemVersion, ItemVersion.id == Flag.version_id)
        ).all()
    war_crimes = [f for f in flagged if f.title == "War Crimes by Russia’s Forces in Ukraine"]
    assert {f.category for f in war_crimes} >= {"war_crime_allegation"}
    for flag in flagged:  # offsets point at the matched text in the stored version
        assert flag.text[flag.start_offset : flag.end_offset] == flag.matched_text
    unflagged = {"Iran Military Presence at the Doha Defense Show"}
    assert not unflagged & {f.title for f in flagged}


def test_a_second_crawl_is_a_conditional_get_and_adds_nothing(server, write_config, db_url):
    config = write_config({"state": server.serve_fixture("/feed", STATE_1)})
    crawl(config, db_url)
    before = [count(db_url, m) for m in (Item, ItemVersion, Flag)]

    outcome = crawl(config, db_url)

    second = server.requests_to("/feed")[-1]
    assert second.headers["If-None-Match"] == server.routes["/feed"].etag
    assert second.headers["If-Modified-Since"] == server.routes["/feed"].last_modified
    assert second.status == 304
    assert [s.status for s in outcome.sources] == ["not_modified"]
    assert [count(db_url, m) for m in (Item, ItemVersion, Flag)] == before


def test_the_next_real_capture_adds_only_new_items(server, write_config, db_url):
    config = write_config({"state": server.serve_fixture("/feed", STATE_1)})
    crawl(config, db_url)
    server.serve_fixture("/feed", STATE_2)

    outcome = crawl(config, db_url)

    assert [(s.items_new, s.versions_new) for s in outcome.sources] == [(1, 1)]
    assert count(db_url, Item) == 11
    assert count(db_url, ItemVersion) == 11


def test_a_retitled_statement_gets_a_new_version_and_the_rest_do_not(server, write_config, db_url):
    config = write_config({"state": server.serve_fixture("/feed", RETITLE_BEFORE)})
    crawl(config, db_url)
    server.serve_fixture("/feed", RETITLE_AFTER)

    outcome = crawl(config, db_url)

    # One statement added; "Joint Statement on the recent Taliban Decision…" retitled
    # ("recent" → "Recent", and white space inside the text): a new version of the same item.
    assert [(s.items_new, s.versions_new) for s in outcome.sources] == [(1, 2)]
    with get_engine(db_url).connect() as connection:
        versions = connection.execute(
            select(Item.id, func.count())
            .join(ItemVersion, ItemVersion.item_id == Item.id)
            .group_by(Item.id)
            .having(func.count() > 1)
        ).all()
        assert len(versions) == 1
        titles = connection.scalars(
            select(ItemVersion.title)
            .where(ItemVersion.item_id == versions[0][0])
            .order_by(ItemVersion.id)
        ).all()
    assert titles == [
        "Joint Statement on the recent Taliban Decision to Deny Afghan Girls the Right to an Education",
        "Joint Statement on the Recent Taliban Decision to Deny Afghan Girls the Right to an Education",
    ]


def test_broken_feeds_are_reported_per_source_and_the_others_stored(server, write_config, db_url):
    urls = {
        "state": server.serve_fixture("/state", STATE_1),
        "uol": server.serve_fixture("/uol", "feeds/uol-noticias-2018-09-24.rss"),
        "jn": server.serve_fixture("/jn", "feeds/jn-pt-2018-01-03.rss"),
        "html": server.serve(
            "/html", "<!DOCTYPE html><html><body>Moved</body></html>", "text/html"
        ),
        "gone": server.url("/missing"),
    }
    # uol and jn carry summaries only; their article links point at the real sites.
    config = write_config(
        [
            {"id": sid, "name": sid, "family": "other", "url": url, "fetch_articles": "never"}
            for sid, url in urls.items()
        ]
    )
    crawl(config, db_url, "state")
    stored_before = count(db_url, ItemVersion)

    outcome = crawl(config, db_url)

    status = {s.source_id: s for s in outcome.sources}
    assert not outcome.ok
    assert status["state"].status == "not_modified"
    assert status["uol"].status == "partial"  # not well-formed: read leniently, and said so
    assert status["uol"].items_new == 15
    assert status["uol"].errors[0][0] == "feed_malformed"
    assert status["jn"].status == "ok" and status["jn"].items_new == 40
    assert status["html"].status == "failed"
    assert status["html"].errors == [
        ("feed_parse_error", server.url("/html"), "an HTML page was served instead of a feed")
    ]
    assert status["gone"].status == "failed"
    assert status["gone"].errors[0][:2] == ("http_error", server.url("/missing"))
    assert count(db_url, ItemVersion) == stored_before + 15 + 40
    with get_engine(db_url).connect() as connection:
        jn_titles = connection.scalars(
            select(ItemVersion.title)
            .join(Item, Item.id == ItemVersion.item_id)
            .where(Item.source_id == "jn")
        ).all()
        kinds = set(connection.scalars(select(CrawlError.kind)))
        validators = set(connection.scalars(select(HttpValidator.url)))
    assert any("ã" in t or "ç" in t or "é" in t for t in jn_titles)  # ISO-8859-1 decoded
    assert not any("\ufffd" in t for t in jn_titles)
    assert kinds == {"feed_malformed", "feed_parse_error", "http_error"}
    assert server.url("/html") not in validators


def test_a_feed_without_full_text_has_its_article_pages_fetched(server, write_config, db_url):
    pages = {
        "/news/helicopter": "golden/aljazeera.com__aeb-afghanistan-helicopter-crash-2019.html",
        "/news/burials": "golden/bbc.com__trafilatura-ny-mass-burials-2020.html",
    }
    for path, name in pages.items():
        server.serve_fixture(path, name, "text/html; charset=utf-8")
    entries = "".join(
        f"<item><title>Entry {i}</title><link>{server.url(path)}?utm_source=rss</link>"
        f"<pubDate>Mon, 06 Apr 2020 10:00:00 GMT</pubDate><description>Summary</description></item>"
        for i, path in enumerate(pages)
    )
    feed = f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{entries}</channel></rss>'
    config = write_config({"listing": server.serve("/feed", feed)})

    outcome = crawl(config, db_url)

    assert [(s.status, s.items_new) for s in outcome.sources] == [("ok", 2)]
    with get_engine(db_url).connect() as connection:
        rows = connection.execute(
            select(Item.canonical_url, ItemVersion.title, ItemVersion.text, ItemVersion.origin)
            .join(ItemVersion, ItemVersion.item_id == Item.id)
            .order_by(Item.id)
        ).all()
    assert {r.canonical_url for r in rows} == {server.url(p) for p in pages}  # utm_* dropped
    assert all(r.origin == "page" and len(r.text) > 500 for r in rows)
    burials = next(r for r in rows if r.canonical_url.endswith("/news/burials"))
    assert "Hart Island" in burials.text

    crawl(config, db_url)  # known pages are not fetched again
    assert len(server.requests_to("/news/burials")) == 1


def test_robots_txt_is_obeyed(server, write_config, db_url):
    server.serve("/robots.txt", "User-agent: *\nDisallow: /private/\n", "text/plain")
    config = write_config({"private": server.serve_fixture("/private/feed", STATE_1)})

    outcome = crawl(config, db_url)

    assert [s.status for s in outcome.sources] == ["failed"]
    assert outcome.sources[0].errors[0][0] == "blocked_by_robots"
    assert server.requests_to("/private/feed") == []
    assert "warwatch" in server.requests_to("/robots.txt")[0].headers["User-Agent"]
