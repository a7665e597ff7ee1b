"""The literal text a pattern cannot match without: what the engine scans for first.

Running every rule's regular expression over every text is slow (case-insensitive
alternations cost about 1 µs a character in Python). Instead, each pattern's *anchors*
— a set of literal strings of which every match contains at least one — are derived
from the pattern's own parse tree, found in one Aho-Corasick pass over the lower-cased
text, and the full rules run only on the sentences holding an anchor. A pattern with no
literal text to anchor on is rejected when the rules load.
"""

from __future__ import annotations

import re
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import Any

MIN_ANCHOR = 3
# Words so frequent in official and news text that scanning for them would make nearly
# every sentence a candidate: another literal of the pattern is preferred when there is one.
COMMON = frozenset(
    """people committed looking attack attacks target hit said state states government united
    president also report reports forces military would will their which""".split()
)
_REPEATS = {sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT}


class NoAnchor(ValueError):
    """The pattern can match without any literal text of MIN_ANCHOR characters."""


def anchors(pattern: str) -> frozenset[str]:
    """Lower-case literals, one of which is in every match of ``pattern``."""
    found = _sequence(list(_parser.parse(pattern, re.IGNORECASE)))
    if not found or min(len(s) for s in found) < MIN_ANCHOR:
        raise NoAnchor(
            f"pattern {pattern!r} has no literal text of {MIN_ANCHOR}+ characters that every "
            "match must contain; add a literal word to it"
        )
    return frozenset(s.lower() for s in found)


_MAX_FORMS = 8  # a literal run carried through small character classes: "war[- ]crim"


def _sequence(items: list[tuple[Any, Any]]) -> set[str] | None:
    candidates: list[set[str]] = []
    run: set[str] = {""}

    def close_run() -> None:
        nonlocal run
        if run != {""}:
            candidates.append(set(run))
        run = {""}

    for op, value in items:
        if op is sre.LITERAL:
            run = {form + chr(value) for form in run}
            continue
        if op is sre.IN:
            chars = _literal_chars(value)
            if chars and len(run) * len(chars) <= _MAX_FORMS:
                run = {form + ch for form in run for ch in chars}
                continue
        close_run()
        found = _element(op, value)
        if found:
            candidates.append(found)
    close_run()
    if not candidates:
        return None
    # The most selective choice: no very common word, then the longest shortest string,
    # then the fewest strings.
    return max(
        candidates,
        key=lambda c: (
            not any(s.strip().lower() in COMMON for s in c),
            min(len(s) for s in c),
            -len(c),
        ),
    )


def _literal_chars(value: Any) -> list[str] | None:
    """The characters of a class made of literals only (``[- ]``), else None."""
    chars = []
    for op, arg in value:
        if op is not sre.LITERAL:
            return None
        chars.append(chr(arg))
    return chars


def _element(op: Any, value: Any) -> set[str] | None:
    if op is sre.SUBPATTERN:
        return _sequence(list(value[-1]))
    if op is sre.ATOMIC_GROUP:
        return _sequence(list(value))
    if op is sre.BRANCH:
        branches = [_sequence(list(branch)) for branch in value[1]]
        if any(not branch for branch in branches):
            return None
        return set().union(*branches)  # type: ignore[arg-type]
    if op in _REPEATS:
        low, _high, body = value
        return _sequence(list(body)) if low >= 1 else None
    return None  # character classes, any-char, assertions: no literal text
