"""Independent counts of the replay figures, straight from the capture files.

``warwatch import-captures`` reads captures with feedparser and trafilatura/lxml, stores
versions by content hash and classifies changes with ``warwatch.diffing``. This script
shares none of that: it reads each capture with ``xml.etree``, takes an entry's text as
the plain text of its ``content:encoded`` HTML (lxml ``text_content``), and counts
everything in memory, so the two can be compared (docs/benchmarks.md).

    python -m bench.replay_check --state DIR --whitehouse DIR [--db sqlite:///replay.db]

With ``--db`` it prints warwatch's figures from that database beside its own.
"""

from __future__ import annotations

import argparse
import re
import unicodedata
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from email.utils import parsedate_to_datetime
from pathlib import Path

from lxml import html as lxml_html

CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
NOT_ALNUM = re.compile(r"[\W_]+")
WORD = re.compile(r"\w+")
KEYWORDS = ("war crime", "genocide", "crimes against humanity", "atrocit", "civilian", "killed",
            "alleged", "reportedly", "investigat", "accountab", "massacre", "deport")  # fmt: skip


def entries(path: Path) -> list[tuple[str, str, str, float | None]]:
    """(link, title, text, published timestamp) of each item of one capture."""
    root = ET.parse(path).getroot()
    found = []
    for item in root.iter("item"):
        link = (item.findtext("link") or "").strip().split("#")[0].split("?")[0]
        title = " ".join((item.findtext("title") or "").split())
        html = item.findtext(CONTENT) or item.findtext("description") or ""
        text = ""
        if html.strip():
            text = " ".join(lxml_html.fromstring(html).text_content().split())
        date = item.findtext("pubDate")
        published = parsedate_to_datetime(date).timestamp() if date else None
        found.append((link, title, text, published))
    return found


def key(text: str) -> str:
    return NOT_ALNUM.sub("", unicodedata.normalize("NFKC", text).casefold())


def keyword_sentences(text: str) -> set[str]:
    sentences = re.split(r"(?<=[.!?])\s+", text)
    return {key(s) for s in sentences if any(k in s.lower() for k in KEYWORDS)}


def classify(old: tuple[str, str], new: tuple[str, str]) -> str:
    (old_title, old_text), (new_title, new_text) = old, new
    if keyword_sentences(old_text) != keyword_sentences(new_text):
        return "flag_relevant"
    if key(old_text) != key(new_text):
        return "substantive"
    if key(old_title) != key(new_title):
        return "retitled"
    return "cosmetic"


def replay(directory: Path) -> dict[str, object]:
    files = sorted(directory.iterdir(), key=lambda p: int(p.name.split(".")[0]))
    contents: dict[str, list[tuple[str, str]]] = defaultdict(list)  # distinct, in order
    current: dict[str, tuple[str, str]] = {}
    classes: Counter[str] = Counter()
    reverts = 0
    removed_events = 0
    removed: set[str] = set()
    restored = 0
    previous: list[tuple[str, float | None]] = []
    texts: dict[str, str] = {}
    for path in files:
        now = entries(path)
        for link, title, text, _ in now:
            content = (title, text)
            if current.get(link) != content:
                if link in current:
                    classes[classify(current[link], content)] += 1
                    if content in contents[link]:
                        reverts += 1
                if content not in contents[link]:
                    contents[link].append(content)
                current[link] = content
            texts.setdefault(link, text)
        listed = {link for link, *_ in now}
        order = {link: i for i, (link, _) in enumerate(previous)}
        dates = dict(previous)
        still = [link for link, _ in previous if link in listed]
        for link, date in previous:
            if link in listed or link in removed:
                continue
            if any(
                (dates[o] < date) if (date and dates[o]) else order[o] > order[link] for o in still
            ):
                removed.add(link)
                removed_events += 1
        for link in listed & removed:
            removed.discard(link)
            restored += 1
        previous = [(link, published) for link, _, _, published in now]
    return {
        "captures": len(files),
        "unique_items": len(contents),
        "multi_version_items": sum(1 for c in contents.values() if len(c) > 1),
        "versions": sum(len(c) for c in contents.values()),
        "changes": dict(classes),
        "returns_to_earlier_content": reverts,
        "removed_from_listing_events": removed_events,
        "restored_events": restored,
        "texts": texts,
    }


def shingles(text: str, size: int = 5) -> set[str]:
    words = WORD.findall(text.casefold())
    if len(words) < 40:
        return set()
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


def cross_source_pairs(a: dict[str, str], b: dict[str, str], threshold: float) -> list[tuple]:
    """Every pair (one item from each source) whose exact shingle Jaccard ≥ threshold,
    found through an inverted index of shingles (no hashing, no sampling)."""
    index: dict[str, list[str]] = defaultdict(list)
    sets_b = {link: shingles(text) for link, text in b.items()}
    for link, found in sets_b.items():
        for shingle in found:
            index[shingle].append(link)
    pairs = []
    best = 0.0
    for link, text in a.items():
        mine = shingles(text)
        overlap: Counter[str] = Counter()
        for shingle in mine:
            overlap.update(index.get(shingle, ()))
        for other, shared in overlap.items():
            score = shared / len(mine | sets_b[other])
            best = max(best, score)
            if score >= threshold:
                pairs.append((score, link, other))
    return [*sorted(pairs, reverse=True), ("best", best)]


def from_database(url: str) -> dict[str, object]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as c:
        q = lambda sql: c.execute(text(sql)).all()  # noqa: E731
        return {
            "items": q("select source_id, count(*) from items group by 1"),
            "multi_version_items": q(
                "select i.source_id, count(*) from items i where (select count(*) from "
                "item_versions v where v.item_id = i.id) > 1 group by 1"
            ),
            "versions": q(
                "select i.source_id, count(*) from item_versions v join items i on "
                "i.id = v.item_id group by 1"
            ),
            "changes": q(
                "select i.source_id, c.kind, count(*), sum(case when c.revert_of is null "
                "then 0 else 1 end) from item_changes c join items i on i.id = c.item_id "
                "group by 1, 2 order by 1, 2"
            ),
            "events": q(
                "select i.source_id, e.kind, count(*), count(distinct e.item_id) from "
                "item_events e join items i on i.id = e.item_id group by 1, 2 order by 1, 2"
            ),
            "clusters": q(
                "select count(distinct cluster_id), sum(case when n = 2 then 1 else 0 end) from "
                "(select cluster_id, count(distinct source_id) as n from items where "
                "cluster_id is not null group by cluster_id) as c"
            ),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--state", type=Path, required=True)
    parser.add_argument("--whitehouse", type=Path, required=True)
    parser.add_argument("--db", help="warwatch's database, to print its figures beside")
    parser.add_argument("--threshold", type=float, default=0.6)
    args = parser.parse_args()
    results = {}
    for name, directory in (("state", args.state), ("whitehouse", args.whitehouse)):
        results[name] = replay(directory)
        shown = {k: v for k, v in results[name].items() if k != "texts"}
        print(name, shown)
    pairs = cross_source_pairs(
        results["state"]["texts"],
        results["whitehouse"]["texts"],
        args.threshold,  # type: ignore[arg-type]
    )
    print("cross-source pairs with Jaccard >=", args.threshold, ":", len(pairs) - 1)
    for pair in pairs[:20]:
        print("  ", pair)
    if args.db:
        for name, rows in from_database(args.db).items():
            print("warwatch", name, rows)


if __name__ == "__main__":
    main()
