"""Items per second through the pipeline (extract → normalize → dedupe → flag → store)
against bare ``trafilatura.extract`` on the same real pages, measured side by side.

    python -m bench.pipeline_throughput [--rounds 5]     (from the repository root)

Reads every article page of ../shared/corpus (``*.html``, not the expected outputs).
Target (issue 2): the pipeline costs at most 1.3× bare extraction.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import trafilatura
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from bench.common import interleaved, ratio_report, shared_dir
from crawler.items import ArticleItem
from db.engine import dispose_all, get_engine
from db.migrate import ensure_schema
from db.store import sync_sources
from pipelines.dedupe import DedupePipeline
from pipelines.extract import ExtractPipeline
from pipelines.flag import FlagPipeline
from pipelines.normalize import NormalizePipeline
from pipelines.store import StorePipeline
from spiders.feed import FeedSpider
from warwatch.sources import Source

SOURCE = Source(id="bench", name="bench", family="other", url="https://bench.invalid/feed")


def corpus_pages() -> list[tuple[str, bytes]]:
    corpus = shared_dir("corpus")
    files = sorted(p for p in corpus.glob("*/*.html") if ".expected" not in p.name)
    return [(f"https://bench.invalid/{p.parent.name}/{p.name}", p.read_bytes()) for p in files]


def bare(pages: list[tuple[str, bytes]]) -> None:
    for _url, html in pages:
        trafilatura.extract(html)


def fresh_store(workdir: Path, number: int) -> str:
    """An empty, migrated SQLite store (made before timing: setup is not per item)."""
    url = f"sqlite:///{workdir / f'bench-{number}.db'}"
    ensure_schema(url)
    with get_engine(url).begin() as connection:
        sync_sources(connection, [SOURCE], datetime.now(UTC))
    return url


def pipeline(pages: list[tuple[str, bytes]], url: str) -> int:
    """The pipeline components as Scrapy chains them, writing into the store at ``url``."""
    crawler = get_crawler(FeedSpider, {"WARWATCH_DB_URL": url})
    crawler.spider = FeedSpider(source=SOURCE, db_url=url)
    crawler.spider.crawler = crawler
    stages = [
        ExtractPipeline.from_crawler(crawler),
        NormalizePipeline(),
        DedupePipeline.from_crawler(crawler),
        FlagPipeline(),
    ]
    store = StorePipeline(crawler, url, batch_size=50)
    stored = 0
    for page_url, html in pages:
        item = ArticleItem(
            source_id=SOURCE.id, url=page_url, origin="page", html=html,
            fetched_at=datetime.now(UTC), http_status=200,
        )  # fmt: skip
        try:
            for stage in stages:
                item = stage.process_item(item)
        except DropItem:  # a page with no article text
            continue
        store.process_item(item)
        stored += 1
    store.close_spider()
    return stored


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    pages = corpus_pages()
    megabytes = sum(len(h) for _, h in pages) / 1e6
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        stores = iter([fresh_store(workdir, n) for n in range(args.rounds + 1)])
        stored = pipeline(pages, next(stores))  # warm-up: imports, caches, rules
        bare(pages)
        times = interleaved(
            {
                "bare_extract": lambda: bare(pages),
                "pipeline": lambda: pipeline(pages, next(stores)),
            },
            args.rounds,
        )
        dispose_all()
    print(f"pages: {len(pages)} ({megabytes:.1f} MB of HTML), stored by the pipeline: {stored}")
    for name, runs in times.items():
        best = min(runs)
        print(
            f"{name:>13}: median {statistics.median(runs):.2f} s, best {best:.2f} s, "
            f"{len(pages) / best:.1f} pages/s (best)"
        )
    print(ratio_report(times, "pipeline", "bare_extract"))


if __name__ == "__main__":
    main()
