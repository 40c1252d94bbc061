"""Proposals written for people who do not use Git: by questions, or from a GitHub issue."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from agenda.contribute import issue_form, prompts, scaffold
from agenda.check.load import load_bytes, normalise_line_breaks
from agenda.check.repository import check_repository
from agenda.contribute.scaffold import ScaffoldError
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ISSUES = Path(__file__).resolve().parent / "fixtures" / "issues"
FORM = ROOT / ".github" / "ISSUE_TEMPLATE" / "propose-session.yml"
CONFIG = ROOT / ".github" / "ISSUE_TEMPLATE" / "config.yml"
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

TRICKY = ["no", "yes", "No", "off", "on", "y", "n", "~", "null", "Null", "true", "True", "false", "10:30",
          "2016-12-07", "060", "0x1F", "1e3", "-", "#", "# comment", "a # b", ": ", "a: b", "key: value",
          "- item", "[a, b]", "{a: b}", "&anchor", "*alias", "!tag", "!!str x", "<<", "%YAML", "@user",
          "`code`", "|", ">", "'single'", '"double"', "back\\slash", "tab\there", "line\nbreak",
          "trailing ", " leading", "", " ", "---", "...", "Données ouvertes — été", "日本語のタイトル",
          "مرحبا بالعالم", "שלום עולם", "\u200fRTL mark", "\u202eoverride", "emoji 🎉👩🏽‍💻", "\u2028",
          "\x85", "\x7f", "\x00", "\ufeffbom", "\uffff"]


def answers(**changes):
    base = {
        "title": "Open budgets for small towns",
        "format": "workshop",
        "themes": ["access-to-information"],
        "languages": ["fr", "en"],
        "summary": "How small towns publish their budgets, and how citizens read them.",
        "description": "## Goals\n\nShare what works when a small town opens its budget: tools, "
                       "formats and the questions citizens ask.\n",
        "proposers": [{"name": "Awa Diop", "organisation": "Jokalante (example)", "country": "SN"}],
        "duration": 90,
    }
    base.update(changes)
    return base


@pytest.fixture
def issue_repo(base_repo):
    """The base repository with our issue form, as `agenda from-issue` finds it."""
    target = base_repo / ".github" / "ISSUE_TEMPLATE"
    target.mkdir(parents=True)
    shutil.copy(FORM, target / FORM.name)
    return base_repo


def write(repo, path_text):
    path, text = path_text
    scaffold.save(path, text)
    return path


# --- ids ------------------------------------------------------------------------------------


@pytest.mark.parametrize("title, expected", [
    ("Données ouvertes : l'été 2016 !", "donnees-ouvertes-l-ete-2016"),
    ("Open Budgets for Small Towns", "open-budgets-for-small-towns"),
    ("Straße, Œuvre & Ærø", "strasse-oeuvre-aero"),
    ("  --Déjà vu--  ", "deja-vu"),
    ("🎉 Civic tech party 🎉", "civic-tech-party"),
    ("Ｆｕｌｌ ｗｉｄｔｈ ①", "full-width-1"),
    ("İstanbul", "istanbul"),
    ("🎉🎉🎉", "session"),
    ("", "session"),
    ("   ", "session"),
    ("مرحبا بالعالم", "session"),
    ("日本語", "session"),
])
def test_slugify(title, expected):
    assert scaffold.slugify(title) == expected


def test_slugify_cuts_long_titles_at_a_word():
    slug = scaffold.slugify("A very long title about open government " * 5)
    assert len(slug) <= 64 and _SLUG.match(slug)
    assert slug.endswith(("open", "government", "about"))
    assert scaffold.slugify("x" * 100) == "x" * 64


@given(st.text())
def test_slugify_always_gives_a_valid_id(title):
    slug = scaffold.slugify(title)
    assert 1 <= len(slug) <= 64 and _SLUG.match(slug)


def test_unique_id_adds_a_number(base_repo):
    assert scaffold.unique_id(base_repo, "new-session") == "new-session"
    assert scaffold.unique_id(base_repo, "base-session") == "base-session-2"
    (base_repo / "proposals" / "base-session-2.yaml").write_text("x")
    (base_repo / "proposals" / "Base-Session-3.yaml").write_text("x")  # ids are compared as the check does
    assert scaffold.unique_id(base_repo, "base-session") == "base-session-4"
    long = "x" * 64
    (base_repo / "proposals" / f"{long}.yaml").write_text("x")
    assert scaffold.unique_id(base_repo, long) == "x" * 62 + "-2"
    assert scaffold.unique_id(base_repo, "Not a slug!") == "not-a-slug"


# --- rendering ------------------------------------------------------------------------------


def round_trip(fields):
    text = scaffold.render_proposal(fields)
    doc, problems = load_bytes("proposals/x.yaml", text.encode("utf-8"))
    assert problems == [], text
    return doc.data, text


@pytest.mark.parametrize("value", TRICKY)
def test_tricky_strings_stay_the_text_written(value):
    fields = {"title": value, "themes": [value, "b"], "description": value,
              "proposers": [{"name": value, "organisation": value, "country": "FR"}],
              "accessibility": {"notes": value, "captions": True}, "links": [{"title": value, "url": value}]}
    data, _ = round_trip(fields)
    assert data == fields


def test_layout_follows_the_template():
    fields = answers(status="proposed", looking_for=["participants"],
                     links=[{"url": "https://budgets.example.net/", "title": "Site"}],
                     accessibility={"notes": "Breaks", "captions": False})
    fields = dict(reversed(list(fields.items())))  # the schema's order wins over the given order
    data, text = round_trip(fields)
    assert data == fields
    lines = text.splitlines()
    assert lines[0].startswith("# ")
    assert [line.split(":")[0] for line in lines if re.match(r"[a-z_]+:", line)] == [
        "title", "format", "themes", "languages", "summary", "description", "proposers", "duration",
        "status", "links", "accessibility", "looking_for"]
    assert 'themes: ["access-to-information"]' in lines
    assert "description: |" in lines and "  ## Goals" in lines
    assert '  - name: "Awa Diop"' in lines and '    country: "SN"' in lines
    assert "duration: 90" in lines and "    captions: false" not in lines and "  captions: false" in lines
    assert '  - title: "Site"' in lines  # title before url, as in the schema


@pytest.mark.parametrize("description, style", [
    ("Text\n", "description: |"),
    ("Text without a final line break", "description: |-"),
    ("Text\n\n\n", "description: |+"),
    ("\n\nStarts with empty lines\n", "description: |"),
    ("# Heading\n\n    code block\n\t- tabbed\n", "description: |"),
    ("Trailing spaces  \nfor a line break\n", 'description: "'),
    ("  Leading spaces on the first line\n", 'description: "'),
    ("\tLeading tab\n", 'description: "'),
    ("Line\u2028separator\n", 'description: "'),
    ("Windows\r\nline ends\n", "description: |"),  # read back with LF, as the loader reads CRLF
    ("Old Mac\rline ends\n", "description: |"),
    ("Bell \x07\n", 'description: "'),
    ("", 'description: "'),
    ("\n\n", 'description: "'),
])
def test_description_is_a_block_when_that_is_exact(description, style):
    data, text = round_trip({"description": description})
    assert data == {"description": normalise_line_breaks(description)}
    assert style in text.splitlines() or any(line.startswith(style) for line in text.splitlines())


printable = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
strings = st.one_of(st.sampled_from(TRICKY), printable)
multiline = st.lists(st.one_of(strings, st.sampled_from(["", "  indented", "- item", "## h", "\t"])),
                     max_size=8).map("\n".join)
flat = st.one_of(strings, st.integers(-10**15 + 1, 10**15 - 1), st.booleans(), st.none())
proposal_fields = st.fixed_dictionaries(
    {"title": strings, "format": strings, "themes": st.lists(strings, max_size=4),
     "languages": st.lists(strings, max_size=3), "summary": strings,
     "description": st.one_of(multiline, strings),
     "proposers": st.lists(st.fixed_dictionaries({"name": strings, "organisation": strings, "country": strings},
                                                 optional={"github": strings}), max_size=3),
     "duration": st.integers(-10**15 + 1, 10**15 - 1), "status": strings},
    optional={"links": st.lists(st.fixed_dictionaries({"title": strings, "url": strings}), max_size=3),
              "accessibility": st.dictionaries(st.sampled_from(["captions", "notes", "interpretation", "x"]),
                                               st.one_of(flat, st.lists(strings, max_size=3)), max_size=4),
              "looking_for": st.lists(strings, max_size=3), "example": st.booleans(),
              "schedule": st.fixed_dictionaries({"day": strings, "start": strings, "end": strings, "room": strings}),
              "unknown field": flat, "tïtle": flat, "": flat},
)


@FUZZ
@given(proposal_fields)
def test_render_round_trips_through_the_strict_loader(fields):
    data, _ = round_trip(fields)
    assert data == _normalised(fields)


def _normalised(value):
    """What the loader reads: every line break as LF."""
    if isinstance(value, str):
        return normalise_line_breaks(value)
    if isinstance(value, list):
        return [_normalised(v) for v in value]
    if isinstance(value, dict):
        return {k: _normalised(v) for k, v in value.items()}
    return value


def test_render_refuses_what_it_cannot_write_exactly():
    for bad in ({"title": 1.5}, {"title": "lone \udc80 surrogate"}, {"duration": 10**20}, {3: "x"}, ["x"]):
        with pytest.raises(ScaffoldError):
            scaffold.render_proposal(bad)


# --- new_proposal ---------------------------------------------------------------------------


def test_new_proposal_passes_the_repository_check(base_repo):
    path, text = scaffold.new_proposal(base_repo, answers())
    assert path == base_repo / "proposals" / "open-budgets-for-small-towns.yaml"
    assert not path.exists()  # nothing is written before the CLI says so
    scaffold.save(path, text)
    assert check_repository(base_repo, jobs=1).problems == []
    doc, _ = load_bytes("p.yaml", path.read_bytes())
    assert doc.data["status"] == "proposed" and "schedule" not in doc.data


def test_new_proposal_accepts_answers_as_typed(base_repo):
    typed = answers(themes="climate-sustainable-development, access-to-information", languages="fr",
                    duration="1h30", format=" Workshop ", title="  Open   budgets for towns ",
                    description="Goals\r\n\r\nShare what works when a small town opens its budget, line by line.   \r\n",
                    proposers=[{"name": "Awa Diop", "organisation": "Jokalante", "country": "sn", "github": "@awa-d"}],
                    links="Site | https://budgets.example.net/\nhttps://budgets.example.net/more",
                    accessibility={"captions": True, "notes": None}, looking_for=[], status="scheduled",
                    schedule={"day": "2016-12-07"})
    path, text = scaffold.new_proposal(base_repo, typed)
    data = load_bytes("p.yaml", text.encode())[0].data
    assert data["title"] == "Open budgets for towns" and data["format"] == "workshop"
    assert data["themes"] == ["climate-sustainable-development", "access-to-information"]
    assert data["duration"] == 90 and data["status"] == "proposed" and "schedule" not in data
    assert data["description"].endswith("line by line.\n") and "\r" not in data["description"]
    assert data["proposers"][0]["country"] == "SN" and data["proposers"][0]["github"] == "awa-d"
    assert data["links"] == [{"title": "Site", "url": "https://budgets.example.net/"},
                             {"title": "budgets.example.net", "url": "https://budgets.example.net/more"}]
    assert data["accessibility"] == {"captions": True} and "looking_for" not in data
    scaffold.save(path, text)
    _, text = scaffold.new_proposal(base_repo, answers(proposers="Awa Diop | Jokalante | sn\nJo Test | independent | FR | jo"))
    assert load_bytes("p.yaml", text.encode())[0].data["proposers"] == [
        {"name": "Awa Diop", "organisation": "Jokalante", "country": "SN"},
        {"name": "Jo Test", "organisation": "independent", "country": "FR", "github": "jo"}]
    # only the name is required (the schema's rule); commas instead of bars, or a fifth place, are refused
    _, text = scaffold.new_proposal(base_repo, answers(proposers="Awa Diop\nJo Test | | FR"))
    assert load_bytes("p.yaml", text.encode())[0].data["proposers"] == [
        {"name": "Awa Diop"}, {"name": "Jo Test", "country": "FR"}]
    for bad in ("Awa Diop, Jokalante, SN", "Awa | Jokalante | SN | awa | extra", " | Jokalante | SN"):
        with pytest.raises(ScaffoldError, match="proposers, line 1"):
            scaffold.new_proposal(base_repo, answers(proposers=bad))
    assert check_repository(base_repo, jobs=1).problems == []


def test_new_proposal_reports_the_checkers_problems(base_repo):
    with pytest.raises(ScaffoldError) as caught:
        scaffold.new_proposal(base_repo, answers(themes=["climat"], summary="Too short", duration="forever"))
    rules = {p.rule for p in caught.value.problems}
    assert {"too-short", "wrong-type"} <= rules
    assert "summary" in caught.value.format() and "hint:" in caught.value.format()
    with pytest.raises(ScaffoldError) as caught:
        scaffold.new_proposal(base_repo, answers(themes=["climat"]))
    assert [p.rule for p in caught.value.problems] == ["unknown-theme"]
    assert "did you mean 'climate-sustainable-development'?" in caught.value.hint
    assert sorted(p.name for p in (base_repo / "proposals").iterdir()) == ["base-session.yaml", "second-session.yaml"]


def test_new_proposal_takes_a_free_id_and_save_never_overwrites(base_repo):
    path, text = scaffold.new_proposal(base_repo, answers(title="Base session"))
    assert path.name == "base-session-2.yaml"
    scaffold.save(path, text)
    with pytest.raises(ScaffoldError, match="already exists"):
        scaffold.save(path, text)


def test_new_proposal_needs_a_repository(tmp_path):
    with pytest.raises(ScaffoldError, match="event.yaml"):
        scaffold.new_proposal(tmp_path, answers())
    (tmp_path / "event.yaml").write_text("name: [\n")
    with pytest.raises(ScaffoldError) as caught:
        scaffold.new_proposal(tmp_path, answers())
    assert "agenda check" in caught.value.hint and caught.value.problems


# --- questions ------------------------------------------------------------------------------


def run_ask(repo, replies, defaults=None):
    lines = iter(replies)
    said = []

    def fake_input(prompt):
        try:
            return next(lines)
        except StopIteration:
            raise EOFError from None

    ctx = scaffold.load_context(repo)
    result = prompts.ask(prompts.questions(repo, ctx), fake_input, said.append, defaults, ctx=ctx)
    assert next(lines, None) is None, "every scripted reply was used"
    return result, "\n".join(said)


SCRIPT = [
    "Hi",                                   # title: too short, asked again
    "Open budgets for small towns",
    "Atelier",                              # format by its French name
    "3, access-to-information",             # 3 is not in the list of 2 themes: asked again
    "2, access-to-information",
    "fr, en",
    "How small towns publish their budgets, and how citizens read them.",
    "## Goals", "", "Share what works when a small town opens its budget: tools and formats.", ".",
    "Awa Diop", "", "Senegal",              # organisation keeps its default; country asked again
    "sn", "@awa-d",
    "y",                                    # another proposer
    "Noé Exemple", "Ville d'Exemple", "FR", "",
    "n",
    "une heure",                            # duration: not minutes, asked again
    "7",                                    # out of range, asked again
    "1h30",
    "participants, 6",
    "maybe",                                # yes/no asked again
    "o", "", "n",
    "",
    "Site | https://budgets.example.net/", "javascript:alert(1)", "",
]


def test_ask_reasks_invalid_answers_and_the_result_passes_the_check(base_repo):
    got, said = run_ask(base_repo, SCRIPT)
    assert got["title"] == "Open budgets for small towns" and got["format"] == "workshop"
    assert got["themes"] == ["climate-sustainable-development", "access-to-information"]
    assert got["languages"] == ["fr", "en"] and got["duration"] == 90
    assert got["description"] == "## Goals\n\nShare what works when a small town opens its budget: tools and formats.\n"
    assert got["proposers"] == [
        {"name": "Awa Diop", "organisation": "independent", "country": "SN", "github": "awa-d"},
        {"name": "Noé Exemple", "organisation": "Ville d'Exemple", "country": "FR"}]
    assert got["looking_for"] == ["participants", "note-takers"]
    assert got["accessibility"] == {"step_free_access": True, "materials_in_advance": False}
    assert got["links"] == [{"title": "Site", "url": "https://budgets.example.net/"}]
    for message in ("title has 2 characters; this event asks for at least 5",
                    "3 is not a number from the list (1 to 2)",
                    "proposers[0].country is 'SENEGAL', which is not in the expected form",
                    "'une heure' is not a number of minutes", "duration is 7 minutes; it must be 15 to 480 minutes, in steps of 5",
                    "Answer y (yes, oui) or n (no, non)", "is not 'Title | https://…'"):
        assert message in said
    assert "Title of the session / Titre de la session" in said and " 1. access-to-information" in said
    path, text = scaffold.new_proposal(base_repo, got)
    scaffold.save(path, text)
    assert check_repository(base_repo, jobs=1).problems == []


def test_ask_keeps_defaults_on_enter(base_repo):
    defaults = answers(looking_for=["venue"], accessibility={"captions": True},
                       proposers=[{"name": "Awa Diop", "organisation": "Jokalante", "country": "SN"}])
    replies = ([""] * 5 + ["."]          # title, format, themes, languages, summary; "." keeps the description
               + [""] * 4 + [""]          # the proposer's four answers; no other proposer
               + [""] * 2                 # duration, looking_for
               + [""] * 4 + [""])         # three yes/no questions and the notes; no link
    got, said = run_ask(base_repo, replies, defaults)
    assert {k: got[k] for k in defaults if k != "accessibility"} == {k: v for k, v in defaults.items()
                                                                     if k != "accessibility"}
    assert got["accessibility"] == {"captions": True}
    assert "[Open budgets for small towns] Enter keeps this answer" in said
    assert "[## Goals…] A line with only a dot keeps this text" in said


def test_ask_rechecks_a_bad_default(base_repo):
    said = []
    replies = iter(["", "A good title for a session"])
    ctx = scaffold.load_context(base_repo)
    got = prompts.ask(prompts.questions(base_repo, ctx)[:1], lambda prompt: next(replies), said.append,
                      {"title": "Hi"}, ctx=ctx)
    assert got == {"title": "A good title for a session"}
    assert "  ! title has 2 characters; this event asks for at least 5" in said


def test_ask_ends_cleanly(base_repo):
    with pytest.raises(ScaffoldError, match="input ended"):
        run_ask(base_repo, ["A good title"])
    with pytest.raises(ScaffoldError, match="answers in a row") as caught:
        ctx = scaffold.load_context(base_repo)
        prompts.ask(prompts.questions(base_repo, ctx), lambda prompt: "Hi", lambda text: None, ctx=ctx)
    assert caught.value.field == "title"


ACROSS_ANSWERS = {"duplicate-item"}  # rules on two answers together, checked once the proposal is whole
REPLIES = st.one_of(st.sampled_from(["", ".", "y", "n", "1", "3", "fr", "90", "Hi", "x" * 200, "\u200b", "a\ufe0f"]),
                    st.sampled_from(TRICKY), st.text(max_size=30))


@FUZZ
@given(st.lists(st.tuples(st.integers(0, len(SCRIPT)), REPLIES, st.booleans()), max_size=6))
def test_ask_never_crashes_and_what_it_accepts_passes_the_check(base_repo, edits):
    """The script above with a few replies replaced or inserted: `ask` either stops with a
    one-line ScaffoldError that says what to do, or returns answers that make a proposal
    `agenda check` accepts (each answer was checked as it was typed)."""
    replies = list(SCRIPT)
    for position, reply, replace in edits:
        replies[position:position + replace] = [reply]
    lines, said = iter(replies), []

    def fake_input(prompt):
        try:
            return next(lines)
        except StopIteration:
            raise EOFError from None

    ctx = scaffold.load_context(base_repo)
    try:
        got = prompts.ask(prompts.questions(base_repo, ctx), fake_input, said.append, ctx=ctx)
    except ScaffoldError as exc:
        assert exc.message and "\n" not in exc.message and exc.hint
        return
    assert all(isinstance(line, str) for line in said)
    assert {"title", "format", "themes", "languages", "summary", "description", "proposers"} <= set(got)
    try:
        path, text = scaffold.new_proposal(base_repo, got)
    except ScaffoldError as exc:  # only what no single answer shows: the same person given twice
        assert exc.problems and {p.rule for p in exc.problems if p.is_error} <= ACROSS_ANSWERS, exc.problems
        return
    assert path.parent == base_repo / "proposals" and not path.exists()
    assert [p for p in scaffold.check_proposal_text(base_repo, path.stem, text, ctx) if p.is_error] == []
    doc, problems = load_bytes("p.yaml", text.encode("utf-8"))
    assert problems == [] and doc.data["title"] == " ".join(got["title"].split())


# --- next steps -----------------------------------------------------------------------------


def test_next_steps_in_plain_words(base_repo):
    text = scaffold.next_steps(base_repo / "proposals" / "my-session.yaml")
    for words in ("agenda check proposals/my-session.yaml", "git add proposals/my-session.yaml",
                  "pull request", "https://github.com/example-org/agenda/upload/main/proposals",
                  "Drag my-session.yaml"):
        assert words in text
    assert "Glissez my-session.yaml" in scaffold.next_steps(base_repo / "proposals" / "my-session.yaml", "fr")
    assert '"Add file"' in scaffold.next_steps(Path("/nowhere/proposals/my-session.yaml"))


@pytest.mark.parametrize("lang, fork, words", [
    ("en", "https://github.com/YOUR-NAME/agenda.git", ("Fork", "GitHub makes your fork", "Propose a session")),
    ("fr", "https://github.com/VOTRE-NOM/agenda.git", ("« Fork »", "GitHub crée votre fork", "Proposer une session")),
])
def test_next_steps_fit_a_contributor_with_a_fork(base_repo, lang, fork, words):
    """Most contributors cannot push to the programme's repository: the steps push to their
    own fork (never `origin`, the repository they cloned), or let the browser fork for them."""
    text = scaffold.next_steps(base_repo / "proposals" / "my-session.yaml", lang)
    assert "origin" not in text
    commands = [line.strip() for line in text.splitlines() if line.strip().startswith("git ")]
    assert commands == [f"git remote add fork {fork}", "git switch -c proposal-my-session",
                        "git add proposals/my-session.yaml", 'git commit -m "Propose my-session"',
                        "git push fork proposal-my-session"]
    assert "https://github.com/example-org/agenda " in text  # the repository to fork
    for word in words:
        assert word in text
    elsewhere = scaffold.next_steps(Path("/nowhere/proposals/my-session.yaml"), lang)
    assert "origin" not in elsewhere and "git push fork proposal-my-session" in elsewhere


# --- the issue form -------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("path, name", [(FORM, "vendor.github-issue-forms"), (CONFIG, "vendor.github-issue-config")])
def test_issue_template_files_follow_githubs_schemas(path, name):
    done = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", name, str(path)],
                          check=False, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_issue_form_matches_the_repository():
    form = yaml.safe_load(FORM.read_text(encoding="utf-8"))
    items = {item["id"]: item for item in form["body"] if item["type"] != "markdown"}
    assert tuple(items) == issue_form.FORM_IDS
    assert form["labels"] == ["proposal"] and "Proposer une session" in form["name"]
    labels = [item["attributes"]["label"] for item in items.values()]
    assert len(set(labels)) == len(labels)
    report = check_repository(ROOT, jobs=1)
    event = report.event.data
    options = {key: items[key]["attributes"]["options"]
               for key in ("format", "themes", "languages", "looking_for", "recording", "interpretation")}
    assert options["format"] == [f["id"] for f in event["formats"]]
    assert options["languages"] == options["interpretation"] == [lang["code"] for lang in event["languages"]]
    assert options["recording"] == list(issue_form.RECORDING) == ["allowed", "not-allowed"]
    assert items["contact_language"]["attributes"]["options"] == list(issue_form.CONTACT_LANGUAGES)
    assert options["themes"] == sorted(report.themes)
    assert options["looking_for"] == scaffold.schema.subschema("proposal", ("looking_for", 0))["enum"]
    assert [o["label"] for o in items["accessibility"]["attributes"]["options"]] == list(
        issue_form.ACCESSIBILITY_OPTIONS.values())
    required = {key for key, item in items.items() if item.get("validations", {}).get("required")}
    assert required == {"title", "format", "themes", "languages", "summary", "description", "proposers", "duration",
                        "recording"}
    assert items["consent"]["attributes"]["options"][0]["required"] is True
    assert "CC BY 4.0" in items["consent"]["attributes"]["options"][0]["label"]
    config = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    assert config["blank_issues_enabled"] is True
    assert config["contact_links"][0]["url"] == event["site_url"] + "propose/"
    assert config["contact_links"][1]["url"] == f"{event['repository']}/blob/{event['branch']}/CONTRIBUTING.md"


def test_issue_form_states_the_events_limits():
    """The numbers the form's descriptions promise are event.yaml's limits."""
    form = yaml.safe_load(FORM.read_text(encoding="utf-8"))
    described = {item["id"]: item["attributes"].get("description", "") for item in form["body"] if "id" in item}
    limits = check_repository(ROOT, jobs=1).event.data["limits"]

    def number(n):
        return f"{n:,}"

    for field in ("title", "summary", "description"):
        low, high = limits[field]["min"], limits[field]["max"]
        assert f"{number(low)} to {number(high)} characters" in described[field], field
    duration = limits["duration"]
    assert f"From {number(duration['min'])} to {number(duration['max'])}" in described["duration"]
    assert f"in steps of {duration['step']}" in described["duration"]
    people = limits["proposers"]
    assert f"({people['min']} to {people['max']})" in described["proposers"]


# --- from_issue -----------------------------------------------------------------------------

GOOD = ["good-complete-fr.md", "good-minimal.md"]
BAD = {
    "bad-missing-section.md": ("duration", "the section '### Duration in minutes / Durée en minutes' is missing"),
    "bad-proposer-line.md": ("proposers", "proposers, line 1: 'Sam Example, independent, GB' is not 'Name |"),
    "bad-unknown-theme.md": ("themes", "themes: 'climat' is not one of the programme's themes"),
    "bad-duration-text.md": ("duration", "duration: 'une heure et demie' is not a number of minutes"),
    "bad-injected-heading.md": ("description", "contains the line '### Format', which is a heading of the form"),
    "bad-injected-next-heading.md": ("description", "'Description' or 'Proposers / Porteurs' contains the line"),
    "bad-consent-unticked.md": ("consent", "CC BY 4.0 is not ticked"),
    "bad-summary-too-short.md": ("summary", "summary has 10 characters; this event asks for at least 20"),
    "bad-unsafe-link.md": ("links[0].url", "which is not a web address starting with https://"),
    "bad-empty-title.md": ("title", "title: this answer is required"),
    "bad-unknown-checkbox.md": ("accessibility", "'- [X] Free lunch / Déjeuner offert' is not one of the form's boxes"),
}


def test_every_fixture_is_tested():
    assert sorted(p.name for p in ISSUES.glob("*.md")) == sorted(GOOD + list(BAD))


@pytest.mark.parametrize("name", GOOD)
def test_good_issues_become_proposals_that_pass_the_check(issue_repo, name):
    body = (ISSUES / name).read_text(encoding="utf-8")
    ident, text = issue_form.from_issue(body, issue_repo)
    assert _SLUG.match(ident) and text.startswith("# ")
    assert issue_form.from_issue(body.replace("\n", "\r\n"), issue_repo) == (ident, text)  # as the API sends it
    scaffold.save(issue_repo / "proposals" / f"{ident}.yaml", text)
    assert check_repository(issue_repo, jobs=1).problems == []
    again, _ = issue_form.from_issue(body, issue_repo)
    assert again.endswith("-2") and len(again) <= 64 and (ident + "-").startswith(again[:-2] + "-")


def test_the_french_issue_keeps_every_answer(issue_repo):
    ident, text = issue_form.from_issue((ISSUES / "good-complete-fr.md").read_text(encoding="utf-8"), issue_repo)
    data = load_bytes("p.yaml", text.encode())[0].data
    assert ident == "donnees-climat-ce-que-les-villes-publient-et-ce-qu-elles-taisent"
    assert data["themes"] == ["climate-sustainable-development", "access-to-information"]
    assert data["languages"] == ["fr", "en"] and data["duration"] == 90 and data["format"] == "workshop"
    assert "### Déroulé (90 minutes)" in data["description"]  # a Markdown heading that is not the form's
    assert data["summary"].endswith("no comment ? Rendez-vous à 10:30.")
    assert [p["country"] for p in data["proposers"]] == ["SN", "FR", "TN"]
    assert data["proposers"][1]["github"] == "lea-example" and "github" not in data["proposers"][2]
    assert data["subtitle"] == "Un atelier de 90 minutes, carte en main" and data["recording"] == "not-allowed"
    assert data["accessibility"] == {"captions": True, "step_free_access": True, "interpretation": ["en", "ar"],
                                     "sign_language": ["LSF"], "notes":
                                     "Interprétation en langue des signes française (LSF) sur demande. "
                                     "Une pause de 5 minutes à mi-parcours."}
    assert data["looking_for"] == ["facilitators", "note-takers", "participants"]
    assert data["links"][1] == {"title": "jokalante.example.org", "url": "https://jokalante.example.org/climat"}


def test_the_minimal_issue_leaves_optional_fields_out(issue_repo):
    _, text = issue_form.from_issue((ISSUES / "good-minimal.md").read_text(encoding="utf-8"), issue_repo)
    data = load_bytes("p.yaml", text.encode())[0].data
    assert set(data) == {"title", "format", "themes", "languages", "summary", "description", "proposers",
                         "duration", "recording", "status"}


@pytest.mark.parametrize("name", sorted(BAD))
def test_malformed_issues_say_which_field_and_what_to_do(issue_repo, name):
    field, words = BAD[name]
    with pytest.raises(ScaffoldError) as caught:
        issue_form.from_issue((ISSUES / name).read_text(encoding="utf-8"), issue_repo)
    assert caught.value.field == field
    assert words in caught.value.message
    assert caught.value.hint and "\n" not in caught.value.message
    assert sorted(p.name for p in (issue_repo / "proposals").iterdir()) == ["base-session.yaml", "second-session.yaml"]


def test_oversized_and_odd_bodies_are_refused(issue_repo):
    good = (ISSUES / "good-minimal.md").read_text(encoding="utf-8")
    huge = good.replace("tracker for the answers.", "tracker for the answers. " + "x" * 70_000)
    with pytest.raises(ScaffoldError, match="the limit is 65,536"):
        issue_form.from_issue(huge, issue_repo)
    with pytest.raises(ScaffoldError, match="the issue must start with"):
        issue_form.from_issue("### Format\n\nworkshop\n\n" + good, issue_repo)
    with pytest.raises(ScaffoldError, match="'### Title / Titre' is missing"):
        issue_form.from_issue("", issue_repo)
    with pytest.raises(ScaffoldError):
        issue_form.from_issue(None, issue_repo)
    shutil.rmtree(issue_repo / ".github")
    with pytest.raises(ScaffoldError, match="issue form"):
        issue_form.from_issue(good, issue_repo)


sections = st.sampled_from(["### Title / Titre", "### Format", "### Description", "### Proposers / Porteurs",
                            "_No response_", "- [X] Live captions / Sous-titrage en direct", "", "\r\n", "a | b | FR"])


@FUZZ
@given(st.lists(st.one_of(sections, st.text(max_size=30)), max_size=40).map("\n".join),
       st.sampled_from(GOOD))
def test_from_issue_never_crashes(issue_repo, noise, name):
    good = (ISSUES / name).read_text(encoding="utf-8")
    for body in (noise, good.replace("\n\n", "\n\n" + noise + "\n", 3), good + noise):
        try:
            ident, text = issue_form.from_issue(body, issue_repo)
        except ScaffoldError as exc:
            assert exc.message and "\n" not in exc.message
        else:
            assert _SLUG.match(ident) and load_bytes("p.yaml", text.encode())[1] == []
