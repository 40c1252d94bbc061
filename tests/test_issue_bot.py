"""The issue bot's two steps, one piece at a time (the whole job runs in test_workflows.py):
the event read as data, the answer in the contributor's language and inert, one file and
nothing else sent to GitHub."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from agenda.contribute import issue_bot, issue_form
from markdown_it import MarkdownIt
from agenda.contribute.scaffold import ScaffoldError
from conftest import ROOT, run_agenda
from workflow_runner import GIT_ENV, git

EVENTS = ROOT / "tests" / "fixtures" / "github" / "events"
ISSUES = ROOT / "tests" / "fixtures" / "issues"
FORM = ROOT / ".github" / "ISSUE_TEMPLATE" / "propose-session.yml"


@pytest.fixture
def repo(base_repo, monkeypatch):
    """The base repository with our issue form, committed (the checkout the bot runs in)."""
    target = base_repo / ".github" / "ISSUE_TEMPLATE"
    target.mkdir(parents=True)
    shutil.copy(FORM, target / FORM.name)
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    git(base_repo, "init", "-q", "-b", "main")
    git(base_repo, "add", "-A")
    git(base_repo, "commit", "-q", "-m", "programme")
    return base_repo


def event_with(body, *, number=7, label=issue_bot.TRIGGER_LABEL, state="open", login="newcomer-example"):
    return {"action": "labeled", "label": {"name": label},
            "issue": {"number": number, "body": body, "state": state, "user": {"login": login}, "title": "x"},
            "repository": {"full_name": "example-org/agenda", "default_branch": "main"}}


def write_event(tmp_path, event) -> Path:
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event), encoding="utf-8")
    return path


def good_body(lang_answer=None) -> str:
    body = (ISSUES / "good-minimal.md").read_text(encoding="utf-8")
    if lang_answer:
        body = f"### Language of our replies / Langue de nos réponses\n\n{lang_answer}\n\n" + body
    return body


@pytest.fixture
def fake_gh(tmp_path, monkeypatch):
    """A `gh` that records the calls (tests/fake_gh.py); returns (GitHub client, read the calls)."""
    gh = tmp_path / "gh"
    gh.write_text(f"#!/bin/sh\nexec {sys.executable} {ROOT / 'tests' / 'fake_gh.py'} \"$@\"\n")
    gh.chmod(0o755)
    log = tmp_path / "gh-calls.jsonl"
    log.write_text("")
    monkeypatch.setenv("FAKE_GH_LOG", str(log))
    monkeypatch.setenv("GH_TOKEN", "fake")

    def calls():
        return [json.loads(line) for line in log.read_text().splitlines()]
    return issue_bot.GitHub("example-org/agenda", command=str(gh)), calls


# --- the event, read as data ---------------------------------------------------------------------


@pytest.mark.parametrize("raw, words", [
    (b"\xff\xfe not utf-8", "not JSON"), (b"{not json", "not JSON"), (b"[" * 50_000, "not JSON"),
    (b"[]", "not an `issues` event"), (b'{"issue": {}, "repository": {}, "label": {}}', "has no number"),
    (json.dumps(event_with(["a list"])).encode(), "body is not text"),
    (json.dumps({**event_with("x"), "repository": {"full_name": "../../x", "default_branch": "main"}}).encode(),
     "names no repository"),
    (json.dumps({**event_with("x"), "repository": {"full_name": "o/r", "default_branch": "-x;rm"}}).encode(),
     "default branch"),
    (b" " * (issue_bot.MAX_EVENT_BYTES + 1), "larger than"),
])
def test_an_unusable_event_is_a_clear_error_and_nothing_is_written(repo, tmp_path, raw, words):
    path = tmp_path / "event.json"
    path.write_bytes(raw)
    with pytest.raises(issue_bot.BotError, match=words) as caught:
        issue_bot.prepare(path, repo, tmp_path / "reply")
    assert caught.value.hint
    result = run_agenda("from-issue", "--event", path, "--reply", tmp_path / "reply", "--root", repo)
    assert result.returncode == 2 and words in result.stderr and "Try:" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "reply").exists()
    assert git(repo, "status", "--porcelain") == ""


def test_from_issue_takes_a_file_or_an_event_with_a_reply_folder(repo, tmp_path):
    for args in (["x.md", "--event", "e.json", "--reply", "r"], ["--event", "e.json"], [], ["x.md", "--reply", "r"]):
        result = run_agenda("from-issue", *args, "--root", repo)
        assert result.returncode == 2 and "--event FILE with --reply DIR" in result.stderr, args


def test_another_label_is_refused(repo, tmp_path):
    with pytest.raises(issue_bot.BotError, match="not accepted-for-review"):
        issue_bot.prepare(write_event(tmp_path, event_with(good_body(), label="bug")), repo, tmp_path / "reply")


# --- step 1: one file, or an answer ------------------------------------------------------------------


def test_a_good_issue_writes_one_new_file_never_over_another(repo, tmp_path):
    path = write_event(tmp_path, event_with(good_body()))
    first = issue_bot.prepare(path, repo, tmp_path / "r1")
    assert first["ok"] and first["file"] == f"proposals/{first['id']}.yaml"
    assert git(repo, "status", "--porcelain", "--untracked-files=all") == f"?? {first['file']}\n"
    written = (repo / first["file"]).read_bytes()
    second = issue_bot.prepare(path, repo, tmp_path / "r2")  # labelled twice: another id, the first untouched
    assert second["id"] == first["id"] + "-2" and (repo / first["file"]).read_bytes() == written
    assert json.loads((tmp_path / "r2" / "reply.json").read_text(encoding="utf-8")) == second


def test_an_older_issue_without_the_new_optional_sections_still_converts(repo, tmp_path):
    body = good_body()
    body = body.replace("### Recording / Enregistrement\n\nallowed\n\n", "")  # required: refused…
    with pytest.raises(ScaffoldError, match="recording: the section"):
        issue_form.from_issue(body, repo)
    older = good_body()  # …but an issue lacking optional sections (subtitle, interpretation…) is read
    assert "### Subtitle" not in older and "### Sign language" not in older
    ident, text = issue_form.from_issue(older, repo)
    assert ident and 'recording: "allowed"' in text


def test_a_closed_issue_is_answered_not_converted(repo, tmp_path):
    reply = issue_bot.prepare(write_event(tmp_path, event_with(good_body("English"), state="closed")), repo,
                              tmp_path / "reply")
    assert not reply["ok"] and reply["comment"].startswith("This issue is closed.")
    assert git(repo, "status", "--porcelain") == ""


@pytest.mark.parametrize("answer, session, expected", [
    ("Français", "en", "fr"), ("English", "fr", "en"), (None, "fr, en", "fr"), (None, "en", "en"),
    (None, "es, fr", None), ("Klingon", "ar", None),
])
def test_the_reply_language(answer, session, expected):
    form = issue_form.read_form(ROOT)
    body = good_body(answer).replace("### Languages / Langues\n\nen\n", f"### Languages / Langues\n\n{session}\n")
    assert issue_bot.reply_language(body, form) == expected
    assert issue_bot.reply_language(body.replace("\n", "\r\n"), form) == expected  # as the API sends it
    assert issue_bot.reply_language(None, form) is None


def test_problems_are_answered_in_both_languages_when_the_language_is_unknown(repo, tmp_path):
    body = good_body().replace("### Languages / Langues\n\nen\n", "### Languages / Langues\n\nes\n")
    heading = "### Duration in minutes / Durée en minutes\n\n"
    body = body.replace(heading + "15", heading + "long")
    reply = issue_bot.prepare(write_event(tmp_path, event_with(body)), repo, tmp_path / "reply")
    french, english = reply["comment"].split("\n\n---\n\n")
    assert french.startswith("Merci pour votre proposition") and "- **Durée en minutes** : " in french
    assert english.startswith("Thank you for your proposal") and "- **Duration in minutes**: " in english
    assert "long\\' is not a number of minutes" in english and "Que faire : " in french


HOSTILE = ["@everyone", "@example-org/maintainers", "<img src=x onerror=alert(1)>", "<script>x</script>",
           "[click](https://evil.example/)", "![i](https://evil.example/i.png)", "`code`", "**bold**",
           "org/repo#12", "#12", "https://evil.example", "www.evil.example", "##[add-mask]x", "| a | b |",
           "line\nbreak", "\u202eoverride", "&lt;b&gt;", "<!-- comment", "${{ github.token }}", ":+1:"]


@pytest.mark.parametrize("value", HOSTILE)
def test_every_problem_is_inert_markdown(repo, value):
    exc = ScaffoldError(f"themes: {value} is not one of the programme's themes", f"did you mean {value}?", "themes")
    labels = {f.id: f.label for f in issue_form.read_form(repo)}
    for lang in ("en", "fr", None):
        comment = issue_bot.problems_comment(exc, labels, lang)
        listed = [line for line in comment.splitlines() if line.startswith(("- ", "  "))]  # not our own words
        assert len(listed) == (2 if lang else 4)  # one problem, one hint (twice when bilingual)
        body = "\n".join(listed).replace("**Themes**", "").replace("**Thèmes**", "")
        for raw in ("@e", "](", "**b", "#1", "://", "www.", "##[", "\u202e", "${{", ":+1:"):
            assert raw not in body, (raw, body)  # mentions, links, references GitHub adds after rendering
        html = MarkdownIt("commonmark", {"html": True}).enable("table").render("\n".join(listed))  # as GitHub would
        tags = re.findall(r"<[^>]*>", html)  # no code, table, link, image or HTML of the contributor's
        assert set(tags) == {"<ul>", "</ul>", "<li>", "</li>", "<strong>", "</strong>"}, html
        assert tags.count("<strong>") == len(listed) // 2  # the section's name, ours
        assert "&lt;b&gt;" not in html or value == "&lt;b&gt;"  # an entity stays the text it was


def test_many_problems_are_counted_not_listed(repo):
    from agenda.check.problems import ERROR, Problem

    problems = [Problem("proposals/x.yaml", n, 1, ERROR, "too-long", f"problem {n}", "summary", "fix it")
                for n in range(1, 41)]
    labels = {f.id: f.label for f in issue_form.read_form(repo)}
    comment = issue_bot.problems_comment(ScaffoldError("x", problems=problems), labels, "en")
    assert comment.count("\n- ") == issue_bot.MAX_PROBLEMS + 1 and "…and 25 more" in comment
    assert len(comment) < 10_000


def test_a_huge_issue_is_answered_with_what_to_do(repo, tmp_path):
    body = good_body("English").replace("tracker for the answers.", "tracker. " + "é" * 40_000)  # 80 KB
    reply = issue_bot.prepare(write_event(tmp_path, event_with(body)), repo, tmp_path / "reply")
    text = re.sub(r"<[^>]+>", "", MarkdownIt("commonmark").render(reply["comment"]))  # what people read
    assert not reply["ok"] and "the limit is 65,536" in text and "What to do: shorten the description" in text


# --- step 2: what reaches GitHub ----------------------------------------------------------------------


def test_publish_sends_the_one_file_and_answers(repo, tmp_path, fake_gh):
    github, calls = fake_gh
    reply = issue_bot.prepare(write_event(tmp_path, event_with(good_body("English"), number=9)), repo, tmp_path / "r")
    done = issue_bot.publish(tmp_path / "r", repo, github)
    assert done == "opened pull request #44 for issue #9"
    assert [(c["method"], c["path"]) for c in calls()] == [
        ("POST", "git/refs"), ("PUT", f"contents/{reply['file']}"), ("POST", "pulls"), ("POST", "issues/9/comments")]
    comment = calls()[-1]["body"]["body"]
    assert comment.startswith("Thank you! Your proposal is now the pull request #44.") and "Merci" not in comment


def test_publish_refuses_a_working_tree_with_anything_else(repo, tmp_path, fake_gh):
    github, calls = fake_gh
    issue_bot.prepare(write_event(tmp_path, event_with(good_body())), repo, tmp_path / "r")
    for extra in (".github/workflows/evil.yml", "proposals/second.yaml", "scripts/agenda/x.py"):
        (repo / extra).parent.mkdir(parents=True, exist_ok=True)
        (repo / extra).write_text("x")
        with pytest.raises(issue_bot.BotError, match="must hold exactly proposals/"):
            issue_bot.publish(tmp_path / "r", repo, github)
        (repo / extra).unlink()
    (repo / "event.yaml").write_text("changed")
    with pytest.raises(issue_bot.BotError, match="event.yaml"):
        issue_bot.publish(tmp_path / "r", repo, github)
    assert calls() == []  # nothing was sent


@pytest.mark.parametrize("change", [
    {"file": "proposals/../.github/workflows/x.yaml"}, {"file": ".github/workflows/x.yaml"},
    {"id": "other"}, {"repository": "evil/../x"}, {"default_branch": "main;rm -rf"}, {"author": "@everyone"},
    {"ok": "yes"}, {"lang": "de"}, {"issue": "7"},
])
def test_publish_refuses_a_tampered_reply(repo, tmp_path, fake_gh, change):
    github, calls = fake_gh
    issue_bot.prepare(write_event(tmp_path, event_with(good_body())), repo, tmp_path / "r")
    path = tmp_path / "r" / "reply.json"
    path.write_text(json.dumps({**json.loads(path.read_text(encoding="utf-8")), **change}), encoding="utf-8")
    with pytest.raises(issue_bot.BotError, match="is not a reply"):
        issue_bot.publish(tmp_path / "r", repo, github)
    assert calls() == []


def test_issue_to_pr_without_gh_or_reply_is_a_clear_error(repo, tmp_path):
    result = run_agenda("issue-to-pr", "--reply", tmp_path / "nothing", "--root", repo)
    assert result.returncode == 2 and "cannot be read" in result.stderr
    assert "Try: run `agenda from-issue" in result.stderr
    issue_bot.prepare(write_event(tmp_path, event_with(good_body())), repo, tmp_path / "r")
    env_path = "/nonexistent"
    done = subprocess.run([sys.executable, "-m", "agenda", "issue-to-pr", "--reply", str(tmp_path / "r"), "--root",
                           str(repo)], capture_output=True, text=True, timeout=60,
                          env={"PATH": env_path, **GIT_ENV, "HOME": str(tmp_path)})
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "could not run" in done.stderr or "git" in done.stderr


# --- the paths, written down in both languages ------------------------------------------------------

PATHS = {
    "fr": ["### Trois façons de proposer", "### Avec le formulaire : un robot ouvre la *pull request*",
           "### Sans Git : tout dans le navigateur", "### Avec Git, depuis votre fork",
           "### Propositions en cours de relecture et soutiens", "git push fork proposal-<id>",
           "Fermez puis rouvrez la *pull request* du robot",
           "Allow GitHub Actions to create and approve pull requests"],
    "en": ["### Three ways to propose", "### With the form: a bot opens the pull request",
           "### Without Git: everything in your browser", "### With Git, from your fork",
           "### Proposals under review and support", "git push fork proposal-<id>",
           "Close and reopen the bot's pull request", "Allow GitHub Actions to create and approve pull requests"],
}


@pytest.mark.parametrize("lang", sorted(PATHS))
def test_contributing_explains_each_path_and_the_bots_settings(lang):
    from agenda.contribute.github_snapshot import HIDE_LABEL

    french, english = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8").split("\n## English\n", 1)
    text = french if lang == "fr" else english
    for words in PATHS[lang] + [f"`{issue_bot.TRIGGER_LABEL}`", f"`{HIDE_LABEL}`", "`proposal`"]:
        assert words in text, words
    assert "push -u origin" not in text


def test_the_readme_names_the_bot_its_steps_and_the_snapshot_functions():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for words in ("### The issue bot", "agenda from-issue --event \"$GITHUB_EVENT_PATH\" --reply DIR",
                  "agenda issue-to-pr --reply DIR", f"`{issue_bot.TRIGGER_LABEL}`", "### Proposals under review",
                  "load_snapshot(path, ctx)", "load_support(path)", "schema/github-snapshot.schema.json",
                  "Allow GitHub Actions to create and approve pull requests", "trois façons de proposer"):
        assert words in readme, words
