"""The real `agenda check` command: formats, exit codes, and what a contributor sees."""

from __future__ import annotations

import json
import os
import re

from conftest import ROOT, run_agenda

BAD = """title: "Bad\\nline ::error::forged %0A"
format: workshop
themes: [climat]
languages: [fr]
summary: A proposal with a forged workflow command in its title.
description: |
  A description that is long enough to pass the schema's minimum length.
proposers:
  - name: Eve Example
    organisation: Example
    country: FR
duration: 90
status: proposed
"""


def test_repository_content_passes_strict():
    result = run_agenda("check", "--strict", cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""
    assert "no problems" in result.stderr


def test_text_format_has_location_rule_and_hint(base_repo):
    (base_repo / "proposals" / "bad.yaml").write_text(BAD.replace('"Bad\\nline ::error::forged %0A"', "Fine title"))
    result = run_agenda("check", cwd=base_repo)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "proposals/bad.yaml:3:10: error [unknown-theme] theme 'climat' is not defined in themes/ (themes[0])",
        "  hint: did you mean 'climate-sustainable-development'?",
    ]
    assert "1 error, 0 warnings" in result.stderr


def test_github_format_cannot_be_forged(base_repo):
    (base_repo / "proposals" / "bad.yaml").write_text(BAD)
    result = run_agenda("check", "--format", "github", cwd=base_repo)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 2  # one line per problem: a line break in a value cannot add a command
    for line in lines:
        assert re.match(r"^::(error|warning) file=proposals/bad\.yaml,line=\d+,col=\d+,title=agenda \[[a-z0-9-]+\]::", line)
        assert "::error::forged" not in line
    assert any("[line-break]" in line for line in lines)
    assert "%0Ahint: " in lines[0]


def test_json_format_is_parseable_and_complete(base_repo):
    (base_repo / "proposals" / "bad.yaml").write_text(BAD)
    result = run_agenda("check", "--format", "json", cwd=base_repo)
    assert result.returncode == 1
    doc = json.loads(result.stdout)
    assert doc["errors"] == 2 and doc["warnings"] == 0
    assert {p["rule"] for p in doc["problems"]} == {"unknown-theme", "line-break"}
    assert set(doc["problems"][0]) == {"file", "line", "column", "severity", "rule", "message", "field", "hint", "related"}


def test_warnings_pass_unless_strict(base_repo):
    proposal = (base_repo / "proposals" / "second-session.yaml").read_text()
    (base_repo / "proposals" / "second-copy.yaml").write_text(
        proposal.replace("Second fixture about open data for journalists", "Open data for journalists, second fixture"))
    normal = run_agenda("check", cwd=base_repo)
    strict = run_agenda("check", "--strict", cwd=base_repo)
    assert normal.returncode == 0 and "near-duplicate-title" in normal.stdout
    assert strict.returncode == 1


def test_files_argument_limits_the_report(base_repo):
    (base_repo / "proposals" / "bad.yaml").write_text(BAD)
    only_other = run_agenda("check", "proposals/second-session.yaml", cwd=base_repo)
    assert only_other.returncode == 0 and only_other.stdout == ""
    only_bad = run_agenda("check", "proposals/bad.yaml", cwd=base_repo)
    assert only_bad.returncode == 1 and only_bad.stdout.count("error [") == 2


def test_root_option_and_parallel_workers_agree(base_repo):
    for i in range(450):  # above the threshold where the check uses worker processes
        text = (base_repo / "proposals" / "second-session.yaml").read_text()
        (base_repo / "proposals" / f"copy-{i:03d}.yaml").write_text(
            text.replace("Second fixture about open data for journalists", f"Distinct session number {i} zq{i}x"))
    (base_repo / "proposals" / "bad.yaml").write_text(BAD)
    serial = run_agenda("check", "--root", base_repo, "--jobs", "1", "--format", "json")
    parallel = run_agenda("check", "--root", base_repo, "--jobs", "2", "--format", "json")
    assert serial.returncode == parallel.returncode == 1
    assert json.loads(serial.stdout) == json.loads(parallel.stdout)


def test_usage_errors_exit_2_without_traceback(tmp_path):
    for args in (["check", "--format", "xml"], ["check", "--root", tmp_path / "nope"], ["frobnicate"], [],
                 ["check", "--jobs", "0"]):
        result = run_agenda(*args, cwd=tmp_path)
        assert result.returncode == 2, args
        assert "Traceback" not in result.stderr
        assert result.stderr.strip()


def test_an_unknown_message_language_is_refused_before_the_check_and_a_known_one_is_used(base_repo):
    (base_repo / "proposals" / "bad.yaml").write_text(BAD)
    unknown = run_agenda("check", "--lang", "zz", cwd=base_repo)
    assert unknown.returncode == 2 and unknown.stdout == ""
    assert "no messages in the language 'zz'" in unknown.stderr and "Traceback" not in unknown.stderr
    english = run_agenda("check", "--lang", "en", "--jobs", "2", cwd=base_repo)
    french = run_agenda("check", "--lang", "fr", "--jobs", "2", cwd=base_repo)
    assert english.returncode == french.returncode == 1
    assert "2 errors" in english.stderr and "2 erreurs" in french.stderr
    assert english.stdout != french.stdout


def test_empty_folder_reports_missing_event_file(tmp_path):
    result = run_agenda("check", cwd=tmp_path)
    assert result.returncode == 1
    assert "event.yaml:1:1: error [missing-file]" in result.stdout


def test_help_has_examples():
    result = run_agenda("check", "--help")
    assert result.returncode == 0
    assert "examples:" in result.stdout and "--format github" in result.stdout


def test_runs_without_write_access_to_the_repository(base_repo):
    os.chmod(base_repo / "proposals", 0o555)
    try:
        assert run_agenda("check", cwd=base_repo).returncode == 0
    finally:
        os.chmod(base_repo / "proposals", 0o755)


def test_codeowners_check_tolerates_new_proposals_but_not_stale_lines(base_repo):
    assert run_agenda("codeowners", cwd=base_repo).returncode == 0
    assert run_agenda("codeowners", "--check", cwd=base_repo).returncode == 0
    text = (base_repo / "proposals" / "second-session.yaml").read_text()
    (base_repo / "proposals" / "brand-new.yaml").write_text(text.replace("Second fixture", "A brand new fixture"))
    assert run_agenda("codeowners", "--check", cwd=base_repo).returncode == 0  # owned by the committee meanwhile
    (base_repo / "proposals" / "second-session.yaml").write_text(
        text.replace("themes: [access-to-information]", "themes: [climate-sustainable-development]"))
    stale = run_agenda("codeowners", "--check", cwd=base_repo)
    assert stale.returncode == 1 and "out of date" in stale.stderr
    bad = run_agenda("codeowners", "--committee", "not a team", cwd=base_repo)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
