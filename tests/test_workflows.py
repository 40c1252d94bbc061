"""The GitHub workflows: valid, safe by construction, and doing what they say.

Pull requests come from strangers, so the workflows are checked three ways: against GitHub's
workflow schema (check-jsonschema), by zizmor's security audits, and rule by rule here. Then
the pull-request workflow's own `run:` scripts, read from the YAML, are executed in order on a
temporary clone holding one good and one bad proposal, and what a contributor and a reviewer
would see (the annotations, the job summary) is checked.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, copy_repo

WORKFLOWS = ROOT / ".github" / "workflows"
PULL_REQUEST = WORKFLOWS / "pull-request.yml"
PUBLISH = WORKFLOWS / "publish.yml"
ALL = [PULL_REQUEST, PUBLISH]
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
        [str(zizmor), "--offline", "--no-progress", "--persona", "regular", "--format", "json",
         str(WORKFLOWS)],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )
    findings = json.loads(result.stdout or "[]")
    assert findings == [], json.dumps(findings, indent=2)
    assert result.returncode == 0, result.stderr


# --- safe by construction: rule by rule -----------------------------------------------------


def test_the_pull_request_workflow_runs_on_pull_request_only():
    assert set(load(PULL_REQUEST)["on"]) == {"pull_request"}


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
    assert set(workflow["on"]) == {"push", "workflow_dispatch"}
    assert workflow["on"]["push"] == {"branches": ["main"]}
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    assert set(build["permissions"].values()) == {"read"}
    assert build["permissions"]["contents"] == "read"
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


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.name)
def test_checkout_leaves_no_credentials_and_fetches_history(path):
    checkouts = [step for _, step in steps(load(path)) if step.get("uses", "").startswith("actions/checkout@")]
    assert checkouts
    for step in checkouts:
        assert step["with"]["persist-credentials"] is False
        assert step["with"]["fetch-depth"] == 0  # --base and the feed's dates need history


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


def test_python_and_the_commands_the_workflows_promise():
    pull_request = [step for _, step in steps(load(PULL_REQUEST))]
    runs = [step["run"] for step in pull_request if "run" in step]
    assert runs[0] == "python -m pip install -e ."
    assert 'agenda check --format github --strict' in runs
    assert any(re.fullmatch(r'agenda check (--format github )?--base "origin/\$\{BASE_REF\}"', r) for r in runs)
    assert "agenda codeowners --check" in runs
    assert "mkdocs build --strict" in runs
    summary = pull_request[-1]
    assert summary["run"] == 'agenda summary --base "origin/${BASE_REF}" >> "$GITHUB_STEP_SUMMARY"'
    assert "always()" in summary["if"]
    for step in pull_request:
        if "BASE_REF" in step.get("run", ""):
            assert step["env"] == {"BASE_REF": "${{ github.base_ref }}"}
    upload = next(step for step in pull_request if step.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["with"]["path"].rstrip("/") == "site" and upload["with"]["retention-days"] == 7

    publish = [step for _, step in steps(load(PUBLISH))]
    assert [step["run"] for step in publish if "run" in step] == [
        "python -m pip install -e .", "agenda check --strict", "mkdocs build --strict"]
    pages = next(step for step in publish if step.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert pages["with"]["path"] == "site"
    assert any(step.get("uses", "").startswith("actions/configure-pages@") for step in publish)

    for step in pull_request + publish:
        if step.get("uses", "").startswith("actions/setup-python@"):
            assert step["with"] == {"python-version": "3.11"}


# --- the pull-request workflow, run on a temporary clone ----------------------------------

# The values GitHub puts into the `env:` expressions of a pull request against main.
EXPRESSIONS = {"github.base_ref": "main"}
DATA = ["event.yaml", "themes", "proposals", "mkdocs.yml", "docs", "overrides", "schema", ".github"]
GOOD, BAD = "workflow-test-good-session", "workflow-test-unknown-theme"
GIT_ENV = {"GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "t@example.org",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def git(repo, *args):
    result = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, timeout=120,
                            env={**os.environ, **GIT_ENV})
    assert result.returncode == 0, f"git {' '.join(args)}: {result.stderr}"
    return result.stdout


def agenda_has(command: str) -> bool:
    """True if this `agenda` offers the command (`agenda <command> --help` exits 0)."""
    result = subprocess.run([sys.executable, "-m", "agenda", command, "--help"],
                            capture_output=True, text=True, timeout=60)
    return result.returncode == 0


def expand(value: str) -> str:
    def one(match):
        key = match.group(1).strip()
        assert key in EXPRESSIONS, f"the test does not know the value of ${{{{ {key} }}}}"
        return EXPRESSIONS[key]
    return re.sub(r"\$\{\{(.*?)\}\}", one, str(value))


class Run:
    """One run of the job: each step's outcome and output, in order."""

    def __init__(self):
        self.steps: list[dict] = []
        self.skipped: dict[str, str] = {}

    def step(self, fragment: str) -> dict:
        found = [s for s in self.steps if fragment in s["run"]]
        assert len(found) == 1, f"{fragment!r} ran {len(found)} times"
        return found[0]

    @property
    def failed(self):
        return [s for s in self.steps if s["code"] != 0]


def run_pull_request_job(repo: Path, summary: Path) -> Run:
    """Execute the `run:` scripts of the pull-request job in order, as the runner does:
    bash -eo pipefail, the step's `env:`, GITHUB_STEP_SUMMARY; once a step fails, only steps
    whose `if:` has always() run. `uses:` steps are not run: the clone is already checked out,
    Python is this interpreter, and the artifact upload needs GitHub. The install step is not
    run either: this environment already has agenda installed from this repository, and
    reinstalling it from the clone would repoint the developer's editable install."""
    workflow = load(PULL_REQUEST)
    (job,) = workflow["jobs"].values()
    run, failed = Run(), False
    path = str(BIN) + os.pathsep + os.environ.get("PATH", "")
    for step in job["steps"]:
        if "run" not in step:
            continue
        script = step["run"]
        if script.startswith("python -m pip install"):
            continue
        condition = str(step.get("if", ""))
        if failed and "always()" not in condition:
            continue
        command = re.match(r"agenda (\S+)", script)
        if command and not agenda_has(command.group(1)):
            run.skipped[script] = f"`agenda {command.group(1)} --help` fails: the command is not there yet"
            continue
        env = {**os.environ, "PATH": path, "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_ACTIONS": "true",
               "CI": "true", **{k: expand(v) for k, v in step.get("env", {}).items()}}
        result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
                                cwd=repo, env=env, capture_output=True, text=True, timeout=600)
        run.steps.append({"name": step.get("name", ""), "run": script, "if": condition, "code": result.returncode,
                          "stdout": result.stdout, "stderr": result.stderr})
        failed = failed or result.returncode != 0
    return run


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


@pytest.fixture
def pull_request_clone(tmp_path):
    """main: a copy of this repository's programme and site, pushed to a bare `origin`;
    checked out: a branch adding one good and one bad (unknown theme) proposal."""
    repo, origin = tmp_path / "clone", tmp_path / "origin.git"
    copy_repo(repo, DATA)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "The programme")
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(origin))
    git(repo, "remote", "add", "origin", str(origin))
    git(repo, "push", "-q", "origin", "main")
    git(repo, "fetch", "-q", "origin")
    git(repo, "checkout", "-q", "-b", "propose-two-sessions")

    source = pick_base_proposal().read_text(encoding="utf-8")
    (repo / "proposals" / f"{GOOD}.yaml").write_text(
        variant(source, "Zebra crossings and xylophones: mapping quiet streets together"), encoding="utf-8")
    (repo / "proposals" / f"{BAD}.yaml").write_text(
        variant(source, "Lighthouse keepers audit harbour budgets", first_theme="no-such-theme"), encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Propose two sessions")
    return repo


def themes_and_reviewers(repo: Path, proposal: str):
    data = yaml.safe_load((repo / "proposals" / f"{proposal}.yaml").read_text(encoding="utf-8"))
    themes = {}
    for theme in data["themes"]:
        doc = yaml.safe_load((repo / "themes" / f"{theme}.yaml").read_text(encoding="utf-8"))
        themes[theme] = doc
    return data, themes


@pytest.mark.slow
def test_the_pull_request_workflow_annotates_the_bad_proposal_and_summarises(pull_request_clone, tmp_path):
    repo = pull_request_clone

    # 1. As opened: the strict check fails and points at the bad file only.
    summary = tmp_path / "summary-1.md"
    first = run_pull_request_job(repo, summary)
    check = first.step("agenda check --format github --strict")
    assert check["code"] == 1, check["stderr"]
    errors = [line for line in check["stdout"].splitlines() if line.startswith("::")]
    assert errors and all(line.startswith("::error ") for line in errors), check["stdout"]
    assert all(re.match(rf"::error file=proposals/{BAD}\.yaml,line=\d+,col=\d+,title=[^:]*::", line)
               for line in errors), errors
    assert any("unknown-theme" in line and "no-such-theme" in line for line in errors), errors
    assert GOOD not in check["stdout"]
    assert [s["run"] for s in first.failed] == [check["run"]]  # nothing else failed
    after = first.steps[first.steps.index(check) + 1:]
    assert all("always()" in s["if"] for s in after), after  # only always() steps ran
    if not any("agenda summary" in script for script in first.skipped):  # reviewers see it anyway
        text = summary.read_text(encoding="utf-8")
        assert GOOD in text and BAD in text, text

    # 2. Fixed: every step passes, the site is built, the summary names both proposals.
    bad = repo / "proposals" / f"{BAD}.yaml"
    good_data, _ = themes_and_reviewers(repo, GOOD)
    bad.write_text(bad.read_text(encoding="utf-8").replace("no-such-theme", good_data["themes"][0]), encoding="utf-8")
    git(repo, "commit", "-q", "-am", "Fix the theme")
    summary = tmp_path / "summary-2.md"
    second = run_pull_request_job(repo, summary)
    # No workaround: a pull request that adds proposals passes without touching CODEOWNERS
    # (new proposals fall back to /proposals/, the committee, until a maintainer regenerates it).
    assert second.failed == [], "\n\n".join(f"$ {s['run']}\n{s['stdout']}{s['stderr']}" for s in second.failed)
    ran = [s["run"] for s in second.steps]
    assert "agenda check --format github --strict" in ran
    assert "mkdocs build --strict" in ran
    assert (repo / "site" / "index.html").is_file()  # what the artifact upload would send
    assert list((repo / "site").rglob(f"*{GOOD}*")) and list((repo / "site").rglob(f"*{BAD}*"))

    for script, reason in second.skipped.items():
        print(f"skipped: {script}: {reason}")
    if any("agenda summary" in script for script in second.skipped):
        pytest.skip(f"job summary not checked: {second.skipped}")
    text = summary.read_text(encoding="utf-8")
    assert text.strip(), "agenda summary wrote nothing to $GITHUB_STEP_SUMMARY"
    for proposal in (GOOD, BAD):
        data, themes = themes_and_reviewers(repo, proposal)
        assert proposal in text or data["title"] in text, f"{proposal} is not in the summary:\n{text}"
        for theme_id, theme in themes.items():
            names = [theme_id, *theme["name"].values()]
            assert any(name in text for name in names), f"theme {theme_id} is not in the summary:\n{text}"
            for reviewer in theme["reviewers"]:
                assert reviewer in text, f"reviewer {reviewer} is not in the summary:\n{text}"

