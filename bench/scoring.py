"""How an extraction is scored against a golden expectation (tests and benchmark alike).

- title: equal after normalising white space, typographic quotes and dashes, and a site
  suffix or prefix ("… | Reuters", "BBC News - …");
- date: the same calendar day;
- body: token recall and precision (bags of case-folded word tokens) against the full
  expected text, and the share of "must contain" / "must not contain" snippets honoured.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

_SEPARATORS = re.compile(r"\s+[|–—·•»:-]\s+|\s+::\s+")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " "})
_TOKENS = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Golden:
    name: str
    html: bytes
    url: str
    title: str | None
    date: str | None
    body: str | None
    with_: list[str]
    without: list[str]


def load_goldens(directory: Path) -> list[Golden]:
    goldens = []
    for path in sorted(directory.glob("*.expected.json")):
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        name = path.name.removesuffix(".expected.json")
        goldens.append(
            Golden(
                name=name,
                html=(directory / f"{name}.html").read_bytes(),
                url=data["url"],
                title=data.get("title"),
                date=data.get("date"),
                body=data.get("body"),
                with_=data.get("with", []),
                without=data.get("without", []),
            )
        )
    return goldens


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).translate(_QUOTES).split())


def title_matches(ours: str | None, expected: str) -> bool:
    if not ours:
        return False
    want = _norm(expected)
    got = _norm(ours)
    if got == want:
        return True
    parts = _SEPARATORS.split(got)
    return any(
        _norm(" - ".join(parts[i:j])) == want
        for i in range(len(parts))
        for j in range(i + 1, len(parts) + 1)
    )


def date_matches(ours: datetime | date | str | None, expected: str) -> bool:
    if ours is None:
        return False
    day = ours if isinstance(ours, str) else ours.isoformat()
    return day[:10] == expected[:10]


def tokens(text: str) -> Counter[str]:
    return Counter(t.casefold() for t in _TOKENS.findall(text))


def recall_precision(ours: str, expected: str) -> tuple[float, float]:
    got, want = tokens(ours), tokens(expected)
    common = sum((got & want).values())
    recall = common / max(1, sum(want.values()))
    precision = common / max(1, sum(got.values()))
    return recall, precision


def snippets(ours: str, with_: list[str], without: list[str]) -> tuple[float, float]:
    """Shares of must-contain snippets found and of must-not-contain snippets absent."""
    text = _norm(ours)
    found = sum(_norm(s) in text for s in with_) / len(with_) if with_ else 1.0
    absent = sum(_norm(s) not in text for s in without) / len(without) if without else 1.0
    return found, absent
