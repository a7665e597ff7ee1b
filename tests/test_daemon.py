"""The daemon (`python scheduler.py`) against a local server whose feeds change while it
runs: new items on time, SIGHUP reloads (a bad file changes nothing), SIGTERM stops."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from db.engine import get_engine
from db.models import CrawlRun, CrawlRunSource, Item, ItemVersion

ROOT = Path(__file__).parent.parent


def feed(*names: str) -> str:
    """A feed with one full-text statement per name, newest first."""
    now = datetime.now(UTC)
    items = "".join(
        f"<item><title>Statement {name}</title><link>http://example.org/{name}</link>"
        f"<pubDate>{format_datetime(now - timedelta(minutes=i))}</pubDate>"
        f"<content:encoded><![CDATA[<p>Statement {name}: the full text of a statement that "
        f"is long enough to be read as the body of the entry.</p>]]></content:encoded></item>"
        for i, name in enumerate(reversed(names))
    )
    return (
        '<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/'
        f'modules/content/"><channel><title>t</title>{items}</channel></rss>'
    )


def source(sid: str, url: str, interval: str) -> dict[str, object]:
    return {"id": sid, "name": sid, "family": "other", "kind": "feed", "url": url,
            "language": "en", "interval": interval, "jitter": 0, "recheck": []}  # fmt: skip


@contextmanager
def daemon(config: Path, db_url: str, log: Path, *extra: str) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "scheduler.py", "--config", str(config), "--db", db_url, *extra],
            cwd=ROOT, stdout=sink, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            yield process
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()


def eventually(check: Callable[[], object], deadline: float = 60.0) -> object:
    """Wait (without sleeping the test's own assertions) until ``check`` is truthy."""
    done = threading.Event()
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        value = check()
        if value:
            return value
        done.wait(0.2)
    raise AssertionError(f"not within {deadline} s: {check.__doc__ or check}")


def stored(db_url: str, url: str):  # type: ignore[no-untyped-def]
    """The item's first version and the run that stored it, once stored."""
    try:
        with get_engine(db_url).connect() as connection:
            return connection.execute(
                select(Item.first_seen_at, CrawlRun.started_at)
                .join(ItemVersion, ItemVersion.item_id == Item.id)
                .join(CrawlRun, CrawlRun.id == ItemVersion.run_id)
                .where(Item.url == url)
                .order_by(ItemVersion.id)
            ).first()
    except Exception:  # the daemon may not have created the schema yet
        return None


def test_each_new_item_is_stored_within_one_interval_of_its_appearance(
    server, write_config, db_url, tmp_path
):
    interval = 5
    url = server.serve("/feed", feed("a"))
    config = write_config([source("changing", url, f"{interval}s")])

    with daemon(config, db_url, tmp_path / "daemon.log") as process:
        eventually(lambda: stored(db_url, "http://example.org/a"))
        lateness = []
        for name in ("b", "c"):
            names = ["a", "b", "c"][: ["a", "b", "c"].index(name) + 1]
            appeared = datetime.now(UTC)
            server.serve("/feed", feed(*names))
            _, run_started = eventually(lambda n=name: stored(db_url, f"http://example.org/{n}"))
            lateness.append((run_started - appeared).total_seconds())
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0

    # The crawl that stored each new item started within one interval of its appearance
    # (0.5 s: sources falling due together are gathered into one crawl).
    assert all(late <= interval + 0.5 for late in lateness), lateness
    log = (tmp_path / "daemon.log").read_text()
    assert "changing: ok, 1 new items" in log
    assert "warwatch daemon stopped" in log


def test_sighup_reloads_sources_and_a_bad_file_keeps_the_old_ones_running(
    server, write_config, tmp_path
):
    db_url = f"sqlite:///{tmp_path / 'warwatch.db'}"
    first = server.serve("/first", feed("one"))
    config = write_config([source("first", first, "2s")])
    good = config.read_text()

    with daemon(config, db_url, tmp_path / "daemon.log") as process:
        eventually(lambda: stored(db_url, "http://example.org/one"))
        config.write_text("sources:\n  - id: Not A Slug\n    url: nowhere\n")
        process.send_signal(signal.SIGHUP)
        eventually(lambda: "sources file not reloaded" in (tmp_path / "daemon.log").read_text())
        server.serve("/first", feed("one", "two"))
        eventually(lambda: stored(db_url, "http://example.org/two"))  # still crawling

        second = server.serve("/second", feed("three"))
        config.write_text(
            good.replace("sources:\n", "sources:\n" + _yaml_source("second", second), 1)
        )
        process.send_signal(signal.SIGHUP)
        eventually(lambda: stored(db_url, "http://example.org/three"))
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0

    log = (tmp_path / "daemon.log").read_text()
    assert log.count("sources file not reloaded") == 1
    assert "Not A Slug" in log  # the message says what is wrong with the file
    assert "sources reloaded: 2 scheduled (1 added, 0 removed)" in log


@pytest.mark.parametrize(("delay", "grace", "finished"), [(3, 30, True), (60, 1, False)])
def test_sigterm_lets_a_running_crawl_finish_within_the_grace_period(
    server, write_config, tmp_path, delay, grace, finished
):
    db_url = f"sqlite:///{tmp_path / 'warwatch.db'}"
    url = server.serve("/slow", feed("slow"), delay=delay)
    config = write_config([source("slow", url, "1h")], timeout=120)

    with daemon(config, db_url, tmp_path / "daemon.log", "--grace", str(grace)) as process:
        eventually(lambda: server.in_flight.get("/slow"))
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=90) == 0

    with get_engine(db_url).connect() as connection:
        status, reason = connection.execute(
            select(CrawlRunSource.status, CrawlRunSource.finish_reason)
        ).one()
    if finished:
        assert status == "ok"
        assert stored(db_url, "http://example.org/slow")
    else:
        assert status == "failed"
        assert reason == "crawl stopped: warwatch was shutting down and the grace period ended"
        assert stored(db_url, "http://example.org/slow") is None


def _yaml_source(sid: str, url: str) -> str:
    return (
        f"- id: {sid}\n  name: {sid}\n  family: other\n  kind: feed\n  url: {url}\n"
        "  language: en\n  interval: 2s\n  jitter: 0\n  recheck: []\n"
    )


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_two_daemons_sharing_postgresql_never_crawl_one_source_at_once(
    server, write_config, db_url, tmp_path
):
    """As two machines would: both daemons start on an empty database and poll the same
    source every 2 s; the server is slow (2 s a response). One crawls, the other skips."""
    url = server.serve("/shared", feed("x"), delay=2)
    config = write_config([source("shared", url, "2s")])

    with (
        daemon(config, db_url, tmp_path / "one.log") as one,
        daemon(config, db_url, tmp_path / "two.log") as two,
    ):
        eventually(lambda: len(server.requests_to("/shared")) >= 4, deadline=120)
        for process in (one, two):
            process.send_signal(signal.SIGTERM)
        assert [one.wait(timeout=60), two.wait(timeout=60)] == [0, 0]

    assert server.most_in_flight["/shared"] == 1
    logs = (tmp_path / "one.log").read_text() + (tmp_path / "two.log").read_text()
    assert "shared: skipped, being crawled by another warwatch process" in logs
    assert "Traceback" not in logs
    assert stored(db_url, "http://example.org/x")
