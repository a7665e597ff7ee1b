"""Golden pages: real pages with expected outputs (fundus, scrapinghub AEB, trafilatura,
htmldate, Readability), copied from the shared corpus by ``python -m bench.make_golden``
(the tests read only these copies).

Thresholds, for every page that states the measure:
- title equal after normalising white space, quotes, dashes and a site suffix;
- published date on the same calendar day;
- body token recall ≥ 0.90 and precision ≥ 0.88 against the full expected text;
- every "must contain" snippet found, no "must not contain" snippet present.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.scoring import (
    date_matches,
    load_goldens,
    recall_precision,
    snippets,
    title_matches,
)
from warwatch.extract import extract_page
from warwatch.normalize import clean_text

GOLDEN = load_goldens(Path(__file__).parent / "fixtures" / "golden")
RECALL, PRECISION = 0.90, 0.88


def test_there_are_golden_pages_of_every_kind():
    assert len(GOLDEN) >= 35
    assert sum(g.title is not None for g in GOLDEN) >= 20
    assert sum(g.date is not None for g in GOLDEN) >= 20
    assert sum(g.body is not None for g in GOLDEN) >= 20


@pytest.mark.parametrize("golden", GOLDEN, ids=[g.name for g in GOLDEN])
def test_golden_page(golden):
    page = extract_page(golden.html, golden.url)
    text = clean_text(page.text)

    if golden.title:
        assert title_matches(page.title, golden.title), (page.title, golden.title)
    if golden.date:
        assert date_matches(page.published_at, golden.date), (page.published_at, golden.date)
    if golden.body:
        recall, precision = recall_precision(text, golden.body)
        assert recall >= RECALL and precision >= PRECISION, (recall, precision)
    if golden.with_ or golden.without:
        assert snippets(text, golden.with_, golden.without) == (1.0, 1.0)


def test_site_rules_are_recorded_with_the_extractor():
    euronews = next(g for g in GOLDEN if g.name.startswith("euronews.com"))
    reuters = next(g for g in GOLDEN if g.name.startswith("reuters.com__fundus"))

    assert extract_page(euronews.html, euronews.url).extractor.endswith(
        "; site euronews.com@2020-01-01"
    )
    assert "; site" not in extract_page(reuters.html, reuters.url).extractor
