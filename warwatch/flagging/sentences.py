"""Sentence boundaries for flagging: a flag's explanation is the sentence it was found in.

A rule's terms must co-occur within one sentence, so boundaries matter; this splitter
knows the abbreviations of official English ("U.S.", "Amb.", "Antony J. Blinken") that
would otherwise cut a statement in two.
"""

from __future__ import annotations

import bisect
import hashlib
import re

_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)\]]*\s+|\n+")
_ABBREVIATIONS = frozenset(
    """u.s a.m p.m mr mrs ms dr st gen lt col maj capt sgt adm amb gov sen rep rev prof jr sr
    no nos vs etc e.g i.e jan feb mar apr jun jul aug sep sept oct nov dec u.n u.k e.u
    inc ltd co corp dept approx est fig op art para pp vol ed""".split()
)


class Sentences:
    """Sentence spans of one text, looked up by character offset."""

    def __init__(self, text: str) -> None:
        self.text = text
        starts = [0]
        for match in _BOUNDARY.finditer(text):
            if match[0][0] == "." and _is_abbreviation(text, match.start()):
                continue
            starts.append(match.end())
        self._starts = starts

    def span(self, offset: int) -> tuple[int, int]:
        """(start, end) of the sentence holding ``offset``, white space trimmed."""
        index = bisect.bisect_right(self._starts, offset) - 1
        start = self._starts[index]
        end = self._starts[index + 1] if index + 1 < len(self._starts) else len(self.text)
        while end > start and self.text[end - 1].isspace():
            end -= 1
        return start, end


def _is_abbreviation(text: str, dot: int) -> bool:
    word_start = dot
    while word_start > 0 and (text[word_start - 1].isalpha() or text[word_start - 1] == "."):
        word_start -= 1
    word = text[word_start:dot].lower().rstrip(".")
    if not word:
        return False
    if len(word) == 1 and text[word_start].isupper():
        return True  # an initial: "Antony J. Blinken"
    return word in _ABBREVIATIONS


def sentence_key(sentence: str) -> str:
    """A key equal for sentences that differ only in case, punctuation or spacing."""

    letters = "".join(ch for ch in sentence.casefold() if ch.isalnum())
    return hashlib.sha1(letters.encode()).hexdigest()
