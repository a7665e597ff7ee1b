"""Replay import: captures per second and memory as the store grows.

    python -m bench.import_throughput --dir DIR --source ID [--db sqlite:///replay.db]

Imports a folder of captures with ``warwatch import-captures``'s own code, printing the
resident memory every 200 captures (flat is the goal: the store grows on disk, not in
memory), then, for scale, times the cheapest possible pass over the same files in the
same process: reading each and parsing it with feedparser, nothing else. The ratio
import / parse-only is the figure that survives this machine's noise.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import feedparser

from warwatch.importer import captures_in, import_captures
from warwatch.settings import Settings


def parse_only(directory: Path) -> float:
    started = time.perf_counter()
    for _, path in captures_in(directory)[0]:
        feedparser.parse(path.read_bytes())
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, required=True)
    parser.add_argument("--source", required=True)
    parser.add_argument("--db", default="sqlite:///replay.db")
    parser.add_argument("--config", default=None)
    args = parser.parse_args()
    settings = Settings.resolve(args.config, args.db)

    def progress(report: object) -> None:
        captures, rss = report.rss_samples[-1]  # type: ignore[attr-defined]
        print(f"  {captures:5d} captures  {report.per_second:5.1f}/s  RSS {rss:6.1f} MB")  # type: ignore[attr-defined]

    report = import_captures(settings, args.source, args.dir, progress)
    baseline = parse_only(args.dir)
    print(
        f"{args.source}: {report.captures} captures in {report.seconds:.1f} s = "
        f"{report.per_second:.1f} captures/s; peak RSS {report.peak_rss_mb:.0f} MB; "
        f"{report.items_new} items, {report.versions_new} versions, {report.changes_new} "
        f"changes, {report.events} events"
    )
    print(
        f"parse-only baseline (feedparser, same files): {baseline:.1f} s = "
        f"{report.captures / baseline:.1f} captures/s; import / parse-only = "
        f"{report.seconds / baseline:.2f}x"
    )
    samples = [rss for _, rss in report.rss_samples]
    if len(samples) >= 4:
        quarter = len(samples) // 4
        print(
            "RSS at 25/50/75/100%: "
            + " / ".join(f"{samples[max(0, q * quarter - 1)]:.0f}" for q in (1, 2, 3))
            + f" / {samples[-1]:.0f} MB"
        )


if __name__ == "__main__":
    main()
