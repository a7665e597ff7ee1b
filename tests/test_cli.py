"""The ``warwatch`` command as an operator or a cron job uses it."""

from __future__ import annotations

import csv
import io
import json

from click.testing import CliRunner

from warwatch.cli import main

STATE = "feeds/state-press-releases-1648155971.rss"


def run(*args, input=None, env=None):
    return CliRunner().invoke(main, list(args), input=input, env=env, catch_exceptions=False)


def test_crawl_then_export_items_and_flags(server, write_config, db_url):
    config = str(write_config({"state": server.serve_fixture("/feed", STATE)}))

    crawled = run("crawl", "--config", config, "--db", db_url)
    items = run("export", "--what", "items", "--db", db_url)
    flags = run("export", "--what", "flags", "--format", "csv", "--db", db_url)

    assert crawled.exit_code == 0
    assert crawled.stdout.startswith("state: ok, 10 new items, 10 new versions,")
    rows = [json.loads(line) for line in items.stdout.splitlines()]
    assert len(rows) == 10
    assert set(rows[0]) == {
        "id",
        "source_id",
        "url",
        "title",
        "published_at",
        "modified_at",
        "fetched_at",
        "language",
        "text",
        "content_hash",
        "versions",
    }
    war = next(r for r in rows if r["title"] == "War Crimes by Russia’s Forces in Ukraine")
    assert war["versions"] == 1 and war["source_id"] == "state" and war["language"] == "en"
    assert war["published_at"] == "2022-03-23T17:55:28+00:00"
    flag_rows = list(csv.DictReader(io.StringIO(flags.stdout)))
    on_war = [f for f in flag_rows if f["item_id"] == str(war["id"])]
    assert on_war and {"rule", "matched_text", "snippet", "start", "end", "modality"} <= set(
        on_war[0]
    )
    assert all(war["text"][int(f["start"]) : int(f["end"])] == f["matched_text"] for f in on_war)


def test_crawl_exits_non_zero_with_one_line_per_failed_source(server, write_config, db_url):
    config = str(
        write_config(
            {
                "good": server.serve_fixture("/feed", STATE),
                "down": server.serve("/down", "oops", "text/plain", status=500),
                "gone": server.url("/gone"),
            }
        )
    )

    result = run("crawl", "--config", config, "--db", db_url)

    assert result.exit_code == 1
    failed = [line for line in result.stderr.splitlines() if line.startswith("FAILED")]
    assert failed == [
        f"FAILED down: http_error: {server.url('/down')}: HTTP 500",
        f"FAILED gone: http_error: {server.url('/gone')}: HTTP 404",
    ]
    assert "good: ok, 10 new items" in result.stdout


def test_crawl_of_named_sources_only(server, write_config, db_url):
    config = str(write_config({"a": server.serve_fixture("/a", STATE), "b": server.url("/b")}))

    result = run("crawl", "--config", config, "--db", db_url, "--source", "a")

    assert result.exit_code == 0
    assert server.requests_to("/b") == []


def test_a_bad_config_stops_every_command_with_its_message(tmp_path):
    bad = tmp_path / "sources.yaml"
    bad.write_text(
        "sources:\n  - id: Bad Id\n    name: x\n    family: wire\n    url: https://x.org/\n"
    )

    for command in (["sources"], ["crawl", "--db", f"sqlite:///{tmp_path / 'x.db'}"]):
        result = run(*command, "--config", str(bad))
        assert result.exit_code == 2
        assert f"{bad}:2: source 'Bad Id', field 'id': String should match pattern" in result.stderr
    assert not (tmp_path / "x.db").exists()


def test_sources_lists_the_shipped_file_by_default(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    result = run("sources", env={"WARWATCH_CONFIG": ""})

    assert result.exit_code == 0
    rows = [line.split() for line in result.stdout.splitlines()]
    assert [
        "state-press-releases",
        "state_department",
        "feed",
        "en",
        "15m",
        "yes",
        "-",
        "https://www.state.gov/rss-feed/press-releases/feed/",
    ] in rows
    assert "https://ua.usembassy.gov/feed/" in result.stdout


def test_config_comes_from_the_environment_when_no_flag_is_given(tmp_path, write_config):
    config = write_config({"only-one": "https://example.org/feed"})

    result = run("sources", env={"WARWATCH_CONFIG": str(config)})

    assert "only-one" in result.stdout and "state-press-releases" not in result.stdout


def test_db_upgrade_creates_the_schema(db_url):
    result = run("db", "upgrade", "--db", db_url)

    assert result.exit_code == 0
    assert result.stdout.startswith("database at revision ")


def test_classify_reads_and_writes_json_lines():
    lines = [
        {"id": 1, "text": "Russia’s forces have committed war crimes in Ukraine."},
        {"id": "b", "text": "The Secretary discussed trade.", "lang": "en"},
    ]

    result = run("classify", input="".join(json.dumps(x) + "\n" for x in lines))

    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == [1, "b"]
    assert out[0]["flag"] is True and out[0]["categories"] == ["war_crime_allegation"]
    assert out[0]["matches"][0] == {
        "rule": "en.label.war_crimes",
        "category": "war_crime_allegation",
        "text": "war crimes",
        "start": 31,
        "end": 41,
        "modality": "asserted",
    }
    assert out[1] == {"id": "b", "flag": False, "categories": [], "matches": [], "score": 0.0}


def test_classify_names_the_bad_input_line():
    result = run("classify", input='{"id": 1, "text": "ok"}\nnot json\n')

    assert result.exit_code == 2
    assert "stdin line 2" in result.stderr


def test_sources_shows_each_sources_last_crawl(server, write_config, db_url):
    config = str(
        write_config({"state": server.serve_fixture("/feed", STATE), "never": server.url("/x")})
    )
    run("crawl", "--config", config, "--db", db_url, "--source", "state")

    result = run("sources", "--config", config, "--db", db_url)

    state = next(line for line in result.stdout.splitlines() if line.startswith("state "))
    never = next(line for line in result.stdout.splitlines() if line.startswith("never "))
    assert " ok 20" in state
    assert "  -  " in never
