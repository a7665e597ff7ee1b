"""Flags are raised for new mentions only: when an item is first stored, or when a new
version adds a sentence that flags. Re-crawls, cosmetic edits and re-punctuation raise
nothing, and an operator's dismissal stays.

Measured on the replays (python -m bench.flag_quality's engine over every consecutive
capture pair of both feeds, 2021-22): no real edit adds a flagged sentence; 15 state.gov
edits touch flagged statements without changing their flagged sentences. The first test
uses one of those real edits; the others edit a real capture in the test, as a statement
would be edited.
"""

from __future__ import annotations

from sqlalchemy import func, select, update

from db.engine import get_engine
from db.models import Flag, ItemVersion
from tests.httpserver import FIXTURES
from warwatch.runner import run_crawl
from warwatch.settings import Settings

BEFORE = "feeds/state-press-releases-1626124852.rss"
AFTER = "feeds/state-press-releases-1626125615.rss"  # "Washington, D.C." → "Washington, DC"
WAR_CRIMES = "feeds/state-press-releases-1648155971.rss"


def counts(db_url):
    with get_engine(db_url).connect() as connection:
        return (
            connection.scalar(select(func.count()).select_from(ItemVersion)),
            connection.scalar(select(func.count()).select_from(Flag)),
        )


def crawl(config, db_url):
    return run_crawl(Settings(config_path=config, db_url=db_url)).sources[0]


def test_a_real_cosmetic_edit_makes_a_version_and_no_flag(server, write_config, db_url):
    config = write_config({"state": server.serve_fixture("/feed", BEFORE)})
    crawl(config, db_url)
    versions, flags = counts(db_url)
    assert flags >= 20  # the Atrocities Prevention Act briefing is full of flagged sentences

    again = crawl(config, db_url)  # a re-crawl: 304
    server.serve_fixture("/feed", AFTER)
    edited = crawl(config, db_url)

    assert (again.status, again.flags_new) == ("not_modified", 0)
    assert (edited.versions_new, edited.flags_new) == (1, 0)
    assert counts(db_url) == (versions + 1, flags)


def edit(body: bytes, old: str, new: str) -> bytes:
    text = body.decode("utf-8")
    assert old in text
    return text.replace(old, new).encode("utf-8")  # in the excerpt and the full text


def test_a_new_flagging_sentence_raises_one_flag_and_repunctuation_none(
    server, write_config, db_url
):
    body = (FIXTURES / WAR_CRIMES).read_bytes()
    config = write_config({"state": server.serve("/feed", body)})
    crawl(config, db_url)
    _, flags = counts(db_url)

    # An unflagged statement gains a sentence that flags: one new flag, on that sentence.
    added = edit(
        body,
        "utterly reject their presence at the show",
        "utterly reject their presence at the show. Iran’s forces have committed war crimes in Syria",
    )
    server.serve("/feed", added)
    grew = crawl(config, db_url)
    # The war-crimes statement is re-punctuated and a flagged sentence moved: nothing new.
    repunctuated = edit(added, "is a war crime.", "is a war crime!")
    server.serve("/feed", repunctuated)
    moved = crawl(config, db_url)

    assert (grew.versions_new, grew.flags_new) == (1, 1)
    with get_engine(db_url).connect() as connection:
        newest = connection.execute(
            select(Flag.sentence).order_by(Flag.id.desc()).limit(1)
        ).scalar()
    assert newest.startswith("Iran’s forces have committed war crimes in Syria")
    assert (moved.versions_new, moved.flags_new) == (1, 0)
    assert counts(db_url)[1] == flags + 1


def test_a_dismissed_flag_is_not_raised_again_by_a_later_version(server, write_config, db_url):
    body = (FIXTURES / WAR_CRIMES).read_bytes()
    config = write_config({"state": server.serve("/feed", body)})
    crawl(config, db_url)
    with get_engine(db_url).begin() as connection:
        connection.execute(update(Flag).values(status="dismissed"))

    server.serve("/feed", edit(body, "is a war crime.", "is a war crime …"))
    later = crawl(config, db_url)

    assert later.versions_new == 1 and later.flags_new == 0
    with get_engine(db_url).connect() as connection:
        assert set(connection.scalars(select(Flag.status))) == {"dismissed"}
