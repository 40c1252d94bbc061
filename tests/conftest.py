"""Shared fixtures: a small valid repository to break, and a way to run the real CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BASE = Path(__file__).resolve().parent / "fixtures" / "base"
CASES = Path(__file__).resolve().parent / "cases"


@pytest.fixture(autouse=True, scope="session")
def _english_messages():
    """The CLI speaks the environment's language; the tests read its English messages,
    whatever the machine's locale (tests of other languages pass --lang)."""
    saved = {name: os.environ.pop(name, None) for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")}
    os.environ["LANGUAGE"] = "en"
    yield
    del os.environ["LANGUAGE"]
    os.environ.update({name: value for name, value in saved.items() if value is not None})


@pytest.fixture
def base_repo(tmp_path):
    """A copy of tests/fixtures/base: event.yaml, two themes, two valid proposals."""
    repo = tmp_path / "repo"
    shutil.copytree(BASE, repo)
    return repo


SITE_FILES = ("mkdocs.yml", "docs", "overrides", "event.yaml", "themes", "proposals", "schema")


def copy_repo(target: Path, names=SITE_FILES) -> Path:
    """A copy of this repository's programme and site files (not its Git history)."""
    target.mkdir(parents=True, exist_ok=True)
    for name in names:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        elif source.exists():
            shutil.copy(source, target / name)
    return target


def mkdocs_build(repo: Path, site: Path, *extra, env=None):
    """The real `mkdocs build --strict` of a repository into `site`, in a subprocess."""
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(repo / "mkdocs.yml"),
                           "-d", str(site), *extra], capture_output=True, text=True, timeout=600,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})})


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """This repository's site, built once for the whole session by the real build. Tests
    only read it; one that changes a site works on a copy."""
    out = tmp_path_factory.mktemp("site")
    result = mkdocs_build(ROOT, out)
    assert result.returncode == 0, result.stderr
    return out


def run_agenda(*args, cwd=None, input=None):
    """The real command line, in a subprocess, as a contributor runs it."""
    return subprocess.run(
        [sys.executable, "-m", "agenda", *map(str, args)],
        cwd=cwd, input=input, capture_output=True, text=True, timeout=120,
    )
