"""agenda import: real published schedules in, a programme that passes agenda check out, and
nothing lost without a word (tests/fixtures/import/README.md names each source)."""

from __future__ import annotations

import datetime as dt
import json
import lzma
import re
import shutil
import subprocess
import sys
import time
import zoneinfo
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from agenda.cli import main
from agenda.imports import ImportFailure, import_schedule
from agenda.check.load import load_bytes
from agenda.check.repository import check_repository

FIX = Path(__file__).parent / "fixtures" / "import"
ROOT = Path(__file__).resolve().parent.parent


# --- reading the source independently of agenda's reader ----------------------------------


def _minutes(text):
    parts = [int(p) for p in text.strip().split(":")]
    return parts[0] * 60 + parts[1] + (1 if len(parts) > 2 and parts[2] else 0)


def _instant(text):
    text = text.strip()
    return dt.datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)


def source_sessions(path: Path, tz: str | None):
    """Every session of a published schedule: guid, id, start instant, minutes, room, fields."""
    raw = path.read_bytes()
    if path.suffix == ".xz":
        raw = lzma.decompress(raw)
    zone = zoneinfo.ZoneInfo(tz) if tz else None
    out = []
    if raw.lstrip()[:1] == b"{":
        conf = json.loads(raw)["schedule"]["conference"]
        for day in conf["days"]:
            for room, events in day["rooms"].items():
                for e in events:
                    start = _instant(e["date"])
                    out.append({"guid": e.get("guid"), "id": e.get("id"), "start": start,
                                "minutes": _minutes(e["duration"]), "room": " ".join((e.get("room") or room).split()),
                                "title": e["title"], "event": e, "do_not_record": e.get("do_not_record")})
    else:
        root = ET.fromstring(raw)
        for day in root.iter("day"):
            for room in day.iter("room"):
                for e in room.iter("event"):
                    if e.findtext("date"):
                        start = _instant(e.findtext("date"))
                    else:
                        start = dt.datetime.fromisoformat(f"{day.get('date')}T{e.findtext('start')}")
                    if start.tzinfo is None:
                        start = start.replace(tzinfo=zone)
                    optout = e.findtext("recording/optout")
                    out.append({"guid": e.get("guid"), "id": int(e.get("id")), "start": start,
                                "minutes": _minutes(e.findtext("duration")),
                                "room": " ".join((e.findtext("room") or room.get("name")).split()),
                                "title": e.findtext("title"), "event": e,
                                "do_not_record": None if optout is None else optout == "true"})
    return out


def programme(root: Path):
    """event.yaml and proposals, read by the strict loader (so they are exactly what agenda reads)."""
    def load(path):
        doc, problems = load_bytes(str(path), path.read_bytes())
        assert doc is not None and not problems, problems
        return doc.data

    event = load(root / "event.yaml")
    proposals = {p.stem: load(p) for p in sorted((root / "proposals").glob("*.yaml"))}
    return event, proposals


def imported_slots(root: Path):
    """(proposal id, slot, start instant, minutes, room name) of every slot written."""
    event, proposals = programme(root)
    zone = zoneinfo.ZoneInfo(event["timezone"])
    change = _minutes(event.get("day_change", "00:00"))
    rooms = {r["id"]: r["name"] for r in event["rooms"]}
    out = []
    for pid, p in proposals.items():
        schedule = p.get("schedule")
        for slot in schedule if isinstance(schedule, list) else [schedule] if schedule else []:
            day = dt.date.fromisoformat(slot["day"])
            if _minutes(slot["start"]) < change:
                day += dt.timedelta(days=1)
            wall = dt.datetime.combine(day, dt.time.fromisoformat(slot["start"]), tzinfo=zone)
            out.append((pid, slot, wall, slot.get("duration", p["duration"]), rooms[slot["room"]]))
    return event, proposals, out


def run(args, capsys):
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def import_into(tmp_path, fixture, tz=None, *extra, capsys):
    root = tmp_path / "programme"
    root.mkdir()
    report = tmp_path / "report.json"
    args = ["import", FIX / fixture, "--root", root, "--report", report, *extra]
    if tz:
        args += ["--timezone", tz]
    code, out, err = run(args, capsys)
    assert "Traceback" not in err and "internal error" not in err, err
    return root, code, out, err, json.loads(report.read_text(encoding="utf-8"))


REAL = [
    # fixture, --timezone, errors the check may report (real problems of the source itself)
    ("36c3-excerpt.json", "Europe/Berlin", set()),
    ("39c3-excerpt.json", None, {"proposer-conflict"}),
    ("38c3-excerpt.xml", None, {"proposer-conflict"}),
    ("fosdem-2021-excerpt.xml", "Europe/Brussels", set()),
    ("debconf23-excerpt.xml", None, set()),
    ("pretalx-democon.json", None, set()),
    ("osem-shaped.xml", "Europe/Paris", set()),
]


@pytest.mark.parametrize("fixture,tz,allowed", REAL, ids=[r[0] for r in REAL])
def test_real_schedule_round_trip(tmp_path, capsys, fixture, tz, allowed):
    """Every session of the source is in exactly one slot, at its instant, length and room,
    with its guid and numeric id; the only sessions without a slot of their own are the
    duplicate listings the report names; the check finds no error but the source's own."""
    root, code, out, err, report = import_into(tmp_path, fixture, tz, capsys=capsys)
    errors = {m.group(1) for m in re.finditer(r"error \[([a-z-]+)\]", out)}
    assert errors <= allowed, out
    assert code == (1 if errors else 0), err
    sessions = source_sessions(FIX / fixture, tz or None)
    event, proposals, slots = imported_slots(root)
    entries = report["entries"]
    replaced = {e["value"] for e in entries if e["kind"] == "duplicate-guid"}
    zero = sum(e["kind"] == "zero-duration" for e in entries)
    duplicates = [e for e in entries if e["kind"] == "duplicate-listing"]
    unmatched = list(slots)
    for s in sessions:
        found = [x for x in unmatched if x[2] == s["start"] and x[4] == s["room"]
                 and x[1].get("source_id") == s["id"]]
        if not found:
            assert any(d["value"] == {"guid": s["guid"], "id": s["id"]} for d in duplicates), s["title"]
            continue
        assert len(found) == 1, s["title"]
        pid, slot, _, minutes, _ = found[0]
        unmatched.remove(found[0])
        assert minutes == s["minutes"] or (s["minutes"] == 0 and zero), (s["title"], minutes, s["minutes"])
        if s["guid"] and s["guid"].lower() not in replaced:
            assert slot["guid"] == s["guid"].lower()
        elif s["guid"]:
            assert slot.get("guid") and slot["guid"] != s["guid"].lower() or slot["guid"] == s["guid"].lower()
        if s["do_not_record"] is not None:
            assert proposals[pid]["recording"] in ("allowed", "not-allowed")
    assert not unmatched, unmatched[:3]
    assert len(sessions) == len(slots) + len(duplicates)
    assert report["stats"]["sessions"] == len(sessions)


@pytest.mark.parametrize("fixture,tz", [("36c3-excerpt.json", "Europe/Berlin"), ("39c3-excerpt.json", None),
                                        ("38c3-excerpt.xml", None), ("pretalx-democon.json", None)])
def test_every_source_field_is_mapped_or_reported(tmp_path, capsys, fixture, tz):
    root, code, out, err, report = import_into(tmp_path, fixture, tz, capsys=capsys)
    mapped = {"title", "subtitle", "track", "type", "language", "abstract", "description", "date", "start",
              "duration", "room", "persons", "links", "attachments", "guid", "id", "do_not_record", "url",
              "origin_url"}
    reported = {}
    for e in report["entries"]:
        if e["kind"] == "unmapped-field":
            reported.setdefault(e.get("where", ""), set()).add(e["message"].split(" ")[0])
    checked = 0
    for s in source_sessions(FIX / fixture, tz):
        event = s["event"]
        fields = event.items() if isinstance(event, dict) else [(c.tag, (c.text or "").strip() or list(c)) for c in event]
        for key, value in fields:
            if key in mapped or key == "recording" or value in (None, "", [], {}):
                continue
            label = next(k for k in reported if s["guid"] in k or f"id {s['id']}" in k) if reported else ""
            assert key in reported.get(label, set()), (s["title"], key)
            checked += 1
    assert checked  # each of these sources has fields the programme has no place for


def test_person_guids_and_links_are_kept(tmp_path, capsys):
    root, code, out, err, report = import_into(tmp_path, "38c3-excerpt.xml", capsys=capsys)
    _, proposals = programme(root)
    opening = proposals["38c3-opening-ceremony"]
    assert {"name": "Gabriela Bogk", "guid": "0c16ffaa-709d-599f-959f-9a38b911361a"} in opening["proposers"]
    urls = {link["url"] for link in opening["links"]}
    assert "https://fahrplan.events.ccc.de/congress/2024/fahrplan/talk/HQCCYH/" in urls  # origin_url
    feedback = [e for e in report["entries"] if e["kind"] == "unmapped-field" and e["message"].startswith("feedback_url")]
    assert feedback and feedback[0]["value"].endswith("/HQCCYH/feedback/")


def test_night_sessions_belong_to_the_evening_day(tmp_path, capsys):
    root, code, out, err, report = import_into(tmp_path, "36c3-excerpt.json", "Europe/Berlin", capsys=capsys)
    event, proposals, slots = imported_slots(root)
    assert event["day_change"] >= "04:00" and event["day_change"] <= "05:00"
    nights = [(slot, wall) for _, slot, wall, _, _ in slots if wall.date() == dt.date(2019, 12, 28) and wall.hour < 4]
    assert len(nights) >= 10
    for slot, wall in nights:
        assert slot["day"] == "2019-12-27" and slot["start"] < event["day_change"], slot
    first = event["days"][0]
    assert first["date"] == "2019-12-27" and first["end"] == event["day_change"]  # open past midnight


def test_repeated_sessions_become_one_proposal_with_several_slots(tmp_path, capsys):
    root, code, out, err, report = import_into(tmp_path, "36c3-excerpt.json", "Europe/Berlin", capsys=capsys)
    _, proposals = programme(root)
    angels = proposals["a-v-angel-meeting"]
    assert [s["day"] for s in angels["schedule"]] == ["2019-12-27", "2019-12-28", "2019-12-29", "2019-12-30"]
    assert [s["guid"][:8] for s in angels["schedule"]] == ["5d91410d", "a9513da7", "a9513da7", "a9513da7"]
    assert "subtitle" not in angels  # "Day 1", "Day 2"… belong to the listings, not the proposal
    assert not any(p.startswith("a-v-angel-meeting-") for p in proposals)
    translation = proposals["translation-team-meeting"]["schedule"]
    assert len(translation) == 13  # 13 listings, two of them at once in two rooms
    assert {s["guid"][:8] for s in translation} == {"219d8a4f"} and len({s["guid"] for s in translation}) == 13
    # Löten für Einsteiger: two days, one guid in the source; the second slot gets a derived one
    soldering = proposals["loten-fur-einsteiger"]["schedule"]
    assert soldering[0]["guid"] == "4f5c1cc5-ad99-52dc-89cd-699eae66bcb8" and soldering[1]["guid"] != soldering[0]["guid"]
    assert any(e["kind"] == "duplicate-guid" and e["value"] == soldering[0]["guid"] for e in report["entries"])
    repeated = [e for e in report["entries"] if e["kind"] == "repeated-session"]
    assert any(e["proposal"] == "a-v-angel-meeting" and len(e["value"]) == 4 for e in repeated)
    # listed twice at overlapping times in one room: kept once, and said
    assert any(e["kind"] == "duplicate-listing" and e["proposal"].startswith("beginners-workshop")
               for e in report["entries"])


def test_the_same_guid_gets_the_same_replacement_on_every_import(tmp_path, capsys):
    texts = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        root, *_ = import_into(tmp_path / name, "36c3-excerpt.json", "Europe/Berlin", capsys=capsys)
        texts.append((root / "proposals" / "translation-team-meeting.yaml").read_bytes())
    assert texts[0] == texts[1]


def test_overlapping_sessions_make_a_room_shared(tmp_path, capsys):
    root, code, out, err, report = import_into(tmp_path, "36c3-excerpt.json", "Europe/Berlin", capsys=capsys)
    event, _ = programme(root)
    kidspace = next(r for r in event["rooms"] if r["name"] == "Kidspace")
    assert kidspace.get("shared") is True
    assert any(e["kind"] == "shared-room" and e["where"] == "room Kidspace" for e in report["entries"])
    unshared = [r for r in event["rooms"] if not r.get("shared")]
    assert unshared and code == 0  # and the check found no room conflict anywhere


def _schedule(events, tz="Europe/Paris", **conference):
    """A small C3VOC JSON schedule: events are (room, date, duration, extra fields)."""
    days = {}
    for n, (room, date, duration, extra) in enumerate(events, 1):
        event = {"guid": f"00000000-0000-4000-8000-{n:012d}", "id": n, "date": date, "start": date[11:16],
                 "duration": duration, "room": room, "title": extra.pop("title", f"Session number {n}"),
                 "type": "talk", "track": "Main", "language": "en", "abstract": "An abstract on one line.",
                 "persons": [{"name": f"Person {n}"}], "links": [], **extra}
        days.setdefault(date[:10], {}).setdefault(room, []).append(event)
    conf = {"title": "Test event", "acronym": "test", "start": min(days), "end": max(days),
            "days": [{"index": i, "date": d, "rooms": r} for i, (d, r) in enumerate(sorted(days.items()), 1)],
            **conference}
    if tz:
        conf["time_zone_name"] = tz
    return json.dumps({"schedule": {"version": "1", "conference": conf}}).encode()


def _import_bytes(tmp_path, capsys, data: bytes, *extra):
    source = tmp_path / "source.bin"
    source.write_bytes(data)
    root = tmp_path / "out"
    root.mkdir(exist_ok=True)
    report = tmp_path / "report.json"
    code, out, err = run(["import", source, "--root", root, "--report", report, *extra], capsys)
    assert "Traceback" not in err and "internal error" not in err, err
    entries = json.loads(report.read_text())["entries"] if report.exists() else None
    return root, code, out, err, entries


def test_ids_are_safe_slugs_never_reserved_names(tmp_path, capsys):
    data = _schedule([("A", "2016-12-07T10:00:00+01:00", "01:00", {"title": "CON", "track": "Index"}),
                      ("A", "2016-12-07T11:00:00+01:00", "01:00", {"title": "../../etc/passwd", "id": 7}),
                      ("A", "2016-12-07T12:00:00+01:00", "01:00", {"title": "Ünïcödé ☃ ../", "track": "index"}),
                      ("A", "2016-12-07T13:00:00+01:00", "01:00", {"title": "日本語のタイトル"})])
    root, code, out, err, entries = _import_bytes(tmp_path, capsys, data)
    assert code == 0, out
    assert sorted(p.name for p in (root / "proposals").iterdir()) == [
        "con-2.yaml", "etc-passwd.yaml", "session.yaml", "unicode.yaml"]
    assert sorted(p.name for p in (root / "themes").iterdir()) == ["index-2.yaml", "index-3.yaml", "main.yaml"]


def test_a_real_double_booking_is_reported(tmp_path, capsys):
    data = _schedule([("Room A", "2016-12-07T10:00:00+01:00", "01:00", {}),
                      ("Room A", "2016-12-07T10:30:00+01:00", "01:00", {}),
                      ("Room B", "2016-12-07T10:00:00+01:00", "01:00", {})])
    root, code, out, err, entries = _import_bytes(tmp_path, capsys, data)
    event, _ = programme(root)
    assert [r.get("shared", False) for r in event["rooms"]] == [True, False]
    doubles = [e for e in entries if e["kind"] == "possible-double-booking"]
    assert len(doubles) == 1 and "session-number-1" in doubles[0]["message"] and "session-number-2" in doubles[0]["message"]
    assert code == 0 and "possible-double-booking" in err


def test_limits_are_set_so_that_real_data_fits_and_are_reported(tmp_path, capsys):
    data = _schedule([("Stage", "2016-12-07T10:00:00+01:00", "00:03", {"persons": [], "track": None}),
                      ("Stage", "2016-12-07T11:00:00+01:00", "12:59", {"title": "X", "language": ""})])
    root, code, out, err, entries = _import_bytes(tmp_path, capsys, data)
    event, proposals = programme(root)
    assert event["limits"] == {"title": {"min": 1}, "themes": {"min": 0}, "languages": {"min": 0},
                               "proposers": {"min": 0}, "duration": {"min": 3, "step": 1}}
    limits = {e["message"].split(":")[0] for e in entries if e["kind"] == "limit"}
    assert limits == {"limits.title.min", "limits.themes.min", "limits.languages.min", "limits.proposers.min",
                      "limits.duration.min", "limits.duration.step"}
    assert code == 0, out


def test_sessions_after_midnight_in_a_source_without_days_hours(tmp_path, capsys):
    data = _schedule([("Club", "2016-12-07T22:00:00+01:00", "03:00", {}),
                      ("Club", "2016-12-08T01:30:00+01:00", "01:00", {}),
                      ("Hall", "2016-12-08T09:00:00+01:00", "01:00", {})])
    doc = json.loads(data)
    days = doc["schedule"]["conference"]["days"]
    days[0]["rooms"]["Club"].append(days[1]["rooms"].pop("Club")[0])  # listed under the evening's day
    root, code, out, err, entries = _import_bytes(tmp_path, capsys, json.dumps(doc).encode())
    event, proposals, slots = imported_slots(root)
    assert event["day_change"] == "01:45"
    night = next(s for _, s, _, _, _ in slots if s["start"] == "01:30")
    assert night["day"] == "2016-12-07" and code == 0, out


def test_a_source_without_time_zone_is_refused_without_guessing(tmp_path, capsys):
    root = tmp_path / "programme"
    root.mkdir()
    code, out, err = run(["import", FIX / "fosdem-2021-excerpt.xml", "--root", root], capsys)
    assert code == 2 and "no time zone" in err and "--timezone" in err
    assert list(root.iterdir()) == []
    code, out, err = run(["import", FIX / "fosdem-2021-excerpt.xml", "--root", root, "--timezone", "Mars/Olympus"], capsys)
    assert code == 2 and "not an IANA time zone" in err and list(root.iterdir()) == []
    code, out, err = run(["import", FIX / "fosdem-2021-excerpt.xml", "--root", root, "--timezone", "Europe/Brussels"], capsys)
    assert code == 0, out
    event, _ = programme(root)
    assert event["timezone"] == "Europe/Brussels"


def test_offsets_without_zone_name_give_their_fixed_zone(tmp_path, capsys):
    root, code, out, err, report = import_into(tmp_path, "36c3-excerpt.json", capsys=capsys)
    event, _ = programme(root)
    assert event["timezone"] == "Etc/GMT-1" and code == 0
    assert any(e["kind"] == "time" and "Etc/GMT-1" in e["message"] for e in report["entries"])
    several = _schedule([("A", "2016-10-29T10:00:00+02:00", "01:00", {}), ("A", "2016-10-30T10:00:00+01:00", "01:00", {})],
                        tz=None)
    _, code, out, err, _ = _import_bytes(tmp_path, capsys, several)
    assert code == 2 and "several UTC offsets (+01:00, +02:00)" in err


def test_it_never_overwrites_without_replace(tmp_path, capsys):
    data = _schedule([("A", "2016-12-07T10:00:00+01:00", "01:00", {})])
    for place in ("event.yaml", "themes/x.yaml", "proposals/y.yaml"):
        root = tmp_path / place.replace("/", "-")
        (root / place).parent.mkdir(parents=True)
        (root / place).write_text("mine\n")
        source = tmp_path / "s.json"
        source.write_bytes(data)
        code, out, err = run(["import", source, "--root", root], capsys)
        assert code == 2 and "already has" in err and "--replace" in err, err
        assert (root / place).read_text() == "mine\n"
        assert sorted(p.name for p in root.rglob("*")) == sorted(Path(place).parts)


def test_replace_replaces_only_the_three_places(tmp_path, capsys):
    root = tmp_path / "repo"
    for name in ("README.md", "mkdocs.yml", "docs/index.md", ".github/workflows/x.yml", "event.yaml",
                 "themes/old.yaml", "proposals/old.yaml", "proposals/.gitkeep"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(f"{name}\n")
    source = tmp_path / "s.json"
    source.write_bytes(_schedule([("A", "2016-12-07T10:00:00+01:00", "01:00", {})]))
    code, out, err = run(["import", source, "--root", root, "--replace"], capsys)
    assert code == 0, out + err
    for name in ("README.md", "mkdocs.yml", "docs/index.md", ".github/workflows/x.yml"):
        assert (root / name).read_text() == f"{name}\n"
    assert sorted(p.name for p in (root / "proposals").iterdir()) == ["session-number-1.yaml"]
    assert sorted(p.name for p in (root / "themes").iterdir()) == ["main.yaml"]
    assert "Test event" in (root / "event.yaml").read_text()
    assert not [p for p in root.iterdir() if p.name.startswith(".agenda-import")]


def test_standard_input(tmp_path, capsys, monkeypatch):
    import io

    data = _schedule([("A", "2016-12-07T10:00:00+01:00", "01:00", {})])
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    root = tmp_path / "p"
    root.mkdir()
    code, out, err = run(["import", "-", "--root", root], capsys)
    assert code == 0 and (root / "proposals" / "session-number-1.yaml").is_file(), err


# --- hostile and malformed input --------------------------------------------------------------

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<schedule><conference><title>&lol9;</title></conference></schedule>"""
XXE = b"""<?xml version="1.0"?><!DOCTYPE s [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<schedule><conference><title>&x;</title></conference></schedule>"""
GOOD = _schedule([("A", "2016-12-07T10:00:00+01:00", "01:00", {})])
GOOD_XML = (b"<schedule><conference><title>t</title><time_zone_name>Europe/Paris</time_zone_name></conference>"
            b"<day date='2016-12-07' index='1'><room name='A'><event id='1' guid='00000000-0000-4000-8000-000000000001'>"
            b"<date>2016-12-07T10:00:00+01:00</date><duration>01:00</duration><room>A</room><title>x</title></event>"
            b"</room></day></schedule>")

MALFORMED = {
    "xml bomb": (BOMB, "entities"),
    "external entity": (XXE, "entities"),
    "empty": (b"", "empty"),
    "blank": (b"  \n ", "empty"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00", "not UTF-8 text"),
    "plain text": (b"Hello, this is not a schedule", "neither JSON nor XML"),
    "utf-16": ("{}".encode("utf-16"), "not UTF-8"),
    "latin-1 json": ('{"schedule": {"conference": {"title": "Caf\xe9"}}}'.encode("latin-1"), "not UTF-8"),
    "truncated json": (GOOD[: len(GOOD) // 2], "not valid JSON"),
    "truncated xml": ((FIX / "fosdem-2021-excerpt.xml").read_bytes()[:5000], "not well-formed XML"),
    "latin-1 xml": (b"<schedule><conference><title>Caf\xe9</title></conference></schedule>", "not well-formed XML"),
    "json array": (b"[1, 2]", "no \"schedule\" object"),
    "other xml": (b"<html><body/></html>", "root element is <html>"),
    "no conference": (b'{"schedule": {"version": "1"}}', "has no 'conference'"),
    "no days": (b'{"schedule": {"conference": {"title": "x"}}}', "has no 'days'"),
    "days not a list": (b'{"schedule": {"conference": {"title": "x", "days": "monday"}}}', "not a list"),
    "event not an object": (b'{"schedule": {"conference": {"days": [{"date": "2016-12-07", "rooms": {"A": [3]}}]}}}',
                            "not an event"),
    "title a list": (GOOD.replace(b'"title": "Session number 1"', b'"title": ["x"]'), "not text"),
    "bad day date": (b'{"schedule": {"conference": {"days": [{"date": "someday", "rooms": {}}]}}}', "not a date"),
    "nested too deep": (b'{"schedule": ' + b"[" * 100000 + b"]" * 100000 + b"}", "nested too deeply"),
    "NaN": (GOOD.replace(b'"id": 1', b'"id": NaN'), "not valid JSON"),
    "huge value": (GOOD.replace(b"An abstract on one line.", b"x" * 300_000), "more than the 200,000"),
    "huge xml value": (b"<schedule><conference><title>" + b"y" * 300_000 + b"</title></conference></schedule>",
                       "more than the 200,000"),
    "no sessions": (b'{"schedule": {"conference": {"title": "x", "days": []}}}', "no sessions"),
    "no xml conference": (b"<schedule><day date='2016-12-07'/></schedule>", "no <conference>"),
    "deep xml": (GOOD_XML.replace(b"<title>x</title>", b"<title>x</title><description>" + b"<b>" * 100000 + b"z"
                                  + b"</b>" * 100000 + b"</description>"), "nests its values too deeply"),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_bad_input_is_one_clear_line_and_exit_2(tmp_path, capsys, name):
    data, words = MALFORMED[name]
    started = time.perf_counter()
    root, code, out, err, entries = _import_bytes(tmp_path, capsys, data)
    assert time.perf_counter() - started < 10
    assert code == 2, (out, err)
    first = err.splitlines()[0]
    assert first.startswith("agenda: error: ") and words in first, err
    assert len(first) < 300 and "nothing written" in err
    assert list(root.iterdir()) == []


def test_a_file_too_large_is_refused_before_reading_it_all(tmp_path, capsys, monkeypatch):
    import agenda.imports.read as read

    monkeypatch.setattr(read, "MAX_BYTES", 1000)
    root, code, out, err, _ = _import_bytes(tmp_path, capsys, b"{" + b" " * 5000 + b"}")
    assert code == 2 and "more than the 1,000" in err


def test_hostile_content_is_made_safe_and_reported(tmp_path, capsys):
    evil = {
        "title": "Trojan\u202e title\x07 here",
        "subtitle": "sub\u200btitle",
        "abstract": "<p>Hello <b>world</b><script>steal()</script></p>",
        "description": ('<p onclick="x()">Intro <a href="javascript:alert(1)">click</a> '
                        '<a href="//cdn.example.org/x">cdn</a> <img src="data:image/png;base64,AAAA"> '
                        '<img src="https://img.example.org/a.png" alt="chart"></p><iframe src="https://e.vil"></iframe>'
                        "<style>body{}</style><object data='x.swf'></object><form><input name=q></form>"
                        "<p>[md](javascript:alert(3)) and <a href='https://ok.example.org/'>ok</a></p>"),
        "links": [{"url": "javascript:alert(2)", "title": "bad"}, {"url": "data:text/html,<script>x</script>", "title": "d"},
                  "www.example.org/page", {"url": "/relative/slides.pdf", "title": "Slides"},
                  {"url": "not a url at all", "title": "https://swapped.example.org/"}],
        "persons": [{"name": "Na\u0000me", "guid": "NOT-A-GUID"}, {"name": ""}],
    }
    data = json.loads(_schedule([("A", "2016-12-07T10:00:00+01:00", "01:00", evil)]))
    data["schedule"]["base_url"] = "https://fahrplan.example.org/"
    root, code, out, err, entries = _import_bytes(tmp_path, capsys, json.dumps(data).encode())
    assert code == 0, out  # agenda check passes on what was written
    (pid,) = [p.stem for p in (root / "proposals").glob("*.yaml")]
    text = (root / "proposals" / f"{pid}.yaml").read_text()
    for bad in ("javascript", "data:", "steal", "<script", "iframe", "onclick", "x.swf", "\u202e", "\\u202e",
                "\\u0007", "\u200b", "](//cdn", "<style"):
        assert bad not in text, bad
    _, proposals = programme(root)
    p = proposals[pid]
    assert p["title"] == "Trojan title here" and p["summary"] == "Hello world"
    assert "[image: chart](https://img.example.org/a.png)" in p["description"]
    assert "https://cdn.example.org/x" in p["description"]
    assert "[ok](https://ok.example.org/)" in p["description"]
    assert p["proposers"] == [{"name": "Name"}]
    links = {link["url"] for link in p["links"]}
    assert {"https://www.example.org/page", "https://fahrplan.example.org/relative/slides.pdf",
            "https://swapped.example.org/"} <= links
    kinds = {}
    for e in entries:
        kinds.setdefault(e["kind"], []).append(e)
    assert len(kinds["unsafe-link"]) >= 4  # javascript: twice, data: link and image
    assert {"<script>", "<iframe>", "<style>", "<object>", "<form>"} <= {
        m for e in kinds["removed-html"] for m in re.findall(r"<[a-z]+>", e["message"])}
    assert any("onclick" in e["message"] for e in kinds["removed-html"])
    assert len(kinds["removed-characters"]) >= 3  # title, subtitle, name
    assert any(e["kind"] == "invalid-value" and e["value"] == "NOT-A-GUID" for e in entries)
    assert any(e["kind"] == "missing-value" and "persons[1]" in e["message"] for e in entries)


def test_the_good_xml_of_the_malformed_cases_imports(tmp_path, capsys):
    root, code, out, err, entries = _import_bytes(tmp_path, capsys, GOOD_XML)
    assert code == 0 and (root / "proposals" / "x.yaml").is_file(), err


def test_html_nested_thousands_deep_keeps_its_text(tmp_path, capsys):
    deep = "<div>" * 5000 + "the text *stays*" + "</div>" * 5000
    data = _schedule([("A", "2016-12-07T10:00:00+01:00", "01:00", {"description": deep})])
    root, code, out, err, entries = _import_bytes(tmp_path, capsys, data)
    assert code == 0, out
    _, proposals = programme(root)
    assert proposals["session-number-1"]["description"] == "the text \\*stays\\*\n"
    assert any(e["kind"] == "removed-html" and "nested 5000" in e["message"] for e in entries)


def test_long_texts_are_cut_with_the_full_value_in_the_report(tmp_path, capsys):
    long_title = "Title " + "word " * 100
    description = ("A paragraph of text. " * 40 + "\n\n") * 30  # about 25,000 characters
    data = _schedule([("A", "2016-12-07T10:00:00+01:00", "01:00", {"title": long_title, "description": description})])
    root, code, out, err, entries = _import_bytes(tmp_path, capsys, data)
    assert code == 0, out
    _, proposals = programme(root)
    (p,) = proposals.values()
    assert len(p["title"]) <= 300 and p["title"].endswith("…")
    assert len(p["description"]) <= 20000
    cut = [e for e in entries if e["kind"] == "text-too-long"]
    assert {e["message"].split(" ")[0] for e in cut} == {"title", "description"}
    assert any(e["value"] == description.replace("\r", "").strip("\n") + "\n" or len(e["value"]) > 20000 for e in cut)


def test_the_report_counts_match_its_entries_and_stderr(tmp_path, capsys):
    root, code, out, err, report = import_into(tmp_path, "39c3-excerpt.json", capsys=capsys)
    counts = {}
    for e in report["entries"]:
        counts[e["kind"]] = counts.get(e["kind"], 0) + 1
    assert report["counts"] == counts
    for kind, n in counts.items():
        if kind != "check":
            assert re.search(rf"^\s+{n}\s+{kind}:", err, re.M), kind


def test_library_refuses_before_reading_when_the_folder_is_taken(tmp_path):
    (tmp_path / "event.yaml").write_text("x: 1\n")
    with pytest.raises(ImportFailure, match="already has event.yaml"):
        import_schedule(b"not even a schedule", tmp_path)


# --- a whole real programme -------------------------------------------------------------------


def test_a_whole_real_congress_imports_checks_and_keeps_its_sessions(tmp_path, capsys):
    """36C3, 1,351 sessions in 92 rooms over 4 days (frab/C3VOC JSON, as published)."""
    source = tmp_path / "36c3.json"
    source.write_bytes(lzma.decompress((FIX / "36c3-everything.schedule.json.xz").read_bytes()))
    root = tmp_path / "programme"
    root.mkdir()
    started = time.perf_counter()
    code, out, err = run(["import", source, "--root", root, "--timezone", "Europe/Berlin",
                          "--report", tmp_path / "report.json"], capsys)
    seconds = time.perf_counter() - started
    assert code == 0, out[-2000:]
    assert "0 errors" in err
    assert seconds < 60
    sessions = source_sessions(source, "Europe/Berlin")
    _, proposals, slots = imported_slots(root)
    exact = 0
    by_key = {}
    for pid, slot, wall, minutes, room in slots:
        by_key.setdefault((slot.get("source_id"), wall, room), []).append((slot, minutes))
    for s in sessions:
        found = by_key.get((s["id"], s["start"], s["room"]), [])
        if any(slot.get("guid") == s["guid"] and minutes == s["minutes"] for slot, minutes in found):
            exact += 1
    assert len(sessions) == 1351
    assert exact / len(sessions) >= 0.98, exact  # original day, start, duration, room and guid
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["stats"]["rooms"] == 92 and report["stats"]["repeated"] >= 70
    assert report["counts"]["shared-room"] >= 15


@pytest.mark.slow
def test_a_real_programme_builds_as_a_site(tmp_path, capsys):
    site = tmp_path / "site-repo"
    site.mkdir()
    for name in ("mkdocs.yml", "docs", "overrides"):
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, site / name)
    code, out, err = run(["import", FIX / "36c3-excerpt.json", "--root", site, "--timezone", "Europe/Berlin"], capsys)
    assert code == 0, out
    build = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(tmp_path / "out")], cwd=site,
                           capture_output=True, text=True, timeout=600)
    assert build.returncode == 0, build.stderr[-3000:]
    assert (tmp_path / "out" / "index.html").is_file()


def test_check_runs_on_the_written_files(tmp_path, capsys):
    """What the command prints is the repository check's own result, not the import's opinion."""
    root, code, out, err, report = import_into(tmp_path, "debconf23-excerpt.xml", capsys=capsys)
    result = check_repository(root)
    assert f"{result.files} files checked" in err
    assert code == (1 if any(p.is_error for p in result.problems) else 0)
