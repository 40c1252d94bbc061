"""Messages for someone who has never edited YAML: every problem of a file at once, the value
to type instead (an id for a name, the ISO form of a date or a time, a country code), and a
syntax error reported where the mistake is, not where the parser gave up."""

from __future__ import annotations

import datetime as dt

import pytest

from agenda.check import suggest
from agenda.check.load import load_bytes
from agenda.check.repository import check_repository

MISTAKES = """\
title: "A session with several mistakes"
format: Atelier
themes: [access-to-information]
languages: [french]
summary: "A summary that is long enough to pass the limits of the event."
description: "A description long enough for the limits of this test event, with words."
proposers:
  - name: Someone
    country: Sénégal
    github: "@someone"
duration: 60
status: scheduled
schedule:
  day: 07/12/2016
  start: 10h30
  room: Salle Seine
colour: blue
size: big
"""


def test_every_problem_of_a_file_at_once_each_with_the_value_to_type(base_repo):
    (base_repo / "proposals" / "mistakes.yaml").write_text(MISTAKES, encoding="utf-8")
    report = check_repository(base_repo, jobs=1)
    got = {(p.line, p.rule, p.hint) for p in report.problems if p.file == "proposals/mistakes.yaml"}
    assert got == {
        (2, "bad-format", "write the id 'workshop', not the name"),
        (4, "bad-format", "write the id 'fr', not the name"),
        (9, "bad-format", "write the two-letter code 'SN'"),
        (10, "bad-format", "write the user name alone, without @ or address: 'someone'"),
        (14, "bad-format", 'write the date as YYYY-MM-DD, in quotes: "2016-12-07"'),
        (15, "bad-format", 'write the time as HH:MM (24-hour), in quotes: "10:30"'),
        (16, "bad-format", "write the id 'salle-seine', not the name"),
        (17, "unknown-field", next(p.hint for p in report.problems if p.line == 17)),
        (18, "unknown-field", next(p.hint for p in report.problems if p.line == 18)),
    }
    assert {p.message for p in report.problems if p.rule == "unknown-field"} == {
        "unknown field 'colour'", "unknown field 'size'"}


@pytest.mark.parametrize("written, iso", [
    ("07/12/2016", "2016-12-07"), ("7.12.16", "2016-12-07"), ("2016/12/07", "2016-12-07"),
    ("7 décembre 2016", "2016-12-07"), ("mercredi 7 décembre 2016", "2016-12-07"),
    ("December 7, 2016", "2016-12-07"), ("Dec 7th, 2016", "2016-12-07"), ("31/02/2016", None), ("soon", None),
])
def test_dates_written_another_way(written, iso):
    assert suggest.iso_date(written) == iso


def test_an_ambiguous_date_is_read_the_way_that_falls_within_the_event():
    event = (dt.date(2016, 7, 12), dt.date(2016, 7, 14))
    assert suggest.iso_date("07/12/2016") == "2016-12-07"  # day first, as in French
    assert suggest.iso_date("07/12/2016", event) == "2016-07-12"


@pytest.mark.parametrize("written, iso", [
    ("10h30", "10:30"), ("9:30", "09:30"), ("10.30", "10:30"), ("14h", "14:00"), ("2 pm", "14:00"),
    ("12 am", "00:00"), ("10:30 a.m.", "10:30"), ("25:00", None), ("13 pm", None), ("noon", None),
])
def test_times_written_another_way(written, iso):
    assert suggest.iso_time(written) == iso


@pytest.mark.parametrize("text, line, column", [
    ('title: "An unclosed quote\nformat: workshop\nthemes: [a]\nsummary: "x"\n', 1, 8),
    ("title: x\nthemes: [a, b\nsummary: y\n", 2, 9),
    ("title: x\naccessibility: {captions: true\nsummary: y\n", 2, 16),
    ('title: x\nproposers:\n  - name: "Ann\n    country: FR\n  - name: "Bob"\n', 3, 11),
])
def test_a_syntax_error_is_reported_where_the_mistake_is(text, line, column):
    _, problems = load_bytes("p.yaml", text.encode("utf-8"))
    assert [(p.rule, p.line, p.column) for p in problems] == [("yaml-syntax", line, column)]
    assert "not closed" in problems[0].message


def test_check_speaks_french_and_english_with_the_same_rules_lines_and_columns(base_repo):
    """Every case file of tests/cases at once: the same problems in both languages, each
    message and hint translated (the catalogues hold every message of agenda check)."""
    import json
    import shutil

    from conftest import CASES, run_agenda

    for case in sorted((CASES / "proposals").glob("*.yaml")) + sorted((CASES / "valid").glob("*.yaml")):
        shutil.copy(case, base_repo / "proposals" / case.name)
    runs = {}
    for lang in ("en", "fr"):
        result = run_agenda("check", "--format", "json", "--lang", lang, cwd=base_repo)
        assert result.returncode == 1, result.stderr
        runs[lang] = json.loads(result.stdout)["problems"]
    where = {lang: [(p["file"], p["line"], p["column"], p["rule"], p["field"]) for p in problems]
             for lang, problems in runs.items()}
    assert where["en"] == where["fr"] and len(where["en"]) > 50
    untranslated = [(en["rule"], en["message"]) for en, fr in zip(runs["en"], runs["fr"])
                    if en["message"] == fr["message"] or (en["hint"] and en["hint"] == fr["hint"])]
    assert untranslated == []
    french = run_agenda("check", "--lang", "fr", cwd=base_repo)
    assert "erreur [" in french.stdout and "  conseil : " not in french.stdout and "  conseil: " in french.stdout
    assert "fichiers vérifiés" in french.stderr


def test_the_language_comes_from_the_environment_and_an_unknown_one_is_refused(base_repo):
    import os
    import subprocess
    import sys

    (base_repo / "proposals" / "mistakes.yaml").write_text(MISTAKES, encoding="utf-8")
    env = {**os.environ, "LANGUAGE": "", "LC_ALL": "fr_FR.UTF-8"}
    result = subprocess.run([sys.executable, "-m", "agenda", "check"], cwd=base_repo, env=env,
                            capture_output=True, text=True, timeout=120)
    assert "écrivez l'identifiant « salle-seine », pas le nom" in result.stdout
    unknown = subprocess.run([sys.executable, "-m", "agenda", "check", "--lang", "tlh"], cwd=base_repo,
                             capture_output=True, text=True, timeout=120)
    assert unknown.returncode == 2 and "known: en" in unknown.stderr and "Traceback" not in unknown.stderr
