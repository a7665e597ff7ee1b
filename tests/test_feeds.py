"""Every real feed in the fixtures parses; what is not a feed is said to be so; a feed's
body keeps every paragraph."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.httpserver import FIXTURES
from warwatch.exceptions import FeedParseError
from warwatch.extract import extract_fragment
from warwatch.feeds import parse_feed


def read(name):
    return (FIXTURES / "feeds" / name).read_bytes()


def test_state_press_releases_carry_full_statements():
    feed = parse_feed(read("state-press-releases-1648155971.rss"), "https://www.state.gov/feed")

    assert feed.version == "rss20" and feed.warning is None
    assert len(feed.entries) == 10
    war_crimes = next(
        e for e in feed.entries if e.title == "War Crimes by Russia’s Forces in Ukraine"
    )
    assert war_crimes.link == "https://www.state.gov/war-crimes-by-russias-forces-in-ukraine/"
    assert war_crimes.published == datetime(2022, 3, 23, 17, 55, 28, tzinfo=UTC)
    assert "countless accounts and images" in war_crimes.content_html


def test_an_atom_feed_parses():
    feed = parse_feed(read("heise-developer-2016-02-01.atom"), "http://heise.de/atom")

    assert feed.version == "atom10"
    assert len(feed.entries) == 15
    assert all(e.link.startswith("http") and e.title for e in feed.entries)


def test_a_malformed_feed_is_read_leniently_with_a_warning():
    feed = parse_feed(read("uol-noticias-2018-09-24.rss"), "http://uol/feed")

    assert len(feed.entries) == 15
    assert feed.warning and "leniently" in feed.warning


def test_a_latin_1_feed_is_decoded():
    feed = parse_feed(read("jn-pt-2018-01-03.rss"), "http://jn.pt/feed")

    assert feed.title == "Jornal de Notícias - Últimas Notícias"
    assert len(feed.entries) == 40


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (
            b"<!DOCTYPE html><html><head></head><body>Hi</body></html>",
            "an HTML page was served instead of a feed",
        ),
        (b"", "not an RSS or Atom feed"),
        (b'{"items": []}', "not a feed (SAXParseException: line 2"),
    ],
)
def test_what_is_not_a_feed_raises(body, reason):
    with pytest.raises(FeedParseError) as error:
        parse_feed(body, "http://example.org/feed")

    assert error.value.url == "http://example.org/feed"
    assert reason in error.value.reason


def test_a_truncated_feed_keeps_the_entries_before_the_cut():
    body = read("state-press-releases-1648155971.rss")

    feed = parse_feed(body[: len(body) // 2], "http://x/feed")

    assert 0 < len(feed.entries) < 10
    assert feed.warning


def test_the_whitehouse_briefing_room_feed_parses():
    feed = parse_feed(
        read("whitehouse-briefing-room-2022-03-18.rss"), "https://www.whitehouse.gov/feed"
    )

    assert len(feed.entries) == 10
    assert all(
        e.content_html and e.link.startswith("https://www.whitehouse.gov/") for e in feed.entries
    )


def test_rss_1_0_parses():
    # The corpus holds no real RSS 1.0 capture; this is the format's minimal document.
    body = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://example.org/"><title>Example</title><link>https://example.org/</link>
    <description>d</description><items><rdf:Seq><rdf:li resource="https://example.org/a"/></rdf:Seq></items>
  </channel>
  <item rdf:about="https://example.org/a"><title>Statement A</title><link>https://example.org/a</link>
    <description>Text of A.</description><dc:date>2022-03-23T17:55:28Z</dc:date></item>
</rdf:RDF>"""

    feed = parse_feed(body, "https://example.org/rss")

    assert feed.version == "rss10"
    assert [(e.link, e.title) for e in feed.entries] == [("https://example.org/a", "Statement A")]
    assert feed.entries[0].published == datetime(2022, 3, 23, 17, 55, 28, tzinfo=UTC)


def test_paragraphs_wrapped_in_bare_links_are_kept():
    """Real: the White House's 21 April 2022 gaggle first went out with paragraphs wrapped
    in bare <a> tags (fixed 25 minutes later). Their words are the statement's."""
    body = FIXTURES / "fragments" / "whitehouse-gaggle-2022-04-21-linked-paragraphs.html"
    html = body.read_text(encoding="utf-8")
    assert "<p><a>But he has also laid out" in html
    url = "https://www.whitehouse.gov/briefing-room/press-briefings/2022/04/21/"

    text = extract_fragment(html, url)

    assert "and let Medicare negotiate the price of prescription drugs." in text
    assert "to reach his climate goals." in text
    unwrapped = html.replace("<p><a>", "<p>").replace("</a></p>", "</p>")
    assert text == extract_fragment(unwrapped, url)
