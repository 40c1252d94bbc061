"""Proposals public from submission, and their support: a snapshot of GitHub for the site.

`agenda github-snapshot --repo OWNER/NAME --out FILE` asks GitHub's REST API, with the publish
workflow's read-only token (GITHUB_TOKEN, optional), for:

- the open pull requests (`GET /repos/{repo}/pulls`, every page through the Link headers) and,
  for each, its files (`…/pulls/{n}/files`): those adding or changing `proposals/<id>.yaml` are
  kept, with each such file's text at the pull request's head commit (`…/contents/{path}?ref=`,
  raw, at most 64 KiB read: the check's own limit), the combined state of the head commit's
  checks (`…/commits/{sha}/status` and `…/check-runs`), its labels (a maintainer's
  `hide-from-site` leaves it out) and its 👍 count;
- the 👍 counts come from the issue list (`GET /repos/{repo}/issues?state=all`: one request for
  100 issues and pull requests, each with its reactions summed up, instead of one request per
  pull request), newest first; an open pull request older than what was read is asked for alone;
- `supported`: for merged pull requests with at least one 👍, the proposals they added (their
  files list): the support a proposal gathered while it was under review stays with it.

It writes one JSON document (schema/github-snapshot.schema.json) dated by GitHub's own Date
header. When GitHub cannot answer (rate limit, server error, timeout, an answer that is not what
the API promises), nothing is written: the previous snapshot, if any, stays as it was, and the
command says so. Every answer is bounded (size, pages, requests), the token is only ever sent to
the API's own address (no redirect followed, no "next" page elsewhere), and nothing read is
trusted: the site shows only what `load_snapshot` re-checks with `agenda check`'s rules.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import socket
import sys
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from http.client import HTTPException
from pathlib import Path
from urllib.parse import quote, urlsplit

from ..check.load import MAX_BYTES

API_URL = "https://api.github.com"
HIDE_LABEL = "hide-from-site"
DEFAULT_PATH = "build/github-snapshot.json"  # where the publish workflow writes it (ignored by Git)
PATH_ENV = "AGENDA_GITHUB_SNAPSHOT"  # or another file, for the site's build
FORMAT_VERSION = 1
TIMEOUT = 20  # seconds per request
MAX_PAGE_BYTES = 16 * 1024 * 1024  # one page of 100 pull requests, bodies included
MAX_PAGES = 30  # per list: 3,000 pull requests, issues or files
MAX_REQUESTS = 800  # per run; the workflow token has 1,000 an hour for the repository
MAX_PULLS = 1000
MAX_FILES = 20  # proposal files kept per pull request
MAX_CONTENT = 16 * 1024 * 1024  # proposal text in one snapshot
MAX_SUPPORT_LOOKUPS = 300  # merged pull requests whose files are read for `supported`
MAX_SNAPSHOT_BYTES = 32 * 1024 * 1024
ACCEPT_JSON = "application/vnd.github+json"
ACCEPT_RAW = "application/vnd.github.raw+json"
API_VERSION = "2022-11-28"
FAILED_RUNS = {"failure", "cancelled", "timed_out", "action_required", "startup_failure", "stale"}

_REPO = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}\Z")
_SHA = re.compile(r"[0-9a-f]{40}\Z")
_LOGIN = re.compile(r"[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38}(?:\[bot\])?\Z")
_PROPOSAL = re.compile(r"proposals/([a-z0-9]+(?:-[a-z0-9]+)*)\.yaml\Z")
_NEXT = re.compile(r'<([^<>\s]+)>\s*;\s*rel="next"')
CHANGES = ("added", "modified", "renamed", "copied", "changed")
LATER = "run it again later (the publish workflow's schedule does)"
AGAIN = "make it again with agenda github-snapshot"


class SnapshotError(Exception):
    """The snapshot cannot be made or read: what, and what to do (exit code 2)."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message, self.hint = message, hint


class Unavailable(SnapshotError):
    """GitHub cannot answer now (rate limit, outage, a broken answer): run it again later (exit 1)."""


# --- talking to the API ---------------------------------------------------------------------------

class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect would carry the token elsewhere: it is an answer, not a place to go."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def default_opener(proxies: dict | None = None):
    """urllib's opener without redirects; `proxies` replaces the environment's (tests: {})."""
    handlers = [_NoRedirect] if proxies is None else [urllib.request.ProxyHandler(proxies), _NoRedirect]
    return urllib.request.build_opener(*handlers)


@dataclass
class Answer:
    status: int
    headers: dict
    body: bytes
    truncated: bool


class Client:
    """GET requests to the REST API: bounded, counted, never redirected, token only for the API."""

    def __init__(self, api_url: str = API_URL, token: str | None = None, opener=None,
                 timeout: float | None = None, max_requests: int | None = None):
        parts = urlsplit(api_url.rstrip("/"))
        if parts.scheme not in ("https", "http") or not parts.netloc or parts.query or parts.fragment:
            raise SnapshotError(f"{api_url!r} is not an API address", "use https://api.github.com")
        self.base = f"{parts.scheme}://{parts.netloc}{parts.path}"
        self.token, self.timeout = token or None, TIMEOUT if timeout is None else timeout
        self.opener = opener or default_opener()
        self.requests, self.max_requests = 0, MAX_REQUESTS if max_requests is None else max_requests
        self.date = None  # GitHub's Date header of the first answer, as ISO 8601 UTC

    def url(self, path: str) -> str:
        if path.startswith("/"):
            return self.base + path
        if path == self.base or path.startswith(self.base + "/"):  # a "next" page: same API only
            return path
        raise Unavailable(f"GitHub pointed to {path[:100]!r}, outside {self.base}",
                          "run it again later; if it lasts, check --api-url")

    def get(self, path: str, accept: str = ACCEPT_JSON, limit: int | None = None) -> Answer:
        url, limit = self.url(path), MAX_PAGE_BYTES if limit is None else limit
        if self.requests >= self.max_requests:
            raise Unavailable(f"this run reached its budget of {self.max_requests} requests",
                              LATER)
        self.requests += 1
        headers = {"Accept": accept, "X-GitHub-Api-Version": API_VERSION, "User-Agent": "agenda-github-snapshot"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(url, headers=headers, method="GET")
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                body = response.read(limit + 1)
                answer = Answer(response.status, {k.lower(): v for k, v in response.headers.items()},
                                body[:limit], len(body) > limit)
        except urllib.error.HTTPError as exc:
            answer = Answer(exc.code, {k.lower(): v for k, v in (exc.headers or {}).items()}, b"", False)
            exc.close()
        except (urllib.error.URLError, HTTPException, OSError, socket.timeout, ValueError) as exc:
            raise Unavailable(f"GitHub did not answer ({_reason(exc)})", LATER) from None
        if self.date is None and answer.status < 400:  # the first answer dates the snapshot ("" if undated)
            self.date = _iso_date(answer.headers.get("date")) or ""
        _raise_for(answer)
        return answer

    def json(self, path: str):
        answer = self.get(path)
        if answer.truncated:
            raise Unavailable(f"an answer of GitHub was larger than {MAX_PAGE_BYTES:,} bytes", LATER)
        try:
            return json.loads(answer.body.decode("utf-8")), answer
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise Unavailable("GitHub answered with something that is not JSON", LATER) from None

    def pages(self, path: str, max_pages: int = MAX_PAGES):
        """Every item of a list, following `Link: <…>; rel="next"`; (items, complete)."""
        items, url = [], path
        for _ in range(max_pages):
            data, answer = self.json(url)
            if not isinstance(data, list):
                raise Unavailable(f"GitHub answered {path.split('?')[0]} with something that is not a list",
                                  LATER)
            items += data
            found = _NEXT.search(answer.headers.get("link", ""))
            if not found:
                return items, True
            url = found[1]
        return items, False


def _reason(exc) -> str:
    reason = getattr(exc, "reason", None) or exc
    return type(reason).__name__ if not isinstance(reason, str) else reason[:80]


def _iso_date(value):
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None or when.utcoffset() is None:
        return None
    return when.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _raise_for(answer: Answer) -> None:
    status, headers = answer.status, answer.headers
    if status < 300:
        return
    if status in (403, 429) and (headers.get("x-ratelimit-remaining") == "0" or "retry-after" in headers):
        when = headers.get("retry-after")
        reset = headers.get("x-ratelimit-reset", "")
        later = f"in {when} seconds" if when else (f"after {reset} (Unix time)" if reset.isdigit() else "later")
        raise Unavailable("GitHub's rate limit is reached", f"run it again {later}")
    if status >= 500:
        raise Unavailable(f"GitHub answered {status} (a server error)", LATER)
    if status == 401:
        raise SnapshotError("GitHub refused the token (401)", "check GITHUB_TOKEN, or leave it out for public data")
    raise _Refused(status)


class _Refused(Unavailable):
    """A 3xx or 4xx that is not the rate limit: the caller decides whether it matters."""

    def __init__(self, status: int):
        super().__init__(f"GitHub answered {status}", "run it again later; check the token's permissions")
        self.status = status


# --- what the snapshot holds -------------------------------------------------------------------

def _str(value, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _labels(item) -> list:
    labels = item.get("labels") if isinstance(item, dict) else None
    names = [label.get("name") for label in labels if isinstance(label, dict)] if isinstance(labels, list) else []
    return [name[:100] for name in names if isinstance(name, str)][:100]


def _count(value) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 10_000_000 else 0


def _thumbs(item) -> int:
    reactions = item.get("reactions") if isinstance(item, dict) else None
    return _count(reactions.get("+1")) if isinstance(reactions, dict) else 0


def _login(item) -> str:
    user = item.get("user") if isinstance(item, dict) else None
    login = user.get("login") if isinstance(user, dict) else None
    return login if isinstance(login, str) and _LOGIN.match(login) else ""


def check_status(statuses, runs) -> str:
    """The head commit's checks in one word (see the schema): statuses (the combined status's
    `statuses`) and check runs, each a list of dicts, or None when GitHub did not say."""
    if statuses is None and runs is None:
        return "unknown"
    states = [s.get("state") for s in statuses or [] if isinstance(s, dict)]
    runs = [r for r in runs or [] if isinstance(r, dict)]
    if any(s in ("failure", "error") for s in states) or any(r.get("conclusion") in FAILED_RUNS for r in runs):
        return "failure"
    if any(s == "pending" for s in states) or any(r.get("status") != "completed" for r in runs):
        return "pending"
    if states or runs:
        return "success"
    return "none" if statuses is not None and runs is not None else "unknown"


def _checks(client: Client, repo: str, sha: str) -> str:
    found = []
    for path, key in ((f"/repos/{repo}/commits/{sha}/status?per_page=100", "statuses"),
                      (f"/repos/{repo}/commits/{sha}/check-runs?per_page=100", "check_runs")):
        try:
            data, _ = client.json(path)
        except _Refused:  # a token without checks/statuses read: say unknown, do not fail
            found.append(None)
            continue
        items = data.get(key) if isinstance(data, dict) else None
        found.append(items if isinstance(items, list) else None)
    return check_status(*found)


def _content(client: Client, repo: str, path: str, sha: str):
    """(text or None, why it was left out or None) of a proposal file at a commit."""
    try:
        answer = client.get(f"/repos/{repo}/contents/{quote(path)}?ref={sha}", accept=ACCEPT_RAW, limit=MAX_BYTES)
    except _Refused as exc:
        if exc.status == 404:
            return None, "missing"
        raise
    if answer.truncated:
        return None, "too-large"
    if b"\0" in answer.body:
        return None, "binary"
    try:
        return answer.body.decode("utf-8"), None
    except UnicodeDecodeError:
        return None, "not-utf8"


def _proposal_files(files) -> tuple:
    """(proposal files as {path, change}, count of other files) from a pull request's files."""
    kept, others = [], 0
    for item in files:
        name = item.get("filename") if isinstance(item, dict) else None
        change = item.get("status") if isinstance(item, dict) else None
        if isinstance(name, str) and _PROPOSAL.match(name) and change in CHANGES:
            kept.append({"path": name, "change": change})
        elif isinstance(name, str) and not (_PROPOSAL.match(name) and change == "removed"):
            others += 1
    return kept, others


def fetch_snapshot(repo: str, client: Client, hide_label: str = HIDE_LABEL, warn=None) -> dict:
    """The snapshot of `repo` (see the module's docstring). Raises Unavailable or SnapshotError;
    `warn(message)` hears about what was left out (lists cut at their bounds)."""
    warn = warn or (lambda message: None)
    if not _REPO.match(repo):
        raise SnapshotError(f"{repo!r} is not OWNER/NAME", "for example --repo example-org/agenda")
    try:
        pulls, complete = client.pages(f"/repos/{repo}/pulls?state=open&sort=created&direction=desc&per_page=100")
    except _Refused as exc:
        if exc.status in (403, 404):
            raise SnapshotError(f"GitHub knows no such repository, or the token may not read it ({exc.status})",
                                "check --repo OWNER/NAME, and the workflow's pull-requests: read permission") from None
        raise
    if not client.date:
        raise Unavailable("GitHub's answer carried no Date header", LATER)
    if not complete:
        warn(f"only the newest {len(pulls)} open pull requests were read")
    issues, complete = client.pages(f"/repos/{repo}/issues?state=all&sort=created&direction=desc&per_page=100")
    if not complete:
        warn(f"only the newest {len(issues)} issues and pull requests were read for their 👍")
    by_number = {i["number"]: i for i in issues if isinstance(i, dict) and isinstance(i.get("number"), int)}
    budget, kept = MAX_CONTENT, []
    for pull in pulls[:MAX_PULLS]:
        number = pull.get("number") if isinstance(pull, dict) else None
        head = pull.get("head") if isinstance(pull, dict) else None
        sha = head.get("sha") if isinstance(head, dict) else None
        if not (isinstance(number, int) and 0 < number < 10**9 and isinstance(sha, str) and _SHA.match(sha)):
            raise Unavailable("GitHub listed a pull request without a number or head commit", LATER)
        if hide_label in _labels(pull):
            continue
        files, _ = client.pages(f"/repos/{repo}/pulls/{number}/files?per_page=100")
        proposals, others = _proposal_files(files)
        if not proposals:
            continue
        if len(proposals) > MAX_FILES:
            warn(f"pull request #{number} changes {len(proposals)} proposals; the first {MAX_FILES} are kept")
        entries = []
        for item in proposals[:MAX_FILES]:
            if budget <= 0:
                text, skipped = None, "budget"
            else:
                text, skipped = _content(client, repo, item["path"], sha)
                budget -= len(text.encode("utf-8")) if text else 0
            entries.append({**item, "content": text, **({"skipped": skipped} if skipped else {})})
        issue = by_number.get(number)
        if issue is None:  # older than the issues read: ask for it alone
            try:
                issue, _ = client.json(f"/repos/{repo}/issues/{number}")
            except _Refused:
                issue = {}
        url = _str(pull.get("html_url"), 300)
        kept.append({
            "number": number,
            "url": url if re.match(r"https://\S+/pull/[0-9]+\Z", url) else f"https://github.com/{repo}/pull/{number}",
            "title": _str(pull.get("title"), 300),
            "author": _login(pull),
            "labels": _labels(pull),
            "draft": pull.get("draft") is True,
            "check_status": _checks(client, repo, sha),
            "thumbs_up": _thumbs(issue),
            "other_files": others,
            "files": entries,
        })
    return {
        "format_version": FORMAT_VERSION,
        "generated_at": client.date,
        "repo": repo,
        "pulls": sorted(kept, key=lambda p: p["number"]),
        "supported": _supported(client, repo, issues, hide_label, warn),
    }


def _supported(client: Client, repo: str, issues: list, hide_label: str, warn) -> dict:
    """Proposal id -> 👍 of the merged pull request that added it (pull requests with some 👍)."""
    merged = [i for i in issues if isinstance(i, dict) and isinstance(i.get("pull_request"), dict)
              and i["pull_request"].get("merged_at") and _thumbs(i) > 0 and hide_label not in _labels(i)
              and isinstance(i.get("number"), int)]
    if len(merged) > MAX_SUPPORT_LOOKUPS:
        warn(f"the 👍 of only the newest {MAX_SUPPORT_LOOKUPS} of {len(merged)} merged pull requests were counted")
    support = {}
    for item in merged[:MAX_SUPPORT_LOOKUPS]:
        files, _ = client.pages(f"/repos/{repo}/pulls/{item['number']}/files?per_page=100")
        for entry in files:
            name = entry.get("filename") if isinstance(entry, dict) else None
            found = _PROPOSAL.match(name) if isinstance(name, str) else None
            if found and entry.get("status") == "added":
                support[found[1]] = min(support.get(found[1], 0) + _thumbs(item), 10_000_000)
    return dict(sorted(support.items()))


# --- the file -------------------------------------------------------------------------------------

def _validator():
    import jsonschema

    from ..check.schema import load_schema

    return jsonschema.Draft202012Validator(load_schema("github-snapshot"))


def validate(document) -> None:
    """Raises SnapshotError naming the first place where `document` breaks the schema."""
    error = next(iter(sorted(_validator().iter_errors(document), key=lambda e: list(e.absolute_path))), None)
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "the top"
        raise SnapshotError(f"the snapshot does not follow schema/github-snapshot.schema.json at {where}: "
                            f"{error.message[:200]}", AGAIN)


def write_snapshot(document: dict, out) -> Path:
    """Validate, then replace `out` in one step (a reader never sees half a file)."""
    validate(document)
    out = Path(out)
    text = json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True, allow_nan=False) + "\n"
    data = text.encode("utf-8")
    if len(data) > MAX_SNAPSHOT_BYTES:
        raise Unavailable(f"the snapshot would be {len(data):,} bytes, over {MAX_SNAPSHOT_BYTES:,}",
                          "hide some pull requests with the label, or lower the bounds")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".github-snapshot-", dir=out.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, out)
    except OSError as exc:
        raise SnapshotError(f"{out} cannot be written ({exc.strerror or exc})", "choose another --out") from None
    return out


def snapshot_path(root, environ=None) -> Path:
    """Where the site looks for the snapshot: $AGENDA_GITHUB_SNAPSHOT, else build/github-snapshot.json."""
    environ = os.environ if environ is None else environ
    return Path(environ.get(PATH_ENV) or Path(root) / DEFAULT_PATH)


def read_snapshot(path):
    """The snapshot at `path`, validated; None when there is no file (an offline build).
    Raises SnapshotError when it is unreadable or does not follow the schema."""
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_SNAPSHOT_BYTES + 1)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise SnapshotError(f"{path} cannot be read ({exc.strerror or exc})", AGAIN) from None
    if len(raw) > MAX_SNAPSHOT_BYTES:
        raise SnapshotError(f"{path} is larger than {MAX_SNAPSHOT_BYTES:,} bytes", AGAIN)
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise SnapshotError(f"{path} is not JSON", AGAIN) from None
    validate(document)
    return document


@dataclass(frozen=True)
class UnderReview:
    """One proposal of an open pull request that passes the same checks as `agenda check`'s
    one-proposal rules. Every text in it comes from a stranger: escape it when shown."""

    id: str
    path: str
    change: str  # added, modified, renamed…
    data: dict  # the proposal's fields, as the strict loader read them
    pull: int
    url: str
    pull_title: str
    author: str
    labels: tuple
    draft: bool
    check_status: str
    thumbs_up: int
    warnings: tuple  # the checker's warnings (Problem), for reviewers


def reviewed(document, ctx, hide_label: str = HIDE_LABEL) -> list:
    """A validated snapshot -> the proposals to show under review (see `load_snapshot`)."""
    from ..check.repository import check_bytes

    entries = []
    for pull in document["pulls"]:
        if hide_label in pull["labels"]:
            continue
        for item in pull["files"]:
            found = _PROPOSAL.match(item["path"])
            if item["content"] is None or not found:
                continue
            doc, problems = check_bytes("proposal", item["path"], item["content"].encode("utf-8"), ctx)
            if doc is None or any(p.is_error for p in problems):
                continue
            entries.append(UnderReview(
                id=found[1], path=item["path"], change=item["change"], data=doc.data, pull=pull["number"],
                url=pull["url"], pull_title=pull["title"], author=pull["author"], labels=tuple(pull["labels"]),
                draft=pull["draft"], check_status=pull["check_status"], thumbs_up=pull["thumbs_up"],
                warnings=tuple(p for p in problems if not p.is_error)))
    return sorted(entries, key=lambda e: (e.pull, e.id))


def load_snapshot(path, ctx) -> list:
    """For the site: the proposals of open pull requests to show in the "under review" lane,
    each re-checked with `repository.check_bytes("proposal", rel, raw, ctx)` (the schema, the
    text rules and the one-proposal rules of `agenda check`) and kept only without errors;
    hidden pull requests left out; ordered by pull request, then id. [] without a file.
    Raises SnapshotError for a file that is unreadable or breaks the schema."""
    document = read_snapshot(path)
    return [] if document is None else reviewed(document, ctx)


def load_support(path) -> dict:
    """For the site: proposal id -> 👍 of the merged pull request that added it. {} without a file."""
    document = read_snapshot(path)
    return {} if document is None else dict(document["supported"])


# --- the command -----------------------------------------------------------------------------------

EXIT_OK, EXIT_UNAVAILABLE, EXIT_ERROR = 0, 1, 2


def run(repo: str, out, api_url: str = API_URL, token: str | None = None, opener=None, stderr=None) -> int:
    """`agenda github-snapshot`: 0 a new snapshot written; 1 GitHub unavailable (rate limit,
    outage, broken answer): nothing written, the previous snapshot kept if there is one; 2 a
    usage error (repository, token, output file)."""
    stderr = stderr or sys.stderr
    out = Path(out)

    def warn(message):
        stderr.write(f"agenda: note: {message}\n")

    try:
        client = Client(api_url, token=token, opener=opener)
        document = fetch_snapshot(repo, client, warn=warn)
        write_snapshot(document, out)
    except Unavailable as exc:
        kept = ("the previous snapshot is kept" if out.is_file()
                else "there is no previous snapshot: the site is built without it")
        stderr.write(f"agenda: GitHub snapshot not refreshed: {exc.message}; {kept} ({out}).\nTry: {exc.hint}\n")
        return EXIT_UNAVAILABLE
    except SnapshotError as exc:
        stderr.write(f"agenda: error: {exc.message}\n" + (f"Try: {exc.hint}\n" if exc.hint else ""))
        return EXIT_ERROR
    count = sum(len(p["files"]) for p in document["pulls"])
    stderr.write(f"agenda: wrote {out}: {len(document['pulls'])} open pull requests with {count} proposal files, "
                 f"{len(document['supported'])} supported proposals, as of {document['generated_at']} "
                 f"({client.requests} requests)\n")
    return EXIT_OK
