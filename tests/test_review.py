"""Pull-request review: changes against a base ref, the status-transition rule and the status
lines, on real temporary Git repositories (the job summary and CODEOWNERS have their own tests)."""

from __future__ import annotations

import pytest

from agenda.check.repository import check_repository
from agenda.contribute.review import TRANSITIONS, Change, ReviewError, base_reviewers, changes, is_tooling, merge_base, outside_programme, reviewers_to_ask, status_report, transition_problems
from conftest import run_agenda
from review_helpers import STATUS_COLUMN, STATUS_LINE, commit_all, git, proposal_text, repo, write  # noqa: F401

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
    from agenda.contribute.review import _batch_contents
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
    ("declined", "scheduled", "go through proposed → accepted, first"),
    ("declined", "withdrawn", "go through proposed first"),
    ("withdrawn", "accepted", "go through proposed first"),
    ("withdrawn", "scheduled", "go through proposed → accepted, first"),
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


@pytest.mark.parametrize("ident, status", [("ok", "##[add-mask]proposed"), ("##[stop-commands]x", "proposed")])
def test_status_lines_never_spell_an_old_style_runner_command(ident, status):
    """GitHub's runner obeys `##[command]` anywhere in a log line (`##[stop-commands]` would
    hide every annotation after it); these lines quote an id and a status from the branch."""
    change = Change(ident, f"proposals/{ident}.yaml", "changed", "proposed", status, None, None)
    (line,) = status_report([change])
    assert "##[" not in line and "#\\#[" in line


def test_text_problems_never_spell_a_runner_command():
    """The text format (publish's log, mkdocs' log, codeowners) quotes file names and values."""
    from agenda.check.problems import Problem, format_text

    problem = Problem("proposals/##[add-mask]x.yaml", 1, 1, "error", "bad-file-name", "theme '##[stop-commands]t'",
                      hint="see ##[error]x")
    text = format_text([problem])
    assert "##[" not in text and text.count("#\\#[") == 3


def test_a_review_error_never_spells_a_runner_command(repo):
    with pytest.raises(ReviewError) as caught:
        changes(repo, "##[add-mask]x")
    assert "##[" not in caught.value.message and "##[" not in str(caught.value)


# --- what the branch cannot choose: read from the merge base -----------------------------------


def test_reviewers_come_from_the_merge_base_not_from_the_branch(repo):
    theme = repo / "themes" / "access-to-information.yaml"
    theme.write_text(theme.read_text().replace("  - reviewer-foi-example", "  - my-friend"))
    (repo / "themes" / "brand-new.yaml").write_text(theme.read_text())
    commit_all(repo, "the branch names its own reviewers")
    got = base_reviewers(repo, merge_base(repo, "main"))
    assert got["access-to-information"] == ("reviewer-foi-example",)
    assert "brand-new" not in got
    assert got["climate-sustainable-development"] == ("reviewer-climate-example", "reviewer-sdg-example")


def test_base_reviewers_skip_what_is_not_a_handle(repo):
    git(repo, "checkout", "-q", "main")
    theme = repo / "themes" / "access-to-information.yaml"
    theme.write_text(theme.read_text().replace("  - reviewer-foi-example", '  - "bad handle"\n  - 42\n  - ok-one'))
    (repo / "themes" / "broken.yaml").write_text("reviewers: [unclosed\n")
    commit_all(repo, "odd reviewers on main")
    got = base_reviewers(repo, merge_base(repo, "main"))
    assert got["access-to-information"] == ("ok-one",) and "broken" not in got


def test_reviewers_to_ask_keeps_theme_order_without_repeats():
    by_theme = {"a": ("X-one", "two"), "b": ("x-ONE", "three")}
    assert reviewers_to_ask(["b", "a", "missing"], by_theme) == ["x-ONE", "three", "two"]


def test_files_outside_the_programme_and_tooling(repo):
    write(repo, "newcomer", proposal_text())
    (repo / "themes" / "x.yaml").write_text("name: x\n")
    (repo / "scripts").mkdir()
    (repo / "scripts" / "evil.py").write_text("print(1)\n")
    (repo / "README.md").write_text("hello\n")
    commit_all(repo, "mixed")
    (repo / "mkdocs.yml").write_text("site_name: x\n")  # untracked counts too
    assert outside_programme(repo, merge_base(repo, "main")) == ["README.md", "mkdocs.yml", "scripts/evil.py"]
    assert [p for p in ("README.md", "mkdocs.yml", "scripts/evil.py", "scriptsx/a", "docs/x.md",
                        ".github/workflows/x.yml", "requirements/lock.txt", "pyproject.toml") if is_tooling(p)] == \
        ["mkdocs.yml", "scripts/evil.py", ".github/workflows/x.yml", "requirements/lock.txt", "pyproject.toml"]


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
