"""The Nu HTML Checker (vnu.jar, the W3C validator) finds no error in any page of the site, in
either language, except two that Material for MkDocs writes itself (listed below, each with
its reason).

vnu.jar comes from npm (`npm install --prefix .venv/vnu vnu-jar`, as .ci/run does) and runs
on the machine's Java; nothing is downloaded by the test."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


VNU = Path(os.environ.get("VNU_JAR") or Path(sys.prefix) / "vnu" / "node_modules" / "vnu-jar" / "build" / "dist"
           / "vnu.jar")
if not VNU.is_file() or not shutil.which("java"):
    pytest.skip(f"the Nu HTML Checker needs java and {VNU} (npm install --prefix .venv/vnu vnu-jar; "
                ".ci/run does it)", allow_module_level=True)

# Errors in Material's own templates (mkdocs-material 9.x), not ours: (message start, extract).
MATERIAL = [
    # base.html: the drawer and search toggles are checkboxes with autocomplete="off".
    ("Attribute “autocomplete” is only allowed when the input type is", 'id="__drawer" autocomplete="off"'),
    ("Attribute “autocomplete” is only allowed when the input type is", 'id="__search" autocomplete="off"'),
    # partials/toc.html: the table of contents' title is a label for the "__toc" toggle, which
    # partials/nav-item.html only writes on pages that are in the navigation.
    ("The value of the “for” attribute of the “label” element must be the ID of a non-hidden form control",
     'for="__toc"'),
]


def from_material(message) -> bool:
    return any(message["message"].startswith(start) and extract in message.get("extract", "")
               for start, extract in MATERIAL)


@pytest.fixture(scope="module")
def checked(site):
    pages = sorted(str(p) for p in site.rglob("*.html") if "pagefind" not in p.parts)
    run = subprocess.run(["java", "-jar", str(VNU), "--format", "json", "--errors-only", *pages],
                         capture_output=True, text=True, timeout=600)
    report = json.loads(run.stderr or run.stdout)
    return site, pages, report["messages"]


def test_the_checker_saw_every_page_of_both_languages(checked):
    site, pages, _ = checked
    assert len(pages) > 100 and any("/en/" in p for p in pages)


def test_no_error_from_our_templates(checked):
    site, _, messages = checked
    ours = [f"{m['url'].split(str(site))[-1]}:{m.get('lastLine')}: {m['message']}\n    {m.get('extract', '')}"
            for m in messages if not from_material(m)]
    assert ours == [], "\n".join(ours[:30])


def test_the_checker_finds_an_error_when_there_is_one(tmp_path):
    """The same command on a page with a mistake of ours: it is reported."""
    page = tmp_path / "bad.html"
    page.write_text('<!doctype html><html lang="fr"><title>x</title><p><time datetime="7 déc">x</time>',
                    encoding="utf-8")
    run = subprocess.run(["java", "-jar", str(VNU), "--format", "json", "--errors-only", str(page)],
                         capture_output=True, text=True, timeout=120)
    messages = json.loads(run.stderr or run.stdout)["messages"]
    assert any("datetime" in m["message"] for m in messages)
