"""Takedowns, each kind against a local server: a stored item's page re-checked, and its
feed read again, tell 404/410, redirects, soft 404s, blocks and early removals apart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from db.engine import get_engine
from db.models import Flag, Item, ItemChange, ItemEvent
from warwatch.runner import run_crawl
from warwatch.settings import Settings

WAR_CRIMES = (
    "The United States assesses that members of Russia's forces have committed war crimes "
    "in Ukraine, including the deliberate killing of civilians in Bucha."
)
SOFT_404 = """<!DOCTYPE html><html lang="en"><head><title>Page Not Found - United States
Department of State</title></head><body><header><nav><a href="/">Home</a></nav></header>
<main><h1>Page Not Found</h1><p>We're sorry, the page you requested could not be found.
Please use the search box or return to the homepage.</p></main></body></html>"""
ROBOTS_ALLOW = "User-agent: *\nDisallow: /private/\n"
ROBOTS_BLOCK = "User-agent: *\nDisallow: /news/robots\n"

# (slug, published) — newest first, as a feed lists them
ENTRIES = [
    ("alive", "Mon, 21 Mar 2022 18:00:00 GMT"),
    ("edited", "Mon, 21 Mar 2022 17:00:00 GMT"),
    ("gone404", "Mon, 21 Mar 2022 16:00:00 GMT"),
    ("gone410", "Mon, 21 Mar 2022 15:00:00 GMT"),
    ("moved", "Mon, 21 Mar 2022 14:00:00 GMT"),
    ("to-index", "Mon, 21 Mar 2022 13:00:00 GMT"),
    ("soft", "Mon, 21 Mar 2022 12:00:00 GMT"),
    ("forbidden", "Mon, 21 Mar 2022 11:00:00 GMT"),
    ("robots", "Mon, 21 Mar 2022 10:00:00 GMT"),
    ("removed", "Mon, 21 Mar 2022 09:00:00 GMT"),
    ("kept", "Mon, 21 Mar 2022 08:00:00 GMT"),
    ("oldest", "Mon, 21 Mar 2022 07:00:00 GMT"),
]


def page(slug: str, extra: str = "") -> str:
    paragraphs = [
        f"Statement {slug}: the Secretary met counterparts today to discuss the situation in "
        "the region and the support the United States continues to provide to its partners.",
        "Both sides reaffirmed their commitment to international law and to the sovereignty "
        "and territorial integrity of every state, and agreed to remain in close contact.",
        extra or "The meeting ended with an agreement to convene again in the coming weeks.",
    ]
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!DOCTYPE html><html lang='en'><head><title>Statement {slug}</title></head><body>"
        f"<article><h1>Statement {slug}</h1>{body}</article></body></html>"
    )


def feed(server, slugs: list[str]) -> str:
    items = "".join(
        f"<item><title>Statement {slug}</title><link>{server.url('/news/' + slug)}</link>"
        f"<pubDate>{published}</pubDate></item>"
        for slug, published in ENTRIES
        if slug in slugs
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'
    )


def crawl(config, db_url):
    return run_crawl(Settings(config_path=config, db_url=db_url), ())


def an_hour_passes(db_url):
    """The re-checks fall due (the decaying schedule's first step is hourly)."""
    with get_engine(db_url).begin() as connection:
        connection.execute(update(Item).values(next_check_at=datetime.now(UTC) - timedelta(1)))


def events(db_url) -> dict[str, list[tuple[str, int | None, str | None]]]:
    with get_engine(db_url).connect() as connection:
        rows = connection.execute(
            select(Item.canonical_url, ItemEvent.kind, ItemEvent.http_status, ItemEvent.location)
            .join(Item, Item.id == ItemEvent.item_id)
            .order_by(ItemEvent.id)
        ).all()
    found: dict[str, list[tuple[str, int | None, str | None]]] = {}
    for url, kind, status, location in rows:
        found.setdefault(url.rsplit("/", 1)[1], []).append((kind, status, location))
    return found


def test_each_takedown_kind_is_told_apart_and_a_flagged_removal_is_flagged(
    server, write_config, db_url
):
    server.serve("/robots.txt", ROBOTS_ALLOW, "text/plain")
    for slug, _ in ENTRIES:
        extra = WAR_CRIMES if slug == "gone404" else ""
        server.serve(f"/news/{slug}", page(slug, extra), "text/html")
    source = {
        "id": "state", "name": "state", "family": "state_department", "kind": "feed",
        "url": server.serve("/feed", feed(server, [s for s, _ in ENTRIES])),
        "language": "en", "fetch_articles": "always",
    }  # fmt: skip
    config = write_config([source])
    assert crawl(config, db_url).ok
    assert events(db_url) == {}

    # An hour later: the pages meet their fates, and the feed drops two entries.
    server.serve("/robots.txt", ROBOTS_BLOCK, "text/plain")
    server.serve("/news/edited", page("edited", "The meeting was postponed."), "text/html")
    server.serve("/news/gone404", "not here", "text/html", status=404)
    server.serve("/news/gone410", "gone", "text/html", status=410)
    server.serve("/news/moved", "", "text/html", status=301,
                 headers={"Location": server.url("/news/another-statement")})  # fmt: skip
    server.serve("/news/to-index", "", "text/html", status=302, headers={"Location": "/news/"})
    server.serve("/news/soft", SOFT_404, "text/html")
    server.serve("/news/forbidden", "Forbidden", "text/html", status=403)
    remaining = [s for s, _ in ENTRIES if s not in ("removed", "oldest")]
    server.serve("/feed", feed(server, remaining))
    an_hour_passes(db_url)

    crawl(config, db_url)

    found = events(db_url)
    assert found == {
        "gone404": [("gone", 404, None)],
        "gone410": [("gone", 410, None)],
        "moved": [("redirected", 301, server.url("/news/another-statement"))],
        "to-index": [("redirected_to_index", 302, server.url("/news/"))],
        "soft": [("soft_404", 200, None)],
        "forbidden": [("blocked", 403, None)],
        "robots": [("blocked", None, None)],
        "removed": [("removed_from_listing", 200, None)],  # "kept", older, is still listed
    }  # "oldest" scrolled off the end: not a removal; "alive" and "edited" are live
    with get_engine(db_url).connect() as connection:
        statuses = dict(connection.execute(select(Item.canonical_url, Item.status)).all())
        takedown_flags = connection.execute(
            select(Item.canonical_url, Flag.rule_id, Flag.sentence)
            .join(Item, Item.id == Flag.item_id)
            .where(Flag.category == "takedown")
        ).all()
        edits = connection.execute(
            select(ItemChange.kind, ItemChange.sentences_added, ItemChange.sentences_removed)
        ).all()
    assert statuses[server.url("/news/oldest")] == "live"
    assert statuses[server.url("/news/gone404")] == "gone"
    # only the flagged statement's removal is raised to operators
    assert [(url.rsplit("/", 1)[1], rule) for url, rule, _ in takedown_flags] == [
        ("gone404", "takedown/gone")
    ]
    assert "Statement gone404" in takedown_flags[0].sentence
    assert edits == [("substantive", 1, 1)]  # the page-extracted item's edit is a version

    # Later still: the statement is back, and the removed entry is listed again.
    server.serve("/news/gone404", page("gone404", WAR_CRIMES), "text/html")
    server.serve("/feed", feed(server, [*remaining, "removed"]))
    an_hour_passes(db_url)

    crawl(config, db_url)

    found = events(db_url)
    assert found["gone404"] == [("gone", 404, None), ("restored", 200, None)]
    assert found["removed"] == [("removed_from_listing", 200, None), ("restored", 200, None)]
    assert found["forbidden"] == [("blocked", 403, None)]  # still blocked: not recorded twice
