"""The GitHub workflows: valid, safe by construction, and doing what they say.

Pull requests come from strangers, so the workflows are checked three ways: against GitHub's
workflow schema (check-jsonschema), by zizmor's security audits (pedantic), and rule by rule
here. Then the pull-request workflow's job is run on temporary repositories by
tests/workflow_runner.py, and what a contributor and a reviewer would see (the annotations,
the job summary, the preview) is checked, including for a pull request that replaces the
tooling with a version that always passes: the base branch's tooling runs, so it fails.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, copy_repo
from workflow_runner import git, publish_pull_request, run_job

WORKFLOWS = ROOT / ".github" / "workflows"
PULL_REQUEST = WORKFLOWS / "pull-request.yml"
PUBLISH = WORKFLOWS / "publish.yml"
ISSUE = WORKFLOWS / "issue-to-pull-request.yml"
ALL = [PULL_REQUEST, PUBLISH, ISSUE]
BIN = Path(sys.executable).parent

SHA_PIN = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(?:/[^@\s]+)?@[0-9a-f]{40}$")
USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<ref>\S+)(?P<rest>.*)$")
VERSION_COMMENT = re.compile(r"^\s+# v\d+(?:\.\d+){0,2}\b")


class _WorkflowLoader(yaml.SafeLoader):
    """YAML 1.2 booleans only: `on:` stays the key "on" (PyYAML's YAML 1.1 reads it as True)."""


_WorkflowLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_WorkflowLoader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|false)$"), list("tf"))


def load(path: Path) -> dict:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_WorkflowLoader)


def steps(workflow: dict):
    for job_id, job in workflow["jobs"].items():
        for step in job.get("steps", []):
            yield job_id, step


def tool(name: str) -> Path | None:
    """A console script of this environment (next to the interpreter), else one on PATH."""
    found = BIN / name
    if found.exists():
        return found
    other = shutil.which(name)
    return Path(other) if other else None


# --- valid workflows ----------------------------------------------------------------------


def test_workflows_match_githubs_workflow_schema():
    validator = tool("check-jsonschema")
    assert validator, "check-jsonschema is missing: pip install -e '.[test]' installs it"
    result = subprocess.run(
        [str(validator), "--builtin-schema", "vendor.github-workflows", *map(str, ALL)],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_dependabot_config_matches_its_schema():
    validator = tool("check-jsonschema")
    result = subprocess.run(
        [str(validator), "--builtin-schema", "vendor.dependabot", str(ROOT / ".github" / "dependabot.yml")],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_pull_request_template_exists():
    template = ROOT / ".github" / "pull_request_template.md"
    assert template.is_file()
    text = template.read_text(encoding="utf-8")
    assert "agenda check" in text and "CC BY 4.0" in text


# --- safe by construction: zizmor ---------------------------------------------------------


def test_zizmor_finds_nothing():
    zizmor = tool("zizmor")
    if zizmor is None:
        pytest.skip("zizmor is not installed (pip install zizmor; it is in the test extra)")
    result = subprocess.run(
        [str(zizmor), "--offline", "--no-progress", "--persona", "pedantic", "--format", "json",
         str(ROOT / ".github")],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )
    findings = json.loads(result.stdout or "[]")
    assert findings == [], json.dumps(findings, indent=2)
    assert result.returncode == 0, result.stderr


# --- safe by construction: rule by rule -----------------------------------------------------


def test_the_pull_request_workflow_runs_on_pull_request_only_and_again_when_its_base_changes():
    """`edited` is the event GitHub sends when a pull request's base branch changes; the
    checks compare with the base, so they must run again (and no job-level `if:` may skip
    that run: a skipped required check counts as passed)."""
    workflow = load(PULL_REQUEST)
    assert workflow["on"] == {"pull_request": {"types": ["opened", "synchronize", "reopened", "edited"]}}
    assert all("if" not in job for job in workflow["jobs"].values())


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.name)
def test_no_workflow_uses_pull_request_target(path):
    assert "pull_request_target" not in load(path)["on"]
    code = [line.split("#", 1)[0] for line in path.read_text(encoding="utf-8").splitlines()]
    assert not any("pull_request_target" in line for line in code)


def test_every_workflow_is_covered():
    assert sorted(WORKFLOWS.glob("*.y*ml")) == sorted(ALL)


def test_the_pull_request_workflow_can_only_read():
    workflow = load(PULL_REQUEST)
    assert workflow["permissions"] == {}
    for job_id, job in workflow["jobs"].items():
        assert job.get("permissions") == {"contents": "read"}, job_id


def test_publish_grants_pages_rights_to_the_deploy_job_only():
    workflow = load(PUBLISH)
    assert workflow["permissions"] == {}
    assert set(workflow["on"]) == {"push", "schedule", "workflow_dispatch"}
    assert workflow["on"]["push"] == {"branches": ["main"]}
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    # read only: the checkout, the Pages settings, and what agenda github-snapshot reads
    assert build["permissions"] == {"contents": "read", "pages": "read", "pull-requests": "read",
                                    "issues": "read", "checks": "read", "statuses": "read"}
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["needs"] == "build"
    assert deploy["environment"] == {"name": "github-pages", "url": "${{ steps.deployment.outputs.page_url }}"}
    assert [step.get("id") for step in deploy["steps"]] == ["deployment"]
    assert [step["uses"].split("@")[0] for step in deploy["steps"]] == ["actions/deploy-pages"]


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_commit_with_its_version(path):
    workflow = load(path)
    uses = [step["uses"] for _, step in steps(workflow) if "uses" in step]
    assert uses
    for ref in uses:
        assert SHA_PIN.match(ref), f"{ref}: pin it to a full 40-hex commit SHA"
    lines = [USES_LINE.match(line) for line in path.read_text(encoding="utf-8").splitlines()]
    lines = [m for m in lines if m]
    assert [m["ref"] for m in lines] == uses  # every uses: line was seen by the parser
    for m in lines:
        assert VERSION_COMMENT.match(m["rest"]), f"{m['ref']}: add its version as a '# vX.Y.Z' comment"


def checkouts(path):
    return [step for _, step in steps(load(path)) if step.get("uses", "").startswith("actions/checkout@")]


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.name)
def test_checkout_leaves_no_credentials_and_fetches_history(path):
    assert checkouts(path)
    for step in checkouts(path):
        assert step["with"]["persist-credentials"] is False
    built = [step for step in checkouts(path) if "ref" not in step["with"]]  # what is checked and built
    assert len(built) == 1
    # --base and the feed's dates need history; the issue bot only needs the latest commit.
    assert built[0]["with"]["fetch-depth"] == (1 if path == ISSUE else 0)


def test_the_pull_request_and_the_base_are_checked_out_side_by_side():
    pull_request, base = checkouts(PULL_REQUEST)
    assert pull_request["with"] == {"path": "pull-request", "persist-credentials": False, "fetch-depth": 0}
    assert base["with"] == {"ref": "${{ github.base_ref }}", "path": "base", "persist-credentials": False,
                            "fetch-depth": 1}


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.name)
def test_no_expression_inside_a_run_script(path):
    """Values reach scripts through `env:`, so no text chosen by a pull request's author is
    pasted into a shell command."""
    for job_id, step in steps(load(path)):
        if "run" in step:
            assert "${{" not in step["run"], f"{job_id}: {step['run']}"


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.name)
def test_no_secret_and_no_cache(path):
    text = path.read_text(encoding="utf-8")
    assert "secrets." not in text and "secrets[" not in text
    for _, step in steps(load(path)):
        assert not step.get("uses", "").startswith("actions/cache"), "no cache: it could be poisoned"
        assert "cache" not in step.get("with", {}), "no cache: it could be poisoned"


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.name)
def test_every_job_has_a_timeout(path):
    for job_id, job in load(path)["jobs"].items():
        assert 0 < job["timeout-minutes"] <= 30, job_id


def test_pull_request_runs_are_grouped_per_pull_request_and_cancelled():
    concurrency = load(PULL_REQUEST)["concurrency"]
    assert "github.event.pull_request.number" in concurrency["group"]
    assert concurrency["cancel-in-progress"] is True


def test_publish_deploys_queue_in_order_and_are_never_cancelled():
    assert load(PUBLISH)["concurrency"] == {"group": "pages", "cancel-in-progress": False}


def runs(path):
    return [step for _, step in steps(load(path)) if "run" in step]


INSTALL_BASE = """\
python -m venv "$RUNNER_TEMP/agenda"
"$RUNNER_TEMP/agenda/bin/python" -m pip install --require-hashes --requirement base/requirements/lock.txt
"$RUNNER_TEMP/agenda/bin/python" -m pip install --no-deps --no-build-isolation ./base
echo "$RUNNER_TEMP/agenda/bin" >> "$GITHUB_PATH"
"""


def test_the_pull_request_installs_the_bases_tooling_from_its_lock_into_its_own_environment():
    scripts = runs(PULL_REQUEST)
    assert scripts[0].get("id") == "install"  # nothing runs before it
    assert scripts[0]["run"] == INSTALL_BASE
    assert [step for step in scripts if "pip" in step["run"]] == scripts[:1]


def test_no_step_runs_code_from_the_pull_request():
    """Every command is the base's agenda or mkdocs (from $RUNNER_TEMP/agenda/bin, put on
    PATH by the install step), given the pull request as data, or a plain file command; no
    step runs inside pull-request/ (`python -m` would import its modules) and none installs
    from it."""
    for step in runs(PULL_REQUEST):
        assert "working-directory" not in step and "shell" not in step
        if step.get("id") == "install":
            continue
        for line in step["run"].strip().splitlines():
            command = line.split()[0]
            assert command in {"agenda", "mkdocs", "cp", "rm"}, line
            assert "pull-request/" not in line or command in {"cp"}, line
            if command == "agenda":
                assert "--root pull-request" in line, line
            if command == "mkdocs":
                assert "--config-file preview/mkdocs.yml" in line, line
        assert "pip install" not in step["run"] and "python" not in step["run"]


def test_the_preview_uses_the_bases_site_configuration():
    (preview,) = [step for step in runs(PULL_REQUEST) if "mkdocs build" in step["run"]]
    assert preview["run"].splitlines() == [
        "cp -R pull-request preview",
        "rm -rf preview/mkdocs.yml preview/docs preview/overrides",
        "cp -R base/mkdocs.yml base/docs base/overrides preview/",
        'mkdocs build --strict --config-file preview/mkdocs.yml --site-dir "$GITHUB_WORKSPACE/site"',
    ]


def test_python_and_the_commands_the_workflows_promise():
    pull_request = [step for _, step in steps(load(PULL_REQUEST))]
    scripts = [step["run"] for step in pull_request if "run" in step]
    assert "agenda check --root pull-request --format github" in scripts  # warnings never block
    assert 'agenda check --root pull-request --format github --base "origin/${BASE_REF}"' in scripts
    assert 'agenda codeowners --root pull-request --check --base "origin/${BASE_REF}"' in scripts
    summary = pull_request[-1]
    assert summary["run"] == 'agenda summary --root pull-request --base "origin/${BASE_REF}" >> "$GITHUB_STEP_SUMMARY"'
    assert "always()" in summary["if"] and "steps.install.outcome == 'success'" in summary["if"]
    for step in pull_request:
        if "BASE_REF" in step.get("run", ""):
            assert step["env"] == {"BASE_REF": "${{ github.base_ref }}"}
    upload = next(step for step in pull_request if step.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["with"]["path"].rstrip("/") == "site" and upload["with"]["retention-days"] == 7

    publish = [step for _, step in steps(load(PUBLISH))]
    assert [step["run"] for step in publish if "run" in step] == [
        "python -m pip install --require-hashes --requirement requirements/lock.txt\n"
        "python -m pip install --no-deps --no-build-isolation .\n",
        "agenda check", SNAPSHOT, "mkdocs build --strict"]
    pages = next(step for step in publish if step.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert pages["with"]["path"] == "site"
    assert any(step.get("uses", "").startswith("actions/configure-pages@") for step in publish)

    for step in pull_request + publish:
        if step.get("uses", "").startswith("actions/setup-python@"):
            assert step["with"] == {"python-version": "3.11"}


SNAPSHOT = 'agenda github-snapshot --repo "$GITHUB_REPOSITORY" --out build/github-snapshot.json'


def test_publish_refreshes_the_github_snapshot_on_a_schedule_and_never_fails_for_it():
    """The snapshot step gets the read-only token in its own env, writes where the site reads
    (agenda.contribute.github_snapshot.DEFAULT_PATH) and cannot stop publishing; a schedule keeps the
    proposals under review and their 👍 current between merges."""
    from agenda.contribute.github_snapshot import DEFAULT_PATH

    workflow = load(PUBLISH)
    (cron,) = workflow["on"]["schedule"]
    minute, hour, *rest = cron["cron"].split()
    assert minute.isdigit() and hour.startswith("*/") and rest == ["*", "*", "*"]
    (step,) = [s for _, s in steps(workflow) if s.get("run") == SNAPSHOT]
    assert step["env"] == {"GITHUB_TOKEN": "${{ github.token }}"} and step["continue-on-error"] is True
    assert SNAPSHOT.endswith(f"--out {DEFAULT_PATH}")
    assert [s for _, s in steps(workflow) if "GITHUB_TOKEN" in str(s.get("env", ""))] == [step]


def test_dependabot_waits_a_week_before_proposing_a_release():
    config = yaml.safe_load((ROOT / ".github" / "dependabot.yml").read_text(encoding="utf-8"))
    ecosystems = {u["package-ecosystem"]: u for u in config["updates"]}
    assert set(ecosystems) == {"github-actions", "pip"}
    for name, update in ecosystems.items():
        assert update["cooldown"]["default-days"] >= 7, name
        assert all(days >= 7 for days in update["cooldown"].values()), name


# --- the pull-request job, run on temporary repositories (tests/workflow_runner.py) ----------

MAIN = ["event.yaml", "themes", "proposals", "mkdocs.yml", "docs", "overrides", "schema", ".github", "scripts",
        "pyproject.toml", "README.md", "LICENSE", "LICENSE-CONTENT.md", "requirements", ".gitignore"]
GOOD, BAD = "workflow-test-good-session", "workflow-test-unknown-theme"
ALWAYS_PASSES = "import sys\n\n\ndef run():\n    sys.exit(0)\n"


def pick_base_proposal() -> Path:
    """An existing proposal still `proposed`, without a schedule (so no room conflict)."""
    for path in sorted((ROOT / "proposals").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if data.get("status") == "proposed" and "schedule" not in data:
            return path
    raise AssertionError("no proposed, unscheduled proposal to copy")


def variant(source: str, title: str, first_theme: str | None = None) -> str:
    text, n = re.subn(r"(?m)^title: .*$", f'title: "{title}"', source, count=1)
    assert n == 1
    if first_theme:
        text, n = re.subn(r"(?m)^(themes:\n\s+- )\S+", rf"\g<1>{first_theme}", text, count=1)
        assert n == 1, "the copied proposal lists its themes as a block list"
    return text


class PullRequest:
    """A bare `origin` whose main is a copy of this repository (tooling included), and the
    author's clone on the branch `propose`, published as pull request #1."""

    def __init__(self, tmp: Path):
        self.tmp, self.author, self.origin = tmp, tmp / "author", tmp / "origin.git"
        copy_repo(self.author, MAIN)
        git(self.author, "init", "-q", "-b", "main")
        git(self.author, "add", "-A")
        git(self.author, "commit", "-q", "-m", "The programme and its tooling")
        git(tmp, "init", "-q", "--bare", "-b", "main", str(self.origin))
        git(self.author, "push", "-q", str(self.origin), "main")
        git(self.author, "checkout", "-q", "-b", "propose")
        self.runs = 0

    def write(self, path: str, text: str):
        target = self.author / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")

    def propose(self, name: str, first_theme: str | None = None):
        source = pick_base_proposal().read_text(encoding="utf-8")
        self.write(f"proposals/{name}.yaml", variant(source, f"Workflow test session {name}", first_theme))

    def run(self, workflow: dict | None = None):
        git(self.author, "add", "-A")
        git(self.author, "commit", "-q", "--allow-empty", "-m", "Change the pull request")
        publish_pull_request(self.author, self.origin, "propose")
        self.runs += 1
        return run_job(workflow or load(PULL_REQUEST), self.origin, self.tmp / f"run-{self.runs}")


@pytest.fixture
def pull_request(tmp_path):
    return PullRequest(tmp_path)


def annotations(step) -> list:
    return [line for line in step["stdout"].splitlines() if line.startswith("::")]


CHECK = "agenda check --root pull-request --format github"


@pytest.mark.slow
def test_a_bad_proposal_is_annotated_and_the_summary_still_written(pull_request):
    pull_request.propose(GOOD)
    pull_request.propose(BAD, first_theme="no-such-theme")
    run = pull_request.run()
    check = run.step(CHECK)
    assert check["code"] == 1, check["stderr"]
    errors = annotations(check)
    assert errors and all(re.match(rf"::error file=proposals/{BAD}\.yaml,line=\d+,col=\d+,title=[^:]*::", line)
                          for line in errors), errors
    assert any("unknown-theme" in line and "no-such-theme" in line for line in errors), errors
    assert GOOD not in check["stdout"]
    assert [s["run"] for s in run.failed] == [CHECK]  # nothing else failed
    after = run.steps[run.steps.index(check) + 1:]
    assert [s["run"] for s in after] == [load(PULL_REQUEST)["jobs"]["check"]["steps"][-1]["run"]]  # the summary
    text = run.summary.read_text(encoding="utf-8")
    assert f"`{GOOD}`" in text and f"`{BAD}`" in text
    assert "Outside the programme" not in text  # only proposals: no maintainers' notice


@pytest.mark.slow
def test_a_pull_request_that_replaces_the_tooling_with_one_that_always_passes_still_fails(pull_request):
    """The required proof: the base branch's agenda runs, not the pull request's."""
    pull_request.propose(BAD, first_theme="no-such-theme")
    pull_request.write("scripts/agenda/cli.py", ALWAYS_PASSES)
    pull_request.write("scripts/agenda/__main__.py", "raise SystemExit(0)\n")
    run = pull_request.run()
    check = run.step(CHECK)
    assert check["code"] == 1, run.report()
    assert any(f"file=proposals/{BAD}.yaml" in line and "unknown-theme" in line for line in annotations(check))
    text = run.summary.read_text(encoding="utf-8")
    assert "**Maintainers must review this pull request**" in text
    assert "- `scripts/agenda/cli.py` (tooling)" in text and "- `scripts/agenda/__main__.py` (tooling)" in text


@pytest.mark.slow
def test_the_same_pull_request_would_pass_if_the_workflow_ran_its_tooling(pull_request):
    """The control for the test above: the runner really installs what the workflow names, so
    a workflow that installed the pull request's own code would be fooled."""
    pull_request.propose(BAD, first_theme="no-such-theme")
    pull_request.write("scripts/agenda/cli.py", ALWAYS_PASSES)
    workflow = load(PULL_REQUEST)
    install = next(s for s in workflow["jobs"]["check"]["steps"] if s.get("id") == "install")
    install["run"] = install["run"].replace("--no-build-isolation ./base", "--no-build-isolation ./pull-request")
    run = pull_request.run(workflow)
    check = run.step(CHECK)
    assert check["code"] == 0 and check["stdout"] == "", "the forged tooling did not run"


def themes_and_reviewers(repo: Path, proposal: str):
    data = yaml.safe_load((repo / "proposals" / f"{proposal}.yaml").read_text(encoding="utf-8"))
    themes = {theme: yaml.safe_load((repo / "themes" / f"{theme}.yaml").read_text(encoding="utf-8"))
              for theme in data["themes"]}
    return data, themes


HOOK = """\
import os, pathlib
pathlib.Path(os.environ["RUNNER_TEMP"], "pull-request-code-ran").write_text("yes")
"""


@pytest.mark.slow
def test_a_good_pull_request_passes_runs_none_of_its_code_and_asks_the_bases_reviewers(pull_request):
    """Adds a proposal, removes one and gives a theme a new reviewer without touching
    CODEOWNERS (a contributor cannot); also adds a mkdocs hook and modules that
    `python -m` would import from the checkout. Everything passes, nothing of it runs."""
    repo = pull_request.author
    pull_request.propose(GOOD)
    data, themes = themes_and_reviewers(repo, GOOD)
    removed = next(p for p in sorted((repo / "proposals").glob("*.yaml")) if p.stem != GOOD)
    removed.unlink()
    theme_file = repo / "themes" / f"{data['themes'][0]}.yaml"
    theme_file.write_text(theme_file.read_text(encoding="utf-8").replace(
        "reviewers:\n", "reviewers:\n  - my-friend\n", 1), encoding="utf-8")
    pull_request.write("mkdocs.yml", (repo / "mkdocs.yml").read_text(encoding="utf-8") + "hooks:\n  - hook.py\n")
    pull_request.write("hook.py", HOOK)
    for package in ("pagefind", "agenda", "mkdocs"):  # `python -m <package>` in the checkout would run these
        pull_request.write(f"{package}/__init__.py", HOOK)
        pull_request.write(f"{package}/__main__.py", HOOK)
    run = pull_request.run()

    assert run.failed == [], run.report()
    assert [s["run"].split()[0] for s in run.steps][-1] == "agenda"  # the summary ran last
    assert not (run.workspace.parent / "runner-temp" / "pull-request-code-ran").exists()
    site = run.workspace / "site"
    assert (site / "index.html").is_file()  # what the artifact upload would send
    assert list(site.rglob(f"*{GOOD}*")) and not list(site.rglob(f"*{removed.stem}*"))

    text = run.summary.read_text(encoding="utf-8")
    assert f"`{GOOD}`" in text and f"`{removed.stem}`" in text
    for theme_id, theme in themes.items():
        assert f"`{theme_id}`" in text
        for reviewer in theme["reviewers"]:
            assert f"@{reviewer}" in text, f"reviewer {reviewer} is not in the summary:\n{text}"
    assert "my-friend" not in text  # named by the pull request itself
    assert f"- `themes/{data['themes'][0]}.yaml`" in text.split("### Themes changed (1)", 1)[1]
    assert "- `mkdocs.yml` (tooling)" in text and "- `hook.py`" in text


# --- the settings the whole model depends on, written down ---------------------------------------

SETTINGS = {  # what each language's text must name, in its own words
    "README.md": ["require a pull request", "review from Code Owners", "dismiss stale approvals",
                  "most recent reviewable push", "Check the programme and build a preview", "block force pushes",
                  "squash merges only", "outside collaborators", "`github-pages`", "write access"],
    "CONTRIBUTING.md#fr": ["*pull request* obligatoire", "relecture des *code owners*", "approbations périmées",
                           "dernier *push*", "Check the programme and build a preview", "*force push* interdit",
                           "*squash* seulement", "contributeurs extérieurs", "`github-pages`", "accès en écriture"],
    "CONTRIBUTING.md#en": ["pull request required", "Code Owners' review", "stale approvals dismissed",
                           "most recent push", "Check the programme and build a preview", "no force push",
                           "squash merges only", "outside collaborators", "`github-pages`", "write access"],
}


def settings_text(where: str) -> str:
    name, _, lang = where.partition("#")
    text = (ROOT / name).read_text(encoding="utf-8")
    if name == "README.md":
        return text.split("## Repository settings", 1)[1].split("\n## ", 1)[0]
    french, english = text.split("\n## English\n", 1)
    part = french if lang == "fr" else english
    heading = "### Réglages du dépôt" if lang == "fr" else "### Repository settings"
    return part.split(heading, 1)[1].split("\n### ", 1)[0]


@pytest.mark.parametrize("where", sorted(SETTINGS))
def test_the_repository_settings_are_written_down_with_what_breaks(where):
    text = settings_text(where)
    for setting in SETTINGS[where]:
        assert setting in text, f"{where}: {setting!r} is not written down"
    breaks = "what breaks without it" if where == "README.md" else (
        "ce qui casse sans lui" if where.endswith("fr") else "what breaks without it")
    assert breaks in text
    assert text.count("sinon" if where.endswith("fr") else "otherwise") >= 7 or where == "README.md"


# --- the issue bot: an issue becomes a pull request (issue-to-pull-request.yml) --------------------

EVENTS = ROOT / "tests" / "fixtures" / "github" / "events"
CONVERT = 'agenda from-issue --event "$GITHUB_EVENT_PATH" --reply "$RUNNER_TEMP/reply"'
OPEN_PR = 'agenda issue-to-pr --reply "$RUNNER_TEMP/reply"'
INSTALL_MAIN = INSTALL_BASE.replace("base/requirements/lock.txt", "requirements/lock.txt").replace("./base", ".")


def test_the_issue_bot_starts_only_on_its_label_with_write_rights_in_its_job_only():
    from agenda.contribute.issue_bot import TRIGGER_LABEL

    workflow = load(ISSUE)
    assert workflow["on"] == {"issues": {"types": ["labeled"]}}
    assert workflow["permissions"] == {}
    (job,) = workflow["jobs"].values()
    assert job["if"] == f"github.event.label.name == '{TRIGGER_LABEL}'"
    assert job["permissions"] == {"contents": "write", "pull-requests": "write", "issues": "write"}
    assert workflow["concurrency"] == {"group": "issue-to-pull-request-${{ github.event.issue.number }}",
                                       "cancel-in-progress": False}


def test_the_issue_bot_runs_mains_tooling_and_gives_the_token_to_its_last_step_only():
    """The issue's text never enters an expression (it is read from the event file); the step
    that reads it holds no token; the step with the token is the last, and runs our code only."""
    lines = ISSUE.read_text(encoding="utf-8").splitlines()
    code = "\n".join(line for line in lines if not line.lstrip().startswith("#"))
    expressions = re.findall(r"\$\{\{(.*?)\}\}", code)
    assert sorted(e.strip() for e in expressions) == ["github.event.issue.number", "github.token"]
    (job,) = load(ISSUE)["jobs"].values()
    (checkout,) = checkouts(ISSUE)
    assert checkout["with"] == {"persist-credentials": False, "fetch-depth": 1}  # the default branch
    scripts = [step for step in job["steps"] if "run" in step]
    assert [step["run"].strip() for step in scripts[1:]] == [CONVERT, OPEN_PR]
    assert scripts[0].get("id") == "install" and scripts[0]["run"] == INSTALL_MAIN
    convert, open_pr = scripts[1:]
    assert "env" not in convert and convert["continue-on-error"] is True  # problems are answered next
    assert open_pr == job["steps"][-1] and open_pr["env"] == {"GH_TOKEN": "${{ github.token }}"}
    assert [step for step in job["steps"] if "env" in step] == [open_pr]


class IssueBot:
    """A bare `origin` whose main is this repository, a fake `gh` first on PATH that records
    every call it would send to GitHub, and the issue workflow's job run on an event."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.repo = PullRequest(tmp / "repo")
        self.bin, self.log = tmp / "fake-bin", tmp / "gh-calls.jsonl"
        self.bin.mkdir()
        gh = self.bin / "gh"
        gh.write_text(f"#!/bin/sh\nexec {sys.executable} {ROOT / 'tests' / 'fake_gh.py'} \"$@\"\n")
        gh.chmod(0o755)
        self.runs = 0

    def run(self, event: dict, answers: dict | None = None, workflow: dict | None = None):
        self.runs += 1
        self.log.write_text("")
        answers_file = self.tmp / f"answers-{self.runs}.json"
        answers_file.write_text(json.dumps(answers or {}))
        run = run_job(workflow or load(ISSUE), self.repo.origin, self.tmp / f"run-{self.runs}", event=event,
                      event_name="issues", extra_path=[self.bin],
                      extra_env={"FAKE_GH_LOG": str(self.log), "FAKE_GH_ANSWERS": str(answers_file)})
        calls = [json.loads(line) for line in self.log.read_text().splitlines()]
        return run, calls

    def status(self, run) -> list:
        return git(run.workspace, "status", "--porcelain", "--untracked-files=all").splitlines()


@pytest.fixture
def bot(tmp_path):
    return IssueBot(tmp_path)


def event(fixture: str, label: str | None = None) -> dict:
    data = json.loads((EVENTS / fixture).read_text(encoding="utf-8"))
    if label is not None:
        data["label"]["name"] = label
    return data


def as_html(markdown: str) -> str:
    """How GitHub would render a comment: Markdown with raw HTML allowed (GitHub keeps some)."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)


def assert_inert(comment: str):
    """No mention, link, reference, HTML or workflow command that the issue's author wrote."""
    for raw in ("@everyone", "@octocat", "<img", "<script", "<b>", "##[", "javascript:", "](", "#1"):
        assert raw not in comment, raw
    assert not re.search(r"https?://|www\.", comment)
    html = as_html(comment)
    assert not re.search(r"<(?!/?(?:p|ul|li|strong|code|hr)>)", html), html


@pytest.mark.slow
def test_a_hostile_issue_becomes_one_proposal_file_and_one_pull_request(bot):
    """The recorded event: a title aiming at .github/workflows, `${{ }}` expressions, command
    substitutions that would touch a canary file, YAML that tries to schedule itself, HTML and
    mentions. One file is written, under proposals/; GitHub receives exactly a branch, that file,
    a pull request and one French answer; nothing the issue wrote ran."""
    issue = event("issue-labeled-hostile.json")
    run, calls = bot.run(issue)
    assert not run.skipped and run.failed == [], run.report()
    assert run.step(CONVERT)["code"] == 0, run.step(CONVERT)["stderr"]
    (line,) = bot.status(run)
    assert re.fullmatch(r"\?\? proposals/[a-z0-9-]+\.yaml", line), line
    path = line[3:]
    ident = Path(path).stem
    assert ident == "github-workflows-x-github-token-touch-runner-temp-injected"
    assert not (run.workspace.parent / "runner-temp" / "injected").exists()  # no command of the issue ran

    assert [(c["method"], c["path"]) for c in calls] == [
        ("POST", "git/refs"), ("PUT", f"contents/{path}"), ("POST", "pulls"), ("POST", "issues/42/comments")]
    assert all(c["token"] and c["repo"] == "example-org/agenda" for c in calls)
    ref, put, pull, comment = (c["body"] for c in calls)
    main = git(bot.repo.origin, "rev-parse", "main").strip()
    assert ref == {"ref": "refs/heads/proposal-from-issue-42", "sha": main}
    assert set(put) == {"message", "content", "branch"} and put["branch"] == "proposal-from-issue-42"  # no "sha":
    sent = base64.b64decode(put["content"])  # the API refuses to replace an existing file
    assert sent == (run.workspace / path).read_bytes()
    from agenda.check.load import load_bytes

    data = load_bytes(path, sent)[0].data
    title = issue["issue"]["body"].split("### Title / Titre\r\n\r\n", 1)[1].split("\r\n", 1)[0]
    assert data["title"] == title and "${{ github.token }}" in data["title"]  # kept as text, never expanded
    assert data["status"] == "proposed" and "schedule" not in data and data["recording"] == "not-allowed"
    assert "fake-workflow-token" not in json.dumps(calls)
    assert pull["head"] == "proposal-from-issue-42" and pull["base"] == "main"
    assert pull["title"] == f"Proposal: {title}"
    assert pull["body"].startswith("Closes #42\n") and "@contributor-example" in pull["body"]
    assert comment["body"].startswith("Merci ! Votre proposition est maintenant la pull request #44.")
    assert f"`{path}`" in comment["body"]


@pytest.mark.slow
def test_an_issue_with_problems_gets_them_escaped_in_its_language_and_nothing_else(bot):
    run, calls = bot.run(event("issue-labeled-problems.json"))
    assert run.step(CONVERT)["code"] == 1 and run.step(OPEN_PR)["code"] == 0, run.report()
    assert [s["run"] for s in run.failed] == [CONVERT]  # continue-on-error: the answer is the next step's
    assert bot.status(run) == []  # nothing written
    assert [(c["method"], c["path"]) for c in calls] == [
        ("POST", "issues/43/comments"), ("DELETE", "issues/43/labels/accepted-for-review")]
    comment = calls[0]["body"]["body"]
    assert comment.startswith("Thank you for your proposal!")  # the session is in English
    assert "- **Summary**: summary has 18 characters" in comment and "- **Links**: links" in comment
    assert "What to do:" in comment and "accepted-for-review" in comment
    assert "＠octocat" in comment  # the value is shown, as a look-alike that mentions nobody
    assert_inert(comment)


@pytest.mark.slow
def test_another_label_runs_nothing(bot):
    run, calls = bot.run(event("issue-labeled-hostile.json", label="bug"))
    assert run.skipped and run.steps == [] and calls == []
    assert not run.workspace.joinpath("proposals").exists()  # not even checked out


@pytest.mark.slow
def test_the_label_added_again_finds_the_pull_request_and_opens_no_other(bot):
    answers = {"POST git/refs": {"code": 1, "body": {"message": "Reference already exists"}},
               "GET pulls": {"code": 0, "body": [{"number": 44}]}}
    run, calls = bot.run(event("issue-labeled-hostile.json"), answers)
    assert run.failed == [], run.report()
    assert [(c["method"], c["path"].split("?")[0]) for c in calls] == [
        ("POST", "git/refs"), ("GET", "pulls"), ("POST", "issues/42/comments")]
    assert calls[1]["path"] == "pulls?head=example-org:proposal-from-issue-42&state=all&per_page=1"
    assert "#44" in calls[2]["body"]["body"]


@pytest.mark.slow
def test_the_canary_would_catch_an_interpolated_issue(bot):
    """The control for the tests above: a workflow that pasted the issue's title into a script,
    as `${{ github.event.issue.title }}` does, runs the issue's command (the runner substitutes
    expressions as GitHub does), and the canary file appears."""
    workflow = load(ISSUE)
    convert = next(s for s in workflow["jobs"]["propose"]["steps"] if s.get("id") == "convert")
    convert["run"] = 'echo "Converting ${{ github.event.issue.title }}"\n' + convert["run"]
    run, _ = bot.run(event("issue-labeled-hostile.json"), workflow=workflow)
    assert (run.workspace.parent / "runner-temp" / "injected").exists()
