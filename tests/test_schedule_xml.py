"""data/schedule.xml of real programmes: published schedules brought in by `agenda import`
(tests/fixtures/import/README.md names each source), exported as frab XML, validated against
C3VOC's XSD (tests/fixtures/c3voc/), compared with schedule.json, read back by defusedxml and
imported again by `agenda import`. The programmes of the repository itself are in
test_exports_data.py."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import lzma
import uuid
from pathlib import Path

import defusedxml.ElementTree as SafeET
import pytest
import xmlschema

from agenda.check.load import load_bytes
from agenda.check.repository import check_repository
from agenda.data import exports
from agenda.model import build_agenda
from export_programmes import load, write_times
from test_exports_data import C3VOC, HOSTILE_TEXTS, _by_guid, _minutes, validate_c3voc, validate_xsd, xml_events
from test_import import FIX, run, source_sessions

GENERATED = "2024-12-01"
SITE = "https://programme.example.org/"


@pytest.fixture(scope="module")
def xsd():
    return xmlschema.XMLSchema10(str(C3VOC / "schedule.xml.xsd"))


@pytest.fixture(scope="module")
def c3voc_schema():
    return json.loads((C3VOC / "schema.json").read_text(encoding="utf-8"))


def agenda_of(root: Path):
    """The programme written by `agenda import`, as the site and `agenda export` read it. A
    source's own problems (38C3: a speaker in two rooms at once) do not stop its export here."""
    report = check_repository(root, jobs=1)
    return build_agenda(report.event, report.themes, report.proposals)


def import_file(tmp_path: Path, name: str, source: Path, capsys, *extra):
    root = tmp_path / name
    root.mkdir()
    code, out, err = run(["import", source, "--root", root, *extra], capsys)
    assert "Traceback" not in err and "internal error" not in err, err
    assert code in (0, 1) and ("0 errors" in err or "no problems" in err or "proposer-conflict" in out), out[-2000:]
    return root


def export(programme, base_url=None):
    """(schedule.json's document, schedule.xml's bytes), both from the same document."""
    document = exports.frab_schedule_document(programme, base_url=base_url, generated=GENERATED)
    return document, exports.frab_xml(document)


def same_sessions(document, data):
    """schedule.json and schedule.xml list the same sessions: guids, ids, days, rooms, starts, durations."""
    in_json, in_xml = _by_guid(document), xml_events(data)
    assert set(in_json) == set(in_xml) and in_json
    for guid, (day, room, el) in in_xml.items():
        j_day, j_room, e = in_json[guid]
        assert (day, room, el.findtext("room"), int(el.get("id"))) == (j_day, j_room, e["room"], e["id"])
        assert dt.datetime.fromisoformat(el.findtext("date")) == dt.datetime.fromisoformat(e["date"])
        assert _minutes(el.findtext("duration")) == min(_minutes(e["duration"]), 99 * 60 + 59)
    return in_xml


def slots_of(proposal: dict) -> list:
    """A proposal file's slots: `schedule` is one slot or a list of them."""
    schedule = proposal.get("schedule")
    return schedule if isinstance(schedule, list) else [schedule] if schedule else []


def _words(text):
    return " ".join((text or "").split())


def session_of(day_date, el):
    """What a schedule app and a recording pipeline take from one <event>."""
    optout = el.findtext("recording/optout")
    return {"guid": el.get("guid"), "id": int(el.get("id")), "day": day_date, "title": _words(el.findtext("title")),
            "start": dt.datetime.fromisoformat(el.findtext("date")), "minutes": _minutes(el.findtext("duration")),
            "room": _words(el.findtext("room")), "persons": [_words(p.text) for p in el.findall("persons/person")],
            "do_not_record": None if optout is None else optout == "true"}


def source_days(path: Path):
    """guid or id -> the date of the <day> a source lists the event under."""
    out = {}
    for day in SafeET.fromstring(path.read_bytes()).findall("day"):
        for event in day.iter("event"):
            out[(event.get("guid") or "").lower() or event.get("id")] = day.get("date")
    return out


# --- a whole congress ----------------------------------------------------------------------


def test_a_whole_real_congress_exports_a_valid_schedule_xml(tmp_path, capsys, xsd, c3voc_schema):
    """36C3, 1,351 sessions in 92 rooms (frab/C3VOC JSON): imported, its schedule.xml is valid
    against the XSD, lists what schedule.json lists, keeps the source's guids, times and rooms,
    and `agenda import` of it gives the same programme again."""
    source = tmp_path / "36c3.json"
    source.write_bytes(lzma.decompress((FIX / "36c3-everything.schedule.json.xz").read_bytes()))
    programme = agenda_of(import_file(tmp_path, "one", source, capsys, "--timezone", "Europe/Berlin"))
    document, data = export(programme, SITE)
    validate_xsd(data, xsd)
    validate_c3voc(document, c3voc_schema)
    events = same_sessions(document, data)
    assert len(events) == len(programme.sessions()) >= 1300
    # Against the published source: the same guid at the same instant, length and room.
    exported = {guid: session_of(day, el) for guid, (day, _, el) in events.items()}
    sessions = source_sessions(source, "Europe/Berlin")
    exact = sum(1 for s in sessions if (x := exported.get(s["guid"])) and (x["start"], x["minutes"], x["room"])
                == (s["start"], s["minutes"], s["room"]))
    assert len(sessions) == 1351 and exact / len(sessions) >= 0.98, exact
    # agenda import reads schedule.xml back: every session again, at its instant, length and room.
    written = tmp_path / "schedule.xml"
    written.write_bytes(data)
    again = agenda_of(import_file(tmp_path, "two", written, capsys))
    _, data_again = export(again, SITE)
    back = {guid: session_of(day, el) for guid, (day, _, el) in xml_events(data_again).items()}
    assert back == exported


# --- round trips of real XML schedules -----------------------------------------------------

ROUND_TRIPS = [
    # fixture, --timezone (the source has no zone name)
    ("38c3-excerpt.xml", None),
    ("fosdem-2021-excerpt.xml", "Europe/Brussels"),
    ("osem-shaped.xml", "Europe/Paris"),
]


@pytest.mark.parametrize("fixture,tz", ROUND_TRIPS, ids=[r[0] for r in ROUND_TRIPS])
def test_a_real_xml_schedule_round_trips_through_schedule_xml(tmp_path, capsys, xsd, c3voc_schema, fixture, tz):
    """Imported, exported as schedule.xml, read back by defusedxml: each session of the source
    with its title, start (an absolute date-time), duration, room, persons, guid, day and
    recording opt-out; then imported again by `agenda import`: the same sessions once more."""
    extra = ["--timezone", tz] if tz else []
    programme = agenda_of(import_file(tmp_path, "one", FIX / fixture, capsys, *extra))
    document, data = export(programme)
    validate_xsd(data, xsd)
    validate_c3voc(document, c3voc_schema)
    events = same_sessions(document, data)
    exported = {guid: session_of(day, el) for guid, (day, _, el) in events.items()}
    by_source_id = {(x["id"], x["start"]): x for x in exported.values()}
    days = source_days(FIX / fixture)
    sessions = source_sessions(FIX / fixture, tz)
    assert len(exported) == len(sessions)
    for s in sessions:
        guid = (s["guid"] or "").lower()
        x = exported[guid] if guid else by_source_id[s["id"], s["start"]]
        if not guid:  # FOSDEM's pentabarf gives none: a UUID derived for the slot
            assert uuid.UUID(x["guid"])
        e = s["event"]
        assert (x["title"], x["start"], x["minutes"], x["room"], x["id"]) == (
            _words(s["title"]), s["start"], s["minutes"], s["room"], s["id"]), s["title"]
        assert x["persons"] == [_words(p.text) for p in e.findall("persons/person")], s["title"]
        assert x["day"] == days[guid or str(s["id"])], s["title"]
        if s["do_not_record"] is not None:
            assert x["do_not_record"] is s["do_not_record"], s["title"]
        else:  # the source does not say: recording needs the proposers' consent
            assert x["do_not_record"] is True
    # agenda import reads the exported file, and exporting that gives the same sessions.
    written = tmp_path / "schedule.xml"
    written.write_bytes(data)
    root = import_file(tmp_path, "two", written, capsys)
    again = agenda_of(root)
    back = {guid: session_of(day, el) for guid, (day, _, el) in xml_events(export(again)[1]).items()}
    assert back == exported
    # and the programme it wrote says the same, in its own files
    recorded = {}
    for path in sorted((root / "proposals").glob("*.yaml")):
        doc, problems = load_bytes(str(path), path.read_bytes())
        assert doc is not None and not problems, problems
        for slot in slots_of(doc.data):
            recorded[slot["guid"]] = (doc.data["title"], doc.data.get("recording"))
    assert set(recorded) == set(exported)
    for guid, (title, recording) in recorded.items():
        assert _words(title) == exported[guid]["title"]
        assert (recording == "allowed") is (not exported[guid]["do_not_record"])


def test_the_38c3_schedule_xml_keeps_persons_guids_and_tracks(tmp_path, capsys):
    programme = agenda_of(import_file(tmp_path, "one", FIX / "38c3-excerpt.xml", capsys))
    events = xml_events(export(programme)[1])
    _, _, opening = events["270fa44c-821a-577f-8ca3-33e8d4a8c2a7"]  # 38C3: Opening Ceremony
    assert [(p.text, p.get("guid")) for p in opening.findall("persons/person")] == [
        ("Gabriela Bogk", "0c16ffaa-709d-599f-959f-9a38b911361a"), ("Senficon", "4cee1e72-681f-5c8b-8dcd-8e58c8f4a445"),
        ("Aline Blankertz", "721a267b-b09d-5422-8221-4f9a71cfc727")]
    assert opening.findtext("track") == "CCC" and opening.findtext("language") == "en"
    root = SafeET.fromstring(export(programme)[1])
    tracks = {t.get("name") for t in root.findall("conference/track")}
    assert {"CCC", "Security", "Art & Beauty"} <= tracks


# --- hostile text through agenda import ------------------------------------------------------


def test_hostile_titles_round_trip_through_agenda_import(tmp_path, capsys, xsd):
    """Titles with markup, entities, ']]>', quotes and right-to-left text are written escaped
    and come back from `agenda import` exactly. (Import drops bidirectional override controls
    and treats text holding HTML tags as HTML, on purpose: tests/test_import.py.)"""
    texts = HOSTILE_TEXTS[:3] + ["مرحبا بالعالم — שלום עולם, mixed RTL العربية 123 « ok »"]
    times = load(write_times(tmp_path / "times"))
    titles = {p.id: f"{texts[n % len(texts)]} #{n}" for n, p in enumerate(sorted(times.proposals, key=lambda p: p.id))}
    hostile = dataclasses.replace(times, proposals=tuple(
        dataclasses.replace(p, title=titles[p.id], description=f"{titles[p.id]}\n\nSecond paragraph.\n")
        for p in times.proposals))
    data = exports.frab_schedule_xml(hostile, base_url=None, generated=GENERATED)
    validate_xsd(data, xsd)
    written = tmp_path / "schedule.xml"
    written.write_bytes(data)
    root = import_file(tmp_path, "imported", written, capsys)
    idents = exports.identities(hostile)
    expected = {idents[p.id, s.index].guid: p.title for p in hostile.proposals for s in p.slots}
    got = {}
    for path in sorted((root / "proposals").glob("*.yaml")):
        doc, problems = load_bytes(str(path), path.read_bytes())
        assert doc is not None and not problems, problems
        for slot in slots_of(doc.data):
            got[slot["guid"]] = doc.data["title"]
            if "<script>" not in doc.data["title"]:
                assert doc.data["description"] == f"{doc.data['title']}\n\nSecond paragraph.\n"
    assert got == expected
