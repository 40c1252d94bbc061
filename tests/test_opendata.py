"""The open-data files as published: by `mkdocs build` and by `agenda export`, the same bytes,
linked from the pages and documented on the Data page."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import defusedxml.ElementTree as SafeET
import feedparser
import icalendar
import jsonschema
import pytest
import xmlschema

from agenda.data.urls import NO_ADDRESS_NOTE
from conftest import copy_repo, mkdocs_build
from test_exports_data import c3voc_format_checker

EPOCH = {"SOURCE_DATE_EPOCH": "1481068800"}  # 2016-12-07T00:00:00Z
C3VOC_XSD = Path(__file__).parent / "fixtures" / "c3voc" / "schedule.xml.xsd"


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
    schedule = json.loads((data / "schedule.json").read_text(encoding="utf-8"))
    xml = (data / "schedule.xml").read_bytes()
    xmlschema.XMLSchema10(str(C3VOC_XSD)).validate(xml)
    root = SafeET.fromstring(xml)
    assert root.findtext("url") == "https://example-org.github.io/agenda/data/schedule.xml"
    assert sorted(e.get("guid") for e in root.iter("event")) == sorted(
        e["guid"] for d in schedule["schedule"]["conference"]["days"] for es in d["rooms"].values() for e in es)
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
    feed = re.search(r'<link rel="alternate feed" type="application/atom\+xml" href="([^"]+)"', home).group(1)
    assert (site / feed).resolve() == (site / "data" / "feed.atom").resolve()


def test_data_page_documents_every_file_and_field(built):
    _, site = built
    page = (site / "data" / "index.html").read_text(encoding="utf-8")
    for name in ("proposals.json", "proposals.schema.json", "proposals.csv", "agenda.ics", "feed.atom",
                 "schedule.json", "schedule.xml"):
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


# --- a site without an address ------------------------------------------------------------


def _without_site_url(repo):
    for name in ("mkdocs.yml", "event.yaml"):
        path = repo / name
        text = path.read_text(encoding="utf-8")
        kept = "".join(line for line in text.splitlines(keepends=True) if not line.startswith("site_url:"))
        assert kept != text, name
        path.write_text(kept, encoding="utf-8")
    return repo


@pytest.fixture(scope="module")
def built_without_address(tmp_path_factory):
    """mkdocs build (strict, not quiet: its INFO lines are read) of a copy whose mkdocs.yml and
    event.yaml set no site_url."""
    tmp = tmp_path_factory.mktemp("nosite")
    repo = _without_site_url(copy_repo(tmp / "repo"))
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(repo / "mkdocs.yml"),
                             "-d", str(tmp / "site")], capture_output=True, text=True, timeout=600,
                            env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **EPOCH})
    return repo, tmp / "site", result


def test_a_site_without_address_builds(built_without_address):
    _, site, result = built_without_address
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    notes = [line for line in result.stderr.splitlines() if NO_ADDRESS_NOTE in line]
    assert len(notes) == 1 and notes[0].startswith("INFO"), result.stderr[-3000:]
    assert (site / "index.html").is_file() and (site / "proposals" / "acces-information-maghreb" / "index.html").is_file()


def test_a_site_without_address_publishes_data_without_absolute_links(built_without_address):
    repo, site, result = built_without_address
    assert result.returncode == 0, result.stderr[-3000:]
    data = site / "data"
    proposals = json.loads((data / "proposals.json").read_text(encoding="utf-8"))
    schema = json.loads((data / "proposals.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(proposals)
    assert proposals["event"]["site_url"] is None
    for record in proposals["proposals"]:  # relative to data/proposals.json: the page exists
        assert record["url"] == f"../proposals/{record['id']}/"
        assert (data / record["url"] / "index.html").resolve().is_file()
    schedule = json.loads((data / "schedule.json").read_text(encoding="utf-8"))
    c3voc = json.loads((Path(__file__).parent / "fixtures" / "c3voc" / "schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft6Validator(c3voc, format_checker=c3voc_format_checker()).validate(schedule)
    assert "base_url" not in schedule["schedule"] and "url" not in schedule["schedule"]["conference"]
    xml = (data / "schedule.xml").read_bytes()
    xmlschema.XMLSchema10(str(C3VOC_XSD)).validate(xml)
    root = SafeET.fromstring(xml)
    assert [root.find(path) for path in ("url", "conference/base_url", "conference/url")] == [None, None, None]
    assert all(url.startswith("https://github.com/example-org/agenda/blob/") for url in
               (e.findtext("url") for e in root.iter("event")))
    calendars = list(data.rglob("*.ics"))
    assert len(calendars) > 10
    for path in calendars:
        calendar = icalendar.Calendar.from_ical(path.read_bytes())
        events = calendar.walk("VEVENT")
        assert all("URL" not in e for e in events) and all(str(e["UID"]).count("-") == 4 for e in events)
    feed = feedparser.parse((data / "feed.atom").read_bytes())
    assert not feed.bozo and feed.entries
    assert feed.feed.id == "https://github.com/example-org/agenda"
    assert all(e.link.startswith("../proposals/") for e in feed.entries)
    csv_text = (data / "proposals.csv").read_text(encoding="utf-8")
    assert "example-org.github.io" not in csv_text and ",../proposals/" in csv_text
    for path in data.rglob("*"):
        if path.is_file() and path.name != "index.html":
            assert b"example-org.github.io" not in path.read_bytes(), path


def test_agenda_export_without_address_follows_the_same_rule(built_without_address, tmp_path):
    """The same bytes as the build, and the same note (on stderr); a wrong address stays an error."""
    repo, site, _ = built_without_address
    result = subprocess.run([sys.executable, "-m", "agenda", "export", "--out", str(tmp_path / "out")],
                            cwd=repo, capture_output=True, text=True, env={**os.environ, **EPOCH})
    assert result.returncode == 0, result.stderr
    assert NO_ADDRESS_NOTE in result.stderr and "Traceback" not in result.stderr
    out = tmp_path / "out"
    exported = sorted(p.relative_to(out).as_posix() for p in (out / "data").rglob("*") if p.is_file())
    assert len(exported) > 10
    for rel in exported:
        assert (out / rel).read_bytes() == (site / rel).read_bytes(), rel
    for bad in ("/agenda/", "example.org", "ftp://example.org/"):
        refused = subprocess.run([sys.executable, "-m", "agenda", "export", "--out", str(tmp_path / "bad"),
                                  "--base-url", bad], cwd=repo, capture_output=True, text=True)
        assert refused.returncode == 2, refused.stderr
        assert "not an absolute http(s) address" in refused.stderr and "Traceback" not in refused.stderr
        assert not (tmp_path / "bad").exists()
