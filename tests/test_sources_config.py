"""The sources file is validated at load, and its errors say where and what."""

from __future__ import annotations

import re
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
    assert {"embassy-ua", "embassy-ru", "embassy-pl", "embassy-ua-uk"} <= ids
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


def test_the_shipped_file_covers_all_four_families_with_real_urls():
    config = load_sources(shipped_sources_path())

    families = {s.family for s in config.sources}
    assert {"state_department", "embassy", "icc", "wire"} <= families
    embassies = {s.id for s in config.sources if s.family == "embassy" and s.enabled}
    countries = {sid.split("-")[1] for sid in embassies}
    assert len(countries) >= 20
    assert {
        "ua",
        "ru",
        "pl",
        "ge",
        "md",
        "il",
        "sd",
        "ss",
        "mm",
        "sy",
        "iq",
        "et",
        "cd",
        "af",
    } <= countries
    assert all(s.language for s in config.sources)
    local = {s.language for s in config.sources if s.family == "embassy"}
    assert {"uk", "ru", "pl", "ka", "ro", "he", "ar", "fr"} <= local
    icc = [s for s in config.sources if s.family == "icc"]
    assert {s.language for s in icc} == {"en", "fr"}
    wires = " ".join(s.url for s in config.sources if s.family == "wire")
    assert "apnews.com" in wires and "reuters.com" in wires and "afp.com" in wires
    assert {s.kind for s in config.sources} == {"feed", "sitemap", "listing", "page", "api"}


def test_a_template_expands_per_entry_and_its_errors_name_the_entry(tmp_path):
    path = write(
        tmp_path,
        """\
sources: []
templates:
  - id: "embassy-{cc}"
    name: "U.S. Embassy – {country}"
    family: embassy
    url: "https://{cc}.usembassy.gov/feed/"
    for_each:
      - {cc: ua, country: Ukraine}
      - {cc: pl, country: Poland, interval: 1h}
""",
    )
    original = path.read_text()
    config = load_sources(path)

    assert [(s.id, s.name, s.url) for s in config.sources] == [
        ("embassy-ua", "U.S. Embassy – Ukraine", "https://ua.usembassy.gov/feed/"),
        ("embassy-pl", "U.S. Embassy – Poland", "https://pl.usembassy.gov/feed/"),
    ]
    assert config.sources[1].interval == timedelta(hours=1)

    bad = write(
        tmp_path,
        original.replace("{cc: pl, country: Poland, interval: 1h}", "{cc: 'P L', country: Poland}"),
    )
    with pytest.raises(
        ConfigError,
        match=r":9: source 'embassy-P L' \(template 'embassy-\{cc\}' for_each #2\), field 'id'",
    ):
        load_sources(bad)
    missing = write(
        tmp_path, original.replace("{cc: pl, country: Poland, interval: 1h}", "{cc: pl}")
    )
    with pytest.raises(ConfigError, match=r"for_each #2: no value for placeholder \{country\}"):
        load_sources(missing)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("    links: {css: 'a'}\n", "'links' applies to kind listing, not feed"),
        ("    since: 2d\n", "'since' applies to kind sitemap, not feed"),
        ("    include: ['(unclosed']\n", "invalid pattern '(unclosed'"),
    ],
)
def test_fields_must_fit_the_kind(tmp_path, extra, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_sources(write(tmp_path, GOOD + extra))


def test_a_listing_needs_a_valid_selector(tmp_path):
    listing = GOOD.replace("kind: feed", "kind: listing")
    with pytest.raises(ConfigError, match="a listing source needs 'links'"):
        load_sources(write(tmp_path, listing))
    with pytest.raises(ConfigError, match="invalid selector"):
        load_sources(write(tmp_path, listing + "    links: {css: 'a[[['}\n"))


def test_stored_items_are_rechecked_on_a_decaying_schedule_until_they_age_out(tmp_path):
    from datetime import UTC, datetime

    from warwatch.sources import next_check

    path = write(tmp_path, GOOD + "    recheck: [{every: 1h, until: 1d}, {every: 1d, until: 7d}]\n")
    steps = load_sources(path).sources[0].recheck
    seen = datetime(2022, 3, 24, 12, tzinfo=UTC)

    assert next_check(steps, seen, seen) == seen + timedelta(hours=1)
    assert next_check(steps, seen, seen + timedelta(hours=30)) == seen + timedelta(hours=54)
    assert next_check(steps, seen, seen + timedelta(days=7)) is None  # no longer watched
    assert load_sources(write(tmp_path, GOOD)).sources[0].recheck[-1].until == timedelta(30)


def test_recheck_steps_must_grow_older(tmp_path):
    path = write(
        tmp_path, GOOD + "    recheck: [{every: 1d, until: 30d}, {every: 1h, until: 1d}]\n"
    )

    with pytest.raises(ConfigError, match=r"field 'recheck': .*increasing 'until'"):
        load_sources(path)
