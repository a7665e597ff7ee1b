"""Cron mode: overlapping runs never crawl one source twice; a server that says "slow
down" is not asked again until it allows it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select

from db.engine import get_engine
from db.models import SourceHealth
from warwatch.cli import main

FEED = "feeds/state-press-releases-1648155971.rss"


def warwatch(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "warwatch.cli", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def wait_for_request(server, path: str, deadline: float = 30.0) -> None:
    """Block until the server is answering a request for ``path``."""
    seen = threading.Event()

    def poll() -> None:
        while not seen.is_set():
            if server.in_flight.get(path):
                seen.set()
            else:
                server._stopping.wait(0.05)

    threading.Thread(target=poll, daemon=True).start()
    assert seen.wait(deadline), f"no request for {path}"


def test_a_second_cron_run_skips_the_source_the_first_is_crawling(server, write_config, db_url):
    slow = server.serve("/slow", _fixture(FEED), delay=4)
    fast = server.serve("/fast", _fixture("feeds/whitehouse-briefing-room-2022-03-18.rss"))
    config = write_config({"slow": slow, "fast": fast})
    args = ["crawl", "--config", str(config), "--db", db_url]

    first = warwatch(*args, "--source", "slow")
    wait_for_request(server, "/slow")
    second = warwatch(*args)
    out, err = second.communicate(timeout=120)
    first_out, first_err = first.communicate(timeout=120)

    assert second.returncode == 0, err
    assert "skipped slow: being crawled by another warwatch process" in err
    assert "fast: ok" in out and "slow:" not in out
    assert len(server.requests_to("/slow")) == 1
    assert first.returncode == 0, first_err
    assert "slow: ok, 10 new items" in first_out


def test_a_killed_run_leaves_no_lock_behind(server, write_config, db_url):
    slow = server.serve("/slow", _fixture(FEED), delay=3)
    config = write_config({"slow": slow})
    args = ["crawl", "--config", str(config), "--db", db_url]

    first = warwatch(*args)
    wait_for_request(server, "/slow")
    child = int(Path(f"/proc/{first.pid}/task/{first.pid}/children").read_text().split()[0])
    os.kill(first.pid, signal.SIGKILL)  # the runner, which holds the lock
    first.communicate(timeout=30)
    pause, deadline = threading.Event(), 100
    while "zombie" not in _state(child) and deadline:  # killed with its runner
        pause.wait(0.05)
        deadline -= 1
    assert deadline, "the crawl child outlived its runner"
    second = warwatch(*args, "--force")
    out, err = second.communicate(timeout=120)

    assert "skipped" not in err  # the lock went with the runner,
    assert "slow: ok, 10 new items" in out  # and its crawl with it: nothing stored twice


def test_retry_after_is_honoured_across_runs(server, write_config, db_url):
    url = server.serve("/busy", "slow down", "text/plain", status=429,
                       headers={"Retry-After": "120"})  # fmt: skip
    config = write_config({"busy": url})
    args = ["crawl", "--config", str(config), "--db", db_url]
    before = datetime.now(UTC)

    first = CliRunner().invoke(main, args)
    assert first.exit_code == 1
    assert "FAILED busy: rate_limited" in first.output and "Retry-After 120 s" in first.output
    assert len(server.requests_to("/busy")) == 1  # not retried at once, as Scrapy would
    with get_engine(db_url).connect() as connection:
        next_attempt = connection.scalar(select(SourceHealth.next_attempt_at))
    assert next_attempt >= before + timedelta(seconds=120)

    second = CliRunner().invoke(main, args)
    assert second.exit_code == 0
    assert "skipped busy: backing off after failures until" in second.output
    assert len(server.requests_to("/busy")) == 1

    CliRunner().invoke(main, [*args, "--force"])
    assert len(server.requests_to("/busy")) == 2


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/status").read_text().split("State:", 1)[1].split("\n", 1)[0]
    except (OSError, IndexError):
        return "zombie"  # gone


def _fixture(name: str) -> bytes:
    from tests.httpserver import FIXTURES

    return (FIXTURES / name).read_bytes()
