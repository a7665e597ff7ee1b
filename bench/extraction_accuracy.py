"""Extraction accuracy and speed on the golden pages: ours against bare trafilatura.

    python -m bench.extraction_accuracy [--rounds 3]    (from the repository root)

Ours is ``warwatch.extract.extract_page`` as the pipeline runs it; the baseline is
``trafilatura.bare_extraction(html, url=url, with_metadata=True)`` with trafilatura's
defaults otherwise (its title, date and text). Scored with bench/scoring.py on
tests/fixtures/golden (regenerate with ``python -m bench.make_golden``).
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

import trafilatura

from bench.common import interleaved
from bench.scoring import (
    Golden,
    date_matches,
    load_goldens,
    recall_precision,
    snippets,
    title_matches,
)
from warwatch.extract import extract_page
from warwatch.normalize import clean_text

GOLDEN_DIR = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "golden"


def ours(golden: Golden) -> tuple[str | None, object, str]:
    page = extract_page(golden.html, golden.url)
    return page.title, page.published_at, clean_text(page.text)


def bare(golden: Golden) -> tuple[str | None, object, str]:
    document = trafilatura.bare_extraction(golden.html, url=golden.url, with_metadata=True)
    if document is None:
        return None, None, ""
    return document.title, document.date, document.text or ""


def score(goldens: list[Golden], extractor) -> dict[str, tuple[float, int]]:  # type: ignore[no-untyped-def]
    titles, dates, recalls, precisions, withs, withouts = [], [], [], [], [], []
    for golden in goldens:
        title, published, text = extractor(golden)
        if golden.title:
            titles.append(title_matches(title, golden.title))
        if golden.date:
            dates.append(date_matches(published, golden.date))
        if golden.body:
            recall, precision = recall_precision(text, golden.body)
            recalls.append(recall)
            precisions.append(precision)
        if golden.with_ or golden.without:
            found, absent = snippets(text, golden.with_, golden.without)
            withs.append(found)
            withouts.append(absent)
    return {
        "title exact": (statistics.mean(titles), len(titles)),
        "date same day": (statistics.mean(dates), len(dates)),
        "body token recall (mean)": (statistics.mean(recalls), len(recalls)),
        "body token precision (mean)": (statistics.mean(precisions), len(precisions)),
        "body recall (worst page)": (min(recalls), len(recalls)),
        "body precision (worst page)": (min(precisions), len(precisions)),
        "must-contain snippets found": (statistics.mean(withs), len(withs)),
        "must-not-contain snippets absent": (statistics.mean(withouts), len(withouts)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    goldens = load_goldens(GOLDEN_DIR)
    ours_scores, bare_scores = score(goldens, ours), score(goldens, bare)
    print(f"{len(goldens)} golden pages\n")
    print("| measure | pages | ours | bare trafilatura |\n|---|---|---|---|")
    for measure, (value, pages) in ours_scores.items():
        print(f"| {measure} | {pages} | {value:.3f} | {bare_scores[measure][0]:.3f} |")
    times = interleaved(
        {
            "ours": lambda: [ours(g) for g in goldens],
            "bare": lambda: [bare(g) for g in goldens],
        },
        args.rounds,
    )
    print()
    for name, runs in times.items():
        print(f"{name}: {len(goldens) / min(runs):.1f} pages/s (best of {args.rounds})")


if __name__ == "__main__":
    main()
