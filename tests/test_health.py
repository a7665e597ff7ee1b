"""Source health as an assessment of facts: runs (newest first) and item times."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from warwatch.health import RunFact, assess, backoff

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def run(hours_ago: float, status: str = "ok", entries: int = 20, error: str | None = None,
        retry_after: datetime | None = None) -> RunFact:  # fmt: skip
    return RunFact(NOW - hours_ago * HOUR, status, entries, error, retry_after)


def daily_items(days_ago_from: int, days_ago_to: int) -> list[datetime]:
    return [NOW - timedelta(days=d) for d in range(days_ago_from, days_ago_to - 1, -1)]


def health(runs, items=(), interval=HOUR, **kwargs):
    return assess("s", runs, list(items), NOW, interval, rng=random.Random(1), **kwargs)


def test_a_source_never_crawled_is_pending():
    assert health([]).state == "pending"


def test_a_source_read_and_publishing_daily_is_ok_with_its_rates():
    result = health([run(1), run(2)], daily_items(20, 0))

    assert result.state == "ok"
    assert result.items_per_day == 1.0  # 7 items in the last 7 days
    assert result.usual_items_per_day == 0.7  # 21 items over 30 days
    assert result.usual_gap_seconds == 86400
    assert result.last_success_at == NOW - HOUR


def test_a_failed_last_crawl_is_failing_with_its_error_and_a_backoff():
    result = health(
        [run(0.1, "failed", 0, "http_error: HTTP 500"), run(1.1, "failed", 0, "http_error: HTTP 500"),
         run(2.1)], daily_items(20, 0))  # fmt: skip

    assert result.state == "failing"
    assert result.consecutive_failures == 2
    assert result.last_error == "http_error: HTTP 500"
    assert "2 failed crawls in a row: http_error: HTTP 500" in result.reason
    wait = result.next_attempt_at - (NOW - 0.1 * HOUR)
    assert 2 * HOUR * 0.8 <= wait <= 2 * HOUR * 1.2  # interval × 2^(2-1), ±20%


def test_retry_after_wins_over_a_shorter_backoff():
    asked = NOW + 5 * HOUR
    result = health([run(0, "failed", 0, "rate_limited: HTTP 429", retry_after=asked)])

    assert result.next_attempt_at == asked


def test_backoff_doubles_up_to_its_ceiling():
    fixed = random.Random(0)
    waits = [backoff(n, HOUR, 6 * HOUR, fixed) / HOUR for n in (1, 2, 3, 4, 5)]
    for wait, base in zip(waits, [1, 2, 4, 6, 6], strict=True):
        assert base * 0.8 <= wait <= base * 1.2


def test_a_feed_that_empties_is_drifting_after_two_readable_crawls():
    once = health([run(1, "partial", 0, "feed_empty: the feed has no entries"), run(2)])
    twice = health([run(0.5, "partial", 0, "feed_empty: the feed has no entries"),
                    run(1, "partial", 0, "feed_empty: the feed has no entries"), run(2)])  # fmt: skip

    assert once.state == "ok"
    assert twice.state == "drifting"
    assert "used to yield 20" in twice.reason


def test_a_listing_whose_selector_matches_nothing_is_drifting_not_failing():
    nothing = "selector_matched_nothing: the links selector matched nothing"
    result = health([run(0.5, "failed", 0, nothing), run(1, "failed", 0, nothing), run(2)])

    assert result.state == "drifting"
    assert result.next_attempt_at is not None  # it still backs off


def test_a_source_that_never_had_entries_is_not_drifting():
    empty = "feed_empty: the feed has no entries"
    assert health([run(0.5, "partial", 0, empty), run(1, "partial", 0, empty)]).state == "ok"


def test_no_new_item_for_four_usual_gaps_is_silent():
    quiet = health([run(1)], daily_items(29, 5))  # daily until five days ago
    recent = health([run(1)], daily_items(29, 3))

    assert quiet.state == "silent"
    assert "no new item for 5.0d" in quiet.reason
    assert recent.state == "ok"


def test_silent_after_overrides_the_usual_gap():
    assert health([run(1)], daily_items(29, 3), silent_after=timedelta(days=2)).state == "silent"


def test_a_source_too_new_to_have_a_usual_gap_is_not_silent():
    assert health([run(1)], [NOW - timedelta(days=40)]).state == "ok"
