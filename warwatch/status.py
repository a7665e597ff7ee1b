"""``warwatch status``: each source's health, assessed now, as a table or JSON.

Health is re-assessed at the time of asking (a source becomes ``silent`` by time passing,
not only when it is crawled), from the same facts and rules the runner stores in
``source_health``; how long a source has been in its state comes from that table.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from db.engine import get_engine
from db.health import assess_source, stored
from db.migrate import current_revision, ensure_schema
from warwatch.health import BAD_STATES
from warwatch.settings import Settings
from warwatch.sources import load_sources


def collect(settings: Settings, now: datetime | None = None) -> dict[str, Any]:
    """The status report: one entry per configured source, and which are in a bad state."""
    now = now or datetime.now(UTC)
    config = load_sources(settings.config_path)
    rows: list[dict[str, Any]] = []
    if _database_exists(settings.db_url):
        ensure_schema(settings.db_url)  # refuses an outdated schema, with the fix to run
        with get_engine(settings.db_url).connect() as connection:
            kept = stored(connection)
            for source in config.sources:
                previous = kept.get(source.id)
                health = assess_source(connection, source, now, previous)
                row = health.as_dict()
                same = previous is not None and previous.state == health.state
                since = previous.state_since if same else None
                row["state_since"] = since.isoformat() if since else None
                interval = previous.poll_interval_seconds if previous else None
                row["poll_interval_seconds"] = interval
                row["enabled"] = source.enabled
                rows.append(row)
    else:
        rows = [
            {"source_id": s.id, "state": "pending", "reason": "no database yet",
             "enabled": s.enabled}
            for s in config.sources
        ]  # fmt: skip
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["state"]] = counts.get(row["state"], 0) + 1
    bad = [row["source_id"] for row in rows if row["enabled"] and row["state"] in BAD_STATES]
    return {
        "generated_at": now.isoformat(),
        "config": str(settings.config_path),
        "counts": counts,
        "bad": bad,
        "sources": rows,
    }


def render(report: dict[str, Any]) -> str:
    """A fixed-width table, worst first, then a line of counts."""
    order = {"failing": 0, "drifting": 1, "silent": 2, "pending": 3, "ok": 4}
    rows = [("SOURCE", "STATE", "SINCE", "LAST OK", "FAILS", "ITEMS/DAY (USUAL)", "WHY")]
    for row in sorted(report["sources"], key=lambda r: (order.get(r["state"], 9), r["source_id"])):
        usual = row.get("usual_items_per_day")
        rows.append(
            (
                row["source_id"] + ("" if row["enabled"] else " (disabled)"),
                row["state"],
                _short(row.get("state_since")),
                _short(row.get("last_success_at")),
                str(row.get("consecutive_failures", 0)),
                f"{row.get('items_per_day', 0):g} ({'-' if usual is None else f'{usual:g}'})",
                row["reason"],
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)) + "  " + r[-1]
             for r in rows]  # fmt: skip
    counts = ", ".join(f"{n} {state}" for state, n in sorted(report["counts"].items()))
    lines.append(f"# {counts}")
    return "\n".join(lines)


def _short(value: str | None) -> str:
    return value[:16].replace("T", " ") + "Z" if value else "-"


def _database_exists(db_url: str) -> bool:
    """Whether there is a warwatch database to read (status never creates one)."""
    if db_url.startswith("sqlite:///"):
        path = Path(db_url.removeprefix("sqlite:///"))
        if not path.exists():
            return False
    return current_revision(get_engine(db_url)) is not None
