"""Runs the pull-request workflow's job the way GitHub's runner does, offline, on temporary
repositories: what tests/test_workflows.py uses to check what contributors and reviewers see.

The emulation, step by step:
- `actions/checkout`: a clone of a bare `origin` holding `main` and, like GitHub,
  `refs/pull/1/head` (the branch) and `refs/pull/1/merge` (the branch merged into main). The
  step's `ref` and `path` are honoured; without `ref`, the merge commit is checked out.
- `actions/setup-python`: `python` is a link to this interpreter; nothing else of this
  environment is on PATH (its `agenda` and `mkdocs` are the developer's, not the base's).
- the install step (`id: install`) is the one step replaced, because the real one downloads
  the locked packages and tests have no network: the same virtual environment path, the
  dependencies taken from this environment, and agenda installed with pip, not editable, from
  the folder the real step names (`--no-deps --no-build-isolation <folder>`). Its
  `$GITHUB_PATH` line is the real one.
- `run:` steps: `bash --noprofile --norc -eo pipefail`, in the workspace, with the step's
  `env:` (expressions expanded from EXPRESSIONS), `$GITHUB_STEP_SUMMARY`, `$GITHUB_PATH`
  (prepended to PATH for later steps), `$RUNNER_TEMP`, `$GITHUB_WORKSPACE`; after a failure
  only steps whose `if:` has always() run.
- `actions/upload-artifact`: not run; the test looks at what it would upload.

For other events (the issue bot's `issues: labeled`), `run_job` takes the event: its payload is
written to `$GITHUB_EVENT_PATH`, `${{ github.event.… }}` expressions are read from it, the job's
`if:` is evaluated (equality with a string, the only form our workflows use), checkouts without
`ref` take the default branch, `continue-on-error: true` is honoured, and `extra_path` puts
folders (a fake `gh` that records what would be sent to GitHub) first on PATH, with
`extra_env` (where it records). The developer's own GitHub tokens never reach a step.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import sysconfig
from pathlib import Path


# The values GitHub puts into the expressions of a pull request against main.
EXPRESSIONS = {"github.base_ref": "main"}
MERGE_REF, HEAD_REF = "refs/pull/1/merge", "refs/pull/1/head"
GIT_ENV = {"GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "t@example.org",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
# The developer's own GitHub tokens never reach a step: a token is what a step's `env:` gives.
_SAFE_ENVIRON = {k: v for k, v in os.environ.items() if k not in ("GH_TOKEN", "GITHUB_TOKEN", "GH_HOST")}
_INSTALL_FROM = re.compile(r"--no-deps --no-build-isolation (\S+)")
_LOCK = re.compile(r"--require-hashes --requirement (\S+)")


def git(repo, *args) -> str:
    result = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, timeout=120,
                            env={**os.environ, **GIT_ENV})
    assert result.returncode == 0, f"git {' '.join(args)}: {result.stderr}"
    return result.stdout


def expand(value, context: dict | None = None) -> str:
    context = EXPRESSIONS if context is None else context

    def one(match):
        key = match.group(1).strip()
        assert key in context, f"the test does not know the value of ${{{{ {key} }}}}"
        return str(context[key])
    return re.sub(r"\$\{\{(.*?)\}\}", one, str(value))


def event_context(event: dict, token: str = "fake-workflow-token") -> dict:
    """The expressions of an event run: every `github.event.…` value of the payload."""
    context = {"github.token": token}

    def walk(prefix, value):
        if isinstance(value, dict):
            for key, item in value.items():
                walk(f"{prefix}.{key}", item)
        else:
            context[prefix] = value
    walk("github.event", event)
    return context


_CONDITION = re.compile(r"(?:\$\{\{)?\s*([\w.-]+)\s*==\s*'([^']*)'\s*(?:\}\})?\Z")


def job_runs(job: dict, context: dict) -> bool:
    """A job's `if:`, for the one form our workflows use: `<expression> == '<text>'`."""
    if "if" not in job:
        return True
    match = _CONDITION.match(str(job["if"]).strip())
    assert match, f"the runner does not evaluate the condition {job['if']!r}"
    return str(context.get(match[1], "")) == match[2]


def publish_pull_request(author: Path, origin: Path, branch: str):
    """Push `branch` as pull request #1 and compute its merge into main, as GitHub does."""
    git(author, "push", "-q", "-f", str(origin), f"{branch}:{HEAD_REF}")
    git(author, "checkout", "-q", "--detach", "main")
    git(author, "merge", "-q", "--no-ff", "-m", "Merge pull request #1", branch)
    git(author, "push", "-q", "-f", str(origin), f"HEAD:{MERGE_REF}")
    git(author, "checkout", "-q", branch)


def offline_install(real_script: str) -> str:
    """The install step without network (see the module's docstring)."""
    source = _INSTALL_FROM.search(real_script)
    lock = _LOCK.search(real_script)
    assert source and lock, f"the install step no longer reads as expected:\n{real_script}"
    assert 'echo "$RUNNER_TEMP/agenda/bin" >> "$GITHUB_PATH"' in real_script
    python = shlex.quote(sys.executable)
    deps = shlex.quote(sysconfig.get_path("purelib"))
    return f"""\
test -f {lock.group(1)}
{python} -m venv --without-pip "$RUNNER_TEMP/agenda"
site="$("$RUNNER_TEMP/agenda/bin/python" -c 'import sysconfig; print(sysconfig.get_path("purelib"))')"
echo {deps} > "$site/_test_environment_dependencies.pth"
{python} -m pip --python "$RUNNER_TEMP/agenda/bin/python" install --quiet --no-index --no-deps \\
    --no-build-isolation {source.group(1)}
printf '#!%s\\nimport sys\\nfrom mkdocs.__main__ import cli\\nsys.exit(cli())\\n' \\
    "$RUNNER_TEMP/agenda/bin/python" > "$RUNNER_TEMP/agenda/bin/mkdocs"
chmod +x "$RUNNER_TEMP/agenda/bin/mkdocs"
echo "$RUNNER_TEMP/agenda/bin" >> "$GITHUB_PATH"
"""


class Run:
    """One run of the job: each step's outcome and output, in order."""

    def __init__(self, workspace: Path, summary: Path):
        self.workspace, self.summary = workspace, summary
        self.steps: list[dict] = []
        self.skipped = False

    def step(self, fragment: str) -> dict:
        """The step whose script is `fragment`, or else the one step that contains it."""
        found = ([s for s in self.steps if s["run"].strip() == fragment]
                 or [s for s in self.steps if fragment in s["run"]])
        assert len(found) == 1, f"{fragment!r} ran {len(found)} times"
        return found[0]

    @property
    def failed(self):
        return [s for s in self.steps if s["code"] != 0]

    def report(self) -> str:
        return "\n\n".join(f"$ {s['run']}\n{s['stdout']}{s['stderr']}" for s in self.failed)


def _checkout(step: dict, workspace: Path, origin: Path, default_ref: str = MERGE_REF, context=None):
    options = step.get("with", {})
    target = workspace / options.get("path", ".")
    ref = expand(options["ref"], context) if "ref" in options else default_ref
    git(workspace, "clone", "-q", "--no-checkout", origin.as_uri(), str(target))
    git(target, "fetch", "-q", "origin", ref)
    git(target, "checkout", "-q", "--detach", "FETCH_HEAD")


def _python_only(tmp: Path) -> str:
    """A folder with `python` (setup-python's), then the system's PATH without this
    environment's own scripts."""
    folder = tmp / "toolcache"
    folder.mkdir(exist_ok=True)
    if not (folder / "python").exists():
        (folder / "python").symlink_to(sys.executable)
    here = str(Path(sys.executable).parent)
    system = [p for p in os.environ.get("PATH", "").split(os.pathsep) if p and p != here]
    return os.pathsep.join([str(folder), *system])


def run_job(workflow: dict, origin: Path, tmp: Path, event: dict | None = None, event_name: str = "pull_request",
            extra_path=(), extra_env: dict | None = None) -> Run:
    """Run the workflow's only job in a fresh workspace: on pull request #1 of `origin`, or on
    `event` (an `issues` payload) against origin's main."""
    (job,) = workflow["jobs"].values()
    tmp.mkdir(parents=True)
    workspace, temp = tmp / "workspace", tmp / "runner-temp"
    workspace.mkdir()
    temp.mkdir()
    run, failed = Run(workspace, tmp / "summary.md"), False
    path = os.pathsep.join([*map(str, extra_path), _python_only(tmp)])
    context, default_ref, event_env = EXPRESSIONS, MERGE_REF, {}
    if event is not None:
        import json

        context, default_ref = event_context(event), "main"
        event_file = tmp / "event.json"
        event_file.write_text(json.dumps(event), encoding="utf-8")
        event_env = {"GITHUB_EVENT_PATH": str(event_file), "GITHUB_EVENT_NAME": event_name,
                     "GITHUB_REPOSITORY": event["repository"]["full_name"]}
    run.skipped = not job_runs(job, context)
    if run.skipped:
        return run
    for number, step in enumerate(job["steps"]):
        uses = step.get("uses", "")
        if uses.startswith("actions/checkout@"):
            _checkout(step, workspace, origin, default_ref, context)
            continue
        if "run" not in step:
            continue  # setup-python: see _python_only; upload-artifact: the test reads site/
        if failed and "always()" not in str(step.get("if", "")):
            continue
        script = offline_install(step["run"]) if step.get("id") == "install" else expand(step["run"], context)
        github_path = tmp / f"github-path-{number}"
        github_path.write_text("")
        env = {**_SAFE_ENVIRON, **(extra_env or {}), **GIT_ENV, "PATH": path, "GITHUB_STEP_SUMMARY": str(run.summary),
               "GITHUB_PATH": str(github_path), "GITHUB_WORKSPACE": str(workspace), "RUNNER_TEMP": str(temp),
               "GITHUB_ACTIONS": "true", "CI": "true", **event_env,
               **{k: expand(v, context) for k, v in step.get("env", {}).items()}}
        result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
                                cwd=workspace, env=env, capture_output=True, text=True, timeout=600)
        run.steps.append({"name": step.get("name", ""), "run": step["run"], "if": str(step.get("if", "")),
                          "code": result.returncode, "stdout": result.stdout, "stderr": result.stderr})
        failed = failed or (result.returncode != 0 and step.get("continue-on-error") is not True)
        added = [line for line in github_path.read_text().splitlines() if line]
        path = os.pathsep.join([*reversed(added), path])
    return run
