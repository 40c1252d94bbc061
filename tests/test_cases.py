"""Each file in tests/cases/ breaks one rule; its first line says which, and where.

A case is dropped into a copy of the small valid repository in tests/fixtures/base
(proposals and themes beside the others, event cases in place of event.yaml), and the
problems reported for that file must be exactly the ones announced: rule, line and column.
"""

from __future__ import annotations

import shutil

import pytest

from agenda.check.catalogue import RULES
from agenda.check.repository import check_repository
from conftest import CASES

CASE_FILES = sorted(CASES.glob("*/*.yaml"))


def expected(case):
    first = case.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect: "), f"{case} must start with '# expect: rule@line:col'"
    if case.parent.name == "valid":
        assert first.startswith("# expect: nothing")
        return set()
    out = set()
    for item in first[len("# expect: "):].split():
        rule, _, where = item.partition("@")
        line, col = where.split(":")
        out.add((rule, int(line), int(col)))
    return out


def place(case, repo):
    folder = {"valid": "proposals"}.get(case.parent.name, case.parent.name)
    if folder == "event":
        target = repo / "event.yaml"
    else:
        target = repo / folder / case.name
    shutil.copy(case, target)
    return target.relative_to(repo).as_posix()


@pytest.mark.parametrize("case", CASE_FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_case_reports_exactly_its_rule(case, base_repo):
    rel = place(case, base_repo)
    report = check_repository(base_repo, jobs=1)
    got = {(p.rule, p.line, p.column) for p in report.problems if p.file == rel}
    assert got == expected(case)
    if case.parent.name == "valid":
        assert report.problems == []
        assert rel.removeprefix("proposals/").removesuffix(".yaml") in report.proposals
    for p in report.problems:
        assert p.rule in RULES
        assert p.message and "\n" not in p.message


def test_every_rule_has_a_case_or_a_dedicated_test():
    """Rules without a case file are tested in test_files.py / test_load.py."""
    elsewhere = {"missing-file", "stray-file", "bad-file-name", "unreadable-file", "file-too-large",
                 "not-utf8", "invalid-value", "status-transition"}  # status-transition: test_review.py
    covered = {rule for case in CASE_FILES for rule, _, _ in expected(case)}
    assert set(RULES) - covered - elsewhere == set()


def test_the_base_fixture_is_clean(base_repo):
    assert check_repository(base_repo, jobs=1).problems == []


def test_the_facts_a_check_keeps_give_the_problems_the_full_data_gives(base_repo):
    """`agenda check` keeps only what the cross-proposal rules read of each proposal
    (`rules.cross_facts`); with every case's proposals side by side (conflicts, near
    duplicates, acknowledgements), it reports exactly what a check keeping everything does."""
    for case in CASE_FILES:
        if case.parent.name in ("proposals", "valid"):
            shutil.copy(case, base_repo / "proposals" / f"{case.parent.name}-{case.name}")
    full = check_repository(base_repo, jobs=1, full=True)
    facts = check_repository(base_repo, jobs=1, full=False)
    cross = {"room-conflict", "proposer-conflict", "near-duplicate-title", "unused-acknowledgement"}
    assert cross <= {p.rule for p in full.problems}
    assert facts.problems == full.problems and facts.acknowledged == full.acknowledged
    assert full.acknowledged


def test_a_check_leaves_the_garbage_collector_as_it_found_it_with_its_objects_aged(base_repo):
    """The check runs without collection passes; afterwards the collector is on again (or
    still off), and the check's objects are in its oldest generation, not its youngest."""
    import gc

    assert gc.isenabled()
    gc.collect()
    report = check_repository(base_repo, jobs=1)
    assert gc.isenabled() and report.proposals
    document = next(iter(report.proposals.values()))
    assert any(o is document for o in gc.get_objects(generation=2))  # not walked by young passes
    gc.disable()
    try:
        check_repository(base_repo, jobs=1)
        assert not gc.isenabled()
    finally:
        gc.enable()
