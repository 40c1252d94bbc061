"""The open-data exports (proposals.json, proposals.csv, frab schedule.json and schedule.xml) read
back by real parsers (schedule.xml by defusedxml and by xmlschema against C3VOC's own XSD).

Two programmes: the repository's own content, and a hostile copy of tests/fixtures/base whose
proposals try CSV formula injection, JSON breaking and type coercion. Both must pass the
checker first: the exports only ever see checked content.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
import io
import json
import re
import shutil
import subprocess
import sys
import uuid
import zoneinfo
from pathlib import Path
from urllib.parse import urlsplit

import agenda
import defusedxml.ElementTree as SafeET
import jsonschema
import pytest
import xmlschema
from hypothesis import given, settings, strategies as st
from agenda.data import exports
from agenda.model import ACCESSIBILITY_ORDER, build_agenda
from agenda.check.repository import check_repository
from agenda.check.schema import schema_dir
from export_programmes import KEPT_PERSON_GUID, KEPT_SLOT_GUID, KEPT_SOURCE_ID, load, write_dst, write_times

ROOT = Path(__file__).resolve().parent.parent
BASE = Path(__file__).resolve().parent / "fixtures" / "base"
HOSTILE = Path(__file__).resolve().parent / "fixtures" / "hostile"
C3VOC = Path(__file__).resolve().parent / "fixtures" / "c3voc"
BASE_URL = "https://example-org.github.io/agenda/"
GENERATED = "2016-11-30"
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
HHMM = re.compile(r"^\d{2}:\d{2}$")


# --- the programmes -----------------------------------------------------------------------


def _agenda(root):
    report = check_repository(root, jobs=1)
    assert report.problems == [], [str(p) for p in report.problems]
    return build_agenda(report.event, report.themes, report.proposals)


def _yaml_proposal(title, summary, proposers, *, description, status="proposed", schedule=None, duration=60,
                   fmt="workshop", themes=("climate-sustainable-development",), languages=("fr",), extra=""):
    """A proposal as YAML text; strings are written as JSON strings, which YAML reads as double-quoted."""
    def q(text):
        return json.dumps(text, ensure_ascii=False)

    lines = [f"title: {q(title)}", f"format: {fmt}", f"themes: [{', '.join(themes)}]",
             f"languages: [{', '.join(languages)}]", f"summary: {q(summary)}", "description: |"]
    lines += [("  " + line) if line else "" for line in description.splitlines()]
    lines.append("proposers:")
    for name, org in proposers:
        lines += [f"  - name: {q(name)}", f"    organisation: {q(org)}", "    country: FR"]
    lines += [f"duration: {duration}", f"status: {status}"]
    if schedule:
        day, start, end, room = schedule
        lines += ["schedule:", f'  day: "{day}"', f'  start: "{start}"', f'  end: "{end}"', f"  room: {room}"]
    return "\n".join(lines) + "\n" + extra


HOSTILE_DESCRIPTION = """\
=cmd|' /C calc'!A0 at the start of a line, "double quotes", commas, and more.

Backslashes \\ and \\\\ and C:\\path\\file, a </script><script>alert(1)</script> and <!-- a comment.

Right to left: مرحبا بالعالم — שלום עולם — and emoji 👩‍👩‍👧 🇫🇷 🎉.
"""

HOSTILE_PROPOSALS = {
    "formula-title": _yaml_proposal(
        '=HYPERLINK("http://evil","click")', '=1+2, a "quoted" summary with commas, that starts with an equals sign',
        [("+1", "@SUM(A1)"), ("-2+3", '=HYPERLINK("http://evil")')], description=HOSTILE_DESCRIPTION,
        status="scheduled", schedule=("2016-12-07", "09:00", "10:00", "auditorium"),
        extra='links:\n  - title: "-2+3 link"\n    url: "https://example.org/a?b=1,2;c=3"\n'
              'accessibility:\n  captions: false\n  notes: "=notes that look like a formula"\n'
              "looking_for: [speakers, funding]\n"),
    "minus-title": _yaml_proposal(
        "-2+3 is the answer to nothing", "@SUM(A1) is not a summary, but it is long enough",
        [("@handle like name", "-Minus organisation")], description=HOSTILE_DESCRIPTION,
        status="scheduled", schedule=("2016-12-07", "10:00", "11:00", "auditorium"), fmt="conference",
        themes=("access-to-information", "climate-sustainable-development"), languages=("en", "fr")),
    "plus-title": _yaml_proposal(
        "+33 1 23 45 67 89 hotline for open data", "+ plus sign leading summary, which is long enough",
        [("Plus Person", "+Plus organisation")], description=HOSTILE_DESCRIPTION, fmt="pitch", duration=15),
    "unicode-title": _yaml_proposal(
        "مرحبا بالعالم שלום 👩‍👩‍👧 🇫🇷 Données ouvertes", "שלום עולם: a summary in two scripts, with emoji 🎉",
        [("سلمى الخيالية", "جمعية مثال"), ("Zoë Ünïcödé", "Ærøskøbing ﬁctive org")], description=HOSTILE_DESCRIPTION,
        status="scheduled", schedule=("2016-12-08", "14:00", "15:30", "salle-seine"), duration=90,
        languages=("ar", "fr"), themes=("access-to-information",),
        extra="accessibility:\n  interpretation: [fr, en]\n  sign_language: [LSF]\n  step_free_access: true\n"),
    "quotes-backslashes": _yaml_proposal(
        'He said "hi" \\ C:\\temp\\ </script><!-- end', 'Quotes " and backslashes \\ and a </script> tag here',
        [("O'Brien \"Quoted\"", "Back\\slash, Inc.")], description=HOSTILE_DESCRIPTION, fmt="event",
        themes=("access-to-information",)),
}

# Plain YAML scalars that a naive loader would turn into numbers, booleans or null: the
# checker keeps them as text, and the exports must not coerce them either.
TYPED_LOOKALIKES = """\
title: 1.5e300
format: pitch
themes: [access-to-information]
languages: [en]
summary: 0x1F and 1e3 and NaN are words here, not numbers.
description: |
  A proposal whose title is written as a plain YAML scalar that looks like a number,
  and whose proposers are called no and NaN (YAML 1.1 would read no as false).
proposers:
  - name: no
    organisation: yes
    country: NO
  - name: NaN
    organisation: .inf
    country: FR
duration: 30
status: accepted
"""


@pytest.fixture(scope="module")
def real():
    return _agenda(ROOT)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    repo = tmp_path_factory.mktemp("hostile") / "repo"
    shutil.copytree(BASE, repo)
    for pid, text in HOSTILE_PROPOSALS.items():
        (repo / "proposals" / f"{pid}.yaml").write_text(text, encoding="utf-8")
    (repo / "proposals" / "typed-lookalikes.yaml").write_text(TYPED_LOOKALIKES, encoding="utf-8")
    # Its entity-encoded javascript: link is refused by the link rule since it reads links from
    # markdown-it's tokens; the rest of the file is what the exports must survive.
    script = (HOSTILE / "script-in-title.yaml").read_text(encoding="utf-8")
    script = script.replace(" and [entity link](&#106;avascript:alert('entity'))", "")
    (repo / "proposals" / "script-in-title.yaml").write_text(script, encoding="utf-8")
    return _agenda(repo)


@pytest.fixture(scope="module")
def times(tmp_path_factory):
    return load(write_times(tmp_path_factory.mktemp("times") / "repo"))


@pytest.fixture(scope="module")
def dst(tmp_path_factory):
    return load(write_dst(tmp_path_factory.mktemp("dst") / "repo"))


@pytest.fixture(scope="module", params=["real", "hostile", "times", "dst"])
def programme(request):
    return request.getfixturevalue(request.param)


def _slots(programme):
    return [(p, s) for p in sorted(programme.proposals, key=lambda p: p.id) for s in p.slots]


# --- proposals.json -----------------------------------------------------------------------


def _refuse_constant(name):
    raise ValueError(f"non-standard JSON constant {name}")


def _strict_load(text):
    return json.loads(text, parse_constant=_refuse_constant)


@pytest.fixture(scope="module")
def export_schema():
    schema = json.loads((schema_dir() / "proposals-export.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


def test_json_is_valid_against_the_published_schema(programme, export_schema):
    for base_url in (BASE_URL, None):
        text = exports.proposals_json(programme, base_url=base_url, generated=GENERATED)
        document = _strict_load(text)
        validator = jsonschema.Draft202012Validator(export_schema)
        errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
        assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]
        assert text.endswith("}\n") and not text.endswith("\n\n")


def _expected_slot(programme, p, s):
    """A slot as proposals.json must give it, computed here from the slot's own fields."""
    return {
        "number": s.index + 1, "day": s.day, "start_date": s.starts.date().isoformat(), "start": s.start,
        "end_date": s.ends.date().isoformat(), "end": s.end, "duration": s.duration,
        "room": {"id": s.room, "name": programme.room(s.room).name["fr"]} if s.room else None,
        "start_iso": s.starts_at.isoformat(), "end_iso": s.ends_at.isoformat(), "source_id": s.source_id,
        "place": None if s.place is None else {
            "name": s.place.name, "address": s.place.address, "city": s.place.city, "country": s.place.country,
            "online": s.place.online, "url": s.place.url},
    }


def test_json_keeps_every_field_of_every_proposal(programme):
    document = _strict_load(exports.proposals_json(programme, base_url=BASE_URL, generated=GENERATED))
    assert [p["id"] for p in document["proposals"]] == sorted(p.id for p in programme.proposals)
    event = programme.event
    for record, p in zip(document["proposals"], sorted(programme.proposals, key=lambda p: p.id), strict=True):
        assert list(record) == ["id", "title", "subtitle", "format", "themes", "languages", "summary", "description",
                                "proposers", "duration", "status", "schedule", "recording", "do_not_record", "links",
                                "accessibility", "looking_for", "example", "url", "source", "source_url"]
        assert record["id"] == p.id
        assert record["title"] == p.title and type(record["title"]) is str
        assert record["subtitle"] == (p.subtitle or None)
        assert record["format"] == {"id": p.format, "name": programme.format(p.format).name}
        assert record["themes"] == [{"id": t, "name": programme.theme(t).name} for t in p.themes]
        assert record["languages"] == list(p.languages)
        assert record["summary"] == (p.summary or None)
        assert record["description"] == (p.description or None)
        assert record["proposers"] == [
            {"name": x.name, "organisation": x.organisation, "country": x.country, "github": x.github, "guid": x.guid}
            for x in p.proposers]
        assert all(type(x["name"]) is str for x in record["proposers"])
        assert record["duration"] == p.duration and type(record["duration"]) is int
        assert record["status"] == p.status
        assert (record["schedule"] == []) is (p.status != "scheduled")
        assert [{k: v for k, v in got.items() if k != "guid"} for got in record["schedule"]] == [
            _expected_slot(programme, p, s) for s in p.slots]
        for got, s in zip(record["schedule"], p.slots, strict=True):
            assert got["guid"] == exports.identities(programme)[p.id, s.index].guid
            for key, wall in (("start_iso", s.starts), ("end_iso", s.ends)):
                moment = dt.datetime.fromisoformat(got[key])
                assert moment.replace(tzinfo=None) == wall  # the wall clock, with the offset of that instant
                # (timestamps: an aware datetime with fold=1 never equals one of another zone, PEP 495)
                assert moment.timestamp() == (s.starts_at if key == "start_iso" else s.ends_at).timestamp()
            assert dt.datetime.fromisoformat(got["end_iso"]) - dt.datetime.fromisoformat(got["start_iso"]) == \
                dt.timedelta(minutes=got["duration"])
        assert record["recording"] == p.recording
        assert record["do_not_record"] is (p.recording != "allowed")
        assert record["links"] == [{"title": t, "url": u} for t, u in p.links]
        given = dict(p.accessibility)
        assert list(record["accessibility"]) == list(ACCESSIBILITY_ORDER)
        for key in ACCESSIBILITY_ORDER:
            value = given.get(key)
            assert record["accessibility"][key] == (list(value) if isinstance(value, tuple) else value)
            if isinstance(value, bool):
                assert type(record["accessibility"][key]) is bool
        assert record["looking_for"] == list(p.looking_for)
        assert record["example"] is p.example
        assert record["url"] == f"{BASE_URL}proposals/{p.id}/"
        assert record["source"] == p.path == f"proposals/{p.id}.yaml"
        assert record["source_url"] == f"{event.repository}/blob/{event.branch}/{p.path}"


def test_json_event_themes_and_metadata(programme):
    document = _strict_load(exports.proposals_json(programme, base_url=BASE_URL, generated=GENERATED))
    assert list(document) == ["format_version", "generated", "licence", "event", "themes", "proposals"]
    assert document["format_version"] == exports.FORMAT_VERSION == "2.1"
    assert document["generated"] == GENERATED
    assert document["licence"]["id"] == "CC-BY-4.0"
    assert document["licence"]["url"] == "https://creativecommons.org/licenses/by/4.0/"
    e, got = programme.event, document["event"]
    assert got["name"] == e.name
    assert got["dates"] == {"start": e.first_day, "end": e.last_day}
    clock = e.clock
    assert got["venue_dates"] == ({"start": str(clock.venue_first), "end": str(clock.venue_last)}
                                  if clock.venue_first else None)
    assert got["timezone"] == e.timezone
    assert got["day_change"] == f"{e.clock.day_change // 60:02d}:{e.clock.day_change % 60:02d}"
    assert got["hours"] == ({"start": e.hours[0], "end": e.hours[1]} if e.hours else None)
    assert [d["date"] for d in got["days"]] == list(e.days())
    for day in got["days"]:
        hours = e.hours_of(day["date"])
        assert day["hours"] == ({"start": hours[0], "end": hours[1]} if hours else None)
    assert [r["id"] for r in got["rooms"]] == [r.id for r in e.rooms]
    for record, room in zip(got["rooms"], e.rooms, strict=True):
        assert record["name"] == room.name["fr"]
        assert record["capacity"] == room.get("capacity") and type(record["capacity"]) is int
        assert record["step_free"] is room.get("step_free")
        assert record["shared"] is bool(room.get("shared"))
    assert got["formats"] == [{"id": f.id, "name": f.name, "description": f.description} for f in e.formats]
    assert got["languages"] == [{"code": lang.id, "name": lang.name} for lang in e.languages]
    assert (got["repository"], got["branch"], got["site_url"]) == (e.repository, e.branch, e.site_url)
    assert document["themes"] == [
        {"id": t.id, "name": t.name, "description": t.description, "reviewers": list(t.get("reviewers"))}
        for t in programme.themes]


def test_json_real_offsets_are_paris_winter_time(real):
    document = _strict_load(exports.proposals_json(real, base_url=BASE_URL, generated=GENERATED))
    slots = [s for p in document["proposals"] for s in p["schedule"]]
    assert slots and all(s["start_iso"].endswith("+01:00") and s["end_iso"].endswith("+01:00") for s in slots)
    [first] = next(p for p in document["proposals"] if p["id"] == "acces-information-maghreb")["schedule"]
    assert (first["start_iso"], first["end_iso"]) == ("2016-12-08T09:00:00+01:00", "2016-12-08T10:15:00+01:00")
    assert first["guid"] == "7e67a6e5-4a41-5139-9f9c-0b5c71c74d33"  # as in schedule.json


def test_json_times_of_real_programmes(times):
    """Each shape written out in full, from the fixture's files (not from the model)."""
    by_id = {p["id"]: p for p in _strict_load(
        exports.proposals_json(times, base_url=BASE_URL, generated=GENERATED))["proposals"]}

    def when(pid):
        return [(s["day"], s["start_date"], s["start"], s["end_date"], s["end"], s["duration"], s["start_iso"],
                 s["end_iso"]) for s in by_id[pid]["schedule"]]

    assert when("repeated-workshop") == [
        ("2016-12-07", "2016-12-07", "14:00", "2016-12-07", "15:30", 90, "2016-12-07T14:00:00+01:00",
         "2016-12-07T15:30:00+01:00"),
        ("2016-12-08", "2016-12-08", "14:00", "2016-12-08", "15:30", 90, "2016-12-08T14:00:00+01:00",
         "2016-12-08T15:30:00+01:00"),
        ("2016-12-09", "2016-12-09", "09:00", "2016-12-09", "09:45", 45, "2016-12-09T09:00:00+01:00",
         "2016-12-09T09:45:00+01:00")]
    assert when("midnight-party") == [("2016-12-08", "2016-12-08", "20:00", "2016-12-09", "00:00", 240,
                                       "2016-12-08T20:00:00+01:00", "2016-12-09T00:00:00+01:00")]
    assert when("night-session") == [("2016-12-08", "2016-12-09", "01:00", "2016-12-09", "01:45", 45,
                                      "2016-12-09T01:00:00+01:00", "2016-12-09T01:45:00+01:00")]
    assert when("three-day-installation") == [("2016-12-07", "2016-12-07", "10:00", "2016-12-09", "18:00", 3360,
                                               "2016-12-07T10:00:00+01:00", "2016-12-09T18:00:00+01:00")]
    workshop = by_id["repeated-workshop"]
    assert [s["number"] for s in workshop["schedule"]] == [1, 2, 3]
    assert [(s["guid"], s["source_id"]) for s in workshop["schedule"]][0] == (KEPT_SLOT_GUID, KEPT_SOURCE_ID)
    assert [s["source_id"] for s in workshop["schedule"]][1:] == [None, None]
    assert workshop["proposers"] == [{"name": "Imported Person", "organisation": None, "country": None,
                                      "github": None, "guid": KEPT_PERSON_GUID}]
    assert workshop["subtitle"] == "Part of the open budgets track, held three times"
    consent = {pid: (p["recording"], p["do_not_record"]) for pid, p in by_id.items()}
    assert consent["repeated-workshop"] == ("allowed", False)
    assert consent["midnight-party"] == ("not-allowed", True)
    assert consent["night-session"] == (None, True)
    assert consent["second-session"] == (None, True) and by_id["second-session"]["schedule"] == []
    assert by_id["night-session"]["proposers"][0]["country"] is None


def test_json_the_night_the_clocks_go_back(dst):
    by_id = {p["id"]: p for p in _strict_load(
        exports.proposals_json(dst, base_url=BASE_URL, generated=GENERATED))["proposals"]}
    [night] = by_id["dst-night"]["schedule"]
    # 01:30 summer time to 02:30 winter time: 120 minutes, the end's offset is not the start's.
    assert (night["day"], night["start_date"], night["start"], night["end_date"], night["end"]) == (
        "2016-10-29", "2016-10-30", "01:30", "2016-10-30", "02:30")
    assert (night["start_iso"], night["end_iso"], night["duration"]) == (
        "2016-10-30T01:30:00+02:00", "2016-10-30T02:30:00+01:00", 120)
    assert [(s["start_iso"], s["end_iso"]) for s in by_id["dst-afternoon"]["schedule"]] == [
        ("2016-10-29T15:00:00+02:00", "2016-10-29T16:00:00+02:00"),
        ("2016-10-30T15:00:00+01:00", "2016-10-30T16:00:00+01:00")]


def test_json_without_a_site_address_links_relatively(times, export_schema):
    text = exports.proposals_json(times, base_url=None, generated=GENERATED)
    document = _strict_load(text)
    assert jsonschema.Draft202012Validator(export_schema).is_valid(document)
    assert [p["url"] for p in document["proposals"]] == [f"../proposals/{p.id}/" for p in
                                                         sorted(times.proposals, key=lambda p: p.id)]
    assert all(p["source_url"].startswith("https://github.com/") for p in document["proposals"])
    # Nothing else changes: the same file as with an address, but for the links.
    assert text == exports.proposals_json(times, base_url=BASE_URL, generated=GENERATED).replace(
        f'"url": "{BASE_URL}proposals/', '"url": "../proposals/')


def test_json_nothing_is_coerced(hostile):
    document = _strict_load(exports.proposals_json(hostile, base_url=BASE_URL, generated=GENERATED))
    typed = next(p for p in document["proposals"] if p["id"] == "typed-lookalikes")
    assert typed["title"] == "1.5e300"
    assert [(x["name"], x["organisation"]) for x in typed["proposers"]] == [("no", "yes"), ("NaN", ".inf")]
    assert typed["duration"] == 30 and type(typed["duration"]) is int
    assert typed["example"] is False
    text = exports.proposals_json(hostile, base_url=BASE_URL, generated=GENERATED)
    assert '"title": "1.5e300"' in text and '"name": "NaN"' in text


def test_json_survives_quotes_backslashes_and_script_tags(hostile):
    text = exports.proposals_json(hostile, base_url=BASE_URL, generated=GENERATED)
    document = _strict_load(text)
    by_id = {p["id"]: p for p in document["proposals"]}
    assert by_id["quotes-backslashes"]["title"] == 'He said "hi" \\ C:\\temp\\ </script><!-- end'
    assert by_id["quotes-backslashes"]["proposers"][0]["name"] == "O'Brien \"Quoted\""
    assert by_id["script-in-title"]["title"] == hostile.proposal("script-in-title").title
    assert "</script>" in by_id["formula-title"]["description"]
    rtl = by_id["unicode-title"]["title"]
    assert rtl.startswith("مرحبا") and "👩\u200d👩\u200d👧" in rtl
    # ensure_ascii=False: text stays readable UTF-8, and every line of the file is one JSON line
    assert "مرحبا" in text and "\\u" not in text
    for line in text.splitlines():
        assert not any(0 <= ord(c) < 0x20 for c in line)


@pytest.mark.parametrize("mutation", [
    lambda d: d["proposals"][0].__setitem__("duration", "90"),
    lambda d: d["proposals"][0].__setitem__("example", "false"),
    lambda d: d["proposals"][0].__setitem__("status", "maybe"),
    lambda d: d["proposals"][0].__setitem__("extra", 1),
    lambda d: d["proposals"][0].pop("summary"),
    lambda d: d["proposals"][0]["proposers"][0].__setitem__("country", "fr"),
    lambda d: d["proposals"][0]["accessibility"].__setitem__("captions", "yes"),
    lambda d: d["proposals"][0].__setitem__("schedule", {"day": "2016-12-07"}),
    lambda d: d["proposals"][0].__setitem__("schedule", []),
    lambda d: d["proposals"][0]["schedule"][0].pop("guid"),
    lambda d: d["proposals"][0]["schedule"][0].__setitem__("guid", "7E67A6E5-4A41-5139-9F9C-0B5C71C74D33"),
    lambda d: d["proposals"][0]["schedule"][0].__setitem__("end_iso", "2016-12-08T10:15:00"),
    lambda d: d["proposals"][0]["schedule"][0].__setitem__("source_id", 0),
    lambda d: next(p for p in d["proposals"] if p["status"] != "scheduled").__setitem__(
        "schedule", d["proposals"][0]["schedule"]),
    lambda d: d["proposals"][0].__setitem__("do_not_record", False),
    lambda d: d["proposals"][0].__setitem__("recording", "maybe"),
    lambda d: d["proposals"][0].__setitem__("url", "javascript:alert(1)"),
    lambda d: d["proposals"][0]["proposers"][0].__setitem__("guid", "not-a-guid"),
    lambda d: d["event"].pop("day_change"),
    lambda d: d["event"].__setitem__("timezone", 1),
    lambda d: d.__setitem__("generated", "yesterday"),
])
def test_schema_refuses_a_changed_document(real, export_schema, mutation):
    document = _strict_load(exports.proposals_json(real, base_url=BASE_URL, generated=GENERATED))
    mutation(document)
    assert not jsonschema.Draft202012Validator(export_schema).is_valid(document)


def test_schema_describes_every_property(export_schema):
    missing, open_objects = [], []

    def walk(node, path):
        if isinstance(node, dict):
            if node.get("type") == "object" and node.get("additionalProperties") is not False:
                open_objects.append(path)
            for name, child in node.get("properties", {}).items():
                if "description" not in child:
                    missing.append(f"{path}.{name}")
            for key, child in node.items():
                walk(child, f"{path}.{key}")
        elif isinstance(node, list):
            for i, child in enumerate(node):
                walk(child, f"{path}[{i}]")

    walk(export_schema, "$")
    assert missing == [] and open_objects == []
    assert export_schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_schema_enums_follow_the_proposal_schema(export_schema):
    source = json.loads((schema_dir() / "proposal.schema.json").read_text(encoding="utf-8"))
    proposal = export_schema["$defs"]["proposal"]["properties"]
    assert proposal["status"]["enum"] == source["properties"]["status"]["enum"]
    assert proposal["looking_for"]["items"]["enum"] == source["properties"]["looking_for"]["items"]["enum"]
    assert list(proposal["accessibility"]["properties"]) == list(source["properties"]["accessibility"]["properties"])
    assert proposal["recording"]["enum"] == source["properties"]["recording"]["enum"] + [None]
    slot = export_schema["$defs"]["slot"]["properties"]
    assert slot["guid"]["$ref"] == "#/$defs/uuid"
    assert export_schema["$defs"]["uuid"]["pattern"] == source["$defs"]["uuid"]["pattern"]


def test_export_schema_text_is_the_published_file():
    path = schema_dir() / "proposals-export.schema.json"
    assert exports.export_schema_text() == path.read_text(encoding="utf-8")
    assert path.parent == ROOT / "schema"


# --- proposals.csv ------------------------------------------------------------------------


def _read_csv(text):
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _expected_csv(agenda_, p, lang="fr", base_url=BASE_URL):
    access = dict(p.accessibility)
    slots = p.slots

    def flag(v):
        return "" if v is None else ("true" if v else "false")

    def join(values):
        return "; ".join(values)

    return {
        "id": p.id, "title": p.title, "status": p.status, "format": p.format,
        "format_name": agenda_.format(p.format).name[lang],
        "themes": join(p.themes), "theme_names": join(agenda_.theme(t).name[lang] for t in p.themes),
        "languages": join(p.languages), "duration_minutes": str(p.duration),
        "day": join(s.day for s in slots), "start": join(s.start for s in slots), "end": join(s.end for s in slots),
        "room": join(s.room or "" for s in slots),
        "room_name": join(agenda_.room(s.room).name["fr"] if s.room else "" for s in slots),
        "proposers": join(x.name for x in p.proposers),
        "organisations": join(x.organisation or "" for x in p.proposers),
        "countries": join(x.country or "" for x in p.proposers),
        "summary": p.summary, "looking_for": join(p.looking_for),
        "interpretation": join(access.get("interpretation", ())),
        "sign_language": join(access.get("sign_language", ())),
        "captions": flag(access.get("captions")), "step_free_access": flag(access.get("step_free_access")),
        "materials_in_advance": flag(access.get("materials_in_advance")),
        "accessibility_notes": access.get("notes", ""), "example": flag(p.example),
        "url": f"{base_url or '../'}proposals/{p.id}/", "source": p.path,
        "subtitle": p.subtitle or "", "recording": p.recording or "",
        "do_not_record": flag(p.recording != "allowed"),
        "start_iso": join(s.starts_at.isoformat() for s in slots), "end_iso": join(s.ends_at.isoformat() for s in slots),
        "slot_guids": join(exports.identities(agenda_)[p.id, s.index].guid for s in slots),
        **{f"place_{key}": join((getattr(s.place, key) or "") if s.place else "" for s in slots)
           for key in ("name", "address", "city", "country", "url")},
        "place_online": join(flag(s.place.online) if s.place else "" for s in slots),
    }


def _unneutralise(cell):
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(TRIGGERS) else cell


def test_csv_columns_rows_and_values(programme):
    text = exports.proposals_csv(programme, base_url=BASE_URL)
    names = [c for c, _ in exports.CSV_COLUMNS]
    assert len(set(names)) == len(names) and all(d.strip() for _, d in exports.CSV_COLUMNS)
    assert names[:3] == ["id", "title", "status"]
    assert text.startswith(",".join(names) + "\r\n") and text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")  # no bare line break outside quoted cells here
    rows = _read_csv(text)
    assert rows and list(rows[0]) == names
    assert [r["id"] for r in rows] == sorted(p.id for p in programme.proposals)
    for row, p in zip(rows, sorted(programme.proposals, key=lambda p: p.id), strict=True):
        expected = _expected_csv(programme, p)
        assert {k: _unneutralise(v) for k, v in row.items()} == expected
        for name, cell in row.items():
            assert not cell.startswith(TRIGGERS), (p.id, name, cell)
            if cell != expected[name]:
                assert cell == "'" + expected[name]


def test_csv_new_columns_come_last():
    """Columns keep their positions: those of format 1.0 first, in their order."""
    first = ["id", "title", "status", "format", "format_name", "themes", "theme_names", "languages",
             "duration_minutes", "day", "start", "end", "room", "room_name", "proposers", "organisations",
             "countries", "summary", "looking_for", "interpretation", "sign_language", "captions",
             "step_free_access", "materials_in_advance", "accessibility_notes", "example", "url", "source"]
    assert [c for c, _ in exports.CSV_COLUMNS][:len(first)] == first


def test_csv_holds_every_slot_and_the_consent(times):
    rows = {r["id"]: r for r in _read_csv(exports.proposals_csv(times, base_url=None))}
    w = rows["repeated-workshop"]
    assert (w["day"], w["start"], w["end"], w["room"]) == (
        "2016-12-07; 2016-12-08; 2016-12-09", "14:00; 14:00; 09:00", "15:30; 15:30; 09:45",
        "atelier-2; atelier-2; atelier-2")
    assert w["room_name"] == "; ".join(["Atelier 2 (mezzanine)"] * 3)
    assert w["start_iso"] == "2016-12-07T14:00:00+01:00; 2016-12-08T14:00:00+01:00; 2016-12-09T09:00:00+01:00"
    assert w["slot_guids"].split("; ")[0] == KEPT_SLOT_GUID and len(set(w["slot_guids"].split("; "))) == 3
    assert (w["organisations"], w["countries"]) == ("", "")
    assert (w["recording"], w["do_not_record"]) == ("allowed", "false")
    assert (rows["midnight-party"]["recording"], rows["midnight-party"]["do_not_record"]) == ("not-allowed", "true")
    night = rows["night-session"]
    assert (night["recording"], night["do_not_record"], night["subtitle"]) == ("", "true", "For night owls")
    assert (night["day"], night["start"], night["start_iso"]) == ("2016-12-08", "01:00", "2016-12-09T01:00:00+01:00")
    assert rows["midnight-party"]["end_iso"] == "2016-12-09T00:00:00+01:00"
    assert rows["three-day-installation"]["end_iso"] == "2016-12-09T18:00:00+01:00"
    assert rows["second-session"]["day"] == rows["second-session"]["slot_guids"] == ""
    for p in times.proposals:
        assert rows[p.id] == _expected_csv(times, p, base_url=None)
        assert rows[p.id]["url"] == f"../proposals/{p.id}/"


def test_csv_neutralises_the_injection_cases(hostile):
    rows = {r["id"]: r for r in _read_csv(exports.proposals_csv(hostile, base_url=BASE_URL))}
    f = rows["formula-title"]
    assert f["title"] == "'=HYPERLINK(\"http://evil\",\"click\")"
    assert f["summary"].startswith("'=1+2, a \"quoted\" summary")
    assert f["proposers"] == "'+1; -2+3"
    assert f["organisations"] == "'@SUM(A1); =HYPERLINK(\"http://evil\")"
    assert f["accessibility_notes"] == "'=notes that look like a formula"
    assert f["captions"] == "false" and f["step_free_access"] == "" and f["duration_minutes"] == "60"
    m = rows["minus-title"]
    assert m["title"] == "'-2+3 is the answer to nothing"
    assert m["summary"] == "'@SUM(A1) is not a summary, but it is long enough"
    assert (m["proposers"], m["organisations"]) == ("'@handle like name", "'-Minus organisation")
    assert rows["plus-title"]["title"] == "'+33 1 23 45 67 89 hotline for open data"
    assert rows["plus-title"]["organisations"] == "'+Plus organisation"
    assert rows["quotes-backslashes"]["title"] == 'He said "hi" \\ C:\\temp\\ </script><!-- end'
    assert rows["unicode-title"]["proposers"] == "سلمى الخيالية; Zoë Ünïcödé"
    assert rows["typed-lookalikes"]["title"] == "1.5e300"
    for row in rows.values():
        assert not any(cell.startswith(TRIGGERS) for cell in row.values())


@pytest.mark.parametrize(("value", "expected"), [
    ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
    ("+1", "'+1"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    ("", ""),
    ("plain", "plain"),
    (" =1", " =1"),
    ("a=1", "a=1"),
    ("'quoted", "'quoted"),
    ("2016-12-07", "2016-12-07"),
])
def test_neutralise_formula(value, expected):
    assert exports.neutralise_formula(value) == expected
    assert not exports.neutralise_formula(value).startswith(TRIGGERS)


def test_csv_with_values_the_checker_would_refuse(hostile):
    """TAB/CR-leading values and line breaks cannot pass the checker; the CSV still copes."""
    p = hostile.proposal("plus-title")
    odd = dataclasses.replace(p, title="\t=1+1", summary="\r=1\r\nsecond line, \"quoted\"\nthird")
    programme = dataclasses.replace(hostile, proposals=tuple(odd if x is p else x for x in hostile.proposals))
    text = exports.proposals_csv(programme, base_url=BASE_URL)
    row = next(r for r in _read_csv(text) if r["id"] == "plus-title")
    assert row["title"] == "'\t=1+1"
    assert row["summary"] == "'\r=1\r\nsecond line, \"quoted\"\nthird"


def test_csv_in_english(real):
    rows = _read_csv(exports.proposals_csv(real, base_url=BASE_URL, lang="en"))
    for row, p in zip(rows, real.proposals, strict=True):
        assert {k: _unneutralise(v) for k, v in row.items()} == _expected_csv(real, p, "en")


# --- frab / C3VOC schedule.json -----------------------------------------------------------

_C3VOC_ACRONYM = re.compile(r"^[a-z0-9_-][a-z0-9_]{3,}(-2[0-9]{3}-[a-z]+)?$")
_C3VOC_TIMEZONE = re.compile(r"^([A-Z][a-z]+/[A-Z][a-z]+)|UTC$")
_EVENT_KEYS = {
    "guid": str, "id": int, "date": str, "start": str, "end": str, "duration": str, "room": str, "slug": str,
    "url": str, "title": str, "subtitle": str, "type": str, "language": str, "abstract": str,
    "description": str, "do_not_record": bool, "persons": list, "links": list, "attachments": list,
}
DURATION = re.compile(r"^[0-9]+:[0-9]{2}$")  # the C3VOC schema's Duration: hours may pass 24


def _keys(obj, spec, where):
    assert isinstance(obj, dict), where
    for key, kind in spec.items():
        assert key in obj, f"{where}: missing {key}"
        assert type(obj[key]) is kind, f"{where}.{key}: {type(obj[key]).__name__}, not {kind.__name__}"


def _uuid(text):
    return str(uuid.UUID(text)) == text


def c3voc_format_checker():
    """The formats the C3VOC schema uses, checked strictly (jsonschema checks date-time and uri
    only with optional packages): RFC 3339 date-times with an offset, dates, lower-case
    UUIDs, absolute http(s) addresses."""
    checker = jsonschema.FormatChecker([])

    @checker.checks("date-time", raises=ValueError)
    def date_time(value):
        moment = dt.datetime.fromisoformat(value)
        return isinstance(value, str) and "T" in value and moment.utcoffset() is not None

    @checker.checks("date", raises=ValueError)
    def date(value):
        return len(value) == 10 and bool(dt.date.fromisoformat(value))

    @checker.checks("uuid", raises=ValueError)
    def is_uuid(value):
        return _uuid(value)

    @checker.checks("uri")
    def uri(value):
        parts = urlsplit(value)
        return parts.scheme in ("http", "https") and bool(parts.netloc) and not re.search(r"\s", value)

    return checker


@pytest.fixture(scope="module")
def c3voc_schema():
    schema = json.loads((C3VOC / "schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft6Validator.check_schema(schema)
    return schema


def validate_c3voc(document, schema):
    validator = jsonschema.Draft6Validator(schema, format_checker=c3voc_format_checker())
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{list(e.absolute_path)}: {e.message[:200]}" for e in errors[:5]]


def validate_frab(document, timezone):
    """What schedule apps rely on beyond the C3VOC schema: every event under its event day
    (a night session after midnight under the evening's), within the day's opening, rooms in
    the order of the conference's rooms, events in time order, guids and ids unique."""
    _keys(document, {"$schema": str, "generator": dict, "schedule": dict}, "$")
    _keys(document["generator"], {"name": str, "version": str}, "generator")
    schedule = document["schedule"]
    _keys(schedule, {"version": str, "conference": dict}, "schedule")
    assert "rooms" not in schedule and "recording_license" not in json.dumps(document)
    c = schedule["conference"]
    _keys(c, {"acronym": str, "title": str, "start": str, "end": str, "daysCount": int,
              "timeslot_duration": str, "time_zone_name": str, "rooms": list, "days": list}, "conference")
    assert _C3VOC_ACRONYM.match(c["acronym"]) and _C3VOC_TIMEZONE.match(c["time_zone_name"])
    assert HHMM.match(c["timeslot_duration"])
    assert dt.date.fromisoformat(c["start"]) <= dt.date.fromisoformat(c["end"])
    assert c["daysCount"] == len(c["days"])
    room_names = []
    for room in c["rooms"]:
        _keys(room, {"name": str, "guid": str}, "room")
        assert _uuid(room["guid"])
        room_names.append(room["name"])
    assert len(set(room_names)) == len(room_names)
    guids, ids, events = [r["guid"] for r in c["rooms"]], [], []
    zone = zoneinfo.ZoneInfo(timezone)
    for i, day in enumerate(c["days"]):
        _keys(day, {"index": int, "date": str, "day_start": str, "day_end": str, "rooms": dict}, f"day {i}")
        assert day["index"] == i + 1
        opens, closes = dt.datetime.fromisoformat(day["day_start"]), dt.datetime.fromisoformat(day["day_end"])
        for moment in (opens, closes):
            assert moment.utcoffset() == moment.astimezone(zone).utcoffset()
        assert opens.date().isoformat() == day["date"] and opens < closes
        assert list(day["rooms"]) == [n for n in room_names if n in day["rooms"]]  # rooms in event order
        for name, items in day["rooms"].items():
            assert isinstance(items, list) and items, name
            for e in items:
                _keys(e, _EVENT_KEYS, f"{day['date']} {name}")
                assert e["room"] == name
                assert "track" in e and (e["track"] is None or isinstance(e["track"], str))
                assert HHMM.match(e["start"]) and DURATION.match(e["duration"])
                start, end = dt.datetime.fromisoformat(e["date"]), dt.datetime.fromisoformat(e["end"])
                for moment in (start, end):
                    assert moment.utcoffset() == moment.astimezone(zone).utcoffset()
                assert opens <= start < closes  # under its event day, whatever its calendar date
                assert start.strftime("%H:%M") == e["start"]
                hours, minutes = map(int, e["duration"].split(":"))
                assert end - start == dt.timedelta(hours=hours, minutes=minutes)
                assert _uuid(e["guid"]) and 0 < e["id"] < 2**31
                assert re.match(r"^[a-z0-9_-]+[a-z0-9]$", e["slug"])
                assert e["url"].startswith(schedule.get("base_url", "https://"))
                for person in e["persons"]:
                    _keys(person, {"name": str, "public_name": str, "guid": str}, "person")
                    assert "id" not in person  # C3VOC: a person is a frab OR a pretalx person (oneOf)
                    assert _uuid(person["guid"])
                for link in e["links"]:
                    _keys(link, {"title": str, "url": str}, "link")
                guids.append(e["guid"])
                ids.append(e["id"])
                events.append((day["date"], name, e))
            starts = [dt.datetime.fromisoformat(e["date"]) for e in items]
            assert starts == sorted(starts)
    assert len(set(guids)) == len(guids) and len(set(ids)) == len(ids)
    return events


def _frab(programme, base_url=BASE_URL, **kw):
    return _strict_load(exports.frab_schedule(programme, base_url=base_url, generated=GENERATED, **kw))


def _by_guid(document):
    return {e["guid"]: (day["date"], room, e) for day in document["schedule"]["conference"]["days"]
            for room, events in day["rooms"].items() for e in events}


def test_frab_is_valid_against_the_c3voc_schema(programme, c3voc_schema):
    for base_url in (BASE_URL, None):
        document = _frab(programme, base_url)
        validate_c3voc(document, c3voc_schema)
        validate_frab(document, programme.event.timezone)


def test_c3voc_schema_and_checker_refuse_what_they_should(times, c3voc_schema):
    """The vendored schema and the format checker are not toothless."""
    validator = jsonschema.Draft6Validator(c3voc_schema, format_checker=c3voc_format_checker())
    for mutate in (
        lambda e: e.__setitem__("duration", "1:5"),
        lambda e: e.__setitem__("date", "2016-12-07 10:00"),
        lambda e: e.__setitem__("date", "2016-12-07T10:00:00"),
        lambda e: e.__setitem__("guid", "not-a-uuid"),
        lambda e: e.__setitem__("url", "../proposals/x/"),
        lambda e: e.__setitem__("recording_licence", ""),
        lambda e: e.pop("subtitle"),
        lambda e: e["persons"][0].__setitem__("id", 1),
    ):
        document = _frab(times)
        first = next(iter(document["schedule"]["conference"]["days"][0]["rooms"].values()))[0]
        mutate(first)
        assert not validator.is_valid(document)


def test_frab_the_published_schema_tool_accepts_it(times, tmp_path):
    """check-jsonschema, the tool C3VOC's own validate_schedule_json.sh runs."""
    paths = []
    for name, base_url in (("with.json", BASE_URL), ("without.json", None)):
        (tmp_path / name).write_text(exports.frab_schedule(times, base_url=base_url, generated=GENERATED),
                                     encoding="utf-8")
        paths.append(str(tmp_path / name))
    bad = _frab(times)
    bad["schedule"]["conference"]["days"][0]["rooms"]["Atelier 1"][0]["duration"] = 90
    (tmp_path / "bad.json").write_text(json.dumps(bad), encoding="utf-8")
    command = [str(Path(sys.executable).with_name("check-jsonschema")), "--schemafile", str(C3VOC / "schema.json")]
    ok = subprocess.run(command + paths, capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    refused = subprocess.run(command + [str(tmp_path / "bad.json")], capture_output=True, text=True, timeout=120)
    assert refused.returncode == 1 and "duration" in refused.stdout


def test_frab_structure_and_every_slot(programme):
    document = _frab(programme)
    e = programme.event
    validate_frab(document, e.timezone)
    c = document["schedule"]["conference"]
    assert document["$schema"] == "https://c3voc.de/schedule/schema.json"
    assert document["generator"] == {"name": "agenda", "version": agenda.__version__}
    assert document["schedule"]["version"] == GENERATED and document["schedule"]["base_url"] == BASE_URL
    assert c["url"] == BASE_URL
    assert (c["start"], c["end"], c["time_zone_name"]) == (e.first_day, e.last_day, e.timezone)
    assert c["title"] == e.name["fr"]
    assert [d["date"] for d in c["days"]] == list(e.days())
    places = [x.slot.place for x in programme.sessions() if x.slot.place]
    assert [r["name"] for r in c["rooms"]][:len(e.rooms)] == [r.name["fr"] for r in e.rooms]
    assert len(c["rooms"]) == len(e.rooms) + len(set(places))  # a room for each place held elsewhere
    for day in c["days"]:
        opens, closes = e.clock.opening(dt.date.fromisoformat(day["date"]))
        if not e.venue_open(day["date"]):  # a day of sessions held elsewhere: the whole event day
            opens = dt.datetime.fromisoformat(day["date"]) + dt.timedelta(minutes=e.clock.day_change)
            closes = opens + dt.timedelta(days=1)
        assert dt.datetime.fromisoformat(day["day_start"]).replace(tzinfo=None) == opens
        assert dt.datetime.fromisoformat(day["day_end"]).replace(tzinfo=None) == closes
        if not programme.sessions(day["date"]):
            assert day["rooms"] == {}
    by_guid = _by_guid(document)
    idents = exports.identities(programme)
    assert len(by_guid) == len(programme.sessions()) == sum(len(p.slots) for p in programme.proposals)
    for p in programme.proposals:
        if not p.slots:
            assert exports.frab_guid(programme, "proposal", p.id) not in by_guid
            assert f"proposals/{p.id}/" not in json.dumps(document)
        for s in p.slots:
            date, room, ev = by_guid[idents[p.id, s.index].guid]
            assert ev["id"] == idents[p.id, s.index].id
            if s.room:
                assert (date, room) == (s.day, programme.room(s.room).name["fr"])
            else:  # a room named after the place, never a room of the venue's
                assert date == s.day and room not in [r.name["fr"] for r in programme.event.rooms]
                assert (s.place.city or "") in room and (s.place.country or "") in room
            assert ev["date"] == s.starts_at.isoformat() and ev["end"] == s.ends_at.isoformat()
            assert ev["start"] == s.start and ev["duration"] == f"{s.duration // 60:02d}:{s.duration % 60:02d}"
            assert ev["title"] == p.title and ev["subtitle"] == (p.subtitle or "")
            assert ev["abstract"] == p.summary and ev["description"] == p.description
            assert ev["track"] == (programme.theme(p.themes[0]).name["fr"] if p.themes else None)
            assert ev["type"] == programme.format(p.format).name["fr"]
            assert ev["language"] == (p.languages[0] if p.languages else "")
            assert ev["url"] == f"{BASE_URL}proposals/{p.id}/"
            assert [x["name"] for x in ev["persons"]] == [x.name for x in p.proposers]
            assert [x["public_name"] for x in ev["persons"]] == [x.name for x in p.proposers]
            assert [x["guid"] for x in ev["persons"]] == [exports.person_guid(programme, x) for x in p.proposers]
            assert ev["links"] == [{"title": t, "url": u} for t, u in p.links]
            assert ev["do_not_record"] is (p.recording != "allowed")
            assert "recording_license" not in ev and ev["attachments"] == []


def test_frab_real_has_paris_offsets_and_a_stable_identity(real):
    document = _frab(real)
    days = document["schedule"]["conference"]["days"]
    by_date = {d["date"]: d for d in days}
    # The summit's first day's own hours run past midnight (08:30 to 01:00); the others are the
    # default ones; the days of the week when the venue is closed run from day change to day change.
    assert [d["date"] for d in days] == [f"2016-12-{n:02d}" for n in range(5, 12)]
    assert (by_date["2016-12-07"]["day_start"], by_date["2016-12-07"]["day_end"]) == (
        "2016-12-07T08:30:00+01:00", "2016-12-08T01:00:00+01:00")
    assert (by_date["2016-12-08"]["day_start"], by_date["2016-12-08"]["day_end"]) == (
        "2016-12-08T08:30:00+01:00", "2016-12-08T19:30:00+01:00")
    assert (by_date["2016-12-05"]["day_start"], by_date["2016-12-05"]["day_end"]) == (
        "2016-12-05T01:00:00+01:00", "2016-12-06T01:00:00+01:00")
    assert list(by_date["2016-12-10"]["rooms"]) == ["En ligne"]
    online = by_date["2016-12-10"]["rooms"]["En ligne"][0]
    assert online["url"].endswith("/lobbying-registers-online/") and online["date"] == "2016-12-10T14:00:00+01:00"
    events = [ev for d in days for evs in d["rooms"].values() for ev in evs]
    event = next(ev for ev in events if ev["url"].endswith("/acces-information-maghreb/"))
    assert event["date"] == "2016-12-08T09:00:00+01:00" and event["duration"] == "01:15"
    assert event["do_not_record"] is True  # recording: not-allowed
    # Apps recognise a session by its guid and id: they must never change from build to build.
    # Written out in full, so that a change of namespace, key or hash cannot pass unnoticed.
    assert event["guid"] == "7e67a6e5-4a41-5139-9f9c-0b5c71c74d33"
    assert event["id"] == 1370770806  # first 8 hex digits of sha256("acces-information-maghreb"), 31 bits
    assert str(exports.GUID_NAMESPACE) == str(uuid.uuid5(uuid.NAMESPACE_URL, "https://agenda.example.org/schema/frab-guid"))
    assert document["schedule"]["conference"]["acronym"] == "agenda"
    # A second slot: its own guid and id, derived from "<id>/2".
    budget = [ev for ev in events if ev["url"].endswith("/budget-participatif-quartiers/")]
    assert [ev["guid"] for ev in budget] == [exports.frab_guid(real, "proposal", "budget-participatif-quartiers"),
                                            exports.frab_guid(real, "proposal", "budget-participatif-quartiers/2")]
    assert budget[1]["id"] == int(hashlib.sha256(b"budget-participatif-quartiers/2").hexdigest()[:8], 16) & 0x7FFFFFFF


def test_frab_times_of_real_programmes(times):
    document = _frab(times)
    days = {d["date"]: d for d in document["schedule"]["conference"]["days"]}
    # 8 December closes at 02:00 the next morning: frab's day runs past midnight.
    assert (days["2016-12-08"]["day_start"], days["2016-12-08"]["day_end"]) == (
        "2016-12-08T08:30:00+01:00", "2016-12-09T02:00:00+01:00")
    assert (days["2016-12-09"]["day_start"], days["2016-12-09"]["day_end"]) == (
        "2016-12-09T08:30:00+01:00", "2016-12-09T19:30:00+01:00")

    def listed(date):
        return [(room, e["url"].split("/")[-2], e["date"], e["duration"])
                for room, events in days[date]["rooms"].items() for e in events]

    assert listed("2016-12-07") == [
        ("Salle Seine", "three-day-installation", "2016-12-07T10:00:00+01:00", "56:00"),
        ("Atelier 1", "base-session", "2016-12-07T10:00:00+01:00", "01:30"),
        ("Atelier 2 (mezzanine)", "repeated-workshop", "2016-12-07T14:00:00+01:00", "01:30")]
    # The night session of 9 December at 01:00 belongs to 8 December, not to the 9th.
    assert listed("2016-12-08") == [
        ("Salle Louvre", "night-session", "2016-12-09T01:00:00+01:00", "00:45"),
        ("Atelier 2 (mezzanine)", "repeated-workshop", "2016-12-08T14:00:00+01:00", "01:30"),
        ("Agora de la société civile", "midnight-party", "2016-12-08T20:00:00+01:00", "04:00")]
    assert listed("2016-12-09") == [
        ("Atelier 2 (mezzanine)", "repeated-workshop", "2016-12-09T09:00:00+01:00", "00:45")]
    by_url = {e["url"].split("/")[-2] + "@" + e["date"]: e for _, _, e in _by_guid(document).values()}
    assert by_url["midnight-party@2016-12-08T20:00:00+01:00"]["end"] == "2016-12-09T00:00:00+01:00"
    assert by_url["three-day-installation@2016-12-07T10:00:00+01:00"]["end"] == "2016-12-09T18:00:00+01:00"
    night = by_url["night-session@2016-12-09T01:00:00+01:00"]
    assert (night["start"], night["subtitle"], night["do_not_record"]) == ("01:00", "For night owls", True)
    assert by_url["midnight-party@2016-12-08T20:00:00+01:00"]["do_not_record"] is True
    workshop = [e for key, e in sorted(by_url.items()) if key.startswith("repeated-workshop@")]
    assert [e["do_not_record"] for e in workshop] == [False, False, False]
    # Imported guid, id and person guid kept; the other slots derived, all different.
    assert (workshop[0]["guid"], workshop[0]["id"]) == (KEPT_SLOT_GUID, KEPT_SOURCE_ID)
    assert workshop[0]["slug"] == f"agenda-{KEPT_SOURCE_ID}-repeated-workshop"
    assert [e["guid"] for e in workshop[1:]] == [exports.frab_guid(times, "proposal", "repeated-workshop/2"),
                                                 exports.frab_guid(times, "proposal", "repeated-workshop/3")]
    assert all(e["persons"] == [{"name": "Imported Person", "public_name": "Imported Person",
                                 "guid": KEPT_PERSON_GUID}] for e in workshop)
    assert len({e["id"] for e in workshop}) == 3


def test_frab_the_night_the_clocks_go_back(dst):
    document = _frab(dst)
    days = document["schedule"]["conference"]["days"]
    # Open 10:00 to 04:00: the first night is 19 hours long on the wall clock, 19 hours elapsed
    # plus the hour given back.
    assert [(d["day_start"], d["day_end"]) for d in days] == [
        ("2016-10-29T10:00:00+02:00", "2016-10-30T04:00:00+01:00"),
        ("2016-10-30T10:00:00+01:00", "2016-10-31T04:00:00+01:00"),
        ("2016-10-31T10:00:00+01:00", "2016-11-01T04:00:00+01:00")]
    [night] = days[0]["rooms"]["Auditorium"]
    assert (night["date"], night["start"], night["end"], night["duration"]) == (
        "2016-10-30T01:30:00+02:00", "01:30", "2016-10-30T02:30:00+01:00", "02:00")
    afternoons = [e["date"] for d in days for e in d["rooms"].get("Salle Seine", [])]
    assert afternoons == ["2016-10-29T15:00:00+02:00", "2016-10-30T15:00:00+01:00"]
    assert days[2]["rooms"] == {}


def test_frab_without_a_site_address(times, c3voc_schema):
    document = _frab(times, None)
    validate_c3voc(document, c3voc_schema)
    schedule = document["schedule"]
    assert "base_url" not in schedule and "url" not in schedule["conference"]
    for _, _, e in _by_guid(document).values():  # url is required and absolute: the proposal's file
        assert re.fullmatch(r"https://github\.com/example-org/agenda/blob/main/proposals/[a-z0-9-]+\.yaml", e["url"])
    with_address = _frab(times)
    assert {g: {k: v for k, v in e.items() if k != "url"} for g, (_, _, e) in _by_guid(document).items()} == \
        {g: {k: v for k, v in e.items() if k != "url"} for g, (_, _, e) in _by_guid(with_address).items()}


def test_frab_in_english(real):
    document = _frab(real, lang="en")
    c = document["schedule"]["conference"]
    assert c["title"] == real.event.name["en"]
    types = {ev["type"] for d in c["days"] for evs in d["rooms"].values() for ev in evs}
    assert types <= {f.name["en"] for f in real.event.formats}
    with pytest.raises(ValueError):
        exports.frab_schedule(real, base_url=BASE_URL, generated=GENERATED, lang="de")
    with pytest.raises(ValueError):
        exports.proposals_csv(real, base_url=BASE_URL, lang="de")


def test_frab_ids_resolve_collisions_deterministically():
    # These two ids share the first 31 bits of their sha256 (found by search).
    a, b = "session-16250", "session-52884"
    first = exports.frab_ids([a])[a]
    assert exports.frab_ids([b])[b] == first
    both = exports.frab_ids([b, a])
    assert both == exports.frab_ids([a, b])
    assert both[a] == first and both[b] != first and 0 < both[b] < 2**31
    # An id kept from an imported programme is never given to a derived one.
    again = exports.frab_ids([a], taken=[first])[a]
    assert again != first and 0 < again < 2**31
    assert again == int(hashlib.sha256(f"{a}#1".encode()).hexdigest()[:8], 16) & 0x7FFFFFFF


# --- frab XML schedule.xml -----------------------------------------------------------------

XSD_FILE = C3VOC / "schedule.xml.xsd"
XSD_BLOB = "df617a10e3b7dbdad8563e629957048468221d12"  # git's id of validator/xsd/schedule.xml.xsd (README)


@pytest.fixture(scope="module")
def c3voc_xsd():
    return xmlschema.XMLSchema10(str(XSD_FILE))


def validate_xsd(data: bytes, schema):
    """The document against C3VOC's XSD (no location hint is followed: nothing is fetched)."""
    errors = list(schema.iter_errors(data))
    assert not errors, [f"{e.path}: {e.reason}" for e in errors[:5]]


def _xml(programme, base_url=BASE_URL, **kw):
    return exports.frab_schedule_xml(programme, base_url=base_url, generated=GENERATED, **kw)


def xml_events(data: bytes):
    """guid -> (day date, room name, <event>) of a schedule.xml, read by defusedxml."""
    root = SafeET.fromstring(data)
    out = {}
    for day in root.findall("day"):
        for room in day.findall("room"):
            for event in room.findall("event"):
                assert event.get("guid") not in out
                out[event.get("guid")] = (day.get("date"), room.get("name"), event)
    return out


def _minutes(duration):
    hours, minutes = duration.split(":")
    return int(hours) * 60 + int(minutes)


def test_the_vendored_xsd_is_c3vocs_file_unchanged():
    data = XSD_FILE.read_bytes()
    assert hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest() == XSD_BLOB
    readme = (C3VOC / "README.md").read_text(encoding="utf-8")
    assert "validator/xsd/schedule.xml.xsd" in readme and "EUPL-1.2" in readme


def test_xml_is_valid_against_the_c3voc_xsd(programme, c3voc_xsd):
    for base_url in (BASE_URL, None):
        data = _xml(programme, base_url)
        validate_xsd(data, c3voc_xsd)
        assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n<schedule ")
        assert data.endswith(b"</schedule>\n")
        data.decode("utf-8")  # strict


def test_xsd_and_validator_refuse_what_they_should(times, c3voc_xsd):
    """The vendored XSD and xmlschema are not toothless: each change makes the file invalid."""
    import xml.etree.ElementTree as ET

    def first_event(root):
        return root.find("day/room/event")

    mutations = {
        "no title": lambda r: first_event(r).remove(first_event(r).find("title")),
        "no track": lambda r: first_event(r).remove(first_event(r).find("track")),
        "three-digit hours": lambda r: setattr(first_event(r).find("duration"), "text", "100:00"),
        "date without offset": lambda r: setattr(first_event(r).find("date"), "text", "2016-12-07T10:00:00"),
        "bad guid": lambda r: first_event(r).set("guid", "not-a-uuid"),
        "id 0": lambda r: first_event(r).set("id", "0"),
        "same guid twice": lambda r: r.findall("day/room/event")[1].set("guid", first_event(r).get("guid")),
        "relative url": lambda r: setattr(first_event(r).find("url"), "text", "../proposals/x/"),
        "an end element": lambda r: ET.SubElement(first_event(r), "end").__setattr__("text", "x"),
        "day without start": lambda r: r.find("day").attrib.pop("start"),
        "optout not boolean": lambda r: setattr(first_event(r).find("recording/optout"), "text", "maybe"),
        "rooms in conference": lambda r: ET.SubElement(r.find("conference"), "rooms"),
    }
    data = _xml(times)
    validate_xsd(data, c3voc_xsd)
    for name, mutate in mutations.items():
        root = ET.fromstring(data)
        mutate(root)
        assert not c3voc_xsd.is_valid(ET.tostring(root)), name


def test_xml_and_json_are_one_document(programme):
    """Every field the XSD knows comes from schedule.json's document, session by session."""
    for base_url in (BASE_URL, None):
        document = _frab(programme, base_url)
        data = _xml(programme, base_url)
        root = SafeET.fromstring(data)
        schedule, c = document["schedule"], document["schedule"]["conference"]
        assert root.find("generator").attrib == {"name": "agenda", "version": agenda.__version__}
        assert root.findtext("version") == schedule["version"] == GENERATED
        conf = root.find("conference")
        assert [el.tag for el in conf if el.tag != "track"] == (
            ["acronym", "title", "start", "end", "days", "timeslot_duration"]
            + (["base_url", "url"] if base_url else []) + ["time_zone_name"])
        for tag, key in (("acronym", "acronym"), ("title", "title"), ("start", "start"), ("end", "end"),
                         ("timeslot_duration", "timeslot_duration"), ("time_zone_name", "time_zone_name")):
            assert conf.findtext(tag) == c[key], tag
        assert int(conf.findtext("days")) == c["daysCount"] == len(c["days"])
        if base_url:
            assert root.findtext("url") == f"{BASE_URL}data/schedule.xml"
            assert conf.findtext("base_url") == schedule["base_url"] and conf.findtext("url") == c["url"]
        else:
            assert root.find("url") is None and "base_url" not in schedule
        tracks = [dict(el.attrib) for el in conf.findall("track")]
        assert tracks == c["tracks"] == [{"name": t.name["fr"], "slug": t.id} for t in programme.themes]
        days = root.findall("day")
        assert [(int(d.get("index")), d.get("date"), d.get("start"), d.get("end")) for d in days] == [
            (d["index"], d["date"], d["day_start"], d["day_end"]) for d in c["days"]]
        room_guids = {r["name"]: r["guid"] for r in c["rooms"]}
        person_ids = {}
        for day_el, day in zip(days, c["days"]):
            assert [(r.get("name"), r.get("guid")) for r in day_el.findall("room")] == [
                (name, room_guids[name]) for name in day["rooms"]]
            for room_el, events in zip(day_el.findall("room"), day["rooms"].values()):
                assert len(room_el.findall("event")) == len(events)
                for el, e in zip(room_el.findall("event"), events):
                    assert el.attrib == {"guid": e["guid"], "id": str(e["id"])}
                    assert [c_.tag for c_ in el] == [
                        "date", "start", "duration", "room", "slug", "url", "title", "subtitle", "track", "type",
                        *(["language"] if e["language"] else []), "abstract",
                        *(["description"] if e["description"] is not None else []), "recording", "persons",
                        "links", "attachments"]
                    for tag in ("date", "start", "room", "slug", "url", "title", "type", "language"):
                        assert (el.findtext(tag) or "") == e[tag], tag
                    assert el.findtext("duration") == (e["duration"] if _minutes(e["duration"]) < 100 * 60
                                                       else "99:59")
                    for tag in ("subtitle", "track", "abstract", "description"):
                        assert (el.findtext(tag) or "") == (e[tag] or ""), tag
                    assert el.findtext("recording/license") == ""
                    assert el.findtext("recording/optout") == ("true" if e["do_not_record"] else "false")
                    persons = el.findall("persons/person")
                    assert [(p.text, p.get("guid")) for p in persons] == [(x["name"], x["guid"]) for x in e["persons"]]
                    for p in persons:
                        assert 0 < int(p.get("id")) < 2**31
                        assert person_ids.setdefault(p.get("guid"), p.get("id")) == p.get("id")  # one id per guid
                    assert [(x.text or "", x.get("href")) for x in el.findall("links/link")] == [
                        (x["title"], x["url"]) for x in e["links"]]
                    assert list(el.find("attachments")) == [] == e["attachments"]
        assert len(set(person_ids.values())) == len(person_ids)


def test_xml_and_json_describe_the_same_sessions(programme):
    """Same guids, starts, durations, rooms and days in both files, and every slot of the programme."""
    json_events = _by_guid(_frab(programme))
    events = xml_events(_xml(programme))
    assert set(events) == set(json_events) == {i.guid for i in exports.identities(programme).values()}
    for guid, (date, room, el) in events.items():
        j_date, j_room, e = json_events[guid]
        assert (date, room, el.findtext("room")) == (j_date, j_room, e["room"])
        assert dt.datetime.fromisoformat(el.findtext("date")) == dt.datetime.fromisoformat(e["date"])
        assert _minutes(el.findtext("duration")) == min(_minutes(e["duration"]), 99 * 60 + 59)


def test_xml_a_session_of_100_hours_or_more_is_written_99_59(real, c3voc_xsd):
    """The XSD's duration has two digits of hours: a six-day exhibition says 99:59 there, and
    its true length in schedule.json."""
    json_events = _by_guid(_frab(real))
    events = xml_events(_xml(real))
    long = [g for g, (_, _, e) in json_events.items() if _minutes(e["duration"]) >= 100 * 60]
    assert long, "the example programme has an exhibition over several days"
    for guid in long:
        assert events[guid][2].findtext("duration") == exports.LONGEST_XML_DURATION == "99:59"
        assert events[guid][2].findtext("date") == json_events[guid][2]["date"]


HOSTILE_TEXTS = [
    'a < b && c > d, <script>alert("x")</script>, &amp; &#x41; &lt;',
    "]]> <![CDATA[ not a section ]]> <!-- not a comment --> <?pi not one?>",
    "\"double\" and 'single' quotes, `backticks`, back\\slash",
    "مرحبا بالعالم — שלום עולם \u202eevil\u202c \u200f\u200e mixed RTL العربية 123",
    "emoji 👩‍👩‍👧 🇫🇷 𝔘𝔫𝔦𝔠𝔬𝔡𝔢, tab\there, non-breaking\u00a0space, U+2028\u2028 U+0085\u0085 DEL\x7f",
]


def _with_texts(programme, title, description, person=None, link=None):
    """`programme` with every proposal's title and description (and proposers, links) replaced."""
    proposals = []
    for p in programme.proposals:
        changes = {"title": title, "description": description, "summary": title, "subtitle": title}
        if person is not None:
            changes["proposers"] = tuple(dataclasses.replace(x, name=person) for x in p.proposers)
        if link is not None:
            changes["links"] = (link,)
        proposals.append(dataclasses.replace(p, **changes))
    return dataclasses.replace(programme, proposals=tuple(proposals))


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
def test_xml_hostile_text_round_trips_exactly(times, c3voc_xsd, text):
    hostile = _with_texts(times, text, f"{text}\n\nline two: {text}\n", person=text,
                          link=(text, "https://example.org/?a=1&b=<2>&c=\"3\"'"))
    data = _xml(hostile)
    validate_xsd(data, c3voc_xsd)
    assert b"<script>" not in data and b"<![CDATA[" not in data  # escaped, never raw markup
    events = xml_events(data)
    assert len(events) == len(times.sessions())
    for _, _, el in events.values():
        for tag in ("title", "subtitle", "abstract"):
            assert el.findtext(tag) == text, tag
        assert el.findtext("description") == f"{text}\n\nline two: {text}\n"
        assert {p.text for p in el.findall("persons/person")} == {text}
        assert [(x.text, x.get("href")) for x in el.findall("links/link")] == [
            (text, "https://example.org/?a=1&b=<2>&c=\"3\"'")]


ILLEGAL = "".join(chr(c) for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)) + "\ufffe\uffff\ud800\udfff"


def test_xml_characters_xml_cannot_carry_are_dropped(times, c3voc_xsd):
    """No proposal can hold them (the checker refuses them), but the serialiser must never write
    a document that is not well-formed: C0 controls but TAB, LF, CR; U+FFFE, U+FFFF; lone
    surrogates. A CR is a line break: LF."""
    title = f"be{ILLEGAL}fore\x00after \ud83d lone high, \ude00 lone low, 🎉 kept"
    description = "one\r\ntwo\rthree\nfour\x0b\x0c\x1b[31m"
    hostile = _with_texts(times, title, description, person="Nul\x00l Per\x1fson",
                          link=("li\x07nk", "https://example.org/\x00x"))
    data = _xml(hostile)
    validate_xsd(data, c3voc_xsd)
    for _, _, el in xml_events(data).values():
        assert el.findtext("title") == "before" + "after  lone high,  lone low, 🎉 kept"
        assert el.findtext("description") == "one\ntwo\nthree\nfour[31m"
        assert {p.text for p in el.findall("persons/person")} == {"Null Person"}
        assert [(x.text, x.get("href")) for x in el.findall("links/link")] == [("link", "https://example.org/x")]


def test_xml_text_keeps_everything_else():
    legal = "\t\n\x20~\x7f\x85\u00a0\ud7ff\ue000\ufffd\U00010000\U0010ffff"
    assert exports.xml_text(legal) == legal
    assert exports.xml_text(ILLEGAL) == ""
    assert exports.xml_text("a\r\nb\rc") == "a\nb\nc"
    assert exports.xml_text(None) == "" and exports.xml_text(42) == "42"


@pytest.fixture(scope="module")
def times_document(times):
    return exports.frab_schedule_document(times, base_url=BASE_URL, generated=GENERATED)


@settings(max_examples=200, deadline=None)
@given(text=st.text(st.characters(codec="utf-8") | st.sampled_from(list(ILLEGAL) + ["\r"]),
                    max_size=40))
def test_xml_any_text_gives_a_well_formed_document(times_document, text):
    """Whatever a title holds, the file parses and says what XML can say of it."""
    import copy

    document = copy.deepcopy(times_document)
    first = next(iter(document["schedule"]["conference"]["days"][0]["rooms"].values()))[0]
    first["title"] = text
    first["persons"] = [{"name": text, "public_name": text, "guid": KEPT_PERSON_GUID}]
    first["links"] = [{"title": text, "url": text}]
    root = SafeET.fromstring(exports.frab_xml(document))
    el = root.find("day/room/event")
    expected = exports.xml_text(text)
    assert (el.findtext("title") or "") == expected
    assert (el.find("persons/person").text or "") == expected
    assert (el.find("links/link").text or "", el.find("links/link").get("href")) == (expected, expected)


def test_xml_the_same_document_gives_the_same_bytes(times, times_document):
    import copy

    first = exports.frab_xml(times_document)
    assert exports.frab_xml(copy.deepcopy(times_document)) == first
    assert exports.frab_schedule_xml(times, base_url=BASE_URL, generated=GENERATED) == first
    assert exports.frab_json(times_document) == exports.frab_schedule(times, base_url=BASE_URL, generated=GENERATED)


# --- identity ------------------------------------------------------------------------------


def _with_slots(programme, pid, changes_by_index):
    """The programme with slots of one proposal changed (index -> field changes)."""
    p = programme.proposal(pid)
    slots = tuple(dataclasses.replace(s, **changes_by_index.get(s.index, {})) for s in p.slots)
    moved = dataclasses.replace(p, slots=slots)
    return dataclasses.replace(programme, proposals=tuple(moved if x.id == pid else x for x in programme.proposals))


def _moved(s, days=0, minutes=0, room=None):
    delta = dt.timedelta(days=days, minutes=minutes)
    return {"starts": s.starts + delta, "ends": s.ends + delta, "starts_at": s.starts_at + delta,
            "ends_at": s.ends_at + delta, "day": (dt.date.fromisoformat(s.day) + dt.timedelta(days=days)).isoformat(),
            "start": f"{(s.starts + delta):%H:%M}", "end": f"{(s.ends + delta):%H:%M}", "room": room or s.room}


def test_identity_survives_a_move(times):
    """Rescheduling (another day, time and room) keeps every guid and id, in every file."""
    w = times.proposal("repeated-workshop")
    moved = _with_slots(times, "repeated-workshop", {
        1: _moved(w.slots[1], days=1, minutes=-240, room="atelier-1"), 2: _moved(w.slots[2], minutes=120)})
    before, after = exports.identities(times), exports.identities(moved)
    assert before == after and len(before) == len(times.sessions())
    assert moved.proposal("repeated-workshop").slots[1].starts != w.slots[1].starts
    assert set(_by_guid(_frab(times))) == set(_by_guid(_frab(moved)))
    assert {g: e["id"] for g, (_, _, e) in _by_guid(_frab(times)).items()} == \
        {g: e["id"] for g, (_, _, e) in _by_guid(_frab(moved)).items()}


def test_identity_of_one_proposal_does_not_depend_on_others(times):
    """Adding or scheduling a proposal changes no other slot's guid or id."""
    fewer = dataclasses.replace(times, proposals=tuple(p for p in times.proposals if p.id != "midnight-party"))
    kept = exports.identities(fewer)
    assert all(exports.identities(times)[key] == ident for key, ident in kept.items())


def test_identity_collisions_with_imported_values(times):
    """An imported guid or id that another slot derives, or that two slots carry: still unique."""
    idents = exports.identities(times)
    base_ident = idents["base-session", 0]
    # The night session claims, as imported values, what base-session derives.
    clash = _with_slots(times, "night-session", {0: {"guid": base_ident.guid, "source_id": base_ident.id}})
    # And the midnight party carries the same imported guid and id as the repeated workshop.
    clash = _with_slots(clash, "midnight-party", {0: {"guid": KEPT_SLOT_GUID, "source_id": KEPT_SOURCE_ID}})
    got = exports.identities(clash)
    assert got["night-session", 0] == base_ident  # imported values win over derived ones
    assert got["base-session", 0].guid != base_ident.guid and got["base-session", 0].id != base_ident.id
    # Of two slots with the same imported values, the first by proposal id keeps them.
    assert got["midnight-party", 0].guid == KEPT_SLOT_GUID and got["midnight-party", 0].id == KEPT_SOURCE_ID
    assert got["repeated-workshop", 0].guid != KEPT_SLOT_GUID and got["repeated-workshop", 0].id != KEPT_SOURCE_ID
    assert len({i.guid for i in got.values()}) == len({i.id for i in got.values()}) == len(got)
    validate_frab(_frab(clash), clash.event.timezone)


# --- determinism and arguments -------------------------------------------------------------


def _all(programme, base_url=BASE_URL, **kw):
    return (exports.proposals_json(programme, base_url=base_url, generated=GENERATED, **kw),
            exports.proposals_csv(programme, base_url=base_url, **kw),
            exports.frab_schedule(programme, base_url=base_url, generated=GENERATED, **kw),
            exports.frab_schedule_xml(programme, base_url=base_url, generated=GENERATED, **kw))


def test_deterministic(programme):
    """Order of the input aside (proposals shuffled), the same files; across processes and
    hash seeds, see test_export_is_the_same_in_two_processes."""
    for base_url in (BASE_URL, None):
        first = _all(programme, base_url)
        shuffled = dataclasses.replace(programme, proposals=tuple(reversed(programme.proposals)))
        assert _all(shuffled, base_url) == first
    first = _all(programme)
    no_slash = BASE_URL.rstrip("/")
    assert _all(programme, no_slash) == first


@pytest.mark.parametrize("base_url", ["", "/", "example.org/", "/agenda/", "javascript:alert(1)//", "https://a b/"])
def test_bad_base_url_is_refused(real, base_url):
    """None means "no address"; anything else must be an absolute http(s) address."""
    with pytest.raises(ValueError):
        exports.proposals_json(real, base_url=base_url, generated=GENERATED)
    with pytest.raises(ValueError):
        exports.proposals_csv(real, base_url=base_url)
    with pytest.raises(ValueError):
        exports.frab_schedule(real, base_url=base_url, generated=GENERATED)
    with pytest.raises(ValueError):
        exports.frab_schedule_xml(real, base_url=base_url, generated=GENERATED)


@pytest.mark.parametrize("generated", ["", "now", "2016-11-30 12:00", "30/11/2016", None])
def test_bad_generated_is_refused(real, generated):
    with pytest.raises(ValueError):
        exports.proposals_json(real, base_url=BASE_URL, generated=generated)
    with pytest.raises(ValueError):
        exports.frab_schedule(real, base_url=BASE_URL, generated=generated)
    with pytest.raises(ValueError):
        exports.frab_schedule_xml(real, base_url=BASE_URL, generated=generated)


def test_export_is_the_same_in_two_processes(tmp_path):
    """Sets and dict orders differ with the hash seed between processes; the files must not."""
    import os
    import subprocess
    import sys

    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"out-{seed}"
        result = subprocess.run([sys.executable, "-m", "agenda", "export", "--root", str(ROOT), "--out", str(out)],
                                capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": seed}, timeout=120)
        assert result.returncode == 0, result.stderr
        outputs.append({p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    assert len(outputs[0]) > 10 and outputs[0] == outputs[1]
    assert {"data/schedule.json", "data/schedule.xml"} <= set(outputs[0])
