"""The README, the rule catalogue and the code say the same thing."""

from __future__ import annotations

import re
import shutil

from agenda.check.catalogue import RULES
from agenda.check.repository import check_repository
from agenda.check.schema import examples as schema_examples
from agenda.timeline import slots_of
from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def quick_start_commands():
    section = re.search(r"(?im)^#+ .*quick ?start.*$", README)
    block = re.search(r"```[a-z]*\n(.*?)```", README[section.end():], re.S)
    return [line.strip() for line in block.group(1).splitlines() if line.strip() and not line.startswith("#")]


def test_quick_start_has_exactly_two_commands():
    assert len(quick_start_commands()) == 2


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert quick_start_commands()[1] in ci.splitlines()


def test_readme_rule_table_matches_the_catalogue():
    table = dict(re.findall(r"^\| `([a-z0-9-]+)` \| (.+?) \|$", README, re.M))
    assert table == RULES


def test_every_rule_the_code_reports_is_in_the_catalogue():
    checker = [p for p in (ROOT / "scripts" / "agenda").rglob("*.py")
               if p.name != "catalogue.py" and "Problem" in p.read_text(encoding="utf-8")]
    source = "\n".join(p.read_text(encoding="utf-8") for p in checker)
    # rule ids are passed as string literals right after a location or to _problem/_at/refuse
    used = set(re.findall(r'"([a-z]+(?:-[a-z0-9]+)+)",\s*(?:f?"[^"]|Msg(?:\.plural)?\(|message\b)', source))
    used |= set(re.findall(r'rule(?:\s*=\s*|, )"([a-z]+(?:-[a-z0-9]+)+)"', source))
    assert len(used) >= 40  # the scan itself works
    not_rules = {"utf-8", "utf-16-le"}  # encodings passed with errors=…: the scan's only false positives
    assert used - set(RULES) - not_rules == set()


def test_the_proposal_template_is_refused_until_its_placeholders_are_replaced(tmp_path):
    """Copied unedited, the template fails on exactly its placeholders (the schema's
    `examples`); with each replaced by the contributor's own words, it passes."""
    repo = tmp_path / "repo"
    shutil.copytree(ROOT, repo, ignore=shutil.ignore_patterns(".venv", ".git", "site", "tests", "benchmarks"))
    shutil.rmtree(repo / "proposals")
    (repo / "proposals").mkdir()
    template = (ROOT / "docs" / "proposal-template.yaml").read_text(encoding="utf-8")
    target = repo / "proposals" / "my-session.yaml"
    target.write_text(template, encoding="utf-8")
    problems = check_repository(repo, jobs=1).problems
    assert {(p.rule, p.field) for p in problems} == {
        ("placeholder-text", field) for field in
        ("title", "summary", "description", "proposers[0].name", "links[0].title", "links[0].url",
         "accessibility.notes")}
    own = (template.replace("Title of my session / Titre de ma session", "Open budgets for small towns")
           .replace("Your Name / Votre nom", "Awa Diop")
           .replace("Project website / Site du projet", "Our project")
           .replace("https://example.org/", "https://budgets.example.net/")
           .replace("Anything else attendees should know. / Toute autre information utile.", "Quiet room nearby.")
           .replace("One or two sentences saying what the session is about. /\n  Une ou deux phrases qui disent "
                    "de quoi parle la session.", "How small towns publish their budgets, and how citizens read them.")
           .replace("What participants will learn or make. / Ce que les participants apprendront ou produiront.",
                    "Read a town budget together.")
           .replace("1. First part / Première partie", "1. The budget's pages")
           .replace("2. Second part / Deuxième partie", "2. Questions to the town")
           .replace("- people who… / les personnes qui…", "- anyone who lives in a small town"))
    target.write_text(own, encoding="utf-8")
    assert check_repository(repo, jobs=1).problems == []


def test_the_templates_placeholders_are_the_schemas_examples():
    template = (ROOT / "docs" / "proposal-template.yaml").read_text(encoding="utf-8")
    for examples in schema_examples("proposal").values():
        for example in examples:
            first_line = example.splitlines()[0] if "\n" in example else example.split(" / ")[0]
            assert first_line in template


def test_content_covers_every_format_status_and_theme():
    report = check_repository(ROOT, jobs=1)
    proposals = [doc.data for doc in report.proposals.values()]
    assert len(proposals) >= 15
    assert all(p.get("example") is True for p in proposals)
    assert {p["format"] for p in proposals} == {"event", "conference", "workshop", "pitch"}
    assert {p["status"] for p in proposals} == {"proposed", "accepted", "scheduled", "declined", "withdrawn"}
    assert {t for p in proposals for t in p["themes"]} == set(report.themes)
    assert len(report.themes) == 8
    slots = [slot for p in proposals for slot in slots_of(p)]
    # the summit's rooms on its three days; the week's external events elsewhere, on other days too
    assert {slot["day"] for slot in slots if "room" in slot} == {"2016-12-07", "2016-12-08", "2016-12-09"}
    event = report.event.data
    assert (event["dates"], event["venue_dates"]) == ({"start": "2016-12-05", "end": "2016-12-11"},
                                                      {"start": "2016-12-07", "end": "2016-12-09"})
    places = [slot["place"] for slot in slots if "place" in slot]
    assert any(p.get("online") for p in places)  # online
    assert any(p.get("country") == "FR" and p.get("city") for p in places)  # another city in France
    assert any(p.get("country") not in (None, "FR") for p in places)  # abroad
    assert any(slot["day"] < "2016-12-07" for slot in slots) and any(slot["day"] > "2016-12-09" for slot in slots)
    assert any("place" in slot and p["duration"] > 1440 for p in proposals for slot in slots_of(p))  # over days
    assert {"fr", "en"} <= {lang for p in proposals for lang in p["languages"]}
    # what real programmes need, shown in the example: a session held twice, one that ends at
    # midnight, a shared room, and both answers about recording
    assert any(isinstance(p.get("schedule"), list) and len(p["schedule"]) > 1 for p in proposals)
    assert any(slot.get("end") == "00:00" for slot in slots)
    assert any(room.get("shared") for room in report.event.data["rooms"])
    assert {p.get("recording") for p in proposals} >= {"allowed", "not-allowed"}


def test_every_command_is_documented_with_an_example():
    from agenda.cli import build_parser

    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    assert set(commands) >= {"check", "new", "from-issue", "export", "summary", "codeowners"}
    for name, sub in commands.items():
        assert f"`agenda {name}" in README, name
        assert "example" in (sub.epilog or ""), name


def test_codeowners_is_current():
    from conftest import run_agenda

    result = run_agenda("codeowners", "--check", cwd=ROOT)
    assert result.returncode == 0, result.stderr
