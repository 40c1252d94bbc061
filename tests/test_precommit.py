"""The real pre-commit, on a temporary Git repository, says what `agenda check` says."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, run_agenda

BAD_THEME = "themes: [climat]"


def git(repo, *args, env=None):
    return subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def hook_env(tmp_path):
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env["PRE_COMMIT_HOME"] = str(tmp_path / "pre-commit-home")
    env.update(GIT_AUTHOR_NAME="Test", GIT_AUTHOR_EMAIL="t@example.org",
               GIT_COMMITTER_NAME="Test", GIT_COMMITTER_EMAIL="t@example.org")
    return env


def make_git_repo(base_repo, env, config):
    shutil.copy(ROOT / config, base_repo / ".pre-commit-config.yaml")
    assert git(base_repo, "init", "-q", "-b", "main", env=env).returncode == 0
    git(base_repo, "add", "-A", env=env)
    assert git(base_repo, "commit", "-q", "-m", "base", env=env).returncode == 0
    proposal = (base_repo / "proposals" / "second-session.yaml").read_text()
    bad = proposal.replace("themes: [access-to-information]", BAD_THEME).replace("Second fixture", "A bad fixture")
    (base_repo / "proposals" / "bad-theme.yaml").write_text(bad)
    git(base_repo, "add", "-A", env=env)


@pytest.mark.slow
def test_commit_hook_blocks_a_bad_proposal_with_the_same_message(base_repo, hook_env):
    make_git_repo(base_repo, hook_env, ".pre-commit-config.yaml")
    installed = subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=base_repo, env=hook_env,
                               capture_output=True, text=True, timeout=120)
    assert installed.returncode == 0, installed.stderr
    commit = git(base_repo, "commit", "-m", "Propose a session", env=hook_env)
    assert commit.returncode != 0
    expected = run_agenda("check", cwd=base_repo).stdout
    assert "error [unknown-theme]" in expected
    for line in expected.splitlines():
        assert line in commit.stdout + commit.stderr
    assert "Failed" in commit.stdout + commit.stderr


@pytest.mark.slow
def test_published_hook_installs_and_runs_from_this_repository(base_repo, hook_env, tmp_path):
    """`.pre-commit-hooks.yaml` is what other repositories use: pre-commit builds its own
    environment from this repository (pip install from the package registry)."""
    source = tmp_path / "agenda-src"
    skip = shutil.ignore_patterns("__pycache__", "*.egg-info", ".git")

    def ignore(folder, names):  # the built site/ at the root only: scripts/agenda/site/ is code
        return set(skip(folder, names)) | ({".venv", "site"} & set(names) if Path(folder) == ROOT else set())

    shutil.copytree(ROOT, source, ignore=ignore)
    assert git(source, "init", "-q", "-b", "main", env=hook_env).returncode == 0
    git(source, "add", "-A", env=hook_env)
    assert git(source, "commit", "-q", "-m", "snapshot", env=hook_env).returncode == 0
    make_git_repo(base_repo, hook_env, ".pre-commit-config.yaml")
    result = subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(source), "agenda-check", "--all-files"],
                            cwd=base_repo, env=hook_env, capture_output=True, text=True, timeout=600)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "proposals/bad-theme.yaml:4:10: error [unknown-theme] theme 'climat' is not defined in themes/" in output
