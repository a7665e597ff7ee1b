"""Regenerate tests/fixtures/golden/ from ../shared/corpus (run by hand, fundus-style).

For every corpus page with an expected output beside it, copies the page and writes one
``<name>.expected.json`` holding what the page's expectation states, normalised to one
shape: ``url``, ``title``, ``date`` (YYYY-MM-DD), ``body`` (full text), ``with`` /
``without`` (snippets that must / must not be in the text), and ``expected_from``.

    python -m bench.make_golden
"""

from __future__ import annotations

import ast
import csv
import json
import re
import shutil
from pathlib import Path

import lxml.html

from bench.common import shared_dir

OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "golden"


def fundus(corpus: Path, expected: str) -> dict[str, object]:
    file, key = re.match(r"(\S+\.expected\.json) \(key (\w+)\)", expected).groups()  # type: ignore[union-attr]
    entry = json.loads((corpus / file).read_text(encoding="utf-8"))[key]
    body = entry["body"] if isinstance(entry["body"], dict) else ast.literal_eval(entry["body"])
    parts = list(body.get("summary", []))
    for section in body.get("sections", []):
        parts.extend(section.get("headline", []))
        parts.extend(section.get("paragraphs", []))
    return {
        "title": entry["title"],
        "date": entry["publishing_date"][:10] if entry.get("publishing_date") else None,
        "body": "\n\n".join(parts),
        "expected_from": f"fundus {file} [{key}]",
    }


def aeb(corpus: Path, expected: str) -> dict[str, object]:
    key = re.search(r"key ([0-9a-f]{64})", expected)[1]  # type: ignore[index]
    truth = json.loads((corpus / "_expected" / "aeb-ground-truth.json").read_text())[key]
    return {
        "body": truth["articleBody"],
        "expected_from": f"scrapinghub AEB ground truth [{key[:12]}]",
    }


def trafilatura_eval(corpus: Path, url: str, expected: str) -> dict[str, object]:
    data = json.loads((corpus / "_expected" / "trafilatura-evaldata.json").read_text())
    named = re.search(r"\(key '([^']+)'\)", expected)
    entry = data[named[1]] if named else data[url]
    return {
        "title": entry.get("title") or None,
        "date": entry.get("date") or None,
        "with": entry.get("with", []),
        "without": entry.get("without", []),
        "expected_from": "trafilatura evaldata.json",
    }


def htmldate_eval(corpus: Path, url: str, expected: str) -> dict[str, object]:
    stated = re.search(r"date (\d{4}-\d{2}-\d{2})", expected)
    if stated:
        return {"date": stated[1], "expected_from": "htmldate eval (mediacloud 2020)"}
    data = json.loads((corpus / "_expected" / "htmldate-eval_default.json").read_text())
    return {"date": data[url]["date"], "expected_from": "htmldate eval_default.json"}


def readability(corpus: Path, local: str) -> dict[str, object]:
    stem = local.removesuffix(".source.html")
    html = (corpus / f"{stem}.expected.html").read_text(encoding="utf-8")
    meta = json.loads((corpus / f"{stem}.expected-metadata.json").read_text(encoding="utf-8"))
    root = lxml.html.fromstring(html)
    for block in root.iter("p", "h1", "h2", "h3", "h4", "li", "blockquote", "div", "br"):
        block.tail = "\n" + (block.tail or "")
    return {
        "title": meta.get("title"),
        "date": (meta.get("publishedTime") or "")[:10] or None,
        "body": root.text_content(),
        "expected_from": f"Readability {stem}.expected.html",
    }


def main() -> None:
    corpus = shared_dir("corpus")
    rows = list(csv.DictReader((corpus / "manifest.tsv").open(encoding="utf-8"), delimiter="\t"))
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    written = 0
    for row in rows:
        local, expected, url = row["local"], row["expected_output"], row["url"]
        if not local.endswith(".html") or not expected or "is expected" in expected:
            continue
        if "fundus" in expected:
            truth = fundus(corpus, expected)
        elif "aeb-ground-truth" in expected:
            truth = aeb(corpus, expected)
        elif "trafilatura-evaldata" in expected:
            truth = trafilatura_eval(corpus, url, expected)
        elif "htmldate" in expected:
            truth = htmldate_eval(corpus, url, expected)
        elif "readability" in expected:
            truth = readability(corpus, local)
        else:
            continue  # expectations that live only in other projects' test code
        name = local.replace("/", "__").removesuffix(".source.html").removesuffix(".html")
        shutil.copyfile(corpus / local, OUT / f"{name}.html")
        record = {"url": url, "page": local, **truth}
        (OUT / f"{name}.expected.json").write_text(
            json.dumps(record, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
        written += 1
    print(f"{written} golden pages written to {OUT}")


if __name__ == "__main__":
    main()
