"""The daemon's scheduling decisions, without running crawls: triggers and adaptive
polling (its behaviour against a live server is in tests/test_daemon.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from scheduler import Daemon
from warwatch.exceptions import ConfigError
from warwatch.runner import SourceOutcome
from warwatch.settings import Settings
from warwatch.sources import load_sources


def source(sid: str, **schedule: object) -> dict[str, object]:
    return {"id": sid, "name": sid, "family": "other", "kind": "feed",
            "url": f"http://127.0.0.1:9/{sid}", "language": "en", **schedule}  # fmt: skip


@pytest.fixture
def daemon(write_config, tmp_path):
    config = write_config([
        source("adaptive", interval="10m", max_interval="1h", jitter="30s"),
        source("fixed", interval="1d"),
        source("weekday-mornings", cron="*/20 6-9 * * 1-5"),
    ])  # fmt: skip
    made = Daemon(Settings(config_path=config, db_url=f"sqlite:///{tmp_path / 'w.db'}"))
    yield made
    made.stop()


def test_each_source_gets_its_own_trigger(daemon):
    adaptive, fixed, cron = (daemon._trigger(s) for s in daemon.config.select())

    assert isinstance(adaptive, IntervalTrigger) and adaptive.interval.total_seconds() == 600
    assert adaptive.jitter == 30
    assert fixed.interval.total_seconds() == 86400 and fixed.jitter == 300  # a tenth, ≤ 5 min
    assert isinstance(cron, CronTrigger)
    monday_5am = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)
    assert cron.get_next_fire_time(None, monday_5am) == datetime(2026, 11, 30, 6, 0, tzinfo=UTC)


@pytest.fixture
def rescheduled(daemon, monkeypatch) -> list[float]:
    """The intervals the daemon reschedules jobs to (no database, no backoff by default)."""
    seconds: list[float] = []
    monkeypatch.setattr(daemon, "_store_interval", lambda *_: None)
    monkeypatch.setattr(daemon, "_backoff_seconds", lambda _: 0.0)
    monkeypatch.setattr(
        daemon.scheduler, "reschedule_job",
        lambda job_id, trigger: seconds.append(trigger.interval.total_seconds()),
    )  # fmt: skip
    return seconds


def test_a_quiet_source_backs_off_to_its_bound_and_comes_back_when_it_publishes(
    daemon, rescheduled
):
    quiet = SourceOutcome("adaptive", "ok")
    busy = SourceOutcome("adaptive", "ok", items_new=3)

    for _ in range(6):
        daemon._adapt("adaptive", quiet)
    daemon._adapt("adaptive", busy)

    assert rescheduled == [900, 1350, 2025, 3037.5, 3600, 600]
    assert daemon.intervals["adaptive"] == 600


def test_a_source_without_max_interval_keeps_its_interval(daemon, rescheduled):
    daemon._adapt("fixed", SourceOutcome("fixed", "ok"))
    daemon._adapt("weekday-mornings", SourceOutcome("weekday-mornings", "ok"))

    assert rescheduled == []


def test_a_failing_source_waits_for_its_backoff(daemon, rescheduled, monkeypatch):
    monkeypatch.setattr(daemon, "_backoff_seconds", lambda _: 5400.0)

    daemon._adapt("adaptive", SourceOutcome("adaptive", "failed"))

    assert rescheduled == [5400]
    assert daemon.intervals["adaptive"] == 600  # the polling interval itself is unchanged


def test_an_invalid_cron_expression_is_a_config_error(write_config):
    config = write_config([source("bad", cron="every monday")])

    with pytest.raises(ConfigError, match="invalid cron expression 'every monday'"):
        load_sources(config)


@pytest.mark.parametrize(
    ("weekdays", "days"),
    [
        ("1-5", "mon,tue,wed,thu,fri"),
        ("0", "sun"),
        ("7", "sun"),
        ("5-7", "sun,fri,sat"),
        ("*/2", "sun,tue,thu,sat"),
        ("mon-wed,sat", "mon,tue,wed,sat"),
    ],
)
def test_crontab_weekdays_count_from_sunday_as_in_cron(weekdays, days):
    """APScheduler 3 counts weekdays from Monday: "1-5" would silently be Tue–Sat."""
    from warwatch.sources import _weekdays, cron_trigger

    assert _weekdays(weekdays) == days
    trigger = cron_trigger(f"0 12 * * {weekdays}")
    fired, at = set(), datetime(2026, 11, 29, 0, 0, tzinfo=UTC)  # a Sunday
    while at < datetime(2026, 12, 13, tzinfo=UTC):
        at = trigger.get_next_fire_time(None, at + timedelta(seconds=1))
        fired.add(at.strftime("%a").lower())
    assert fired == set(days.split(","))


def test_sources_that_fall_due_while_a_crawl_runs_share_the_next_child():
    """One crawl child at a time; everything that came due meanwhile goes in the next."""
    import threading

    from scheduler import Batcher
    from warwatch.runner import CrawlOutcome

    batches: list[tuple[str, ...]] = []
    first_running, release = threading.Event(), threading.Event()

    def crawl(source_ids: tuple[str, ...]) -> CrawlOutcome:
        batches.append(source_ids)
        if len(batches) == 1:
            first_running.set()
            release.wait(10)
        return CrawlOutcome(1, [SourceOutcome(s, "ok", items_new=1) for s in source_ids])

    stopping = threading.Event()
    batcher = Batcher(crawl, stopping)
    batcher.start()
    results: dict[str, SourceOutcome | None] = {}

    def due(source_id: str) -> None:
        results[source_id] = batcher.submit(source_id).result

    jobs = [threading.Thread(target=due, args=("a",))]
    jobs[0].start()
    assert first_running.wait(10)
    jobs += [threading.Thread(target=due, args=(s,)) for s in ("c", "b", "d")]
    for job in jobs[1:]:
        job.start()
    pause = threading.Event()  # never set: a bounded wait between looks
    for _ in range(1000):  # all three queued behind the running crawl (10 s at most)
        if len(batcher._pending) == 3:
            break
        pause.wait(0.01)
    release.set()
    for job in jobs:
        job.join(10)
    stopping.set()
    batcher.join(10)

    assert batches == [("a",), ("b", "c", "d")]
    assert {s: r.items_new for s, r in results.items()} == {"a": 1, "b": 1, "c": 1, "d": 1}
