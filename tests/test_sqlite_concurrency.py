"""SQLite with downstream tools reading while the crawler writes (WAL): neither side ever
sees "database is locked"."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading

from bench.kill_recovery import FEEDS, FEEDS_DIR

QUERIES = (
    "SELECT count(*) FROM items",
    "SELECT i.canonical_url, v.title, length(v.text) FROM items i "
    "JOIN item_versions v ON v.id = i.current_version_id ORDER BY v.fetched_at DESC LIMIT 50",
    "SELECT category, count(*) FROM flags GROUP BY category",
    "SELECT source_id, status, items_new FROM crawl_run_sources ORDER BY id DESC LIMIT 20",
)


def test_readers_and_the_writer_never_see_database_is_locked(server, write_config, tmp_path):
    path = tmp_path / "warwatch.db"
    sources = [
        {"id": f"feed-{n}", "name": feed, "family": "other", "kind": "feed",
         "url": server.serve(f"/{feed}", (FEEDS_DIR / feed).read_bytes()),
         "recheck": [], "fetch_articles": "never"}
        for n, feed in enumerate(FEEDS)
    ]  # fmt: skip
    config = write_config(sources)
    command = [sys.executable, "-m", "warwatch.cli", "crawl", "--config", str(config),
               "--db", f"sqlite:///{path}"]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True)  # the schema and a first store
    done = threading.Event()
    errors: list[str] = []
    answered = [0, 0, 0]

    def reader(n: int) -> None:
        # As a downstream tool would: its own plain connection, read-only, no tuning.
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            while not done.is_set():
                for query in QUERIES:
                    try:
                        connection.execute(query).fetchall()
                        answered[n] += 1
                    except sqlite3.OperationalError as error:
                        errors.append(str(error))
        finally:
            connection.close()

    readers = [threading.Thread(target=reader, args=(n,)) for n in range(3)]
    for thread in readers:
        thread.start()
    try:
        for feed in FEEDS:  # new content for every source: the second crawl writes again
            body = (FEEDS_DIR / feed).read_bytes().replace(b"</title>", b" (updated)</title>", 3)
            server.serve(f"/{feed}", body)
        writer = subprocess.run(command, capture_output=True, text=True)
    finally:
        done.set()
        for thread in readers:
            thread.join()

    assert writer.returncode == 0, writer.stderr
    assert "locked" not in writer.stderr
    assert errors == []
    assert all(count > 10 for count in answered), answered
