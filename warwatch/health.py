"""Source health: is each source being read, and does it still publish?

A pure assessment of a source's recent crawls and items, so that ``warwatch status``,
the runner and the daemon agree on one answer at any moment. The states, worst first:

- ``failing``: the last crawl could not read the source (HTTP error, timeout, bad feed);
- ``drifting``: the source is read but yields no entries any more, where it used to (a
  layout change, a feed emptied) — the failure that raises no error;
- ``silent``: no new item for much longer than the source's usual gap between items;
- ``ok``; and ``pending`` before the first crawl.

Failing sources back off across runs: exponentially from their polling interval, with
jitter, never before a ``Retry-After`` the server asked for.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median

BAD_STATES = ("failing", "drifting", "silent")
DRIFT_RUNS = 2  # consecutive readable crawls with no entries before a source is drifting
SILENT_FACTOR = 4  # silent after this many usual gaps without a new item
USUAL_WINDOW = timedelta(days=30)
RECENT_WINDOW = timedelta(days=7)
MIN_GAPS = 3  # a usual gap needs at least this many gaps between items to mean anything
# Errors that mean "read, but nothing in it" rather than "could not read".
EMPTY_ERRORS = ("selector_matched_nothing", "feed_empty", "sitemap_empty")


@dataclass(frozen=True, slots=True)
class RunFact:
    """One crawl of the source, as recorded in ``crawl_run_sources``."""

    at: datetime
    status: str  # ok | not_modified | partial | failed
    entries_seen: int
    error: str | None = None  # the first error's "kind: message", if any
    retry_after_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Health:
    source_id: str
    state: str
    reason: str
    last_success_at: datetime | None
    last_error_at: datetime | None
    last_error: str | None
    consecutive_failures: int
    last_item_at: datetime | None
    items_per_day: float  # over the last 7 days
    usual_items_per_day: float | None  # over the last 30 days
    usual_gap_seconds: float | None
    next_attempt_at: datetime | None  # backing off until then (failures, Retry-After)

    def as_dict(self) -> dict[str, object]:
        return {
            name: value.isoformat() if isinstance(value, datetime) else value
            for name, value in (
                (field, getattr(self, field)) for field in self.__dataclass_fields__
            )
        }


def assess(
    source_id: str,
    runs: Sequence[RunFact],
    item_times: Sequence[datetime],
    now: datetime,
    interval: timedelta,
    *,
    silent_after: timedelta | None = None,
    max_backoff: timedelta = timedelta(hours=6),
    previous_next_attempt: datetime | None = None,
    rng: random.Random | None = None,
) -> Health:
    """The source's health from its runs (newest first) and its items' publication times.

    ``previous_next_attempt`` keeps a backoff already drawn for the same failure streak
    (so the jitter is drawn once per failure, not on every look).
    """
    failures = 0
    for run in runs:
        if run.status != "failed":
            break
        failures += 1
    successes = [run for run in runs if run.status != "failed"]
    errors = [run for run in runs if run.error]
    times = sorted(t for t in item_times if t <= now)
    last_item = times[-1] if times else None
    recent = [t for t in times if t > now - RECENT_WINDOW]
    usual = [t for t in times if t > now - USUAL_WINDOW]
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(usual)]
    usual_gap = median(gaps) if len(gaps) >= MIN_GAPS else None

    next_attempt = None
    if failures:
        retry_after = runs[0].retry_after_at
        if previous_next_attempt is not None and previous_next_attempt > runs[0].at:
            next_attempt = previous_next_attempt
        else:
            next_attempt = runs[0].at + backoff(failures, interval, max_backoff, rng)
        if retry_after is not None and retry_after > next_attempt:
            next_attempt = retry_after

    state, reason = _state(runs, failures, last_item, usual_gap, now, interval, silent_after)
    return Health(
        source_id=source_id,
        state=state,
        reason=reason,
        last_success_at=successes[0].at if successes else None,
        last_error_at=errors[0].at if errors else None,
        last_error=errors[0].error if errors else None,
        consecutive_failures=failures,
        last_item_at=last_item,
        items_per_day=round(len(recent) / RECENT_WINDOW.days, 2),
        usual_items_per_day=round(len(usual) / USUAL_WINDOW.days, 2) if usual_gap else None,
        usual_gap_seconds=usual_gap,
        next_attempt_at=next_attempt,
    )


def backoff(
    failures: int, interval: timedelta, ceiling: timedelta, rng: random.Random | None = None
) -> timedelta:
    """Interval × 2^(failures-1), at most ``ceiling``, then ±20% jitter so that sources
    failing together (one host down) do not retry in lockstep."""
    base = min(interval * 2 ** max(failures - 1, 0), ceiling)
    return base * (rng or random).uniform(0.8, 1.2)


def _state(
    runs: Sequence[RunFact],
    failures: int,
    last_item: datetime | None,
    usual_gap: float | None,
    now: datetime,
    interval: timedelta,
    silent_after: timedelta | None,
) -> tuple[str, str]:
    if not runs:
        return "pending", "not crawled yet"
    # What each crawl that read the source found, newest first: those that fetched it,
    # those that failed only because a listing's selector matched nothing (the page was
    # read; its layout moved), and 304s, which found what the crawl before them found.
    found: list[int] = []
    carried: int | None = None
    for run in reversed(runs):
        if not _read(run):
            carried = None
        elif run.status != "not_modified":
            carried = run.entries_seen
        if carried is not None:
            found.append(carried)
    found.reverse()
    if _read(runs[0]) and found[:DRIFT_RUNS] == [0] * DRIFT_RUNS and any(found[DRIFT_RUNS:]):
        before = next(n for n in found if n > 0)
        return "drifting", (
            f"the last {DRIFT_RUNS} crawls read the source but found no entries "
            f"(it used to yield {before}): its layout or feed may have changed"
        )
    if failures:
        plural = "s" if failures > 1 else ""
        return "failing", f"{failures} failed crawl{plural} in a row: {runs[0].error or 'error'}"
    if last_item is not None:
        limit = silent_after
        if limit is None and usual_gap is not None:
            limit = max(timedelta(seconds=usual_gap * SILENT_FACTOR), interval * 2)
        if limit is not None and now - last_item > limit:
            return "silent", (
                f"no new item for {_span(now - last_item)} (silent after {_span(limit)})"
            )
    return "ok", "reading and publishing as usual"


def _read(run: RunFact) -> bool:
    """Whether the crawl read the source: a 304 did (it found what the crawl before it
    found); a failure did not, unless it was "read, but nothing in it"."""
    if run.status == "failed":
        return (run.error or "").startswith(EMPTY_ERRORS)
    return True


def _span(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f}{unit}"
    return f"{seconds}s"
