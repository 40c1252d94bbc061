"""The site built with a GitHub snapshot, for the tests of the "under review" lane, support and
the board: a snapshot made by `agenda github-snapshot` from the recorded API answers
(tests/fixtures/github/api/, served on 127.0.0.1), with hostile pull requests added, and a way
to take the lane out of a built page (its elements carry the class `agenda-live`)."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

from agenda.contribute import github_snapshot as gs
from conftest import ROOT
from fake_github_api import FakeGitHub

REPO = "example-org/agenda"
HOSTILE = ROOT / "tests" / "fixtures" / "hostile" / "script-in-title.yaml"
EVIL_URL = "https://evil.example/example-org/agenda/pull/901"  # what a forged snapshot could say
PULL_TITLE = "<script>alert('pull-title')</script> pull title never shown"
HOSTILE_LABEL = "<img src=x onerror=alert('label')>"
# A new proposal that looks for help, written to break out of every context it is shown in.
SEEKING = """title: "\\"><svg onload=alert('seeking')> Lane seeking help"
format: workshop
themes: [data-literacy]
languages: [en]
summary: "A proposal under review whose text tries </li></ul><script>alert('summary')</script> everywhere."
description: |
  ## Why

  Long enough to pass the event's limits, and <b onmouseover=alert(1)>bold</b> attempts.
proposers:
  - name: "<img src=x onerror=alert('name')>"
duration: 60
status: proposed
looking_for: [speakers, interpreters]
"""


def _pull(number, path, content, thumbs=0, url=None, **extra):
    pull = {"number": number, "url": url or f"https://github.com/{REPO}/pull/{number}", "title": PULL_TITLE,
            "author": "stranger-example", "labels": ["proposal", HOSTILE_LABEL], "draft": False,
            "check_status": "failure", "thumbs_up": thumbs, "other_files": 0,
            "files": [{"path": path, "change": "added", "content": content}]}
    pull.update(extra)
    return pull


def write_snapshot(out: Path, hostile: bool = True) -> Path:
    """The recorded answers' snapshot (`agenda github-snapshot` against the fake API), with the
    hostile pull requests #901 (the hostile fixture, a forged address) and #902 (a proposal
    looking for help) added when `hostile`; validated against the schema."""
    with FakeGitHub() as api:
        err = io.StringIO()
        code = gs.run(REPO, out, api_url=api.url, token="test-token-not-a-secret",
                      opener=gs.default_opener(proxies={}), stderr=err)
    assert code == 0, err.getvalue()
    document = json.loads(out.read_text(encoding="utf-8"))
    if hostile:
        document["pulls"] += [
            _pull(901, "proposals/script-in-title-under-review.yaml", HOSTILE.read_text(encoding="utf-8"), thumbs=2,
                  url=EVIL_URL),
            _pull(902, "proposals/lane-seeking-help.yaml", SEEKING, thumbs=9, check_status="success"),
        ]
    gs.write_snapshot(document, out)
    return out


_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*>")
_LIVE = re.compile(r'<([a-z][a-z0-9]*)\b[^>]*\bclass="agenda-live[" ]')


def strip_live(page: str) -> str:
    """The page without its lane: every element whose class starts with agenda-live, with
    what it holds and the line break after it."""
    out, pos = [], 0
    while (found := _LIVE.search(page, pos)) is not None:
        depth, end = 0, None
        for tag in _TAG.finditer(page, found.start()):
            if tag.group(2).lower() == found.group(1):
                depth += -1 if tag.group(1) else 1
                if depth == 0:
                    end = tag.end()
                    break
        assert end is not None, f"unclosed <{found.group(1)} class=agenda-live>"
        out.append(page[pos:found.start()])
        pos = end + (page[end:end + 1] == "\n")
    out.append(page[pos:])
    return "".join(out)


def files_of(site: Path) -> dict:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}
