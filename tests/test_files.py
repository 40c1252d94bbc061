"""Repository layout rules: every file in proposals/ and themes/ is read or reported."""

from __future__ import annotations

import os

from agenda.repository import check_repository


def rules(repo):
    return sorted((p.file, p.rule) for p in check_repository(repo, jobs=1).problems)


def proposal_text(repo):
    return (repo / "proposals" / "second-session.yaml").read_text()


def test_yml_extension_is_reported_not_ignored(base_repo):
    (base_repo / "proposals" / "new-idea.yml").write_text(proposal_text(base_repo))
    assert rules(base_repo) == [("proposals/new-idea.yml", "stray-file")]


def test_other_files_and_folders_are_reported(base_repo):
    (base_repo / "proposals" / "notes.txt").write_text("hello")
    (base_repo / "proposals" / "sub").mkdir()
    (base_repo / "proposals" / ".gitkeep").write_text("")
    (base_repo / "proposals" / ".hidden-idea.yaml").write_text("title: x\n")
    assert rules(base_repo) == [("proposals/.hidden-idea.yaml", "stray-file"),
                                ("proposals/notes.txt", "stray-file"), ("proposals/sub", "stray-file")]


def test_symlinks_are_refused(base_repo, tmp_path):
    secret = tmp_path / "secret.yaml"
    secret.write_text("password: hunter2\n")
    os.symlink(secret, base_repo / "proposals" / "leak.yaml")
    assert rules(base_repo) == [("proposals/leak.yaml", "stray-file")]


def test_bad_file_names_and_case_collisions(base_repo):
    text = proposal_text(base_repo)
    (base_repo / "proposals" / "Mon Atelier.yaml").write_text(text.replace("Second fixture", "Another fixture"))
    (base_repo / "proposals" / "Second-Session.yaml").write_text(text.replace("Second fixture", "Third fixture"))
    found = rules(base_repo)
    assert ("proposals/Mon Atelier.yaml", "bad-file-name") in found
    assert {("proposals/Second-Session.yaml", "duplicate-id"), ("proposals/second-session.yaml", "duplicate-id")} & set(found)
    hint = [p.hint for p in check_repository(base_repo, jobs=1).problems if p.rule == "bad-file-name"]
    assert "proposals/mon-atelier.yaml" in hint[0]


def test_unreadable_file_is_reported(base_repo):
    path = base_repo / "proposals" / "locked.yaml"
    path.write_text(proposal_text(base_repo))
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):  # root can read anything; make the file a fifo-free dangling case
            path.chmod(0o644)
            path.unlink()
            os.symlink(base_repo / "nowhere.yaml", path)
            assert rules(base_repo) == [("proposals/locked.yaml", "stray-file")]
        else:
            assert rules(base_repo) == [("proposals/locked.yaml", "unreadable-file")]
    finally:
        if path.exists():
            path.chmod(0o644)


def test_invalid_event_does_not_crash_the_rules(base_repo):
    (base_repo / "event.yaml").write_text("name: 3\n")
    found = rules(base_repo)
    assert found and all(f == "event.yaml" for f, _ in found)


def test_a_file_with_several_problems_reports_them_all(base_repo):
    text = proposal_text(base_repo)
    text = text.replace("format: conference", "format: talk").replace("duration: 60", "duration: 61")
    text = text.replace("country: SN", "country: Senegal").replace("status: proposed", "status: maybe")
    (base_repo / "proposals" / "second-session.yaml").write_text(text)
    got = {r for _, r in rules(base_repo)}
    assert got == {"out-of-range", "bad-format", "not-allowed"}


def test_a_line_break_in_a_file_name_cannot_forge_output(base_repo):
    name = "evil\nproposals/x.yaml:1:1: error [forged] ok.yaml".replace("proposals/", "")
    (base_repo / "proposals" / name).write_text("title: x\n")
    (problem,) = check_repository(base_repo, jobs=1).problems
    assert problem.rule == "bad-file-name"
    assert "\n" not in problem.file and problem.file.startswith("proposals/evil\\n")
