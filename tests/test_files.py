"""Repository layout rules: every file in proposals/ and themes/ is read or reported."""

from __future__ import annotations

import os
import shutil

import pytest

from agenda.check.repository import SITE_PAGES, check_repository


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


# --- names a platform or the site itself reserves ----------------------------------------

@pytest.mark.parametrize("folder", ["proposals", "themes"])
@pytest.mark.parametrize("name", ["con", "prn", "aux", "nul", "com1", "com9", "lpt1", "lpt9", "com0", "index"])
def test_reserved_ids_are_bad_file_names(base_repo, folder, name):
    source = next((base_repo / folder).glob("*.yaml"))
    (base_repo / folder / f"{name}.yaml").write_text(source.read_text())
    problems = [p for p in check_repository(base_repo, jobs=1).problems if p.file == f"{folder}/{name}.yaml"]
    assert [p.rule for p in problems if p.rule == "bad-file-name"] == ["bad-file-name"]
    (bad,) = [p for p in problems if p.rule == "bad-file-name"]
    assert repr(name) in bad.message
    assert f"{folder}/{name}-" in bad.hint  # a name to rename it to


@pytest.mark.parametrize("name", ["console", "con-session", "nul1", "com10", "lpt", "indexes", "my-index", "search",
                                  "data", "assets", "programme", "themes", "proposals"])
def test_names_that_only_look_reserved_are_fine(base_repo, name):
    source = base_repo / "proposals" / "second-session.yaml"
    (base_repo / "proposals" / f"{name}.yaml").write_text(
        source.read_text().replace("Second fixture about open data", f"Fixture {name} zq on data"))
    assert rules(base_repo) == []


def test_site_reserved_ids_are_those_whose_page_the_site_cannot_give(base_repo):
    """Derived from the pages the site generates: an id is reserved exactly when its page's
    key is a page of the site already, or MkDocs would not serve it at <folder>/<id>/."""
    from agenda.model import build_agenda
    from agenda.site.pages import proposal_key, render_site, theme_key, url_of

    report = check_repository(base_repo, jobs=1)
    site = render_site(build_agenda(report.event, report.themes, report.proposals))
    own = {proposal_key(p) for p in report.proposals} | {theme_key(t) for t in report.themes}
    fixed = set(site) - own
    segments = {part.removesuffix(".md") for key in site for part in key.split("/")}
    candidates = segments | {"index", "404", "sitemap", "pagefind", "assets", "data", "search", "feed"}
    for folder, key in (("proposals", proposal_key), ("themes", theme_key)):
        clashes = {c for c in candidates if key(c) in fixed or url_of(key(c)) != f"{folder}/{c}/"}
        assert clashes == {c for c in candidates if c in SITE_PAGES}, folder
    assert SITE_PAGES <= candidates


def test_new_proposals_never_get_a_reserved_id(base_repo):
    from agenda.contribute.scaffold import unique_id

    assert unique_id(base_repo, "con") == "con-2"
    assert unique_id(base_repo, "index") == "index-2"
    assert unique_id(base_repo, "console") == "console"


# --- programme folders that are links --------------------------------------------------------

@pytest.mark.parametrize("folder", ["proposals", "themes"])
def test_a_programme_folder_linked_to_a_folder_elsewhere_is_refused(base_repo, tmp_path, folder):
    elsewhere = tmp_path / "elsewhere"
    shutil.move(base_repo / folder, elsewhere)
    (elsewhere / "secret.yaml").write_text("title: the content of another folder\n")
    os.symlink(elsewhere, base_repo / folder)
    report = check_repository(base_repo, jobs=1)
    mine = [p for p in report.problems if p.file == folder]
    assert [(p.rule, p.line) for p in mine] == [("stray-file", 1)]
    assert "is a link to" in mine[0].message and str(elsewhere) in mine[0].message
    assert not any(p.file.startswith(f"{folder}/") for p in report.problems)  # nothing inside is read
    if folder == "proposals":
        assert report.proposals == {}
    else:
        assert report.themes == {}


def test_a_relative_link_inside_the_repository_is_refused_too(base_repo):
    shutil.move(base_repo / "proposals", base_repo / "drafts")
    os.symlink("drafts", base_repo / "proposals")
    report = check_repository(base_repo, jobs=1)
    assert [(p.file, p.rule) for p in report.problems] == [("proposals", "stray-file")]
    assert report.proposals == {}


def test_a_programme_folder_that_is_a_file_is_reported(base_repo):
    shutil.rmtree(base_repo / "proposals")
    (base_repo / "proposals").write_text("not a folder\n")
    assert rules(base_repo) == [("proposals", "stray-file")]


def test_a_linked_event_file_is_refused(base_repo, tmp_path):
    shutil.move(base_repo / "event.yaml", tmp_path / "event.yaml")
    os.symlink(tmp_path / "event.yaml", base_repo / "event.yaml")
    assert ("event.yaml", "missing-file") in rules(base_repo)


def test_a_file_name_that_is_not_utf8_on_disk_is_reported_escaped(base_repo):
    source = base_repo / "proposals" / "second-session.yaml"
    name = os.fsdecode(b"caf\xe9.yaml")
    (base_repo / "proposals" / name).write_bytes(source.read_bytes())
    (problem,) = check_repository(base_repo, jobs=1).problems
    assert problem.rule == "bad-file-name" and problem.file == "proposals/caf\\udce9.yaml"
    assert "not valid UTF-8" in problem.message
    problem.file.encode("utf-8")  # printable anywhere
