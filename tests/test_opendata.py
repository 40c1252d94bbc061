"""The open-data files as published: by `mkdocs build` and by `agenda export`, the same bytes,
linked from the pages and documented on the Data page."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import feedparser
import icalendar
import pytest

from conftest import copy_repo
from test_site import mkdocs_build

EPOCH = {"SOURCE_DATE_EPOCH": "1481068800"}  # 2016-12-07T00:00:00Z


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("opendata")
    repo = copy_repo(tmp / "repo")
    result = mkdocs_build(repo, tmp / "site", env=EPOCH)
    assert result.returncode == 0, result.stderr[-3000:]
    return repo, tmp / "site"


def test_site_and_agenda_export_publish_the_same_bytes(built, tmp_path):
    repo, site = built
    result = subprocess.run([sys.executable, "-m", "agenda", "export", "--out", str(tmp_path),
                             "--base-url", "https://example-org.github.io/agenda/"],
                            cwd=repo, capture_output=True, text=True, env={**os.environ, **EPOCH})
    assert result.returncode == 0, result.stderr
    exported = sorted(p.relative_to(tmp_path).as_posix() for p in (tmp_path / "data").rglob("*") if p.is_file())
    published = sorted(p.relative_to(site).as_posix() for p in (site / "data").rglob("*")
                       if p.is_file() and p.name != "index.html")  # data/index.html is the Data page
    assert exported == published and len(exported) > 10
    for rel in exported:
        assert (tmp_path / rel).read_bytes() == (site / rel).read_bytes(), rel


def test_every_published_file_parses(built):
    _, site = built
    data = site / "data"
    json.loads((data / "proposals.json").read_text(encoding="utf-8"))
    json.loads((data / "proposals.schema.json").read_text(encoding="utf-8"))
    json.loads((data / "schedule.json").read_text(encoding="utf-8"))
    for path in data.rglob("*.ics"):
        calendar = icalendar.Calendar.from_ical(path.read_bytes())
        assert calendar.walk("VTIMEZONE"), path
    feed = feedparser.parse((data / "feed.atom").read_bytes())
    assert not feed.bozo and feed.entries


def test_pages_link_to_calendars_and_the_feed(built):
    _, site = built
    page = (site / "proposals" / "acces-information-maghreb" / "index.html").read_text(encoding="utf-8")
    href = re.search(r'href="([^"]+\.ics)"', page).group(1)
    assert (site / "proposals" / "acces-information-maghreb" / href).resolve().is_file()
    theme = (site / "themes" / "access-to-information" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../data/themes/access-to-information.ics"' in theme
    home = (site / "index.html").read_text(encoding="utf-8")
    assert '<link rel="alternate feed" type="application/atom+xml" href="data/feed.atom"' in home


def test_data_page_documents_every_file_and_field(built):
    _, site = built
    page = (site / "data" / "index.html").read_text(encoding="utf-8")
    for name in ("proposals.json", "proposals.schema.json", "proposals.csv", "agenda.ics", "feed.atom",
                 "schedule.json"):
        assert f'href="{name}"' in page or f'href="../data/{name}"' in page or name in page
    schema = json.loads((site / "data" / "proposals.schema.json").read_text(encoding="utf-8"))
    assert "CC BY 4.0" in page
    for href in re.findall(r'href="([^"#]+)"', page.split('<article', 1)[1].split("</article>")[0]):
        if not re.match(r"[a-z]+:", href):
            target = (site / "data" / href).resolve()
            assert target.exists() or (target / "index.html").exists(), href
    assert schema["$schema"].endswith("2020-12/schema")


def test_export_refuses_an_invalid_programme(tmp_path):
    repo = copy_repo(tmp_path / "repo")
    path = repo / "proposals" / "foi-request-tracker.yaml"
    path.write_text(path.read_text().replace("status: declined", "status: maybe"))
    result = subprocess.run([sys.executable, "-m", "agenda", "export", "--out", str(tmp_path / "out")],
                            cwd=repo, capture_output=True, text=True)
    assert result.returncode == 1
    assert "error [not-allowed]" in result.stdout
    assert not (tmp_path / "out").exists()
