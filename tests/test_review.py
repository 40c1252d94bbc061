"""Pull-request review: changes against a base ref, the status-transition rule, the job
summary and CODEOWNERS, on real temporary Git repositories."""

from __future__ import annotations

import re
import subprocess

import pytest
from markdown_it import MarkdownIt

from agenda.repository import check_repository
from agenda.review import (TRANSITIONS, Change, ReviewError, changes, codeowners, inline, status_report,
                           summary_markdown, transition_problems)
from conftest import run_agenda

COMMITTEE = "@example-org/programme-committee"
MAINTAINERS = "@example-org/maintainers"
STATUS_LINE, STATUS_COLUMN = 17, 9  # of `status:` in proposal_text()

PROPOSAL = """\
# A test proposal.
title: {title}
format: conference
themes: [{themes}]
languages: [en]
summary: A valid session used by the review tests, long enough.
description: |
  A conference on how journalists can use open data, with a short list:

  - finding data;
  - checking it.
proposers:
  - name: Dana Test
    organisation: Test fixtures (example)
    country: SN
duration: 60
status: {status}
example: true
"""
SCHEDULE = """\
schedule:
  day: "2016-12-08"
  start: "10:00"
  end: "11:00"
  room: salle-seine
"""


def proposal_text(status="proposed", title="A session about open data", themes="access-to-information"):
    text = PROPOSAL.format(title=title, themes=themes, status=status)
    return text + (SCHEDULE if status == "scheduled" else "")


def git(repo, *args):
    return subprocess.run(["git", "-C", str(repo), "-c", "user.name=Test", "-c", "user.email=test@example.org",
                           "-c", "commit.gpgsign=false", *args],
                          check=True, capture_output=True, text=True, timeout=60)


def commit_all(repo, message):
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)


@pytest.fixture
def repo(base_repo, tmp_path, monkeypatch):
    """The base fixture as a Git repository: one commit on main, then a branch `feature`.
    The user's own Git configuration stays out of the tests."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    git(base_repo, "init", "-q", "-b", "main")
    commit_all(base_repo, "base")
    git(base_repo, "checkout", "-q", "-b", "feature")
    return base_repo


def write(repo, ident, text):
    path = repo / "proposals" / f"{ident}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# --- changes -------------------------------------------------------------------------------


def test_changes_finds_added_changed_and_removed_committed_or_not(repo):
    write(repo, "second-session", proposal_text("accepted", title="Second fixture, renamed"))
    write(repo, "committed-new", proposal_text())
    (repo / "event.yaml").write_text((repo / "event.yaml").read_text() + "\n# not a proposal\n")
    commit_all(repo, "accept, add")
    (repo / "proposals" / "base-session.yaml").unlink()  # removed, not committed
    write(repo, "untracked-new", proposal_text("accepted"))  # never `git add`ed
    (repo / "proposals" / "notes.md").write_text("not a proposal\n")

    got = {c.id: c for c in changes(repo, "main")}

    assert list(got) == ["base-session", "committed-new", "second-session", "untracked-new"]
    assert got["second-session"] == Change(
        "second-session", "proposals/second-session.yaml", "changed", "proposed", "accepted",
        "Second fixture about open data for journalists", "Second fixture, renamed",
        ("access-to-information",), ("access-to-information",), (STATUS_LINE, STATUS_COLUMN))
    assert (got["base-session"].kind, got["base-session"].old_status, got["base-session"].new_status) == \
        ("removed", "scheduled", None)
    assert got["base-session"].old_title == "Base session for the rule tests"
    assert (got["committed-new"].kind, got["committed-new"].old_status, got["committed-new"].new_status) == \
        ("added", None, "proposed")
    assert (got["untracked-new"].kind, got["untracked-new"].new_status) == ("added", "accepted")


def test_changes_compare_with_the_merge_base_not_with_the_base_tip(repo):
    git(repo, "checkout", "-q", "main")
    write(repo, "merged-meanwhile", proposal_text())
    commit_all(repo, "another pull request, merged")
    git(repo, "checkout", "-q", "feature")
    write(repo, "mine", proposal_text())
    assert [c.id for c in changes(repo, "main")] == ["mine"]


def test_no_change_and_untouched_timestamps_give_nothing(repo):
    path = repo / "proposals" / "second-session.yaml"
    path.write_bytes(path.read_bytes())  # same content, new mtime
    assert changes(repo, "main") == []


def test_a_malformed_old_version_has_no_status(repo):
    git(repo, "checkout", "-q", "main")
    write(repo, "broken", "title: [unclosed\n")
    commit_all(repo, "broken file")
    git(repo, "checkout", "-q", "-b", "fix")
    write(repo, "broken", proposal_text("accepted"))
    (change,) = changes(repo, "main")
    assert (change.kind, change.old_status, change.new_status) == ("changed", None, "accepted")
    assert transition_problems([change], check_repository(repo, jobs=1)) == []


def test_odd_file_names_are_read_from_the_base_too(repo):
    git(repo, "checkout", "-q", "main")
    write(repo, "two words", proposal_text("accepted"))
    write(repo, "ends 12", proposal_text("declined"))
    write(repo, "ends missing", proposal_text("withdrawn"))
    commit_all(repo, "odd names (the check rejects them, the review still reads them)")
    git(repo, "checkout", "-q", "-b", "odd")
    for ident in ("two words", "ends 12", "ends missing"):
        write(repo, ident, proposal_text("proposed"))
    got = {c.id: (c.kind, c.old_status, c.new_status) for c in changes(repo, "main")}
    assert got == {"two words": ("changed", "accepted", "proposed"), "ends 12": ("changed", "declined", "proposed"),
                   "ends missing": ("changed", "withdrawn", "proposed")}


def test_batch_output_cut_short_reads_as_missing():
    from agenda.review import _batch_contents
    assert _batch_contents(b"abc blob 3\nxyz\nname missing\n", 3) == [b"xyz", None, None]
    assert _batch_contents(b"abc tree 2\nxy\nabd blob 1\nz\n", 2) == [None, b"z"]


def test_a_link_is_not_followed(repo, tmp_path):
    secret = tmp_path / "secret.yaml"
    secret.write_text(proposal_text(title="Secret from outside the repository"))
    (repo / "proposals" / "link.yaml").symlink_to(secret)
    (change,) = changes(repo, "main")
    assert (change.id, change.kind, change.new_title, change.new_status) == ("link", "added", None, None)


def test_a_programme_in_a_subfolder_of_a_repository(repo):
    outer = repo.parent / "outer"
    outer.mkdir()
    git(outer, "init", "-q", "-b", "main")
    (outer / "README").write_text("outer\n")
    repo.rename(outer / "programme")
    programme = outer / "programme"
    commit_all(outer, "base")
    write(programme, "second-session", proposal_text("declined"))
    (change,) = changes(programme, "main")
    assert (change.id, change.path, change.old_status, change.new_status) == \
        ("second-session", "proposals/second-session.yaml", "proposed", "declined")


@pytest.mark.parametrize("base, words", [
    ("no-such-branch", "unknown Git ref 'no-such-branch'"),
    ("--output=/tmp/x", "is not a Git ref"),
    ("", "is not a Git ref"),
])
def test_a_bad_base_ref_is_a_review_error(repo, base, words):
    with pytest.raises(ReviewError) as caught:
        changes(repo, base)
    assert words in str(caught.value)
    assert caught.value.hint


def test_not_a_repository_is_a_review_error(base_repo, tmp_path, monkeypatch):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    with pytest.raises(ReviewError, match="not inside a Git repository"):
        changes(base_repo, "main")


def test_a_repository_without_commits_is_a_review_error(base_repo, tmp_path, monkeypatch):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    git(base_repo, "init", "-q", "-b", "main")
    with pytest.raises(ReviewError, match="no commit yet"):
        changes(base_repo, "main")


# --- the status-transition rule ---------------------------------------------------------------

ALLOWED = [(old, new) for old, news in TRANSITIONS.items() for new in news] + [(s, s) for s in TRANSITIONS]
FORBIDDEN = [  # every pair the table does not allow, with the way round it
    ("proposed", "scheduled", "go through accepted first"),
    ("scheduled", "proposed", "go through accepted first"),
    ("scheduled", "declined", "go through accepted first"),
    ("declined", "accepted", "go through proposed first"),
    ("declined", "scheduled", "go through proposed, then accepted, first"),
    ("declined", "withdrawn", "go through proposed first"),
    ("withdrawn", "accepted", "go through proposed first"),
    ("withdrawn", "scheduled", "go through proposed, then accepted, first"),
    ("withdrawn", "declined", "go through proposed first"),
]


def test_the_tables_cover_every_pair():
    assert len(ALLOWED) + len(FORBIDDEN) == len(TRANSITIONS) ** 2


def transition(repo, old, new, *, commit):
    git(repo, "checkout", "-q", "main")
    write(repo, "moving", proposal_text(old))
    commit_all(repo, f"moving is {old}")
    git(repo, "checkout", "-q", "-b", f"to-{new}")
    write(repo, "moving", proposal_text(new))
    if commit:
        commit_all(repo, f"moving is {new}")
    return transition_problems(changes(repo, "main"), check_repository(repo, jobs=1))


@pytest.mark.parametrize("old, new", ALLOWED)
def test_allowed_transitions_give_no_problem(repo, old, new):
    assert transition(repo, old, new, commit=True) == []


@pytest.mark.parametrize("old, new, hint", FORBIDDEN)
@pytest.mark.parametrize("commit", [True, False], ids=["committed", "uncommitted"])
def test_forbidden_transitions_are_errors_at_the_status_line(repo, old, new, hint, commit):
    (problem,) = transition(repo, old, new, commit=commit)
    assert (problem.file, problem.line, problem.column) == ("proposals/moving.yaml", STATUS_LINE, STATUS_COLUMN)
    assert (problem.severity, problem.rule, problem.field) == ("error", "status-transition", "status")
    assert problem.message == f"the status cannot change from '{old}' to '{new}' in one pull request"
    assert problem.hint == hint


@pytest.mark.parametrize("status", ["accepted", "scheduled", "declined", "withdrawn"])
def test_a_new_proposal_must_start_as_proposed(repo, status):
    write(repo, "eager", proposal_text(status))
    (problem,) = transition_problems(changes(repo, "main"), check_repository(repo, jobs=1))
    assert (problem.file, problem.line, problem.column, problem.rule) == \
        ("proposals/eager.yaml", STATUS_LINE, STATUS_COLUMN, "status-transition")
    assert problem.message == f"a new proposal must start with status 'proposed', not '{status}'"
    assert "status: proposed" in problem.hint


def test_a_new_proposed_proposal_is_fine(repo):
    write(repo, "newcomer", proposal_text("proposed"))
    assert transition_problems(changes(repo, "main"), check_repository(repo, jobs=1)) == []


def test_the_line_is_found_in_a_proposal_the_check_rejected(repo):
    text = proposal_text("scheduled").replace("status: scheduled", "colour: red\nstatus: scheduled")
    write(repo, "second-session", text)
    report = check_repository(repo, jobs=1)
    assert "second-session" not in report.proposals  # unknown-field: not a valid proposal
    (problem,) = transition_problems(changes(repo, "main"), report)
    assert (problem.line, problem.column, problem.hint) == (STATUS_LINE + 1, STATUS_COLUMN, "go through accepted first")


def test_an_unknown_status_is_left_to_the_schema(repo):
    write(repo, "second-session", proposal_text("maybe"))
    assert transition_problems(changes(repo, "main"), check_repository(repo, jobs=1)) == []


def test_removing_is_not_a_transition(repo):
    (repo / "proposals" / "base-session.yaml").unlink()
    assert transition_problems(changes(repo, "main"), check_repository(repo, jobs=1)) == []


# --- what people read ---------------------------------------------------------------------


def test_status_report_lines(repo):
    write(repo, "second-session", proposal_text("accepted"))
    write(repo, "newcomer", proposal_text())
    (repo / "proposals" / "base-session.yaml").unlink()
    write(repo, "edited", proposal_text())
    commit_all(repo, "edited")
    git(repo, "checkout", "-q", "-b", "next")
    write(repo, "edited", proposal_text(title="A session about open data, edited"))
    assert status_report(changes(repo, "feature")) == ["edited: edited, still proposed"]
    assert status_report(changes(repo, "main")) == [
        "base-session: removed (was scheduled)",
        "edited: new proposal, proposed",
        "newcomer: new proposal, proposed",
        "second-session: proposed → accepted",
    ]


def test_status_report_quotes_what_is_not_a_status():
    change = Change("x", "proposals/x.yaml", "changed", "proposed", "ok\n::error::", None, None)
    assert status_report([change]) == ["x: proposed → 'ok\\n::error::'"]


def table_rows(markdown, heading):
    section = markdown.split(f"### {heading}", 1)[1].split("###", 1)[0]
    return [line for line in section.splitlines() if line.startswith("| ")][1:]  # without the header


def test_summary_has_a_table_per_kind_with_reviewers(repo):
    both = "access-to-information, climate-sustainable-development"
    write(repo, "second-session", proposal_text("accepted", themes=both))
    write(repo, "newcomer", proposal_text(title="Open budgets for towns", themes="climate-sustainable-development"))
    (repo / "proposals" / "base-session.yaml").unlink()
    md = summary_markdown(changes(repo, "main"), check_repository(repo, jobs=1))

    assert md.startswith("## Proposals in this pull request\n")
    headings = [line for line in md.splitlines() if line.startswith("### ")]
    assert headings == ["### Added (1)", "### Changed (1)", "### Removed (1)"]
    assert "| proposal | title | status | themes | reviewers to ask |" in md
    assert table_rows(md, "Added") == [(
        "| `newcomer` | Open budgets for towns | new → proposed | `climate-sustainable-development` "
        "| @reviewer-climate-example @reviewer-sdg-example |")]
    assert table_rows(md, "Changed") == [(
        "| `second-session` | A session about open data (was Second fixture about open data for journalists) "
        "| proposed → accepted | `access-to-information`, `climate-sustainable-development` "
        "| @reviewer-foi-example @reviewer-climate-example @reviewer-sdg-example |")]
    assert table_rows(md, "Removed") == [(
        "| `base-session` | Base session for the rule tests | scheduled → removed "
        "| `climate-sustainable-development` | @reviewer-climate-example @reviewer-sdg-example |")]
    html = MarkdownIt("commonmark").enable("table").render(md)
    assert html.count("<table>") == 3 and html.count("<tr>") == 6


def test_summary_without_changes(repo):
    md = summary_markdown(changes(repo, "main"), check_repository(repo, jobs=1))
    assert md == "## Proposals in this pull request\n\nNo proposal changed.\n"


def test_summary_flags_a_forbidden_transition(repo):
    write(repo, "second-session", proposal_text("scheduled"))
    md = summary_markdown(changes(repo, "main"), check_repository(repo, jobs=1))
    assert "| proposed → scheduled (**not allowed**) |" in md


def test_shared_reviewers_are_asked_once(repo):
    theme = repo / "themes" / "access-to-information.yaml"
    extra = "  - Reviewer-SDG-example\n  - reviewer-foi-example"
    theme.write_text(theme.read_text().replace("  - reviewer-foi-example", extra))
    write(repo, "both", proposal_text(themes="climate-sustainable-development, access-to-information"))
    report = check_repository(repo, jobs=1)
    assert report.problems == []
    md = summary_markdown(changes(repo, "main"), report)
    assert "| @reviewer-climate-example @reviewer-sdg-example @reviewer-foi-example |" in md


HOSTILE = ('x | <script>alert(1)</script> [x](javascript:alert(1)) @everyone `code` *b* _i_ '
           '<img src=x onerror=alert(1)> https://evil.example www.evil.example a@b.example')


def hostile_summary(repo, title):
    escaped = title.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    write(repo, "hostile", proposal_text(title=f'"{escaped}"'))
    return summary_markdown(changes(repo, "main"), check_repository(repo, jobs=1))


def test_a_hostile_title_is_inert(repo):
    md = hostile_summary(repo, HOSTILE)
    (row,) = table_rows(md, "Added")
    assert len(re.findall(r"(?<!\\)\|", row)) == 6  # five cells: no `|` of the title ends one
    assert "<" not in md and ">" not in md.replace("→", "")
    assert "@everyone" not in md and "@b.example" not in md
    assert "](" not in md and "[x]" not in md
    assert "://" not in md and "www." not in md
    assert "`code`" not in md
    html = MarkdownIt("commonmark").enable("table").render(md)
    assert "<a " not in html and "<script" not in html and "<img" not in html
    assert "<em>" not in html and "<strong>" not in html and "<code>code" not in html
    assert html.count("<td>") == 5
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown as text, not dropped


def test_a_title_cannot_break_the_table_or_flood_it(repo):
    md = hostile_summary(repo, "first line\n| forged | row |\u202e" + "long " * 100)
    (row,) = table_rows(md, "Added")
    assert "\u202e" not in row and "\n" not in row
    title = row.split(" | ")[1]
    assert title.startswith("first line \\| forged \\| row \\| long") and title.endswith("…")
    assert len(title) < 120


def test_reviewer_handles_stay_mentions_but_title_mentions_do_not():
    assert inline("@everyone") == "＠everyone"
    assert inline(None) == "—"


# --- CODEOWNERS -----------------------------------------------------------------------------

FIXTURE_CODEOWNERS = f"""\
# generated by agenda codeowners; do not edit
# Regenerate with `agenda codeowners` after changing a theme's reviewers or the proposals.
# The last matching pattern wins: keep the order.

* {MAINTAINERS}

/proposals/ {COMMITTEE}
/themes/ {COMMITTEE}

/proposals/base-session.yaml {COMMITTEE} @reviewer-climate-example @reviewer-sdg-example
/proposals/second-session.yaml {COMMITTEE} @reviewer-foi-example

/.github/ {MAINTAINERS}
/scripts/ {MAINTAINERS}
/schema/ {MAINTAINERS}
/mkdocs.yml {MAINTAINERS}
/pyproject.toml {MAINTAINERS}
/.ci/ {MAINTAINERS}
"""


def test_codeowners_for_the_fixture(base_repo):
    report = check_repository(base_repo, jobs=1)
    text = codeowners(report, committee=COMMITTEE, maintainers=MAINTAINERS)
    assert text == FIXTURE_CODEOWNERS
    assert codeowners(check_repository(base_repo, jobs=1), committee=COMMITTEE, maintainers=MAINTAINERS) == text


def owners_of(text, path):
    """GitHub's rule for the patterns CODEOWNERS uses here: the last matching line wins."""
    owners = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        pattern, *who = line.split()
        assert pattern == "*" or pattern.startswith("/"), pattern  # the only kinds this matcher knows
        target = "/" + path
        if pattern == "*" or (pattern.endswith("/") and target.startswith(pattern)) or \
                target == pattern or target.startswith(pattern + "/"):
            owners = who
    return owners


def test_the_matcher_lets_the_last_line_win():
    assert owners_of("/proposals/a.yaml @x\n/proposals/ @y\n", "proposals/a.yaml") == ["@y"]
    assert owners_of("* @x\n/scripts/ @y\n", "scripts/a/b.py") == ["@y"]
    assert owners_of("* @x\n/scripts/ @y\n", "scriptsx/b.py") == ["@x"]


@pytest.mark.parametrize("path, owners", [
    ("proposals/base-session.yaml", [COMMITTEE, "@reviewer-climate-example", "@reviewer-sdg-example"]),
    ("proposals/second-session.yaml", [COMMITTEE, "@reviewer-foi-example"]),
    ("proposals/not-yet-listed.yaml", [COMMITTEE]),
    ("themes/access-to-information.yaml", [COMMITTEE]),
    (".github/workflows/check.yml", [MAINTAINERS]),
    (".github/CODEOWNERS", [MAINTAINERS]),
    ("scripts/agenda/review.py", [MAINTAINERS]),
    ("schema/proposal.schema.json", [MAINTAINERS]),
    ("mkdocs.yml", [MAINTAINERS]),
    ("pyproject.toml", [MAINTAINERS]),
    (".ci/run", [MAINTAINERS]),
    ("event.yaml", [MAINTAINERS]),
    ("README.md", [MAINTAINERS]),
])
def test_codeowners_precedence(path, owners):
    assert owners_of(FIXTURE_CODEOWNERS, path) == owners


def test_codeowners_sorts_and_deduplicates_reviewers(base_repo):
    theme = base_repo / "themes" / "access-to-information.yaml"
    theme.write_text(theme.read_text().replace("  - reviewer-foi-example", "  - Reviewer-SDG-example\n  - aaa-first"))
    write(base_repo, "both", proposal_text(themes="climate-sustainable-development, access-to-information"))
    report = check_repository(base_repo, jobs=1)
    assert report.problems == []
    text = codeowners(report, committee=COMMITTEE, maintainers=f"{MAINTAINERS} @alice")
    assert f"/proposals/both.yaml {COMMITTEE} @aaa-first @reviewer-climate-example @reviewer-sdg-example\n" in text
    assert f"/.ci/ {MAINTAINERS} @alice\n" in text


@pytest.mark.parametrize("team", ["", "example-org/committee", "@org/team\n* @evil", "@org/team #", "@@x"])
def test_codeowners_refuses_what_is_not_a_handle(base_repo, team):
    report = check_repository(base_repo, jobs=1)
    with pytest.raises(ReviewError, match="not a GitHub team or user handle"):
        codeowners(report, committee=team, maintainers=MAINTAINERS)


# --- through the command line (cli.py wires these functions) ----------------------------------


def test_cli_check_base_reports_the_transition(repo):
    write(repo, "second-session", proposal_text("scheduled"))
    result = run_agenda("check", "--base", "main", cwd=repo)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        (f"proposals/second-session.yaml:{STATUS_LINE}:{STATUS_COLUMN}: error [status-transition] "
         "the status cannot change from 'proposed' to 'scheduled' in one pull request (status)"),
        "  hint: go through accepted first",
    ]
    assert "agenda: second-session: proposed → scheduled" in result.stderr


def test_cli_unknown_base_exits_2(repo):
    result = run_agenda("summary", "--base", "no-such-branch", cwd=repo)
    assert result.returncode == 2
    assert "unknown Git ref 'no-such-branch'" in result.stderr
