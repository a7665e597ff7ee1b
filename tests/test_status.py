"""`warwatch status`: every health state, reached by real crawls of a local server."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from click.testing import CliRunner

from warwatch.cli import main
from warwatch.runner import run_crawl
from warwatch.settings import Settings

NOW = datetime.now(UTC)


def feed(name: str, days_ago: range) -> str:
    """A feed with one full-text statement per day, ``days_ago`` days back."""
    items = "".join(
        f"<item><title>{name} statement {d}</title><link>http://example.org/{name}/{d}</link>"
        f"<pubDate>{format_datetime(NOW - timedelta(days=d, hours=1))}</pubDate>"
        f"<content:encoded><![CDATA[<p>The {name} statement of day {d}, with enough words "
        f"to be read as the full text of the item in the feed.</p>]]></content:encoded></item>"
        for d in days_ago
    )
    return (
        '<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/'
        f'modules/content/"><channel><title>{name}</title>{items}</channel></rss>'
    )


def source(sid: str, url: str) -> dict[str, object]:
    return {"id": sid, "name": sid, "family": "other", "kind": "feed", "url": url,
            "language": "en", "recheck": []}  # fmt: skip


def test_status_shows_each_health_state(server, write_config, db_url, caplog):
    config = write_config([
        source("busy", server.serve("/busy", feed("busy", range(10)))),
        source("broken", server.serve("/broken", "oops", "text/html", status=500)),
        source("emptied", server.serve("/emptied", feed("emptied", range(5)))),
        source("quiet", server.serve("/quiet", feed("quiet", range(29, 5, -1)))),
        source("new", server.url("/new")),
    ])  # fmt: skip
    settings = Settings(config_path=config, db_url=db_url)
    caplog.set_level(logging.INFO, logger="warwatch.runner")

    run_crawl(settings, ("busy", "broken", "emptied", "quiet"))
    for _ in range(2):  # the feed is emptied: read fine, no entries, twice
        server.serve("/emptied", feed("emptied", range(0)))
        run_crawl(settings, ("emptied",))
    run_crawl(settings, ("broken",), force=True)  # still failing: not logged again

    result = CliRunner().invoke(main, ["status", "--config", str(config), "--db", db_url,
                                       "--json"])  # fmt: skip
    report = json.loads(result.output)
    states = {row["source_id"]: row["state"] for row in report["sources"]}
    assert states == {
        "busy": "ok", "broken": "failing", "emptied": "drifting", "quiet": "silent",
        "new": "pending",
    }  # fmt: skip
    assert result.exit_code == 1  # a monitor alerts on the exit status
    assert sorted(report["bad"]) == ["broken", "emptied", "quiet"]
    rows = {row["source_id"]: row for row in report["sources"]}
    assert rows["broken"]["consecutive_failures"] == 2
    assert rows["broken"]["last_error"] == "http_error: HTTP 500"
    assert rows["broken"]["next_attempt_at"] is not None
    assert rows["busy"]["items_per_day"] == 1.0
    assert "no new item for 6.0d" in rows["quiet"]["reason"]

    text = CliRunner().invoke(main, ["status", "--config", str(config), "--db", db_url])
    for state in ("ok", "failing", "drifting", "silent", "pending"):
        assert f" {state} " in text.output
    entered = [r.getMessage() for r in caplog.records if "is now" in r.getMessage()]
    assert sorted(entered) == [
        "source broken is now failing: 1 failed crawl in a row: http_error: HTTP 500",
        "source emptied is now drifting: the last 2 crawls read the source but found no "
        "entries (it used to yield 5): its layout or feed may have changed",
        "source quiet is now silent: no new item for 6.0d (silent after 4.0d)",
    ]


def test_status_before_any_crawl_creates_no_database(write_config, tmp_path):
    config = write_config([source("a", "http://127.0.0.1:9/feed")])
    db = tmp_path / "none.db"

    result = CliRunner().invoke(main, ["status", "--config", str(config),
                                       "--db", f"sqlite:///{db}", "--json"])  # fmt: skip

    assert result.exit_code == 0
    assert json.loads(result.output)["sources"][0]["state"] == "pending"
    assert not db.exists()
