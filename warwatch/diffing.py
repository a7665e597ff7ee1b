"""Sentence-level diffs between two versions of an item, and what kind of change it is.

Classes, from least to most important (a change gets the highest that applies):

- ``cosmetic``: only case, white space, punctuation or typography changed
  ("Washington, D.C." → "Washington, DC", straight → curly quotes);
- ``retitled``: the title changed (not cosmetically), the text did not;
- ``substantive``: sentences were added, removed or reworded;
- ``flag_relevant``: the change adds or removes flagged text, or words that decide how a
  statement reads to a war-crimes monitor: hedges ("alleged", "reportedly"), the crimes
  themselves ("war crime", "genocide"), casualty figures, or who is named as perpetrator.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

from warwatch.flagging.engine import FlagEngine
from warwatch.flagging.sentences import split_sentences

KINDS = ("cosmetic", "retitled", "substantive", "flag_relevant")

_TYPOGRAPHY = str.maketrans(
    {
        "‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"', "«": '"',
        "»": '"', "–": "-", "—": "-", "‒": "-", "―": "-", "−": "-", "\u00a0": " ",
        "…": "...",
    }
)  # fmt: skip
_NOT_ALNUM = re.compile(r"[\W_]+")
_WORD = re.compile(r"\w+(?:[.,]\d+)*", re.UNICODE)
_NUMBER = re.compile(r"^\d[\d.,]*$")

# Words whose arrival or removal changes what a statement asserts. Prefixes: "alleg"
# covers alleged, allegedly, allegation(s). Per language; English is the fallback.
HEDGES = {
    "en": ("alleg", "reported", "purported", "apparent", "possibl", "likely", "may", "might",
           "credible", "suspect", "unconfirmed", "unverified", "claim"),
    "fr": ("présum", "prétend", "allégu", "auraient", "aurait", "possibl", "probabl", "suppos"),
    "es": ("presunt", "supuest", "alegad", "posibl", "probabl", "habría", "habrían"),
    "de": ("mutmaßlich", "angeblich", "möglicherweise", "wahrscheinlich", "vermutlich"),
    "uk": ("імовірн", "ймовірн", "нібито", "можлив", "підозр"),
    "ru": ("предполож", "якобы", "возможн", "вероятн", "подозр"),
}  # fmt: skip
GRAVE = {  # relevant wherever they appear
    "en": ("war crime", "crimes against humanity", "genocid", "atrocit", "ethnic cleansing",
           "massacre", "torture", "rape", "sexual violence", "icc",
           "international criminal court"),
    "fr": ("crime de guerre", "crimes de guerre", "crimes contre l'humanité", "génocid",
           "atrocit", "massacre", "tortur", "viol", "cpi"),
    "es": ("crimen de guerra", "crímenes de guerra", "lesa humanidad", "genocid", "atrocidad",
           "masacre", "tortur", "violación", "cpi"),
    "de": ("kriegsverbrech", "verbrechen gegen die menschlichkeit", "völkermord", "genozid",
           "massaker", "folter", "vergewaltig", "strafgerichtshof"),
    "uk": ("воєнн", "військов злочин", "злочини проти людяності", "геноцид", "звірств",
           "катуван", "зґвалтув", "мкс"),
    "ru": ("военн преступ", "военные преступления", "преступления против человечности",
           "геноцид", "зверств", "пыт", "изнасилов", "мус"),
}  # fmt: skip
QUALIFIERS = {  # relevant where violence is described
    "en": ("civilian", "deliberate", "indiscriminate", "intentional", "systematic", "deport",
           "execution", "accountab", "investigat", "prosecut", "perpetrat", "evidence"),
    "fr": ("civil", "délibér", "indiscrimin", "déport", "enquête", "poursuit", "responsab"),
    "es": ("civil", "deliberad", "indiscriminad", "deport", "investigac", "enjuic",
           "responsab"),
    "de": ("zivil", "gezielt", "wahllos", "deportation", "ermittl", "verantwort"),
    "uk": ("цивільн", "мирн", "депорт", "розслідув", "відповідальн"),
    "ru": ("мирн", "гражданск", "депорт", "расследов", "ответственн"),
}  # fmt: skip
CASUALTY = {
    "en": ("kill", "dead", "death", "died", "wound", "injur", "casualt", "victim", "civilian",
           "child", "displaced", "refugee", "missing", "detain", "hostage", "bodies"),
    "fr": ("tué", "mort", "décès", "bless", "victime", "civil", "enfant", "déplacé", "disparu"),
    "es": ("muert", "fallec", "herid", "víctima", "civil", "niño", "desplazad", "desaparecid"),
    "de": ("getötet", "tote", "verletzt", "opfer", "zivil", "kinder", "vertrieben", "vermisst"),
    "uk": ("загин", "вбит", "поранен", "жертв", "цивільн", "діти", "дітей", "зникл"),
    "ru": ("погиб", "убит", "ранен", "жертв", "мирн", "дети", "детей", "пропавш"),
}  # fmt: skip
# Who did it: a party named in a sentence about an attack and its victims.
PERPETRATION = {
    "en": ("attack", "strike", "struck", "shell", "bomb", "missile", "rocket", "artillery",
           "drone", "gunfire", "sniper", "forces", "troops", "army", "soldiers", "militia",
           "regime", "perpetrat"),
    "fr": ("attaqu", "frappe", "bombard", "forces", "troupes", "armée", "soldats", "régime"),
    "es": ("ataque", "bombarde", "fuerzas", "tropas", "ejército", "soldados", "régimen"),
    "de": ("angriff", "beschuss", "bomb", "streitkräfte", "truppen", "armee", "soldaten", "regime"),
    "uk": ("удар", "обстріл", "атак", "військ", "армі", "сили", "режим"),
    "ru": ("удар", "обстрел", "атак", "войск", "арми", "силы", "режим"),
}  # fmt: skip


def cosmetic_key(text: str) -> str:
    """Equal for texts that differ only in case, white space, punctuation or typography."""
    text = unicodedata.normalize("NFKC", text).translate(_TYPOGRAPHY).casefold()
    return _NOT_ALNUM.sub("", text)


@dataclass(frozen=True, slots=True)
class SentenceChange:
    op: str  # added | removed | reworded | cosmetic
    old: str | None
    new: str | None


@dataclass(slots=True)
class Diff:
    old_title: str
    new_title: str
    changes: list[SentenceChange] = field(default_factory=list)
    kind: str = "cosmetic"
    reasons: list[str] = field(default_factory=list)

    @property
    def title_changed(self) -> bool:
        return self.old_title != self.new_title

    def count(self, op: str) -> int:
        return sum(1 for change in self.changes if change.op == op)


def diff_versions(
    old_title: str,
    old_text: str,
    new_title: str,
    new_text: str,
    language: str | None,
    engine: FlagEngine | None = None,
) -> Diff:
    """The sentence-level diff of two versions, classified (see the module's docstring)."""
    diff = Diff(old_title, new_title, _sentence_changes(old_text, new_text))
    language = (language or "en").split("-")[0]
    title_substantive = cosmetic_key(old_title) != cosmetic_key(new_title)
    text_substantive = cosmetic_key(old_text) != cosmetic_key(new_text)
    if not text_substantive:
        # Re-punctuation can move sentence boundaries ("D.C. today" splits, "DC today"
        # does not): the texts are equal but for punctuation, so every change is cosmetic.
        diff.changes = [SentenceChange("cosmetic", c.old, c.new) for c in diff.changes]

    reasons: list[str] = []
    if engine is not None and text_substantive:
        reasons += _flag_changes(engine, old_text, new_text, language)
    removed, added = _changed_words(diff, title_substantive)
    reasons += _term_changes(removed, added, language)
    diff.reasons = reasons
    if reasons:
        diff.kind = "flag_relevant"
    elif text_substantive:
        diff.kind = "substantive"
    elif title_substantive:
        diff.kind = "retitled"
    else:
        diff.kind = "cosmetic"
    return diff


def _sentence_changes(old_text: str, new_text: str) -> list[SentenceChange]:
    old, new = split_sentences(old_text), split_sentences(new_text)
    old_keys, new_keys = [cosmetic_key(s) for s in old], [cosmetic_key(s) for s in new]
    matcher = difflib.SequenceMatcher(None, old_keys, new_keys, autojunk=False)
    changes: list[SentenceChange] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            changes += [
                SentenceChange("cosmetic", old[i], new[j])
                for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
                if old[i] != new[j]
            ]
        elif op == "delete":
            changes += [SentenceChange("removed", s, None) for s in old[i1:i2]]
        elif op == "insert":
            changes += [SentenceChange("added", None, s) for s in new[j1:j2]]
        else:
            changes += _pair_up(old[i1:i2], new[j1:j2])
    return changes


def _pair_up(old: list[str], new: list[str]) -> list[SentenceChange]:
    """Replaced sentences: similar ones are rewordings, the rest removals and additions."""
    changes: list[SentenceChange] = []
    unused = list(new)
    for sentence in old:
        words = _WORD.findall(sentence.casefold())
        best, best_ratio = None, 0.0
        for candidate in unused:
            ratio = difflib.SequenceMatcher(
                None, words, _WORD.findall(candidate.casefold()), autojunk=False
            ).ratio()
            if ratio > best_ratio:
                best, best_ratio = candidate, ratio
        if best is not None and best_ratio >= 0.5:
            unused.remove(best)
            changes.append(SentenceChange("reworded", sentence, best))
        else:
            changes.append(SentenceChange("removed", sentence, None))
    changes += [SentenceChange("added", None, s) for s in unused]
    return changes


def _flag_changes(engine: FlagEngine, old_text: str, new_text: str, language: str) -> list[str]:
    """Flagged sentences of one version whose text is not in the other (compared without
    case and punctuation, so moved boundaries do not count as changes)."""
    old_key, new_key = cosmetic_key(old_text), cosmetic_key(new_text)
    reasons: list[str] = []
    for label, text, other in (("removed", old_text, new_key), ("added", new_text, old_key)):
        seen: set[str] = set()
        for match in engine.classify(text, language).matches:
            key = cosmetic_key(match.sentence)
            if key in seen or key in other:
                continue
            seen.add(key)
            reasons.append(f"flagged text {label} ({match.category}): {match.sentence[:160]!r}")
    return reasons


@dataclass(slots=True)
class _Words:
    """Words removed or added, with the sentence each came from (for context checks)."""

    items: list[tuple[str, str]] = field(default_factory=list)  # (word, its sentence)


def _changed_words(diff: Diff, title_substantive: bool) -> tuple[_Words, _Words]:
    removed, added = _Words(), _Words()
    pairs: list[tuple[str | None, str | None]] = [
        (c.old, c.new) for c in diff.changes if c.op != "cosmetic"
    ]
    if title_substantive:
        pairs.append((diff.old_title, diff.new_title))
    for old, new in pairs:
        old_words = _WORD.findall(old or "")
        new_words = _WORD.findall(new or "")
        matcher = difflib.SequenceMatcher(
            None, [w.casefold() for w in old_words], [w.casefold() for w in new_words],
            autojunk=False,
        )  # fmt: skip
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op == "equal":
                continue
            removed.items += [(w, old or "") for w in old_words[i1:i2]]
            added.items += [(w, new or "") for w in new_words[j1:j2]]
    return removed, added


def _term_changes(removed: _Words, added: _Words, language: str) -> list[str]:
    reasons: list[str] = []
    for label, words in (("removed", removed), ("added", added)):
        for word, sentence in words.items:
            reason = _why_relevant(word, sentence, language)
            if reason:
                reasons.append(f"{label} {reason}: {word!r} in {sentence[:160]!r}")
    return list(dict.fromkeys(reasons))


def _why_relevant(word: str, sentence: str, language: str) -> str | None:
    lowered = word.casefold()
    context = sentence.casefold()
    grave = GRAVE.get(language, GRAVE["en"])
    attack = PERPETRATION.get(language, PERPETRATION["en"])
    casualty = CASUALTY.get(language, CASUALTY["en"])
    if _is_term(lowered, grave, context):
        return "war-crimes term"
    war = _has_any(context, grave + attack)  # the sentence is about an attack or a crime
    if war and _is_term(lowered, QUALIFIERS.get(language, QUALIFIERS["en"]), context):
        return "war-crimes term"
    for prefix in HEDGES.get(language, HEDGES["en"]):
        # a hedge on an account of violence; "May" the month is not one
        if _word_matches(lowered, prefix) and war and (len(prefix) > 5 or word.islower()):
            return "hedge"
    tokens = _WORD.findall(sentence)
    if word not in tokens:
        return None
    at = tokens.index(word)
    near = " ".join(tokens[max(0, at - 5) : at + 6]).casefold()
    if _NUMBER.match(word) and war and _has_any(near, casualty):
        return "casualty figure"
    close = " ".join(tokens[max(0, at - 3) : at + 4]).casefold()
    if word[:1].isupper() and at > 0 and _has_any(close, attack) and _has_any(context, casualty):
        return "named party"  # "Russian forces", "a Hamas attack", next to its victims
    return None


def _is_term(word: str, terms: tuple[str, ...], context: str) -> bool:
    return any(
        _word_matches(word, term.split()[0]) and (" " not in term or term in context)
        for term in terms
    )


def _word_matches(word: str, term: str) -> bool:
    """Terms of three letters or fewer must be the whole word ("may", not "mayor")."""
    return word == term if len(term) <= 3 else word.startswith(term)


def _has_any(text: str, terms: tuple[str, ...]) -> bool:
    return any(
        re.search(rf"(?<!\w){re.escape(term)}" + (r"(?!\w)" if len(term) <= 3 else ""), text)
        for term in terms
    )
