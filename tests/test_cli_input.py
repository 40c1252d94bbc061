"""Input that is not UTF-8, as a contributor's machine can produce it: a Latin-1 file or standard
input, undecodable bytes in an option, a terminal that cannot show accents, file names that
are not UTF-8 on disk. Every command answers with a clear error (exit 2) or its usual report,
never a traceback. The real command line, in a subprocess."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT

LATIN1_ISSUE = "### Title / Titre\n\nCaf\u00e9 des donn\u00e9es ouvertes\n".encode("latin-1")


def agenda(*args, cwd, stdin=b"", env=None):
    """Run `agenda` with bytes in and out (arguments may be bytes too)."""
    result = subprocess.run([sys.executable, "-m", "agenda", *args], cwd=cwd, input=stdin, capture_output=True,
                            timeout=120, env={**os.environ, **(env or {})})
    assert b"Traceback" not in result.stderr, result.stderr.decode("utf-8", "replace")
    return result


def error_of(result):
    lines = result.stderr.decode("utf-8").splitlines()
    assert lines and lines[0].startswith("agenda: error: "), lines
    return lines


@pytest.fixture
def issue_repo(base_repo):
    shutil.copytree(ROOT / ".github" / "ISSUE_TEMPLATE", base_repo / ".github" / "ISSUE_TEMPLATE")
    return base_repo


def proposals(repo):
    return sorted(p.name for p in (repo / "proposals").iterdir())


def test_from_issue_with_a_latin1_file(issue_repo):
    (issue_repo / "issue.md").write_bytes(LATIN1_ISSUE)
    before = proposals(issue_repo)
    result = agenda("from-issue", "issue.md", cwd=issue_repo)
    assert result.returncode == 2 and result.stdout == b""
    lines = error_of(result)
    assert lines[0] == "agenda: error: 'issue.md' is not UTF-8 text: byte 0xe9 at line 3, column 4"
    assert lines[1].startswith("Try: save it again with the UTF-8 encoding")
    assert proposals(issue_repo) == before


def test_from_issue_with_invalid_standard_input(issue_repo):
    result = agenda("from-issue", "-", cwd=issue_repo, stdin=b"### Title / Titre\n\n\xff\xfe broken\n")
    assert result.returncode == 2
    assert error_of(result)[0] == "agenda: error: standard input is not UTF-8 text: byte 0xff at line 3, column 1"


def test_from_issue_with_a_folder_or_a_missing_file(issue_repo):
    for name in ("proposals", "missing.md"):
        result = agenda("from-issue", name, cwd=issue_repo)
        assert result.returncode == 2 and "cannot be read" in error_of(result)[0]


def test_from_issue_with_a_huge_input_is_refused_without_reading_it_all(issue_repo):
    result = agenda("from-issue", "-", cwd=issue_repo, stdin=b"a" * (2 * 1024 * 1024))
    assert result.returncode == 2 and "larger than" in error_of(result)[0]


@pytest.mark.parametrize("source", ["file", "stdin"])
def test_new_with_a_latin1_description(base_repo, source):
    (base_repo / "description.md").write_bytes("## R\u00e9sum\u00e9\n".encode("latin-1"))
    name = "description.md" if source == "file" else "-"
    result = agenda("new", "--title", "Open budgets for small towns", "--description-file", name, cwd=base_repo,
                    stdin=(base_repo / "description.md").read_bytes())
    assert result.returncode == 2
    assert "is not UTF-8 text: byte 0xe9 at line 1, column 5" in error_of(result)[0]


@pytest.mark.parametrize("option", ["--title", "--summary", "--proposer", "--theme", "--link"])
def test_options_with_undecodable_bytes_are_refused(base_repo, option):
    before = proposals(base_repo)
    result = agenda("new", "--title", "Open budgets", option, b"caf\xe9 bytes", cwd=base_repo)
    assert result.returncode == 2
    lines = error_of(result)
    assert lines[0] == f"agenda: error: {option} is not valid UTF-8 text (byte 0xe9): 'caf\\udce9 bytes'"
    assert lines[1].startswith("Try: ")
    assert proposals(base_repo) == before


def test_other_commands_refuse_undecodable_options_too(base_repo):
    result = agenda("codeowners", "--committee", b"@org/\xff", cwd=base_repo)
    assert result.returncode == 2 and "--committee is not valid UTF-8 text (byte 0xff)" in error_of(result)[0]
    result = agenda("check", "--format", b"\xff", cwd=base_repo)  # a choice: argparse says so
    assert result.returncode == 2 and b"invalid choice" in result.stderr


def test_paths_may_hold_any_bytes(base_repo, tmp_path):
    odd = tmp_path / os.fsdecode(b"d\xe9p\xf4t")
    shutil.copytree(base_repo, odd)
    result = agenda("check", "--root", os.fsencode(odd), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    result = agenda("check", "--root", os.fsencode(odd) + b"-missing", cwd=tmp_path)
    assert result.returncode == 2 and b"d\\udce9p\\udcf4t-missing" in result.stderr


def test_a_file_name_that_is_not_utf8_is_reported_in_every_format(base_repo):
    source = base_repo / "proposals" / "second-session.yaml"
    (base_repo / "proposals" / os.fsdecode(b"caf\xe9.yaml")).write_bytes(source.read_bytes())
    for fmt in ("text", "github", "json"):
        result = agenda("check", "--format", fmt, cwd=base_repo)
        assert result.returncode == 1
        assert b"proposals/caf\\\\udce9.yaml" in result.stdout or b"proposals/caf\\udce9.yaml" in result.stdout
        result.stdout.decode("utf-8")
    result = agenda("check", b"proposals/caf\xe9.yaml", cwd=base_repo)
    assert result.returncode == 1 and b"bad-file-name" in result.stdout


BAD_TITLE = "Caf\u00e9 \u2014 d\u00e9bat\u2026"


@pytest.mark.parametrize("env", [{"PYTHONIOENCODING": "ascii"}, {"PYTHONIOENCODING": "latin-1"},
                                 {"PYTHONIOENCODING": "utf-8:strict"},
                                 {"LC_ALL": "C", "LANG": "C", "PYTHONCOERCECLOCALE": "0", "PYTHONUTF8": "0"}],
                         ids=["ascii", "latin-1", "utf-8-strict", "C-locale"])
def test_output_never_fails_on_a_terminal_that_cannot_show_it(base_repo, env):
    path = base_repo / "proposals" / "second-session.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "themes: [access-to-information]", f"themes: [access-to-information, \"{BAD_TITLE}\"]"), encoding="utf-8")
    for fmt in ("text", "github", "json"):
        result = agenda("check", "--format", fmt, cwd=base_repo, env=env)
        assert result.returncode == 1 and b"second-session.yaml" in result.stdout, result.stderr
    help_ = agenda("new", "--help", cwd=base_repo, env=env)
    assert help_.returncode == 0
    interactive = agenda("new", cwd=base_repo, env=env, stdin=b"Caf\xe9\xff title\n")
    assert interactive.returncode == 1 and b"nothing written" in interactive.stderr


def test_interactive_answers_with_undecodable_bytes_are_asked_again(base_repo):
    result = agenda("new", cwd=base_repo, stdin=b"Budgets \xff\xfe ouverts\n")
    assert result.returncode == 1
    out = result.stdout.decode("utf-8")
    assert "! title: the text contains bytes that are not valid UTF-8" in out
    assert "the input ended before the proposal was complete" in out


def test_a_reader_that_goes_away_is_not_a_traceback(tmp_path):
    for i in range(3):
        shutil.copytree(ROOT / "tests" / "fixtures" / "base", tmp_path / f"r{i}")
    reader = subprocess.Popen([sys.executable, "-m", "agenda", "check", "--root", "r0", "--format", "json"],
                              cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    reader.stdout.close()  # as `agenda check | head -c 0` does
    _, err = reader.communicate(timeout=120)
    assert b"Traceback" not in err and reader.returncode in (0, 1, 2)


def test_export_into_a_place_that_cannot_be_written_is_a_clear_error(base_repo, tmp_path):
    (tmp_path / "out").write_text("a file where the folder should be")
    result = agenda("export", "--out", str(tmp_path / "out"), "--base-url", "https://example.org/", cwd=base_repo)
    assert result.returncode == 2
    lines = error_of(result)
    assert "cannot be written" in lines[0] and lines[1] == "Try: choose another folder with --out"


def test_every_file_or_folder_option_may_hold_any_bytes():
    """Options that name a file or a folder (metavar FILE, DIR or SOURCE) are left to the
    system; every other text option must be UTF-8 (cli.PATH_OPTIONS says which is which)."""
    import argparse

    from agenda.cli import PATH_OPTIONS, build_parser

    parser = build_parser()
    (commands,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    paths = {action.dest for sub in commands.choices.values() for action in sub._actions
             if action.metavar in ("FILE", "DIR", "SOURCE")}
    assert paths == set(PATH_OPTIONS)
