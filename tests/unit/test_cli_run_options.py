"""`intake run`'s options as the README gives them."""

from __future__ import annotations

from pathlib import Path

from intake_local.cli import build_parser
from intake_local.commands.run import DEFAULT_JSON


def test_bare_json_writes_the_summary_under_build() -> None:
    # When `intake run --follow-course 200 --json` is parsed (the spelling)
    args = build_parser().parse_args(["run", "--follow-course", "200", "--json"])
    # Then the summary goes to build/intake-run.json and the course is followed 200 days
    assert args.json == DEFAULT_JSON
    assert Path(DEFAULT_JSON).parts[-2:] == ("build", "intake-run.json")
    assert args.follow_course == 200
    assert args.files == []


def test_json_with_a_file_writes_there_and_no_json_writes_nothing() -> None:
    # Given a file after --json, and files after the options
    named = build_parser().parse_args(["run", "--json", "out.json", "a.json", "b.hl7"])
    plain = build_parser().parse_args(["run", "a.json"])
    # Then the summary goes where asked, and with no --json nowhere
    assert (named.json, named.files) == ("out.json", ["a.json", "b.hl7"])
    assert plain.json is None
