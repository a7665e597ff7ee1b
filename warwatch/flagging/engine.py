"""The flagging engine used by the pipeline and by ``warwatch classify`` alike."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import ahocorasick

from warwatch.flagging.anchors import anchors
from warwatch.flagging.language import detect
from warwatch.flagging.modality import WEIGHT, Modality, modality
from warwatch.flagging.rules import RULES_DIR, Rule, RuleFile, load_rules
from warwatch.flagging.sentences import Sentences, sentence_key

FALLBACK_LANGUAGE = "en"


@dataclass(frozen=True, slots=True)
class Match:
    """One rule firing on one sentence: everything an operator needs to see why."""

    rule: str
    category: str
    text: str
    start: int
    end: int
    sentence: str
    sentence_key: str
    modality: Modality
    language: str
    score: float


@dataclass(frozen=True, slots=True)
class Classification:
    matches: list[Match] = field(default_factory=list)

    @property
    def flag(self) -> bool:
        return bool(self.matches)

    @property
    def categories(self) -> list[str]:
        return sorted({m.category for m in self.matches})

    @property
    def score(self) -> float:
        return max((m.score for m in self.matches), default=0.0)


@dataclass(frozen=True, slots=True)
class _CompiledRule:
    rule: Rule
    any: re.Pattern[str]
    with_: re.Pattern[str] | None
    and_with: re.Pattern[str] | None
    unless: re.Pattern[str] | None


ANY, WITH, AND_WITH = 0, 1, 2


class _Language:
    """One language's rules, and an Aho-Corasick automaton over all their anchors.

    Anchors of ``any`` patterns say which sentences to look at; anchors of ``with`` and
    ``and_with`` patterns say whether a rule's co-occurrence can hold there at all, so a
    rule is only run (as a regex) on a sentence holding an anchor of each of its groups.
    """

    def __init__(self, rule_file: RuleFile) -> None:
        self.rules = [
            _CompiledRule(
                r, r.compile(r.any), r.compile(r.with_), r.compile(r.and_with), r.compile(r.unless)
            )  # type: ignore[arg-type]
            for r in rule_file.rules
        ]
        self.needs = [(bool(c.rule.with_), bool(c.rule.and_with)) for c in self.rules]
        by_anchor: dict[str, set[tuple[int, int]]] = {}
        for index, compiled in enumerate(self.rules):
            for role, patterns in ((ANY, compiled.rule.any), (WITH, compiled.rule.with_),
                                   (AND_WITH, compiled.rule.and_with)):  # fmt: skip
                for pattern in patterns:
                    for anchor in anchors(pattern):
                        by_anchor.setdefault(anchor, set()).add((index, role))
        # Each anchor in the cases text writes it in (lower, Capitalised, Title, UPPER), so
        # the text is scanned as it is: no lower-cased copy, offsets point into it directly.
        by_form: dict[str, set[tuple[int, int]]] = {}
        for anchor, tags in by_anchor.items():
            for form in {anchor, anchor.capitalize(), anchor.title(), anchor.upper()}:
                by_form.setdefault(form, set()).update(tags)
        self.automaton = ahocorasick.Automaton()
        for form, tags in by_form.items():
            self.automaton.add_word(form, tuple(sorted(tags)))
        self.automaton.make_automaton()

    def candidates(self, text: str) -> dict[tuple[int, int], set[int]]:
        """Sentence spans holding an ``any`` anchor, with the rules that may fire there
        (those whose ``with`` / ``and_with`` anchors are in the sentence too)."""
        any_hits: list[tuple[int, int]] = []
        group_ends: list[int] = []
        group_tags: list[tuple[int, int]] = []
        for end, tags in self.automaton.iter(text):
            for index, role in tags:
                if role == ANY:
                    any_hits.append((end, index))
                else:
                    group_ends.append(end)
                    group_tags.append((index, role))
        if not any_hits:
            return {}
        # A rule whose co-occurrence anchors are nowhere in the text cannot fire in it:
        # its anchors need no sentence looked up at all.
        in_text = set(group_tags)
        possible = {
            index
            for index, (need_with, need_and) in enumerate(self.needs)
            if (not need_with or (index, WITH) in in_text)
            and (not need_and or (index, AND_WITH) in in_text)
        }
        sentences = Sentences(text)
        found: dict[tuple[int, int], set[int]] = {}
        present: dict[tuple[int, int], set[tuple[int, int]]] = {}
        for end, index in any_hits:
            if index not in possible:
                continue
            span = sentences.span(end)
            rules = found.get(span)
            if rules is None:
                rules = found[span] = set()
                low = bisect.bisect_left(group_ends, span[0])
                high = bisect.bisect_right(group_ends, span[1])
                present[span] = set(group_tags[low:high])
            need_with, need_and = self.needs[index]
            groups = present[span]
            if (not need_with or (index, WITH) in groups) and (
                not need_and or (index, AND_WITH) in groups
            ):
                rules.add(index)
        return {span: rules for span, rules in found.items() if rules}


class FlagEngine:
    """Applies the rules of a text's language, sentence by sentence."""

    def __init__(self, rule_files: dict[str, RuleFile]) -> None:
        self.rule_files = rule_files
        self.version = ",".join(f"{lang}:{rf.version}" for lang, rf in sorted(rule_files.items()))
        self._languages = {lang: _Language(rule_file) for lang, rule_file in rule_files.items()}

    @classmethod
    def from_directory(cls, directory: Path = RULES_DIR) -> FlagEngine:
        return cls(load_rules(directory))

    def rules_version(self, language: str) -> str:
        return self.rule_files[self._language(language)].version

    def _language(self, language: str | None) -> str:
        return language if language in self._languages else FALLBACK_LANGUAGE

    def detect(self, text: str) -> str | None:
        """The text's language among those with rules (None when it has no letters)."""
        return detect(text, self._languages)

    def classify(self, text: str, language: str | None = None) -> Classification:
        """Flag ``text``; its language is detected when not given or not one we have rules
        for (the source's declared language is trusted when we do)."""
        if language not in self._languages:
            language = self.detect(text)
        lang = self._language(language)
        compiled_language = self._languages[lang]
        matches: list[Match] = []
        for (start, end), rule_indexes in compiled_language.candidates(text).items():
            sentence = text[start:end]
            lowered = _lower(sentence)
            mode: Modality | None = None
            for index in sorted(rule_indexes):
                compiled = compiled_language.rules[index]
                if compiled.with_ is not None and not compiled.with_.search(lowered):
                    continue
                if compiled.and_with is not None and not compiled.and_with.search(lowered):
                    continue
                hit = compiled.any.search(lowered)
                if hit is None:
                    continue
                if compiled.unless is not None and compiled.unless.search(lowered):
                    continue
                mode = mode or modality(sentence, lang)
                matches.append(
                    Match(
                        rule=compiled.rule.id,
                        category=compiled.rule.category,
                        text=sentence[hit.start() : hit.end()],
                        start=start + hit.start(),
                        end=start + hit.end(),
                        sentence=sentence,
                        sentence_key=sentence_key(sentence),
                        modality=mode,
                        language=lang,
                        score=round(compiled.rule.weight * WEIGHT[mode], 3),
                    )
                )
        matches.sort(key=lambda m: (m.start, m.rule))
        return Classification(matches)


def _lower(text: str) -> str:
    """Lower case with offsets kept: the rare characters whose lower case is longer
    (U+0130 "İ") stay as they are, so match offsets point into the original."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)


@cache
def default_engine() -> FlagEngine:
    """The engine built from the shipped rules, loaded once per process."""
    return FlagEngine.from_directory()
