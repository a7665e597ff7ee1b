"""Modality of a flagged sentence: does it assert, allege, deny, suppose or remember?

Operators triage on this: "Russia's forces have committed war crimes" and "Moscow denies
committing war crimes" match the same rule and mean very different things.
"""

from __future__ import annotations

import re
from typing import Literal

Modality = Literal["asserted", "alleged", "denied", "hypothetical", "historical"]

# Cues by language, checked in this order: a denial or a supposition outweighs the
# "alleged" words it often contains.
_CUE_WORDS: dict[str, dict[Modality, str]] = {
    "en": {
        "denied": r"den(?:y|ies|ied|ying)|rejects?(?:ed)?\s+(?:the\s+)?(?:claims?|allegations?)"
        r"|fabricated|baseless|false (?:claims?|allegations?)|no evidence of",
        "hypothetical": r"if|were to|would (?:be|constitute)|in the event",
        "historical": r"anniversary|commemorat\w*|remembrance|remember\w*|Holocaust"
        r"|\d+\s+years ago|in (?:1[89]\d\d)",
        "alleged": r"alleg\w*|reportedly|reports? of|accus\w*|credible (?:reports?|information)"
        r"|(?:may|might|could) (?:amount|constitute)|possible|potential|suspected",
    },
    "fr": {
        "denied": r"dément\w*|nie\w*|rejett?e\w* les accusations|infondé\w*|fabriqué\w*",
        "hypothetical": r"si|au cas où|constituerait",
        "historical": r"anniversaire|commémor\w*|mémoire|Shoah",
        "alleged": r"présumé\w*|allégu\w*|prétendu\w*|accus\w*|selon des informations|pourrai(?:en)?t constituer|possibles?|potentiel\w*|soupçonn\w*",
    },
    "de": {
        "denied": r"bestreit\w*|bestritten|leugne\w*|dementier\w*|weist (?:die )?Vorwürfe zurück|erfunden",
        "hypothetical": r"falls|wenn|würde\w*",
        "historical": r"Jahrestag\w*|Gedenk\w*|Erinnerung|Holocaust",
        "alleged": r"mutmaßlich\w*|angeblich\w*|Vorwürf\w*|beschuldig\w*|Berichten zufolge|möglich\w*|Verdacht\w*",
    },
    "es": {
        "denied": r"niega\w*|negó|desmient\w*|rechaza\w* las acusaciones|infundad\w*|fabricad\w*",
        "hypothetical": r"si|en caso de|constituiría",
        "historical": r"aniversario|conmemor\w*|memoria|Holocausto",
        "alleged": r"presunt\w*|supuest\w*|acus\w*|según informes|podría\w* constituir|posibles?|potencial\w*|sospech\w*",
    },
    "uk": {
        "denied": r"запереч\w*|спростов\w*|відкида\w*|вигадан\w*|фейк\w*",
        "hypothetical": r"якщо|якби|у разі",
        "historical": r"річниц\w*|вшан\w*|пам[’']ят\w*|Голокост\w*",
        "alleged": r"ймовірн\w*|імовірн\w*|нібито|можлив\w*|підозр\w*|за повідомленнями|звинувач\w*",
    },
    "ru": {
        "denied": r"отрица\w*|опроверг\w*|отверга\w*|выдуман\w*|фейк\w*",
        "hypothetical": r"если|в случае",
        "historical": r"годовщин\w*|памят\w*|Холокост\w*",
        "alleged": r"предположительно|якобы|возможн\w*|подозрева\w*|по сообщениям|обвин\w*",
    },
}
_CUES: dict[str, list[tuple[Modality, re.Pattern[str]]]] = {
    language: [
        (name, re.compile(rf"\b(?:{pattern})\b", re.IGNORECASE)) for name, pattern in cues.items()
    ]
    for language, cues in _CUE_WORDS.items()
}

WEIGHT: dict[Modality, float] = {
    "asserted": 1.0,
    "alleged": 0.9,
    "historical": 0.5,
    "hypothetical": 0.4,
    "denied": 0.4,
}


def modality(sentence: str, language: str = "en") -> Modality:
    for name, cue in _CUES.get(language, _CUES["en"]):
        if cue.search(sentence):
            return name
    return "asserted"
