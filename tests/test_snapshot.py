"""`agenda github-snapshot` and what the site reads from it, against recorded API answers served
on 127.0.0.1 (tests/fake_github_api.py): pagination, hidden and non-proposal pull requests, a
proposal that fails the check, hostile files, the rate limit and outages. No network."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from agenda.contribute import github_snapshot as gs
from agenda.contribute.scaffold import load_context
from conftest import ROOT
from fake_github_api import FIXTURES, FakeGitHub

REPO = "example-org/agenda"
BASE = f"/repos/{REPO}"
PULLS = f"{BASE}/pulls?state=open&sort=created&direction=desc&per_page=100"
ISSUES = f"{BASE}/issues?state=all&sort=created&direction=desc&per_page=100"
TOKEN = "test-token-not-a-secret"
SHA = {n: (f"{n:02d}" * 20)[:40] for n in range(100, 110)}
RATE_LIMITED = {"Date": "Thu, 01 Dec 2016 09:30:00 GMT", "X-RateLimit-Limit": "1000", "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": "1480588200"}


def content(name: str) -> str:
    return (FIXTURES / "contents" / name).read_text(encoding="utf-8")


def snapshot(api, out, token=TOKEN):
    err = io.StringIO()
    code = gs.run(REPO, out, api_url=api.url, token=token, opener=gs.default_opener(proxies={}), stderr=err)
    return code, err.getvalue()


@pytest.fixture
def api():
    with FakeGitHub() as server:
        yield server


@pytest.fixture
def elsewhere():
    """Another server, answering everything as GitHub would: what a redirect would reach."""
    with FakeGitHub() as server:
        yield server


@pytest.fixture(scope="module")
def ctx():
    return load_context(ROOT)


# --- the recorded answers ---------------------------------------------------------------------------


def test_the_snapshot_holds_open_proposals_their_checks_and_support(api, tmp_path):
    out = tmp_path / "build" / "github-snapshot.json"
    code, err = snapshot(api, out)
    assert code == 0, err
    document = json.loads(out.read_text(encoding="utf-8"))
    gs.validate(document)
    assert document["format_version"] == 1 and document["repo"] == REPO
    assert document["generated_at"] == "2016-12-01T09:30:00Z"  # GitHub's Date header, not the clock
    pulls = {p["number"]: p for p in document["pulls"]}
    # 104 is hidden by its label, 105 changes only the tooling; 101-103 come from the second page
    assert list(pulls) == [101, 102, 103, 106, 107, 108]
    assert pulls[101] == {
        "number": 101, "url": f"https://github.com/{REPO}/pull/101",
        "title": "Budgets ouverts pour les petites communes", "author": "awa-diop-example", "labels": ["proposal"],
        "draft": False, "check_status": "success", "thumbs_up": 5, "other_files": 0,
        "files": [{"path": "proposals/budgets-ouverts-petites-communes.yaml", "change": "added",
                   "content": content("budgets-ouverts-petites-communes.yaml")}]}
    assert pulls[102]["title"] == "<script>alert('xss')</script> Civic tech @everyone"  # data, kept as it is
    assert pulls[102]["thumbs_up"] == 4 and pulls[106]["thumbs_up"] == 1 and pulls[107]["thumbs_up"] == 2
    assert pulls[103]["check_status"] == "failure"
    assert pulls[106]["check_status"] == "pending" and pulls[106]["other_files"] == 1  # cli.py; the removal is not
    assert [f["path"] for f in pulls[106]["files"]] == ["proposals/open-data-newsrooms.yaml"]
    assert pulls[107]["draft"] is True and pulls[107]["check_status"] == "pending"
    assert pulls[107]["files"][0]["change"] == "modified"
    assert pulls[108]["files"] == [{"path": "proposals/donnees-latin1.yaml", "change": "added", "content": None,
                                    "skipped": "not-utf8"}]
    assert pulls[108]["check_status"] == "none"
    # merged pull requests with 👍 that added proposals (#87 only edited one; #89 is hidden; #92 was not merged)
    assert document["supported"] == {"data-literacy-bootcamp-public-servants": 3, "foi-request-tracker": 7,
                                     "open-climate-data-paris-agreement": 3}
    assert "wrote" in err and "6 open pull requests" in err
    assert all(r["authorization"] == f"Bearer {TOKEN}" for r in api.requests)
    assert f"{PULLS}&page=2" in [r["path"] for r in api.requests]  # the Link header was followed
    raw = [r for r in api.requests if "/contents/" in r["path"]]
    assert raw and all(r["accept"] == gs.ACCEPT_RAW for r in raw)


def test_without_a_token_no_authorization_is_sent(api, tmp_path):
    code, err = snapshot(api, tmp_path / "s.json", token=None)
    assert code == 0, err
    assert api.requests and all(r["authorization"] is None for r in api.requests)


def test_the_command_line(api, tmp_path):
    out = tmp_path / "snapshot.json"
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env.update(GITHUB_TOKEN=TOKEN, GITHUB_API_URL=api.url)
    done = subprocess.run([sys.executable, "-m", "agenda", "github-snapshot", "--repo", REPO, "--out", str(out)],
                          capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert gs.read_snapshot(out)["generated_at"] == "2016-12-01T09:30:00Z"
    assert api.requests[0]["authorization"] == f"Bearer {TOKEN}"
    usage = subprocess.run([sys.executable, "-m", "agenda", "github-snapshot", "--repo", "../../etc", "--out",
                            str(out)], capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path)
    assert usage.returncode == 2 and "is not OWNER/NAME" in usage.stderr and "Traceback" not in usage.stderr


# --- GitHub unavailable: the last snapshot stays, or there is none ---------------------------------

PREVIOUS = b'{"an": "older snapshot, kept byte for byte"}\n'


@pytest.mark.parametrize("case", ["rate-limit-403", "rate-limit-429", "server-error", "timeout", "not-json",
                                  "no-date", "redirect", "next-page-elsewhere", "truncated-list"])
@pytest.mark.parametrize("previous", [True, False], ids=["previous", "none"])
def test_when_github_cannot_answer_nothing_is_written_and_it_says_so(api, elsewhere, tmp_path, monkeypatch, case,
                                                                     previous):
    if case == "rate-limit-403":
        api.route(f"{PULLS}&page=2", status=403, headers=RATE_LIMITED, data={"message": "API rate limit exceeded"})
    elif case == "rate-limit-429":
        api.route(ISSUES, status=429, headers={"Date": "Thu, 01 Dec 2016 09:30:00 GMT", "Retry-After": "60"})
    elif case == "server-error":
        api.route(f"{BASE}/pulls/106/files?per_page=100", status=502, data={"message": "Server Error"})
    elif case == "timeout":
        monkeypatch.setattr(gs, "TIMEOUT", 0.3)
        api.routes[f"GET {ISSUES}"]["sleep"] = 1.5
    elif case == "not-json":
        api.route(ISSUES, status=200, bytes=b"<html>Unicorn! This page is taking too long</html>")
    elif case == "no-date":
        api.routes[f"GET {PULLS}"]["headers"].pop("Date")
    elif case == "redirect":
        api.route(ISSUES, status=301, headers={"Location": f"{elsewhere.url}{ISSUES}"})
    elif case == "next-page-elsewhere":
        api.routes[f"GET {PULLS}"]["headers"]["Link"] = f'<{elsewhere.url}{PULLS}&page=2>; rel="next"'
    elif case == "truncated-list":
        monkeypatch.setattr(gs, "MAX_PAGE_BYTES", 1000)
    out = tmp_path / "github-snapshot.json"
    if previous:
        out.write_bytes(PREVIOUS)
    code, err = snapshot(api, out)
    assert code == gs.EXIT_UNAVAILABLE, err
    assert "GitHub snapshot not refreshed" in err and "Try: run it again" in err and "Traceback" not in err
    if previous:
        assert out.read_bytes() == PREVIOUS and "the previous snapshot is kept" in err
    else:
        assert not out.exists() and "there is no previous snapshot" in err
    assert list(tmp_path.iterdir()) == ([out] if previous else [])  # no half-written file left behind
    assert elsewhere.requests == []  # a redirect or a "next" page elsewhere never gets the token
    if case.startswith("rate-limit"):
        assert "rate limit" in err and ("in 60 seconds" in err or "after 1480588200" in err)


def test_the_request_budget_stops_a_run(api, tmp_path, monkeypatch):
    monkeypatch.setattr(gs, "MAX_REQUESTS", 5)
    code, err = snapshot(api, tmp_path / "s.json")
    assert code == 1 and "budget of 5 requests" in err and len(api.requests) == 5


@pytest.mark.parametrize("status, words", [(404, "no such repository"), (401, "refused the token"),
                                           (403, "may not read it")])
def test_a_wrong_repository_or_token_is_a_usage_error(api, tmp_path, status, words):
    api.route(PULLS, status=status, data={"message": "Not Found"})
    code, err = snapshot(api, tmp_path / "s.json")
    assert code == gs.EXIT_ERROR and words in err and "Try: check" in err


# --- hostile files, bounded ----------------------------------------------------------------------------


def test_huge_and_binary_proposal_files_are_left_out_and_the_rest_kept(api, tmp_path):
    path = "proposals/budgets-ouverts-petites-communes.yaml"
    api.route(f"{BASE}/contents/{path}?ref={SHA[101]}", status=200, bytes=b"title: x\n" * 400_000)  # 3.6 MB
    api.route(f"{BASE}/contents/proposals/open-data-newsrooms.yaml?ref={SHA[106]}", status=200,
              bytes=b"title: \"ok\"\n\0\0\0binary")
    api.route(f"{BASE}/contents/proposals/civic-tech-script.yaml?ref={SHA[102]}", status=404,
              data={"message": "Not Found"})
    out = tmp_path / "s.json"
    code, err = snapshot(api, out)
    assert code == 0, err
    pulls = {p["number"]: p for p in gs.read_snapshot(out)["pulls"]}
    assert pulls[101]["files"][0] == {"path": path, "change": "added", "content": None, "skipped": "too-large"}
    assert pulls[106]["files"][0]["skipped"] == "binary" and pulls[102]["files"][0]["skipped"] == "missing"
    assert pulls[107]["files"][0]["content"] == content("foi-request-tracker.yaml")


def test_only_plain_proposal_paths_are_read(api, tmp_path):
    """A file name is a stranger's text too: only proposals/<id>.yaml is fetched, never a path
    with folders, dots or another extension."""
    files = [{"filename": name, "status": "added"} for name in (
        "proposals/../.github/workflows/x.yaml", "proposals/sub/x.yaml", "proposals/X.yaml", "proposals/x.yml",
        "proposals/x.yaml/..", "./proposals/x.yaml", "proposals/%2e%2e.yaml", "proposals/x.yaml\n")]
    api.route(f"{BASE}/pulls/101/files?per_page=100", status=200, data=files)
    code, err = snapshot(api, tmp_path / "s.json")
    assert code == 0, err
    assert 101 not in {p["number"] for p in gs.read_snapshot(tmp_path / "s.json")["pulls"]}
    assert not [r for r in api.requests if "/contents/" in r["path"] and SHA[101] in r["path"]]


@pytest.mark.parametrize("statuses, runs, expected", [
    ([], [], "none"),
    (None, None, "unknown"),
    (None, [{"status": "completed", "conclusion": "success"}], "success"),
    ([{"state": "success"}], [{"status": "completed", "conclusion": "neutral"}], "success"),
    ([{"state": "success"}], [{"status": "completed", "conclusion": "timed_out"}], "failure"),
    ([{"state": "error"}], [], "failure"),
    ([{"state": "pending"}], [{"status": "completed", "conclusion": "success"}], "pending"),
    ([], [{"status": "queued", "conclusion": None}], "pending"),
    ([{"state": "pending"}], [{"status": "completed", "conclusion": "cancelled"}], "failure"),
])
def test_check_status_in_one_word(statuses, runs, expected):
    assert gs.check_status(statuses, runs) == expected


def test_a_token_that_may_not_read_checks_gives_unknown(api, tmp_path):
    for n in (101, 102, 103, 106, 107, 108):
        api.route(f"{BASE}/commits/{SHA[n]}/status?per_page=100", status=403,
                  data={"message": "Resource not accessible by integration"})
        api.route(f"{BASE}/commits/{SHA[n]}/check-runs?per_page=100", status=403,
                  data={"message": "Resource not accessible by integration"})
    code, err = snapshot(api, tmp_path / "s.json")
    assert code == 0, err
    assert {p["check_status"] for p in gs.read_snapshot(tmp_path / "s.json")["pulls"]} == {"unknown"}


# --- what the site reads ------------------------------------------------------------------------------


def test_load_snapshot_keeps_only_proposals_that_pass_the_check(api, tmp_path, ctx):
    out = tmp_path / "s.json"
    assert snapshot(api, out)[0] == 0
    entries = gs.load_snapshot(out, ctx)
    # 103 has an unknown theme, 108 is not UTF-8: left out
    assert [(e.pull, e.id) for e in entries] == [
        (101, "budgets-ouverts-petites-communes"), (102, "civic-tech-script"), (106, "open-data-newsrooms"),
        (107, "foi-request-tracker")]
    first = entries[0]
    assert first.data["title"] == "Budgets ouverts pour les petites communes"
    assert first.data["themes"] == ["open-government-territories", "access-to-information"]
    assert (first.url, first.check_status, first.thumbs_up, first.change) == (
        f"https://github.com/{REPO}/pull/101", "success", 5, "added")
    assert entries[1].data["title"] == "<script>alert('xss')</script> Civic tech @everyone"  # escaped by the site
    assert entries[3].change == "modified" and entries[3].draft
    assert gs.load_support(out) == {"data-literacy-bootcamp-public-servants": 3, "foi-request-tracker": 7,
                                    "open-climate-data-paris-agreement": 3}


def test_a_hidden_pull_request_in_the_file_is_still_left_out(api, tmp_path, ctx):
    out = tmp_path / "s.json"
    assert snapshot(api, out)[0] == 0
    document = json.loads(out.read_text(encoding="utf-8"))
    document["pulls"][0]["labels"].append(gs.HIDE_LABEL)  # labelled after an older run
    out.write_text(json.dumps(document), encoding="utf-8")
    assert 101 not in {e.pull for e in gs.load_snapshot(out, ctx)}


def test_without_a_snapshot_the_site_has_nothing_to_show(tmp_path, ctx):
    assert gs.read_snapshot(tmp_path / "missing.json") is None
    assert gs.load_snapshot(tmp_path / "missing.json", ctx) == [] and gs.load_support(tmp_path / "missing.json") == {}
    assert gs.snapshot_path(tmp_path, environ={}) == tmp_path / "build" / "github-snapshot.json"
    assert gs.snapshot_path(tmp_path, environ={gs.PATH_ENV: "/x/s.json"}) == Path("/x/s.json")


GOOD = {"format_version": 1, "generated_at": "2016-12-01T09:30:00Z", "repo": REPO, "supported": {}, "pulls": [
    {"number": 1, "url": f"https://github.com/{REPO}/pull/1", "title": "t", "author": "a", "labels": [],
     "draft": False, "check_status": "success", "thumbs_up": 0, "other_files": 0,
     "files": [{"path": "proposals/x.yaml", "change": "added", "content": "title: x\n"}]}]}


@pytest.mark.parametrize("change, words", [
    (lambda d: d["pulls"][0]["files"][0].update(path="proposals/../.github/x.yaml"), "pulls/0/files/0/path"),
    (lambda d: d["pulls"][0]["files"][0].update(content=None), "pulls/0/files/0"),
    (lambda d: d["pulls"][0]["files"][0].update(skipped="binary"), "pulls/0/files/0"),
    (lambda d: d["pulls"][0].update(url="javascript:alert(1)//pull/1"), "pulls/0/url"),
    (lambda d: d["pulls"][0].update(check_status="green"), "pulls/0/check_status"),
    (lambda d: d["pulls"][0].update(author="@everyone"), "pulls/0/author"),
    (lambda d: d["supported"].update({"../x": 1}), "supported"),
    (lambda d: d["supported"].update({"x": 0}), "supported/x"),
    (lambda d: d.update(generated_at="yesterday"), "generated_at"),
    (lambda d: d.update(extra=True), "the top"),
])
def test_a_snapshot_that_breaks_the_schema_is_refused(tmp_path, change, words):
    out = tmp_path / "s.json"
    document = json.loads(json.dumps(GOOD))
    gs.validate(document)
    change(document)
    out.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(gs.SnapshotError) as caught:
        gs.read_snapshot(out)
    assert f"at {words}" in caught.value.message and caught.value.hint


@pytest.mark.parametrize("raw, words", [(b"\xff\xfe{", "is not JSON"), (b"[1, 2", "is not JSON"),
                                        (b"[" * 100_000, "is not JSON"), (b"{}", "at the top")])
def test_an_unreadable_snapshot_is_a_clear_error(tmp_path, raw, words):
    out = tmp_path / "s.json"
    out.write_bytes(raw)
    with pytest.raises(gs.SnapshotError, match=words):
        gs.read_snapshot(out)
