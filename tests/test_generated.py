"""A generated programme of 1,000 proposals: the benchmark corpus stays valid, and the
parallel path reports exactly what the serial path reports when problems are planted."""

from __future__ import annotations

import importlib.util
import json

import pytest

from conftest import ROOT, run_agenda


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    spec = importlib.util.spec_from_file_location("generate", ROOT / "benchmarks" / "generate.py")
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    out = tmp_path_factory.mktemp("corpus")
    generate.generate(1000, out, seed=3)
    return out


def test_generated_corpus_is_valid(corpus):
    result = run_agenda("check", "--strict", "--root", corpus)
    assert result.returncode == 0, result.stdout[:2000]
    assert "1,009 files checked, no problems" in result.stderr


def test_parallel_and_serial_agree_on_planted_problems(corpus, tmp_path):
    import shutil

    repo = tmp_path / "repo"
    shutil.copytree(corpus, repo)
    files = sorted((repo / "proposals").glob("*.yaml"))
    # Plant problems spread over the whole list, so that every worker's share has some.
    for n, path in enumerate(files[::97]):
        text = path.read_text(encoding="utf-8")
        planted = {0: ("status: ", "status: maybe-"), 1: ("themes:", "themes:\n  - climat"),
                   2: ("title: ", "title: \"\\u202e\" ")}[n % 3]
        path.write_text(text.replace(planted[0], planted[1], 1), encoding="utf-8")
    serial = run_agenda("check", "--root", repo, "--jobs", "1", "--format", "json")
    parallel = run_agenda("check", "--root", repo, "--jobs", "2", "--format", "json")
    assert serial.returncode == parallel.returncode == 1
    found = json.loads(serial.stdout)
    assert found == json.loads(parallel.stdout)
    assert found["errors"] >= len(files[::97])
    assert all(p["line"] > 1 for p in found["problems"])  # real positions, read again on demand
