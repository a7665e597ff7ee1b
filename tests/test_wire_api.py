"""The licensed wire API path (AP Media API): feed JSON, NITF stories, the key from the
environment, and a missing key named as the source's error."""

from __future__ import annotations

import json

from sqlalchemy import select

from db.engine import get_engine
from db.models import Flag, ItemVersion
from tests.httpserver import FIXTURES
from warwatch.runner import run_crawl
from warwatch.settings import Settings
from warwatch.wireapi import nitf_text, parse_ap_feed

NITF = FIXTURES / "wire/wire-ap-nitf-ukraine-war-crimes-trial-2022-05-11.xml"


def test_the_real_feed_has_only_pictures_and_they_are_skipped():
    feed = parse_ap_feed(
        (FIXTURES / "wire/wire-ap-media-api-feed-2022-05-04.json").read_bytes(), "x"
    )

    assert feed.stories == [] and feed.skipped == 10
    assert feed.next_page.startswith("https://api.ap.org/media/v/content/feed?")


def test_a_nitf_story_gives_its_headline_and_paragraphs():
    headline, text = nitf_text(NITF.read_bytes(), "x")

    assert headline == "Ukraine to hold first war crimes trial of captured Russian"
    assert "first war crimes trial of a captured Russian soldier" in text
    assert text.count("\n\n") >= 10


def ap_feed(server, itemid="d38703c060c6b066f2bd9012d147c6e1"):
    """An AP Media API feed response (the format of the real one) with one text story."""
    return json.dumps(
        {
            "api_version": "2.1",
            "data": {
                "items": [
                    {
                        "item": {
                            "uri": f"https://api.ap.org/media/v/content/{itemid}?qt=x&et=y",
                            "altids": {"itemid": itemid},
                            "type": "text",
                            "version": 17,
                            "headline": "Ukraine to hold first war crimes trial of captured Russian",
                            "bylines": [{"by": "By ELENA BECATOROS and JON GAMBRELL"}],
                            "firstcreated": "2022-05-11T04:07:27Z",
                            "versioncreated": "2022-05-11T19:35:25Z",
                            "renditions": {"nitf": {"href": server.url("/nitf/story.xml")}},
                        }
                    }
                ],
                "next_page": None,
            },
        }
    )


def test_stories_are_fetched_with_the_key_and_flagged(server, write_config, db_url, monkeypatch):
    monkeypatch.setenv("WARWATCH_TEST_AP_KEY", "k-123")
    key = {"x-api-key": "k-123"}
    server.serve("/feed", ap_feed(server), "application/json", required_headers=key)
    server.serve("/nitf/story.xml", NITF.read_bytes(), "application/xml", required_headers=key)
    config = write_config(
        [
            {
                "id": "ap-api",
                "name": "AP",
                "family": "wire",
                "kind": "api",
                "url": server.url("/feed"),
                "api": "ap_media",
                "api_key_env": "WARWATCH_TEST_AP_KEY",
                "language": "en",
            }
        ]
    )

    outcome = run_crawl(Settings(config_path=config, db_url=db_url))

    assert [(s.status, s.items_new) for s in outcome.sources] == [("ok", 1)]
    with get_engine(db_url).connect() as connection:
        version = connection.execute(select(ItemVersion)).one()
        categories = set(connection.scalars(select(Flag.category)))
    assert version.title == "Ukraine to hold first war crimes trial of captured Russian"
    assert version.author == "By ELENA BECATOROS and JON GAMBRELL"
    assert version.published_at.isoformat() == "2022-05-11T04:07:27+00:00"
    assert "prosecution" in categories or "war_crime_allegation" in categories


def test_a_missing_key_is_the_sources_error(server, write_config, db_url, monkeypatch):
    monkeypatch.delenv("WARWATCH_TEST_AP_KEY", raising=False)
    config = write_config(
        [
            {
                "id": "ap-api",
                "name": "AP",
                "family": "wire",
                "kind": "api",
                "url": server.url("/feed"),
                "api": "ap_media",
                "api_key_env": "WARWATCH_TEST_AP_KEY",
            }
        ]
    )

    outcome = run_crawl(Settings(config_path=config, db_url=db_url))

    assert outcome.sources[0].status == "failed"
    assert outcome.sources[0].errors[0][0] == "api_key_missing"
    assert "WARWATCH_TEST_AP_KEY" in outcome.sources[0].errors[0][2]
    assert server.requests_to("/feed") == []
