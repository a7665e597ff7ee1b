"""Same statement, many places: real statements from the replays, crawled from local feeds,
grouped across sources with the official origin marked, and never grouped when they only
share a template or when a copied body is corrected."""

from __future__ import annotations

import json
from html import escape

from sqlalchemy import select

from db.engine import get_engine
from db.models import Cluster, Item
from warwatch.runner import run_crawl
from warwatch.settings import Settings

from .httpserver import FIXTURES

TEXTS = json.loads((FIXTURES / "clusters.json").read_text(encoding="utf-8"))
EMBASSY_HEADER = (
    "U.S. Embassy in Havana\n"
    "The following statement was released by the U.S. Department of State on July 26, 2021."
)


def entry(link: str, title: str, text: str, published: str) -> str:
    body = "".join(f"<p>{escape(line)}</p>" for line in text.split("\n") if line.strip())
    return (
        f"<item><title>{escape(title)}</title><link>{link}</link><pubDate>{published}</pubDate>"
        f"<content:encoded><![CDATA[{body}]]></content:encoded></item>"
    )


def feed(*entries: str) -> str:
    return (
        '<?xml version="1.0"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>t</title>'
        + "".join(entries)
        + "</channel></rss>"
    )


def source(sid: str, family: str, url: str) -> dict[str, object]:
    return {"id": sid, "name": sid, "family": family, "kind": "feed", "url": url,
            "language": "en"}  # fmt: skip


def crawl(config, db_url):
    outcome = run_crawl(Settings(config_path=config, db_url=db_url), ())
    assert outcome.ok, outcome
    return outcome


def clusters(db_url) -> list[tuple[str, list[str]]]:
    """Each cluster as (origin path, member paths), members sorted."""
    with get_engine(db_url).connect() as connection:
        rows = connection.execute(
            select(Cluster.id, Cluster.origin_item_id, Cluster.size, Item.id, Item.canonical_url)
            .join(Item, Item.cluster_id == Cluster.id)
            .order_by(Cluster.id, Item.canonical_url)
        ).all()
    grouped: dict[int, tuple[str, list[str]]] = {}
    for cluster_id, origin, size, item_id, url in rows:
        path = url.split("/", 3)[3]
        _, members = grouped.setdefault(cluster_id, ("", []))
        members.append(path)
        if item_id == origin:
            grouped[cluster_id] = (path, members)
        assert size == len([r for r in rows if r[0] == cluster_id])
    return list(grouped.values())


def test_an_embassy_repost_of_a_state_statement_is_one_cluster_with_state_as_origin(
    server, write_config, db_url
):
    cuba = TEXTS["cuba"]
    state = server.serve("/state/feed", feed(
        entry(server.url("/state/joint-statement-on-cuba"), cuba["title"], cuba["text"],
              "Mon, 26 Jul 2021 11:30:57 GMT"),
    ))  # fmt: skip
    embassy = server.serve("/embassy/feed", feed(
        entry(server.url("/embassy/joint-statement-on-cuba"), cuba["title"],
              f"{EMBASSY_HEADER}\n{cuba['text']}", "Tue, 27 Jul 2021 09:00:00 GMT"),
    ))  # fmt: skip
    config = write_config([
        source("embassy-cu", "embassy", embassy), source("state", "state_department", state)
    ])  # fmt: skip

    crawl(config, db_url)

    assert clusters(db_url) == [
        (
            "state/joint-statement-on-cuba",
            ["embassy/joint-statement-on-cuba", "state/joint-statement-on-cuba"],
        )
    ]


def test_statements_sharing_a_template_are_not_grouped(server, write_config, db_url):
    """Disaster declarations for two states, visitor logs for two months: most of their
    words are the same, the statements are not."""
    entries = [
        entry(server.url(f"/wh/{key}"), TEXTS[key]["title"], TEXTS[key]["text"],
              f"Mon, {day:02d} Jun 2022 12:00:00 GMT")
        for day, key in enumerate(["disaster_wv", "disaster_ok", "visitors_feb", "visitors_mar"], 1)
    ]  # fmt: skip
    config = write_config([source("wh", "white_house", server.serve("/wh/feed", feed(*entries)))])

    crawl(config, db_url)

    assert clusters(db_url) == []


def test_an_item_posted_with_another_statements_body_leaves_its_cluster_once_corrected(
    server, write_config, db_url
):
    """A real mistake: the "-6" readout went up with the "-5" readout's body and was
    corrected the next day. Grouped while the bodies were the same; apart once fixed."""
    fifth, sixth_first, sixth_fixed = (
        TEXTS["sherman_5"], TEXTS["sherman_6_first"], TEXTS["sherman_6_fixed"]
    )  # fmt: skip
    fifth_entry = entry(server.url("/s/readout-5"), fifth["title"], fifth["text"],
                        "Wed, 23 Feb 2022 16:49:11 GMT")  # fmt: skip

    def sixth(version: dict[str, str]) -> str:
        return entry(server.url("/s/readout-6"), version["title"], version["text"],
                     "Wed, 23 Feb 2022 21:00:00 GMT")  # fmt: skip

    config = write_config(
        [source("state", "state_department", server.serve("/s/feed", feed(sixth(sixth_first), fifth_entry)))]
    )  # fmt: skip
    crawl(config, db_url)
    assert clusters(db_url) == [("s/readout-5", ["s/readout-5", "s/readout-6"])]

    server.serve("/s/feed", feed(sixth(sixth_fixed), fifth_entry))
    crawl(config, db_url)

    assert clusters(db_url) == []
    with get_engine(db_url).connect() as connection:
        assert connection.scalar(select(Cluster.id)) is None  # dissolved, not left empty


def test_the_same_text_issued_again_weeks_later_is_a_new_statement(server, write_config, db_url):
    """The White House delegated the same drawdown authority on 16 March, 13 April and
    21 April 2022 in word-for-word identical memoranda: each is a separate act. Within
    days, an identical text is a repost; weeks apart, it is not grouped."""
    memo = TEXTS["memo_506a1"]
    entries = [
        entry(server.url(f"/wh/memo-{n}"), memo["title"], memo["text"], published)
        for n, published in [(2, "Wed, 16 Mar 2022 17:28:33 GMT"), (4, "Wed, 13 Apr 2022 18:41:32 GMT")]
    ]  # fmt: skip
    config = write_config([source("wh", "white_house", server.serve("/wh/feed", feed(*entries)))])
    crawl(config, db_url)
    assert clusters(db_url) == []

    server.serve("/wh/feed", feed(*entries, entry(
        server.url("/wh/memo-4-repost"), memo["title"], memo["text"], "Thu, 14 Apr 2022 09:00:00 GMT"
    )))  # fmt: skip
    crawl(config, db_url)
    assert clusters(db_url) == [("wh/memo-4", ["wh/memo-4", "wh/memo-4-repost"])]
