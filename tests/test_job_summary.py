"""The pull request's job summary: one table per kind of change, the reviewers to ask (from
the base, never from the branch), a notice for files outside the programme, and nothing a
stranger wrote that GitHub would render as a link, HTML, a table break or a mention."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt

from agenda.contribute.job_summary import inline, pull_request_summary
from agenda.check.repository import check_repository
from review_helpers import commit_all, git, proposal_text, repo, write  # noqa: F401


def summary(repo, report=None):
    return pull_request_summary(repo, "main", report or check_repository(repo, jobs=1))


def table_rows(markdown, heading):
    section = markdown.split(f"### {heading}", 1)[1].split("###", 1)[0]
    return [line for line in section.splitlines() if line.startswith("| ")][1:]  # without the header


def test_summary_has_a_table_per_kind_with_reviewers(repo):
    both = "access-to-information, climate-sustainable-development"
    write(repo, "second-session", proposal_text("accepted", themes=both))
    write(repo, "newcomer", proposal_text(title="Open budgets for towns", themes="climate-sustainable-development"))
    (repo / "proposals" / "base-session.yaml").unlink()
    md = summary(repo)

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
    md = summary(repo)
    assert md == "## Proposals in this pull request\n\nNo proposal changed.\n"


def test_summary_flags_a_forbidden_transition(repo):
    write(repo, "second-session", proposal_text("scheduled"))
    md = summary(repo)
    assert "| proposed → scheduled (**not allowed**) |" in md


def test_shared_reviewers_are_asked_once(repo):
    git(repo, "checkout", "-q", "main")
    theme = repo / "themes" / "access-to-information.yaml"
    extra = "  - Reviewer-SDG-example\n  - reviewer-foi-example"
    theme.write_text(theme.read_text().replace("  - reviewer-foi-example", extra))
    commit_all(repo, "a shared reviewer")
    git(repo, "checkout", "-q", "-b", "both")
    write(repo, "both", proposal_text(themes="climate-sustainable-development, access-to-information"))
    report = check_repository(repo, jobs=1)
    assert report.problems == []
    md = summary(repo, report)
    assert "| @reviewer-climate-example @reviewer-sdg-example @reviewer-foi-example |" in md


HOSTILE = ('x | <script>alert(1)</script> [x](javascript:alert(1)) @everyone `code` *b* _i_ '
           '<img src=x onerror=alert(1)> https://evil.example www.evil.example a@b.example')


def hostile_summary(repo, title):
    escaped = title.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    write(repo, "hostile", proposal_text(title=f'"{escaped}"'))
    return summary(repo)


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


def render(md):
    return MarkdownIt("commonmark").enable("table").render(md)


def test_the_branch_cannot_choose_whom_the_summary_mentions(repo):
    theme = repo / "themes" / "access-to-information.yaml"
    theme.write_text(theme.read_text().replace("  - reviewer-foi-example", "  - reviewer-foi-example\n  - my-friend"))
    write(repo, "newcomer", proposal_text())
    md = summary(repo)
    (row,) = table_rows(md, "Added")
    assert row.endswith("| `access-to-information` | @reviewer-foi-example |")
    assert "my-friend" not in md


def test_a_theme_new_in_the_branch_has_no_reviewers_yet(repo):
    source = (repo / "themes" / "access-to-information.yaml").read_text()
    (repo / "themes" / "brand-new.yaml").write_text(source.replace("reviewer-foi-example", "my-friend"))
    write(repo, "newcomer", proposal_text(themes="brand-new"))
    (row,) = table_rows(summary(repo), "Added")
    assert row.endswith("| `brand-new` | — |")


def outside_section(md):
    assert md.count("### Outside the programme") == 1
    return md.split("### Outside the programme", 1)[1]


def test_only_proposals_and_themes_give_no_notice_but_themes_are_listed(repo):
    write(repo, "newcomer", proposal_text())
    (repo / "themes" / "access-to-information.yaml").write_text(
        (repo / "themes" / "access-to-information.yaml").read_text() + "# a comment\n")
    md = summary(repo)
    assert "Outside the programme" not in md and "Maintainers must review" not in md
    themes = md.split("### Themes changed (1)\n", 1)[1]
    assert "programme committee reviews these" in themes
    assert "- `themes/access-to-information.yaml`\n" in themes


def test_tooling_changes_are_named_and_need_maintainers(repo):
    write(repo, "newcomer", proposal_text())
    (repo / "scripts" / "agenda").mkdir(parents=True)
    (repo / "scripts" / "agenda" / "cli.py").write_text("def run(): pass\n")
    (repo / "README.md").write_text("changed\n")
    md = summary(repo)
    section = outside_section(md)
    assert section.startswith(" (2)\n")
    assert "**Maintainers must review this pull request**" in section
    assert "ran the base branch's tooling" in section
    assert "- `README.md`\n" in section and "- `scripts/agenda/cli.py` (tooling)\n" in section
    assert "workflows" not in section
    assert "<strong>Maintainers must review this pull request</strong>" in render(md)


def test_a_workflow_change_says_the_check_proves_nothing(repo):
    (repo / ".github" / "workflows").mkdir(parents=True)
    (repo / ".github" / "workflows" / "pull-request.yml").write_text("on: pull_request\n")
    md = summary(repo)
    assert md.startswith("## Proposals in this pull request\n\nNo proposal changed.\n")
    section = outside_section(md)
    assert "changes `.github/workflows/`" in section and "prove nothing" in section
    assert "- `.github/workflows/pull-request.yml` (tooling)" in section


def test_hostile_file_names_are_inert_and_the_list_is_bounded(repo):
    for i in range(60):
        (repo / f"f{i:02d}.txt").write_text("x\n")
    (repo / "@everyone [x](https:evil) <b>.txt").write_text("x\n")
    md = summary(repo)
    section = outside_section(md)
    assert section.startswith(" (61)\n")
    assert "@everyone" not in section and "<b>" not in section and "](" not in section
    assert section.count("\n- ") == 51 and "- … and 11 more" in section
    html = render(md)
    assert "<a " not in html and "<b>" not in html
