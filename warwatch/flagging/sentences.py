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
_NOT_ALNUM = re.compile(r"[\W_]+")
_ABBREVIATIONS = frozenset(
    """u.s a.m p.m mr mrs ms dr st gen lt col maj capt sgt adm amb gov sen rep rev prof jr sr
    no nos vs etc e.g i.e jan feb mar apr jun jul aug sep sept oct nov dec u.n u.k e.u
    inc ltd co corp dept approx est fig op art para pp vol ed""".split()
)


class Sentences:
    """Sentence spans of one text, looked up by character offset.

    Only sentences holding a rule's anchor are ever needed, so boundaries are searched
    next to the offsets asked about (in a window that widens only when a sentence is long)
    and spans are remembered; the whole text is never split.
    """

    MAX_SENTENCE = 3000  # a "sentence" longer than this is cut (tables, lists without stops)

    def __init__(self, text: str) -> None:
        self.text = text
        self._starts: list[int] = []
        self._spans: list[tuple[int, int]] = []
        # stop position -> (where the sentence's text ends, where the next one starts),
        # or None when the stop is not a sentence end ("U.S.", "Antony J. Blinken")
        self._ends_at: dict[int, tuple[int, int] | None] = {}

    def span(self, offset: int) -> tuple[int, int]:
        """(start, end) of the sentence holding ``offset``, white space trimmed."""
        index = bisect.bisect_right(self._starts, offset) - 1
        if index >= 0 and offset < self._spans[index][1]:
            return self._spans[index]
        found = (self._start(offset), self._end(offset))
        position = bisect.bisect_left(self._starts, found[0])
        self._starts.insert(position, found[0])
        self._spans.insert(position, found)
        return found

    def _start(self, offset: int) -> int:
        text = self.text
        floor = max(0, offset - self.MAX_SENTENCE)
        high = offset
        low = max(floor, offset - 400)  # most sentences are shorter: widen only if needed
        while True:
            for stop in reversed([m.start() for m in _STOP.finditer(text, low, high)]):
                boundary = self._boundary(stop)
                if boundary is not None and boundary[1] <= offset:
                    return boundary[1]
            if low <= floor:
                return floor
            high, low = low, max(floor, low - 1600)

    def _end(self, offset: int) -> int:
        text = self.text
        ceiling = min(len(text), offset + self.MAX_SENTENCE)
        end = ceiling
        for stop in _STOP.finditer(text, offset, ceiling):
            boundary = self._boundary(stop.start())
            if boundary is not None:
                end = boundary[0]
                break
        while end > offset and text[end - 1].isspace():
            end -= 1
        return end

    def _boundary(self, stop: int) -> tuple[int, int] | None:
        """The sentence boundary at this stop character, decided once per position:
        neighbouring sentences share it."""
        if stop not in self._ends_at:
            match = _BOUNDARY.match(self.text, stop)
            if match is None or _false_boundary(self.text, match):
                self._ends_at[stop] = None
            else:
                self._ends_at[stop] = (match.start() + len(match[0].rstrip()), match.end())
        return self._ends_at[stop]


_STOP = re.compile(r"[.!?…\n]")


def split_sentences(text: str) -> list[str]:
    """Every sentence of a text, in order, with the boundaries flagging uses (for diffs)."""
    splitter = Sentences(text)
    sentences: list[str] = []
    start = 0
    for stop in _STOP.finditer(text):
        if stop.start() < start:
            continue
        boundary = splitter._boundary(stop.start())
        if boundary is None:
            continue
        sentence = text[start : boundary[0]].strip()
        if sentence:
            sentences.append(sentence)
        start = boundary[1]
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def _false_boundary(text: str, match: re.Match[str]) -> bool:
    return match[0][0] == "." and _is_abbreviation(text, match.start())


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

    letters = _NOT_ALNUM.sub("", sentence.casefold())
    return hashlib.sha1(letters.encode()).hexdigest()
