"""Modality of a flagged sentence: does it assert, allege, deny, suppose or remember?

Operators triage on this: "Russia's forces have committed war crimes" and "Moscow denies
committing war crimes" match the same rule and mean very different things.
"""

from __future__ import annotations

import re
from typing import Literal

Modality = Literal["asserted", "alleged", "denied", "hypothetical", "historical"]

_CUES: list[tuple[Modality, re.Pattern[str]]] = [
    (
        "denied",
        re.compile(
            r"\b(?:den(?:y|ies|ied|ying)|rejects?(?:ed)?\s+(?:the\s+)?(?:claims?|allegations?)|"
            r"fabricated|baseless|false (?:claims?|allegations?)|no evidence of)\b",
            re.I,
        ),
    ),
    (
        "hypothetical",
        re.compile(r"\b(?:if|were to|would (?:be|constitute)|in the event)\b", re.I),
    ),
    (
        "historical",
        re.compile(
            r"\b(?:anniversary|commemorat\w*|remembrance|remember\w*|Holocaust|"
            r"\d+\s+years ago|in (?:1[89]\d\d))\b",
            re.I,
        ),
    ),
    (
        "alleged",
        re.compile(
            r"\b(?:alleg\w*|reportedly|reports? of|accus\w*|credible (?:reports?|information)|"
            r"(?:may|might|could) (?:amount|constitute)|possible|potential|suspected)\b",
            re.I,
        ),
    ),
]

WEIGHT: dict[Modality, float] = {
    "asserted": 1.0,
    "alleged": 0.9,
    "historical": 0.5,
    "hypothetical": 0.4,
    "denied": 0.4,
}


def modality(sentence: str) -> Modality:
    for name, cue in _CUES:
        if cue.search(sentence):
            return name
    return "asserted"
