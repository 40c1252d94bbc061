"""The open-data exports (proposals.json, proposals.csv, frab schedule.json) read back by real parsers.

Two programmes: the repository's own content, and a hostile copy of tests/fixtures/base whose
proposals try CSV formula injection, JSON breaking and type coercion. Both must pass the
checker first: the exports only ever see checked content.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import re
import shutil
import uuid
import zoneinfo
from pathlib import Path

import agenda
import jsonschema
import pytest
from agenda import exports
from agenda.model import ACCESSIBILITY_ORDER, Slot, build_agenda
from agenda.repository import check_repository
from agenda.schema import schema_dir

ROOT = Path(__file__).resolve().parent.parent
BASE = Path(__file__).resolve().parent / "fixtures" / "base"
HOSTILE = Path(__file__).resolve().parent / "fixtures" / "hostile"
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
    shutil.copy(HOSTILE / "script-in-title.yaml", repo / "proposals" / "script-in-title.yaml")
    return _agenda(repo)


@pytest.fixture(scope="module", params=["real", "hostile"])
def programme(request):
    return request.getfixturevalue(request.param)


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


def _offset(timezone, day, hhmm):
    moment = dt.datetime.combine(dt.date.fromisoformat(day), dt.time.fromisoformat(hhmm),
                                 tzinfo=zoneinfo.ZoneInfo(timezone))
    return moment.utcoffset()


def test_json_is_valid_against_the_published_schema(programme, export_schema):
    text = exports.proposals_json(programme, base_url=BASE_URL, generated=GENERATED)
    document = _strict_load(text)
    validator = jsonschema.Draft202012Validator(export_schema)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]
    assert text.endswith("}\n") and not text.endswith("\n\n")


def test_json_keeps_every_field_of_every_proposal(programme):
    document = _strict_load(exports.proposals_json(programme, base_url=BASE_URL, generated=GENERATED))
    assert [p["id"] for p in document["proposals"]] == sorted(p.id for p in programme.proposals)
    event = programme.event
    for record, p in zip(document["proposals"], sorted(programme.proposals, key=lambda p: p.id), strict=True):
        assert list(record) == ["id", "title", "format", "themes", "languages", "summary", "description",
                                "proposers", "duration", "status", "schedule", "links", "accessibility",
                                "looking_for", "example", "url", "source", "source_url"]
        assert record["id"] == p.id
        assert record["title"] == p.title and type(record["title"]) is str
        assert record["format"] == {"id": p.format, "name": programme.format(p.format).name}
        assert record["themes"] == [{"id": t, "name": programme.theme(t).name} for t in p.themes]
        assert record["languages"] == list(p.languages)
        assert record["summary"] == p.summary and type(record["summary"]) is str
        assert record["description"] == p.description
        assert record["proposers"] == [
            {"name": x.name, "organisation": x.organisation, "country": x.country, "github": x.github}
            for x in p.proposers]
        assert all(type(x["name"]) is str and type(x["organisation"]) is str for x in record["proposers"])
        assert record["duration"] == p.duration and type(record["duration"]) is int
        assert record["status"] == p.status
        if p.schedule is None:
            assert record["schedule"] is None
            assert p.status != "scheduled"
        else:
            s = p.schedule
            got = record["schedule"]
            assert (got["day"], got["start"], got["end"]) == (s.day, s.start, s.end)
            assert got["room"] == {"id": s.room, "name": programme.room(s.room).name["fr"]}
            for key, hhmm in (("start_iso", s.start), ("end_iso", s.end)):
                moment = dt.datetime.fromisoformat(got[key])
                assert moment.strftime("%Y-%m-%d %H:%M") == f"{s.day} {hhmm}"
                assert moment.utcoffset() == _offset(event.timezone, s.day, hhmm)
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
    assert document["format_version"] == exports.FORMAT_VERSION == "1.0"
    assert document["generated"] == GENERATED
    assert document["licence"]["id"] == "CC-BY-4.0"
    assert document["licence"]["url"] == "https://creativecommons.org/licenses/by/4.0/"
    e, got = programme.event, document["event"]
    assert got["name"] == e.name
    assert got["dates"] == {"start": e.first_day, "end": e.last_day}
    assert got["timezone"] == e.timezone
    assert got["hours"] == ({"start": e.hours[0], "end": e.hours[1]} if e.hours else None)
    assert [r["id"] for r in got["rooms"]] == [r.id for r in e.rooms]
    for record, room in zip(got["rooms"], e.rooms, strict=True):
        assert record["name"] == room.name["fr"]
        assert record["capacity"] == room.get("capacity") and type(record["capacity"]) is int
        assert record["step_free"] is room.get("step_free")
    assert got["formats"] == [{"id": f.id, "name": f.name, "description": f.description} for f in e.formats]
    assert got["languages"] == [{"code": lang.id, "name": lang.name} for lang in e.languages]
    assert (got["repository"], got["branch"], got["site_url"]) == (e.repository, e.branch, e.site_url)
    assert document["themes"] == [
        {"id": t.id, "name": t.name, "description": t.description, "reviewers": list(t.get("reviewers"))}
        for t in programme.themes]


def test_json_real_offsets_are_paris_winter_time(real):
    document = _strict_load(exports.proposals_json(real, base_url=BASE_URL, generated=GENERATED))
    slots = [p["schedule"] for p in document["proposals"] if p["schedule"]]
    assert slots and all(s["start_iso"].endswith("+01:00") and s["end_iso"].endswith("+01:00") for s in slots)
    first = next(p for p in document["proposals"] if p["id"] == "acces-information-maghreb")["schedule"]
    assert (first["start_iso"], first["end_iso"]) == ("2016-12-08T09:00:00+01:00", "2016-12-08T10:15:00+01:00")


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


def test_export_schema_text_is_the_published_file():
    path = schema_dir() / "proposals-export.schema.json"
    assert exports.export_schema_text() == path.read_text(encoding="utf-8")
    assert path.parent == ROOT / "schema"


# --- proposals.csv ------------------------------------------------------------------------


def _read_csv(text):
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _expected_csv(agenda_, p, lang="fr"):
    access = dict(p.accessibility)
    s = p.schedule

    def flag(v):
        return "" if v is None else ("true" if v else "false")

    return {
        "id": p.id, "title": p.title, "status": p.status, "format": p.format,
        "format_name": agenda_.format(p.format).name[lang],
        "themes": "; ".join(p.themes), "theme_names": "; ".join(agenda_.theme(t).name[lang] for t in p.themes),
        "languages": "; ".join(p.languages), "duration_minutes": str(p.duration),
        "day": s.day if s else "", "start": s.start if s else "", "end": s.end if s else "",
        "room": s.room if s else "", "room_name": agenda_.room(s.room).name["fr"] if s else "",
        "proposers": "; ".join(x.name for x in p.proposers),
        "organisations": "; ".join(x.organisation for x in p.proposers),
        "countries": "; ".join(x.country for x in p.proposers),
        "summary": p.summary, "looking_for": "; ".join(p.looking_for),
        "interpretation": "; ".join(access.get("interpretation", ())),
        "sign_language": "; ".join(access.get("sign_language", ())),
        "captions": flag(access.get("captions")), "step_free_access": flag(access.get("step_free_access")),
        "materials_in_advance": flag(access.get("materials_in_advance")),
        "accessibility_notes": access.get("notes", ""), "example": flag(p.example),
        "url": f"{BASE_URL}proposals/{p.id}/", "source": p.path,
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
    "guid": str, "id": int, "date": str, "start": str, "duration": str, "room": str, "slug": str, "url": str,
    "title": str, "subtitle": str, "track": str, "type": str, "language": str, "abstract": str,
    "description": str, "recording_license": str, "do_not_record": bool, "persons": list, "links": list,
    "attachments": list,
}


def _keys(obj, spec, where):
    assert isinstance(obj, dict), where
    for key, kind in spec.items():
        assert key in obj, f"{where}: missing {key}"
        assert type(obj[key]) is kind, f"{where}.{key}: {type(obj[key]).__name__}, not {kind.__name__}"


def _uuid(text):
    return str(uuid.UUID(text)) == text


def validate_frab(document, timezone):
    """The structure https://c3voc.de/wiki/schedule documents (schema.json, version 1)."""
    _keys(document, {"$schema": str, "generator": dict, "schedule": dict}, "$")
    _keys(document["generator"], {"name": str, "version": str}, "generator")
    schedule = document["schedule"]
    _keys(schedule, {"version": str, "base_url": str, "conference": dict}, "schedule")
    assert "rooms" not in schedule
    c = schedule["conference"]
    _keys(c, {"acronym": str, "title": str, "start": str, "end": str, "daysCount": int,
              "timeslot_duration": str, "time_zone_name": str, "url": str, "rooms": list, "days": list},
          "conference")
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
        for key in ("day_start", "day_end"):
            moment = dt.datetime.fromisoformat(day[key])
            assert moment.utcoffset() == moment.replace(tzinfo=zone).utcoffset()
        assert dt.datetime.fromisoformat(day["day_start"]).date().isoformat() == day["date"]
        assert dt.datetime.fromisoformat(day["day_start"]) < dt.datetime.fromisoformat(day["day_end"])
        assert list(day["rooms"]) == [n for n in room_names if n in day["rooms"]]  # rooms in event order
        for name, items in day["rooms"].items():
            assert isinstance(items, list) and items, name
            for e in items:
                _keys(e, _EVENT_KEYS, f"{day['date']} {name}")
                assert e["room"] == name
                assert HHMM.match(e["start"]) and HHMM.match(e["duration"])
                moment = dt.datetime.fromisoformat(e["date"])
                assert moment.utcoffset() == moment.replace(tzinfo=zone).utcoffset()
                assert moment.date().isoformat() == day["date"] and moment.strftime("%H:%M") == e["start"]
                assert _uuid(e["guid"]) and 0 < e["id"] < 2**31
                assert re.match(r"^[a-z0-9_-]+[a-z0-9]$", e["slug"])
                assert e["url"].startswith(schedule["base_url"])
                for person in e["persons"]:
                    _keys(person, {"name": str, "public_name": str, "guid": str}, "person")
                    assert "id" not in person  # C3VOC: a person is a frab OR a pretalx person (oneOf)
                    assert _uuid(person["guid"])
                for link in e["links"]:
                    _keys(link, {"title": str, "url": str}, "link")
                guids.append(e["guid"])
                ids.append(e["id"])
                events.append((day["date"], name, e))
            starts = [e["start"] for e in items]
            assert starts == sorted(starts)
    assert len(set(guids)) == len(guids) and len(set(ids)) == len(ids)
    return events


def _minutes(hhmm):
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def test_frab_structure_and_every_scheduled_session(programme):
    text = exports.frab_schedule(programme, base_url=BASE_URL, generated=GENERATED)
    document = _strict_load(text)
    e = programme.event
    events = validate_frab(document, e.timezone)
    c = document["schedule"]["conference"]
    assert document["$schema"] == "https://c3voc.de/schedule/schema.json"
    assert document["generator"] == {"name": "agenda", "version": agenda.__version__}
    assert document["schedule"]["version"] == GENERATED and document["schedule"]["base_url"] == BASE_URL
    assert (c["start"], c["end"], c["time_zone_name"]) == (e.first_day, e.last_day, e.timezone)
    assert c["title"] == e.name["fr"]
    assert [d["date"] for d in c["days"]] == list(e.days())
    assert [r["name"] for r in c["rooms"]] == [r.name["fr"] for r in e.rooms]
    for day in c["days"]:
        if e.hours:
            assert day["day_start"][11:16] == e.hours[0] and day["day_end"][11:16] == e.hours[1]
        if not programme.scheduled(day["date"]):
            assert day["rooms"] == {}
    by_guid = {ev["guid"]: (date, room, ev) for date, room, ev in events}
    assert len(by_guid) == len(events) == len(programme.scheduled())
    for p in programme.proposals:
        guid = exports.frab_guid(programme, "proposal", p.id)
        if p.schedule is None:
            assert guid not in by_guid and f"proposals/{p.id}/" not in text
            continue
        date, room, ev = by_guid[guid]
        s = p.schedule
        assert (date, room) == (s.day, programme.room(s.room).name["fr"])
        assert ev["start"] == s.start and _minutes(ev["duration"]) == p.duration == _minutes(s.end) - _minutes(s.start)
        assert ev["title"] == p.title and ev["abstract"] == p.summary and ev["description"] == p.description
        assert ev["track"] == programme.theme(p.themes[0]).name["fr"]
        assert ev["type"] == programme.format(p.format).name["fr"]
        assert ev["language"] == p.languages[0]
        assert ev["url"] == f"{BASE_URL}proposals/{p.id}/"
        assert [x["name"] for x in ev["persons"]] == [x.name for x in p.proposers]
        assert [x["public_name"] for x in ev["persons"]] == [x.name for x in p.proposers]
        assert ev["links"] == [{"title": t, "url": u} for t, u in p.links]
        assert (ev["subtitle"], ev["recording_license"], ev["do_not_record"], ev["attachments"]) == ("", "", False, [])


def test_frab_real_has_paris_offsets_and_a_stable_identity(real):
    document = _strict_load(exports.frab_schedule(real, base_url=BASE_URL, generated=GENERATED))
    days = document["schedule"]["conference"]["days"]
    assert days[0]["day_start"] == "2016-12-07T08:30:00+01:00" and days[0]["day_end"] == "2016-12-07T19:30:00+01:00"
    events = [ev for d in days for evs in d["rooms"].values() for ev in evs]
    event = next(ev for ev in events if ev["url"].endswith("/acces-information-maghreb/"))
    assert event["date"] == "2016-12-08T09:00:00+01:00" and event["duration"] == "01:15"
    # Apps recognise a session by its guid and id: they must never change from build to build.
    # Written out in full, so that a change of namespace, key or hash cannot pass unnoticed.
    assert event["guid"] == "7e67a6e5-4a41-5139-9f9c-0b5c71c74d33"
    assert event["id"] == 1370770806  # first 8 hex digits of sha256("acces-information-maghreb"), 31 bits
    assert str(exports.GUID_NAMESPACE) == str(uuid.uuid5(uuid.NAMESPACE_URL, "https://agenda.example.org/schema/frab-guid"))
    assert document["schedule"]["conference"]["acronym"] == "agenda"


def test_frab_in_english(real):
    document = _strict_load(exports.frab_schedule(real, base_url=BASE_URL, generated=GENERATED, lang="en"))
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


def test_frab_shared_room_names_stay_apart(hostile):
    rooms = list(hostile.event.rooms)
    rooms[1] = dataclasses.replace(rooms[1], name={"fr": rooms[0].name["fr"], "en": rooms[0].name["en"]})
    programme = dataclasses.replace(hostile, event=dataclasses.replace(hostile.event, rooms=tuple(rooms)))
    document = _strict_load(exports.frab_schedule(programme, base_url=BASE_URL, generated=GENERATED))
    names = [r["name"] for r in document["schedule"]["conference"]["rooms"]]
    assert len(set(names)) == len(names)
    validate_frab(document, programme.event.timezone)


# --- time zones, days without hours -------------------------------------------------------


def _across_dst(agenda_):
    """The same programme moved to the end of summer time in Paris (30 October 2016)."""
    event = dataclasses.replace(agenda_.event, first_day="2016-10-29", last_day="2016-10-31", hours=None)
    moved = {"2016-12-07": "2016-10-29", "2016-12-08": "2016-10-31"}
    proposals = tuple(
        dataclasses.replace(p, schedule=Slot(moved[p.schedule.day], p.schedule.start, p.schedule.end, p.schedule.room))
        if p.schedule else p for p in agenda_.proposals)
    return dataclasses.replace(agenda_, event=event, proposals=proposals)


def test_offsets_follow_the_date(hostile):
    programme = _across_dst(hostile)
    document = _strict_load(exports.proposals_json(programme, base_url=BASE_URL, generated=GENERATED))
    offsets = {p["schedule"]["day"]: p["schedule"]["start_iso"][-6:] for p in document["proposals"] if p["schedule"]}
    assert offsets == {"2016-10-29": "+02:00", "2016-10-31": "+01:00"}
    frab = _strict_load(exports.frab_schedule(programme, base_url=BASE_URL, generated=GENERATED))
    validate_frab(frab, "Europe/Paris")
    days = frab["schedule"]["conference"]["days"]
    assert [(d["day_start"], d["day_end"]) for d in days] == [
        ("2016-10-29T00:00:00+02:00", "2016-10-30T00:00:00+02:00"),
        ("2016-10-30T00:00:00+02:00", "2016-10-31T00:00:00+01:00"),
        ("2016-10-31T00:00:00+01:00", "2016-11-01T00:00:00+01:00"),
    ]
    assert days[1]["rooms"] == {}


# --- determinism and arguments -------------------------------------------------------------


def _all(programme, **kw):
    return (exports.proposals_json(programme, base_url=BASE_URL, generated=GENERATED, **kw),
            exports.proposals_csv(programme, base_url=BASE_URL, **kw),
            exports.frab_schedule(programme, base_url=BASE_URL, generated=GENERATED, **kw))


def test_deterministic(programme):
    first = _all(programme)
    assert _all(programme) == first
    shuffled = dataclasses.replace(programme, proposals=tuple(reversed(programme.proposals)))
    assert _all(shuffled) == first
    no_slash = BASE_URL.rstrip("/")
    assert exports.proposals_json(programme, base_url=no_slash, generated=GENERATED) == first[0]
    assert exports.proposals_csv(programme, base_url=no_slash) == first[1]


@pytest.mark.parametrize("base_url", ["", "example.org/", "/agenda/", "javascript:alert(1)//", "https://a b/"])
def test_bad_base_url_is_refused(real, base_url):
    with pytest.raises(ValueError):
        exports.proposals_json(real, base_url=base_url, generated=GENERATED)
    with pytest.raises(ValueError):
        exports.proposals_csv(real, base_url=base_url)


@pytest.mark.parametrize("generated", ["", "now", "2016-11-30 12:00", "30/11/2016", None])
def test_bad_generated_is_refused(real, generated):
    with pytest.raises(ValueError):
        exports.proposals_json(real, base_url=BASE_URL, generated=generated)
    with pytest.raises(ValueError):
        exports.frab_schedule(real, base_url=BASE_URL, generated=generated)
