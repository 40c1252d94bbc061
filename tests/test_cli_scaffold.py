"""`agenda new` and `agenda from-issue` as a contributor runs them: the real command line."""

from __future__ import annotations

from conftest import ROOT, run_agenda

ISSUES = ROOT / "tests" / "fixtures" / "issues"


def test_new_interactive_answers_on_standard_input(base_repo):
    answers = "\n".join([
        "Atelier : cartographier les budgets",   # title
        "9",                                     # format: not a choice, asked again
        "workshop",                              # format
        "climate-sustainable-development",       # themes
        "fr, en",                                # languages
        "Un atelier pour cartographier les budgets des communes, en public.",  # summary
        "## Pourquoi", "", "Parce que les budgets des communes sont publics et doivent être lisibles.", ".",
        "Alex Interactif", "Collectif (exemple)", "FR", "",                     # proposer (no GitHub)
        "n",                                     # another proposer?
        "90",                                    # duration
    ]) + "\n" + "\n" * 12                        # optional questions: defaults
    result = run_agenda("new", cwd=base_repo, input=answers)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    path = base_repo / "proposals" / "atelier-cartographier-les-budgets.yaml"
    assert path.is_file(), result.stdout[-2000:]
    assert "Your proposal is ready" in result.stdout
    check = run_agenda("check", "--strict", cwd=base_repo)
    assert check.returncode == 0, check.stdout


def test_new_with_options(base_repo):
    result = run_agenda("new", "--title", "Open budgets: no, on, 10:30", "--format", "pitch",
                        "--theme", "access-to-information", "--language", "en", "--duration", "15",
                        "--summary", "A short pitch about publishing budgets as open data.",
                        "--description", "## Idea\n\nPublish every budget line as open data.\n\n- one\n- two",
                        "--proposer", "Jo Options | Example Lab | GB | jo-options-example", cwd=base_repo)
    assert result.returncode == 0, result.stdout + result.stderr
    written = list((base_repo / "proposals").glob("open-budgets*.yaml"))
    assert len(written) == 1
    assert 'title: "Open budgets: no, on, 10:30"' in written[0].read_text(encoding="utf-8")
    assert run_agenda("check", "--strict", cwd=base_repo).returncode == 0


def test_new_with_bad_options_writes_nothing(base_repo):
    before = sorted((base_repo / "proposals").iterdir())
    result = run_agenda("new", "--title", "A bad one", "--format", "talk", "--theme", "climat",
                        "--language", "fr", "--duration", "7", "--summary", "Too short",
                        "--description", "x", "--proposer", "Solo | Org | FR", cwd=base_repo)
    assert result.returncode == 1
    assert "error [" in result.stdout and "Traceback" not in result.stderr
    assert sorted((base_repo / "proposals").iterdir()) == before


def with_issue_form(repo):
    import shutil

    shutil.copytree(ROOT / ".github" / "ISSUE_TEMPLATE", repo / ".github" / "ISSUE_TEMPLATE")
    return repo


def test_from_issue_writes_a_valid_proposal(base_repo):
    with_issue_form(base_repo)
    result = run_agenda("from-issue", ISSUES / "good-complete-fr.md", cwd=base_repo)
    assert result.returncode == 0, result.stdout + result.stderr
    assert run_agenda("check", "--strict", cwd=base_repo).returncode == 0
    assert len(list((base_repo / "proposals").glob("*.yaml"))) == 3


def test_from_issue_malformed_body_is_a_clear_error(base_repo):
    with_issue_form(base_repo)
    bad = sorted(p for p in ISSUES.glob("*.md") if not p.name.startswith("good"))
    assert bad
    for body in bad:
        result = run_agenda("from-issue", "-", cwd=base_repo, input=body.read_text(encoding="utf-8"))
        assert result.returncode == 1, body.name
        assert result.stdout.strip() and "Traceback" not in result.stderr, body.name
    assert len(list((base_repo / "proposals").glob("*.yaml"))) == 2
