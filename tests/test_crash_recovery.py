"""Crashes and outages lose nothing: crawl children killed at random points, PostgreSQL
connections dropped mid-crawl; the next normal run stores everything exactly once."""

from __future__ import annotations

import subprocess
import sys
import uuid

import psycopg
import pytest

from bench.kill_recovery import FEEDS, FEEDS_DIR, Report, check, kill_and_recover, reference_store

from .conftest import PG_URL
from .test_crawl_locks import wait_for_request


def test_kill_9_of_the_crawl_child_then_a_normal_run_stores_everything_once(db_url, tmp_path):
    """Three kills here; `python -m bench.kill_recovery` does twenty (docs/benchmarks.md)."""
    report = kill_and_recover(db_url, kills=3, seed=7, workdir=tmp_path)

    assert report.kills == 3
    assert report.ok, report
    assert report.items == report.statements_expected > 100


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_postgresql_connections_dropped_mid_crawl_lose_nothing(
    db_url, server, write_config, tmp_path
):
    """What a PostgreSQL restart does to a running crawl: every connection it holds is
    terminated. The crawl reconnects or fails by name; the next run completes the store."""
    name = f"ww_{uuid.uuid4().hex[:10]}"
    url = f"{db_url}&application_name={name}"
    sources = {
        f"feed-{n}": server.serve(f"/{feed}", (FEEDS_DIR / feed).read_bytes(), delay=1.5)
        for n, feed in enumerate(FEEDS[:4])
    }
    config = write_config([
        {"id": sid, "name": sid, "family": "other", "kind": "feed", "url": feed_url,
         "recheck": [], "fetch_articles": "never"}
        for sid, feed_url in sources.items()
    ])  # fmt: skip
    command = [sys.executable, "-m", "warwatch.cli", "crawl", "--config", str(config),
               "--db", url, "--force"]  # fmt: skip

    crawl = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for_request(server, f"/{FEEDS[0]}")
    conninfo = PG_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo, autocommit=True) as admin:
        dropped = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE application_name = %s",
            (name,),
        ).fetchone()[0]
    _, err = crawl.communicate(timeout=120)
    final = subprocess.run(command, capture_output=True, text=True, timeout=120)

    assert dropped >= 1  # the crawl's connections were cut while it ran
    assert crawl.returncode in (0, 1), err  # done, or failed by name — never a crash
    assert final.returncode == 0, final.stderr
    report = Report(final_exit=final.returncode)
    check(url, report, reference_store(config, tmp_path)[0])
    assert report.ok, report
