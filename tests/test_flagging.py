"""The flagging engine: what it flags, what it leaves alone, and how it explains a flag."""

from __future__ import annotations

import pytest

from warwatch.exceptions import ConfigError
from warwatch.flagging.engine import FlagEngine, default_engine
from warwatch.flagging.sentences import Sentences, sentence_key


@pytest.fixture(scope="module")
def engine():
    return default_engine()


@pytest.mark.parametrize(
    ("text", "category"),
    [
        (
            "Today, I can announce that the U.S. government assesses that members of Russia’s forces have committed war crimes in Ukraine.",
            "war_crime_allegation",
        ),
        (
            "The ICC has charged Abd-al Rahman with thirty-one counts of war crimes and crimes against humanity.",
            "icc_action",
        ),
        (
            "Russian forces have repeatedly blocked the delivery of food and other lifesaving aid to tens of thousands of trapped civilians in besieged cities.",
            "atrocity_report",
        ),
        (
            "A Commission of Inquiry has been created to investigate the abuses being committed by Russia.",
            "investigation",
        ),
        (
            "We support efforts to collect, preserve, and analyze evidence of atrocities in Ukraine.",
            "evidence_documentation",
        ),
        (
            "A Ukrainian court sentenced a Russian soldier to life in prison in the first war crimes trial of the war.",
            "prosecution",
        ),
    ],
)
def test_it_flags_each_category(engine, text, category):
    result = engine.classify(text, "en")

    assert result.flag
    assert category in result.categories


@pytest.mark.parametrize(
    "text",
    [
        "The Justice Department opened an investigation into corruption at the port authority.",
        "The ICC Men's T20 World Cup final will be played in Melbourne.",
        "The war on drugs has cost billions.",
        "G20 countries should hold Russia accountable and insist that it support UN efforts to reopen the sea lanes.",
        "The Secretary met with the Foreign Minister to discuss trade and energy security.",
    ],
)
def test_it_leaves_hard_negatives_alone(engine, text):
    assert not engine.classify(text, "en").flag


def test_a_flag_explains_itself(engine):
    text = (
        "The Secretary traveled to Brussels. Antony J. Blinken said the U.S. government assesses "
        "that Russia’s forces have committed war crimes. He then met NATO allies."
    )

    match = engine.classify(text, "en").matches[0]

    assert match.rule == "en.label.war_crimes"
    assert text[match.start : match.end] == match.text == "war crimes"
    assert match.sentence == (
        "Antony J. Blinken said the U.S. government assesses that Russia’s forces have "
        "committed war crimes."
    )
    assert match.modality == "asserted"
    assert match.score == 1.0


@pytest.mark.parametrize(
    ("text", "modality"),
    [
        ("Moscow denies committing war crimes in Bucha.", "denied"),
        ("There are credible reports of war crimes in Mariupol.", "alleged"),
        ("We commemorate the anniversary of the genocide at Srebrenica.", "historical"),
        ("If Russia uses chemical weapons, that would be a war crime.", "hypothetical"),
    ],
)
def test_modality_is_marked(engine, text, modality):
    assert engine.classify(text, "en").matches[0].modality == modality


def test_sentence_keys_ignore_case_punctuation_and_spacing():
    assert sentence_key("Russia’s forces committed war crimes.") == sentence_key(
        "Russia's  forces committed WAR CRIMES"
    )
    assert sentence_key("Russia’s forces committed war crimes.") != sentence_key(
        "Russia’s forces may have committed war crimes."
    )


def test_sentences_do_not_split_on_abbreviations():
    text = "Amb. Linda Thomas-Greenfield spoke at the U.N. Security Council. She left."

    sentences = Sentences(text)

    assert text[slice(*sentences.span(10))] == (
        "Amb. Linda Thomas-Greenfield spoke at the U.N. Security Council."
    )
    assert text[slice(*sentences.span(len(text) - 2))] == "She left."


def test_a_bad_rules_file_is_rejected_with_the_rule_named(tmp_path):
    (tmp_path / "en.yaml").write_text(
        "version: '1'\nlanguage: en\nrules:\n"
        "  - id: en.broken\n    category: war_crime_allegation\n    any: ['war (crimes']\n",
        encoding="utf-8",
    )

    with pytest.raises(
        ConfigError, match=r"en.yaml: rule 'en.broken' : pattern 'war \(crimes' in 'any' is invalid"
    ):
        FlagEngine.from_directory(tmp_path)


def test_an_operator_can_add_a_rule_without_code(tmp_path):
    (tmp_path / "en.yaml").write_text(
        "version: 'local-1'\nlanguage: en\nrules:\n"
        "  - id: en.local.filtration\n    category: atrocity_report\n"
        "    any: ['filtration camps?']\n",
        encoding="utf-8",
    )

    result = FlagEngine.from_directory(tmp_path).classify(
        "Detainees were held in filtration camps."
    )

    assert [m.rule for m in result.matches] == ["en.local.filtration"]
    assert FlagEngine.from_directory(tmp_path).rules_version("en") == "local-1"
