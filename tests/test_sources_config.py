"""The sources file is validated at load, and its errors say where and what."""

from __future__ import annotations

from datetime import timedelta

import pytest

from warwatch.exceptions import ConfigError
from warwatch.settings import shipped_sources_path
from warwatch.sources import load_sources

GOOD = """\
sources:
  - id: state-press-releases
    name: State
    family: state_department
    kind: feed
    url: https://www.state.gov/rss-feed/press-releases/feed/
    interval: 15m
    language: en
"""


def write(tmp_path, text):
    path = tmp_path / "sources.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_valid_file_loads_with_defaults(tmp_path):
    config = load_sources(write(tmp_path, GOOD))

    source = config.get("state-press-releases")
    assert source.interval == timedelta(minutes=15)
    assert source.enabled and source.fetch_articles == "auto"
    assert config.crawler.obey_robots is True
    assert config.crawler.download_delay == 2.0


def test_the_shipped_file_watches_state_and_embassies():
    config = load_sources(shipped_sources_path())

    ids = {s.id for s in config.sources}
    assert "state-press-releases" in ids
    assert {"embassy-ukraine", "embassy-russia", "embassy-poland"} <= ids
    assert config.get("state-press-releases").url == (
        "https://www.state.gov/rss-feed/press-releases/feed/"
    )


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("interval: 15m", "interval: 15x"),
            ":7: source 'state-press-releases', field 'interval': invalid interval '15x'",
        ),
        (
            ("interval: 15m", "interval: 0s"),
            "field 'interval': invalid interval '0s': must be greater than zero",
        ),
        (
            ("url: https://www.state.gov", "url: ftp://www.state.gov"),
            ":6: source 'state-press-releases', field 'url': invalid URL",
        ),
        (
            ("language: en", "language: en\n    colour: red"),
            ":9: source 'state-press-releases', field 'colour': unknown key",
        ),
        (("family: state_department", "family: ministry"), "field 'family': Input should be"),
        (("    name: State\n", ""), "field 'name': required field is missing"),
    ],
)
def test_each_bad_field_is_named_with_its_file_line_and_source(tmp_path, change, expected):
    path = write(tmp_path, GOOD.replace(*change))

    with pytest.raises(ConfigError) as error:
        load_sources(path)

    assert str(path) in str(error.value)
    assert expected in str(error.value)


def test_duplicate_ids_are_rejected(tmp_path):
    path = write(tmp_path, GOOD + GOOD.split("sources:\n")[1])

    with pytest.raises(
        ConfigError, match=r":9: source 'state-press-releases', field 'id': .*duplicate source id"
    ):
        load_sources(path)


def test_broken_yaml_names_the_line(tmp_path):
    path = write(tmp_path, GOOD + "  - id: [unclosed\n")

    with pytest.raises(ConfigError, match=r"sources.yaml:\d+: not valid YAML"):
        load_sources(path)


def test_an_unknown_source_id_lists_the_known_ones(tmp_path):
    config = load_sources(write(tmp_path, GOOD))

    with pytest.raises(
        ConfigError, match="unknown source 'nope'; known sources: state-press-releases"
    ):
        config.get("nope")
