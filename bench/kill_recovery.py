"""Crash safety: kill -9 the crawl child at random points, then run normally and check.

    python -m bench.kill_recovery [--kills 20] [--db URL] [--seed N]

Fourteen real recorded full-text feeds (145 entries; several captures of one feed, so
some statements appear in several, edited) are served locally, each response held back a
little, conditional GETs ignored (every round re-reads everything). Each round starts
``warwatch crawl --force`` and SIGKILLs its crawl child at a random time within the
length of a clean crawl: while Python starts, while fetching, extracting, flagging and
storing. A round whose child finished first does not count; rounds go on until
``--kills`` children were killed while running. Then one normal crawl, and the checks:
the store holds exactly the items and the (item, content) versions one clean crawl of
the same feeds stores in a fresh database (every statement once, no version twice, none
missing), every item's current version is its own, the raw evidence re-hashes
(``warwatch verify``), no crawl is left "running", and, on SQLite, ``PRAGMA
integrity_check`` and ``foreign_key_check`` pass.

``tests/test_crash_recovery.py`` runs the same with three kills; this is the full run,
with results in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import NoReturn

import yaml
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import SQLAlchemyError

FEEDS_DIR = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "feeds"
FEEDS = (  # every full-text feed of the fixtures: 14 feeds, 145 entries
    "state-press-releases-1626124852.rss",
    "state-press-releases-1626125615.rss",
    "state-press-releases-1648155971.rss",
    "state-press-releases-1648158556.rss",
    "state-press-releases-1648164228.rss",
    "state-press-releases-1648165761.rss",
    "state.gov__feed-press-releases-2021-05-23.rss",
    "state.gov__feed-press-releases-2022-04-05.rss",
    "state.gov__feed-press-releases-2022-05-26.rss",
    "state.gov__feed-press-releases-2022-08-03.rss",
    "whitehouse-briefing-room-2022-03-18.rss",
    "whitehouse.gov__feed-briefing-room-2022-07-22.rss",
    "heise-developer-2016-02-01.atom",
    "theverge.com__feed-index-2025-07-01.atom",
)
RESPONSE_DELAY = 0.4


@dataclass
class Report:
    kills: int = 0  # children killed while still running
    clean_crawl_seconds: float = 0.0  # a whole uninterrupted crawl, runner included
    kill_times: list[float] = field(default_factory=list)  # seconds after the child started
    items_after_round: list[int] = field(default_factory=list)  # progress kept across kills
    finished_before_kill: int = 0
    statements_expected: int = 0
    versions_expected: int = 0
    items: int = 0
    versions: int = 0
    unexpected: list[str] = field(default_factory=list)
    duplicate_versions: int = 0
    foreign_versions: int = 0  # items whose current version is another item's
    missing: list[str] = field(default_factory=list)
    runs_left_running: int = 0
    verify_exit: int | None = None
    integrity: str = "n/a"
    final_exit: int | None = None

    @property
    def ok(self) -> bool:
        return (
            not self.missing
            and not self.unexpected
            and self.items == self.statements_expected
            and self.versions == self.versions_expected
            and not self.duplicate_versions
            and not self.foreign_versions
            and not self.runs_left_running
            and self.verify_exit == 0
            and self.final_exit == 0
            and self.integrity in ("ok", "n/a")
        )


class _SlowHandler(SimpleHTTPRequestHandler):
    stopping = threading.Event()
    requested = threading.Event()  # set by every request: a crawl is under way

    def do_GET(self) -> None:
        self.requested.set()
        self.stopping.wait(RESPONSE_DELAY)
        del self.headers["If-Modified-Since"]  # every round reads every feed in full
        super().do_GET()

    def handle(self) -> None:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # a killed reader
            super().handle()

    def log_message(self, format: str, *args: object) -> None:
        pass


def serve_feeds() -> ThreadingHTTPServer:
    handler = partial(_SlowHandler, directory=str(FEEDS_DIR))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def write_config(directory: Path, port: int) -> Path:
    sources = [
        {"id": f"feed-{n}", "name": name, "family": "other", "kind": "feed",
         "url": f"http://127.0.0.1:{port}/{name}", "recheck": [], "fetch_articles": "never"}
        for n, name in enumerate(FEEDS)
    ]  # fmt: skip
    crawler = {"download_delay": 0, "autothrottle": False, "timeout": 10, "obey_robots": False}
    path = directory / "sources.yaml"
    path.write_text(yaml.safe_dump({"crawler": crawler, "sources": sources}), encoding="utf-8")
    return path


def versions(db_url: str) -> set[tuple[str, str]]:
    """Every (item URL, content hash) stored."""
    from db.models import Item, ItemVersion

    engine = create_engine(db_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                select(Item.canonical_url, ItemVersion.content_hash).join(
                    ItemVersion, ItemVersion.item_id == Item.id
                )
            )
            return {(url, digest) for url, digest in rows}
    finally:
        engine.dispose()


def crawl_child(parent: int) -> int | None:
    """The pid of the crawl child the runner started, once it exists."""
    try:
        found = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
    except OSError:
        return None
    return int(found[0]) if found else None


def kill_rounds(
    config: Path, db_url: str, kills: int, rng: random.Random, report: Report, span: float
) -> None:
    wait = threading.Event()
    command = [sys.executable, "-m", "warwatch.cli", "crawl", "--config", str(config),
               "--db", db_url, "--force"]  # fmt: skip
    rounds = 0
    while report.kills < kills and rounds < 3 * kills:  # kills of a child still running
        rounds += 1
        runner = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        child = None
        while child is None and runner.poll() is None:
            child = crawl_child(runner.pid)
            if child is None:
                wait.wait(0.01)
        after = rng.uniform(0.2, span)
        report.kill_times.append(round(after, 1))
        wait.wait(after)
        if child is not None:
            try:
                os.kill(child, signal.SIGKILL)
                report.kills += 1
            except ProcessLookupError:
                report.finished_before_kill += 1
        runner.wait(timeout=120)
        report.items_after_round.append(_count_items(db_url))


def _count_items(db_url: str) -> int:
    from db.models import Item

    engine = create_engine(db_url)
    try:
        with engine.connect() as connection:
            return connection.scalar(select(func.count()).select_from(Item)) or 0
    except SQLAlchemyError:  # killed before the schema was created
        return 0
    finally:
        engine.dispose()


def check(db_url: str, report: Report, reference: set[tuple[str, str]]) -> None:
    """Compare the store with a clean crawl's (``reference``) and check its integrity."""
    from db.models import CrawlRun, Item, ItemVersion

    engine = create_engine(db_url)
    report.statements_expected = len({url for url, _ in reference})
    report.versions_expected = len(reference)
    stored = versions(db_url)
    report.missing = sorted(f"{url} {digest[:12]}" for url, digest in reference - stored)
    report.unexpected = sorted(f"{url} {digest[:12]}" for url, digest in stored - reference)
    with engine.connect() as connection:
        report.items = connection.scalar(select(func.count()).select_from(Item)) or 0
        report.versions = connection.scalar(select(func.count()).select_from(ItemVersion)) or 0
        report.duplicate_versions = (
            connection.scalar(
                select(func.count()).select_from(
                    select(ItemVersion.item_id)
                    .group_by(ItemVersion.item_id, ItemVersion.content_hash)
                    .having(func.count() > 1)
                    .subquery()
                )
            )
            or 0
        )
        report.foreign_versions = (
            connection.scalar(
                select(func.count())
                .select_from(Item)
                .outerjoin(ItemVersion, ItemVersion.id == Item.current_version_id)
                .where((ItemVersion.item_id.is_(None)) | (ItemVersion.item_id != Item.id))
            )
            or 0
        )
        report.runs_left_running = (
            connection.scalar(
                select(func.count()).select_from(CrawlRun).where(CrawlRun.status == "running")
            )
            or 0
        )
        if engine.dialect.name == "sqlite":
            integrity = connection.execute(text("PRAGMA integrity_check")).scalar()
            broken_keys = connection.execute(text("PRAGMA foreign_key_check")).all()
            report.integrity = f"{integrity}" + (
                f", {len(broken_keys)} broken keys" if broken_keys else ""
            )
    engine.dispose()
    verify = subprocess.run([sys.executable, "-m", "warwatch.cli", "verify", "--db", db_url],
                            capture_output=True, text=True)  # fmt: skip
    report.verify_exit = verify.returncode


def crawl(config: Path, db_url: str) -> int:
    return subprocess.run(
        [sys.executable, "-m", "warwatch.cli", "crawl", "--config", str(config),
         "--db", db_url, "--force"], capture_output=True, text=True,
    ).returncode  # fmt: skip


def reference_store(config: Path, workdir: Path) -> tuple[set[tuple[str, str]], float]:
    """What one clean crawl of the feeds stores, in a fresh SQLite database, and how
    long that crawl took (kills are drawn within that span)."""
    url = f"sqlite:///{workdir / f'reference-{uuid.uuid4().hex[:6]}.db'}"
    started = time.monotonic()
    if crawl(config, url) != 0:
        raise SystemExit("the reference crawl failed")
    return versions(url), time.monotonic() - started


def kill_and_recover(db_url: str, kills: int, seed: int, workdir: Path) -> Report:
    server = serve_feeds()
    report = Report()
    try:
        config = write_config(workdir, server.server_address[1])
        reference, span = reference_store(config, workdir)
        report.clean_crawl_seconds = round(span, 1)
        kill_rounds(config, db_url, kills, random.Random(seed), report, span)
        report.final_exit = crawl(config, db_url)
        check(db_url, report, reference)
    finally:
        _SlowHandler.stopping.set()
        server.shutdown()
        server.server_close()
        _SlowHandler.stopping.clear()
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--db", help="database URL [a fresh SQLite file]")
    parser.add_argument("--seed", type=int, default=20261201)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        db_url = args.db or f"sqlite:///{Path(directory) / f'kill-{uuid.uuid4().hex[:6]}.db'}"
        report = kill_and_recover(db_url, args.kills, args.seed, Path(directory))
    finish(report)


def finish(report: Report, skip: tuple[str, ...] = ()) -> NoReturn:
    """Print the report's figures (but ``skip``), the verdict, and exit with it."""
    for name, value in vars(report).items():
        if name not in skip:
            print(f"{name:22} {value}")
    print("RESULT", "ok" if report.ok else "FAILED")
    sys.exit(0 if report.ok else 1)


if __name__ == "__main__":
    main()
