"""Helpers shared by the benchmarks: where ../shared is, and timing side by side."""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"


def shared_dir(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        sys.exit(f"{path} is missing: the benchmarks read ../shared beside the checkout")
    return path


def interleaved(runs: dict[str, Callable[[], object]], rounds: int) -> dict[str, list[float]]:
    """Time each callable once per round, alternating, so machine noise hits all alike."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    return times


def ratio_report(times: dict[str, list[float]], ours: str, baseline: str) -> str:
    ratios = [o / b for o, b in zip(times[ours], times[baseline], strict=True)]
    return (
        f"ratio {ours}/{baseline}: median {statistics.median(ratios):.3f}, "
        f"min {min(ratios):.3f}, max {max(ratios):.3f} over {len(ratios)} rounds"
    )
