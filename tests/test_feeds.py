"""iCalendar files and the Atom feed, read back by independent parsers (icalendar, feedparser,
the standard library's expat), with the repository's real content and with hostile model
objects built directly (the checker would refuse them, the exporters must survive them)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

import feedparser
import pytest
from icalendar import Calendar

from agenda.data import exports, feeds
from agenda.i18n import Messages, translator
from agenda.model import build_agenda
from agenda.check.repository import check_repository
from conftest import ROOT
from export_programmes import KEPT_SLOT_GUID, load, write_dst, write_times

BASE = "https://example-org.github.io/agenda/"
HOST = "example-org.github.io"
STAMP = dt.datetime(2016, 11, 30, 12, 0, tzinfo=dt.timezone.utc)
PARIS = ZoneInfo("Europe/Paris")
ATOM = "{http://www.w3.org/2005/Atom}"


def load_agenda():
    report = check_repository(ROOT, jobs=1)
    return build_agenda(report.event, report.themes, report.proposals)


@pytest.fixture(scope="module")
def agenda():
    return load_agenda()


def scheduled(agenda):
    return [p for p in agenda.proposals if p.status == "scheduled"]


def uid(agenda, p, s=None):
    """The UID of a slot (the first by default): its guid, as in schedule.json."""
    return exports.identities(agenda)[p.id, (s or p.slots[0]).index].guid


def uids(agenda, p):
    return [uid(agenda, p, s) for s in p.slots]


@pytest.fixture(scope="module")
def times(tmp_path_factory):
    return load(write_times(tmp_path_factory.mktemp("times") / "repo"))


@pytest.fixture(scope="module")
def dst(tmp_path_factory):
    return load(write_dst(tmp_path_factory.mktemp("dst") / "repo"))


def with_proposal(agenda, proposal):
    """The agenda with one proposal replaced (same id) by a model object built directly."""
    return dataclasses.replace(
        agenda, proposals=tuple(proposal if p.id == proposal.id else p for p in agenda.proposals))


def parse_ics(data: bytes):
    assert isinstance(data, bytes)
    cal = Calendar.from_ical(data)
    assert cal.name == "VCALENDAR"
    return cal, cal.walk("VEVENT")


def content_lines(data: bytes):
    assert data.endswith(b"\r\n")
    lines = data[:-2].split(b"\r\n")
    for line in lines:  # every line break is CRLF: no bare CR or LF inside a line
        assert b"\r" not in line and b"\n" not in line
    return lines


def x_text(value):
    """X- properties come back raw (icalendar does not know their type): unescape them as
    TEXT (RFC 5545 3.3.11), which is how they are written."""
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), str(value))


def begin_lines(data: bytes):
    return [line for line in content_lines(data) if line.startswith((b"BEGIN:", b"END:"))]


def local(day, hhmm):
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time.fromisoformat(hhmm), tzinfo=PARIS)


# ------------------------------------------------------------------------------ iCalendar

def test_the_repository_has_what_the_tests_need(agenda):
    statuses = {p.status for p in agenda.proposals}
    assert {"scheduled", "accepted", "proposed"} <= statuses
    assert len(scheduled(agenda)) >= 5
    assert agenda.event.timezone == "Europe/Paris"


def test_calendar_header_and_timezone(agenda):
    data = feeds.calendar_all(agenda, base_url=BASE, stamp=STAMP)
    cal, _ = parse_ics(data)
    assert str(cal["VERSION"]) == "2.0"
    assert str(cal["CALSCALE"]) == "GREGORIAN"
    assert str(cal["PRODID"]) == f"-//agenda//{agenda.event.name['fr']}//FR"
    assert x_text(cal["X-WR-CALNAME"]) == agenda.event.name["fr"]
    assert x_text(cal["X-WR-TIMEZONE"]) == "Europe/Paris"

    zones = cal.walk("VTIMEZONE")
    assert [str(z["TZID"]) for z in zones] == ["Europe/Paris"]
    # The rules written in the file, not the name looked up in the local tz database.
    tz = zones[0].to_tz(lookup_tzid=False)
    assert dt.datetime(2016, 12, 8, 12, tzinfo=tz).utcoffset() == dt.timedelta(hours=1)
    assert dt.datetime(2016, 7, 8, 12, tzinfo=tz).utcoffset() == dt.timedelta(hours=2)
    # Restricted to the event's year: it does not grow or change with "now".
    starts = [sub.decoded("DTSTART") for sub in zones[0].subcomponents]
    assert starts and all(s.year == 2016 for s in starts)
    # The VTIMEZONE comes before the events that use it.
    names = [c.name for c in cal.subcomponents]
    assert names.index("VTIMEZONE") < names.index("VEVENT")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_calendar_all_has_every_slot_once(agenda, lang):
    m = Messages(lang)
    data = feeds.calendar_all(agenda, base_url=BASE, stamp=STAMP, lang=lang)
    _cal, events = parse_ics(data)
    sessions = agenda.sessions()
    assert len(sessions) > len(scheduled(agenda))  # a proposal is held twice
    assert [str(e["UID"]) for e in events] == [uid(agenda, x.proposal, x.slot) for x in sessions]
    for x, e in zip(sessions, events, strict=True):
        p, s = x.proposal, x.slot
        assert str(e["SUMMARY"]) == p.title
        for key in ("DTSTART", "DTEND"):
            assert e[key].params["TZID"] == "Europe/Paris"
        start, end = e.decoded("DTSTART"), e.decoded("DTEND")
        assert start == s.starts_at and end == s.ends_at
        assert start.replace(tzinfo=None) == s.starts and end.replace(tzinfo=None) == s.ends  # local wall time
        assert start.utcoffset() == dt.timedelta(hours=1)
        assert f"DTSTART;TZID=Europe/Paris:{s.starts:%Y%m%dT%H%M%S}".encode() in data
        assert e.decoded("DTSTAMP") == STAMP
        if s.room:
            assert str(e["LOCATION"]) == m.name(agenda.room(s.room).name)
        else:  # held elsewhere: its place, in the calendar's language, or the address to join online
            expected = [x for x in (s.place.name, s.place.address, s.place.city) if x]
            expected += [m.t.country(s.place.country)] if s.place.country else []
            expected += [s.place.url] if s.place.online and s.place.url else [m.t.gettext("online")] * s.place.online
            assert str(e["LOCATION"]) == ", ".join(expected)
        assert str(e["URL"]) == f"{BASE}proposals/{p.id}/"
        assert str(e["STATUS"]) == "CONFIRMED"
        categories = [str(c) for c in e["CATEGORIES"].cats]
        assert categories == [m.name(agenda.theme(t).name) for t in p.themes] + [m.name(agenda.format(p.format).name)]
        description = str(e["DESCRIPTION"])
        assert description.startswith(p.summary + "\n\n" + f"{BASE}proposals/{p.id}/")
        assert description.endswith("\n" + feeds.recording_sentence(p, lang))
        assert x_text(e["X-AGENDA-DO-NOT-RECORD"]) == ("FALSE" if p.recording == "allowed" else "TRUE")
        for person in p.proposers:
            assert person.name in description
    titles = {str(e["SUMMARY"]) for e in events}
    for p in agenda.proposals:
        if p.status != "scheduled":
            assert p.title not in titles
            assert f"proposals/{p.id}/".encode() not in data


def test_calendar_per_theme_has_exactly_its_sessions(agenda):
    for theme in agenda.themes:
        data = feeds.calendar_theme(agenda, theme.id, base_url=BASE, stamp=STAMP)
        cal, events = parse_ics(data)
        got = [str(e["UID"]) for e in events]
        assert got == [uid(agenda, x.proposal, x.slot) for x in agenda.sessions() if theme.id in x.proposal.themes]
        assert len(got) == len(set(got))
        assert x_text(cal["X-WR-CALNAME"]).endswith(theme.name["fr"])
        assert len(cal.walk("VTIMEZONE")) == 1  # even in a theme without sessions
    with pytest.raises(KeyError):
        feeds.calendar_theme(agenda, "no-such-theme", base_url=BASE, stamp=STAMP)


def test_calendar_per_proposal(agenda):
    everything = feeds.calendar_all(agenda, base_url=BASE, stamp=STAMP)
    for p in agenda.proposals:
        if p.status != "scheduled":
            with pytest.raises(ValueError, match="not scheduled"):
                feeds.calendar_proposal(agenda, p.id, base_url=BASE, stamp=STAMP)
            continue
        data = feeds.calendar_proposal(agenda, p.id, base_url=BASE, stamp=STAMP)
        _, events = parse_ics(data)
        assert [str(e["UID"]) for e in events] == uids(agenda, p)  # every slot, in time order
        assert {str(e["SUMMARY"]) for e in events} == {p.title}
        # The same UIDs as in the full calendar: a client sees one event per slot, not two.
        for u in uids(agenda, p):
            assert f"UID:{u}".encode() in everything
    with pytest.raises(KeyError):
        feeds.calendar_proposal(agenda, "no-such-proposal", base_url=BASE, stamp=STAMP)


# ------------------------------------------------------------------------------ times and consent


def utc(data, name):
    """A DTSTART or DTEND line as written (value only)."""
    line = next(line for line in content_lines(data) if line.startswith(name.encode()))
    return line.decode()


def test_calendar_times_of_real_programmes(times):
    data = feeds.calendar_all(times, base_url=BASE, stamp=STAMP)
    _, events = parse_ics(data)
    by_uid = {str(e["UID"]): e for e in events}
    assert len(by_uid) == len(events) == len(times.sessions()) == 7

    def lines(p, index=0):
        u = uid(times, p, p.slots[index])
        block = data.split(f"UID:{u}".encode())[0].rsplit(b"BEGIN:VEVENT", 1)[1] + \
            data.split(f"UID:{u}".encode())[1].split(b"END:VEVENT")[0]
        return [line for line in block.split(b"\r\n") if line.startswith((b"DTSTART", b"DTEND"))]

    workshop = times.proposal("repeated-workshop")
    assert uids(times, workshop)[0] == KEPT_SLOT_GUID and len(set(uids(times, workshop))) == 3
    assert lines(workshop, 2) == [b"DTSTART;TZID=Europe/Paris:20161209T090000",
                                  b"DTEND;TZID=Europe/Paris:20161209T094500"]
    assert lines(times.proposal("midnight-party")) == [b"DTSTART;TZID=Europe/Paris:20161208T200000",
                                                       b"DTEND;TZID=Europe/Paris:20161209T000000"]
    # 01:00 in the night after 8 December: 9 December on the calendar.
    assert lines(times.proposal("night-session")) == [b"DTSTART;TZID=Europe/Paris:20161209T010000",
                                                      b"DTEND;TZID=Europe/Paris:20161209T014500"]
    assert lines(times.proposal("three-day-installation")) == [b"DTSTART;TZID=Europe/Paris:20161207T100000",
                                                               b"DTEND;TZID=Europe/Paris:20161209T180000"]
    for x in times.sessions():
        e = by_uid[uid(times, x.proposal, x.slot)]
        assert e.decoded("DTEND") - e.decoded("DTSTART") == dt.timedelta(minutes=x.slot.duration)


def test_calendar_per_proposal_is_in_time_order(times):
    """Slots written in any order (and in different rooms) come out in time order, as in the
    full calendar."""
    w = times.proposal("repeated-workshop")
    rooms = ("salle-louvre", "atelier-1", "auditorium")
    slots = tuple(dataclasses.replace(s, room=room) for s, room in zip(w.slots, rooms, strict=True))[::-1]
    shuffled = with_proposal(times, dataclasses.replace(w, slots=slots))
    _, events = parse_ics(feeds.calendar_proposal(shuffled, w.id, base_url=BASE, stamp=STAMP))
    assert [e.decoded("DTSTART") for e in events] == sorted(s.starts_at for s in w.slots)
    assert [str(e["UID"]) for e in events] == [uid(times, w, s) for s in w.slots]
    _, everything = parse_ics(feeds.calendar_all(shuffled, base_url=BASE, stamp=STAMP))
    assert [str(e["UID"]) for e in everything if str(e["UID"]) in uids(times, w)] == [str(e["UID"]) for e in events]


def test_calendar_the_night_the_clocks_go_back(dst):
    """02:30 occurs twice that night; the session ends at the second. RFC 5545 reads a local
    02:30 as the first, so the end is written in UTC; the start, the first 01:30, is local."""
    p = dst.proposal("dst-night")
    data = feeds.calendar_proposal(dst, p.id, base_url=BASE, stamp=STAMP)
    [event] = parse_ics(data)[1]
    assert b"DTSTART;TZID=Europe/Paris:20161030T013000" in data
    assert b"DTEND:20161030T013000Z" in data
    assert event.decoded("DTSTART") == dt.datetime(2016, 10, 29, 23, 30, tzinfo=dt.timezone.utc)
    assert event.decoded("DTEND") == dt.datetime(2016, 10, 30, 1, 30, tzinfo=dt.timezone.utc)
    assert event.decoded("DTEND") - event.decoded("DTSTART") == dt.timedelta(minutes=120)
    # Either side of the night: local times with their own offsets.
    afternoons = parse_ics(feeds.calendar_proposal(dst, "dst-afternoon", base_url=BASE, stamp=STAMP))[1]
    assert [e.decoded("DTSTART").utcoffset() for e in afternoons] == [dt.timedelta(hours=2), dt.timedelta(hours=1)]
    assert [e.decoded("DTSTART").astimezone(dt.timezone.utc).hour for e in afternoons] == [13, 14]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_calendar_says_who_may_be_recorded(times, lang):
    _, events = parse_ics(feeds.calendar_all(times, base_url=BASE, stamp=STAMP, lang=lang))
    said = {}
    for e in events:
        said[str(e["SUMMARY"])] = (x_text(e["X-AGENDA-DO-NOT-RECORD"]), str(e["DESCRIPTION"]).rsplit("\n", 1)[-1])
    t = translator(lang)
    sentences = {key: t.gettext(message) for key, message in feeds.RECORDING.items()}
    assert said[times.proposal("repeated-workshop").title] == ("FALSE", sentences["allowed"])
    assert said[times.proposal("midnight-party").title] == ("TRUE", sentences["not-allowed"])
    assert said[times.proposal("night-session").title] == ("TRUE", sentences[None])
    assert len(set(sentences.values())) == 3
    for key in ("not-allowed", None):
        assert sentences[key].startswith({"fr": "Ne pas enregistrer", "en": "Do not record"}[lang])


def test_calendar_subtitle_and_persons_without_organisation(times):
    [event] = parse_ics(feeds.calendar_proposal(times, "night-session", base_url=BASE, stamp=STAMP))[1]
    p = times.proposal("night-session")
    assert str(event["DESCRIPTION"]).startswith(f"{p.subtitle}\n\n{p.summary}\n\n{BASE}proposals/night-session/\n")
    _, events = parse_ics(feeds.calendar_proposal(times, "repeated-workshop", base_url=BASE, stamp=STAMP))
    assert all("Imported Person\n" in str(e["DESCRIPTION"]) and "(None)" not in str(e["DESCRIPTION"])
               for e in events)


def test_calendar_uids_survive_a_move(times):
    w = times.proposal("repeated-workshop")
    s = w.slots[1]
    delta = dt.timedelta(days=1, hours=-4)
    moved_slot = dataclasses.replace(s, day="2016-12-09", start="10:00", end="11:30", room="atelier-1",
                                     starts=s.starts + delta, ends=s.ends + delta,
                                     starts_at=s.starts_at + delta, ends_at=s.ends_at + delta)
    moved = with_proposal(times, dataclasses.replace(w, slots=(w.slots[0], moved_slot, w.slots[2])))
    before = parse_ics(feeds.calendar_proposal(times, w.id, base_url=BASE, stamp=STAMP))[1]
    after = parse_ics(feeds.calendar_proposal(moved, w.id, base_url=BASE, stamp=STAMP))[1]
    assert {str(e["UID"]) for e in before} == {str(e["UID"]) for e in after}
    start = {str(e["UID"]): e.decoded("DTSTART") for e in after}[uid(times, w, s)]
    assert start == dt.datetime(2016, 12, 9, 10, tzinfo=PARIS)


def test_calendars_without_a_site_address(times):
    """URL is a URI (absolute): left out, from the event and from its description. The rest
    is the same, UIDs included."""
    for build in (lambda **k: feeds.calendar_all(times, **k),
                  lambda **k: feeds.calendar_theme(times, times.themes[0].id, **k),
                  lambda **k: feeds.calendar_proposal(times, "repeated-workshop", **k)):
        without, with_ = build(base_url=None, stamp=STAMP), build(base_url=BASE, stamp=STAMP)
        _, events = parse_ics(without)
        assert events and not [e for e in events if "URL" in e]
        assert HOST.encode() not in without
        assert b"proposals/" not in without
        _, expected = parse_ics(with_)
        assert [str(e["UID"]) for e in events] == [str(e["UID"]) for e in expected]
        for got, want in zip(events, expected, strict=True):
            assert str(got["DESCRIPTION"]) == str(want["DESCRIPTION"]).replace(str(want["URL"]) + "\n", "")
            assert got.decoded("DTSTART") == want.decoded("DTSTART")


UNICODE_TITLES = [
    "Émile et Zoé à l'Hôtel de Ville : « données » — œuvre ÇA",
    "🎉 Civic tech 🏳️‍🌈 👩🏽‍💻 for everyone 🇫🇷🇹🇳",
    "الحق في النفاذ إلى المعلومة",
    "עברית and العربية mixed with Latin, 中文 and 日本語",
]


@pytest.mark.parametrize("title", UNICODE_TITLES)
def test_unicode_titles_round_trip(agenda, title):
    p = dataclasses.replace(scheduled(agenda)[0], title=title)
    data = feeds.calendar_proposal(with_proposal(agenda, p), p.id, base_url=BASE, stamp=STAMP)
    _, events = parse_ics(data)
    assert [str(e["SUMMARY"]) for e in events] == [title]
    data.decode("utf-8")  # folding never cuts a character in two


HOSTILE_TITLES = [
    "x\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:evil@attacker\r\nSUMMARY:evil",
    "x\nEND:VEVENT\nEND:VCALENDAR\nBEGIN:VCALENDAR\nBEGIN:VEVENT",
    "x\rBEGIN:VEVENT\rDTSTART:20000101T000000Z",
    "commas, semicolons; colons: and a backslash \\ and \\n and \\, and \\;",
    "; param=x:value",
    "trailing backslash \\",
    "\\",
    ",;,;",
    # Backslash sequences a contributor can type: each must come back as the characters written.
    "a literal \\n, \\N, \\, and \\; in a title",
    "\\N",
    "Windows path C:\\New\\Notes and \\\\N",
    "\\\\n and \\\\\\N",
]


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_hostile_title_is_one_summary(agenda, title):
    p = dataclasses.replace(scheduled(agenda)[0], title=title, summary=title)
    hostile = with_proposal(agenda, p)
    for data in (feeds.calendar_proposal(hostile, p.id, base_url=BASE, stamp=STAMP),
                 feeds.calendar_all(hostile, base_url=BASE, stamp=STAMP)):
        cal, events = parse_ics(data)
        mine = [e for e in events if str(e["UID"]) == uid(hostile, p)]
        assert len(mine) == 1
        assert len(events) == len({str(e["UID"]) for e in events})
        assert not [e for e in events if "evil" in str(e["UID"])]
        # iCalendar TEXT has one line break, LF: CRLF and CR arrive as LF, the rest exactly.
        expected = title.replace("\r\n", "\n").replace("\r", "\n")
        assert str(mine[0]["SUMMARY"]) == expected
        assert str(mine[0]["DESCRIPTION"]).startswith(expected + "\n\n")
        assert mine[0].decoded("DTSTART") == local(p.schedule.day, p.schedule.start)
        structure = begin_lines(data)
        assert structure.count(b"BEGIN:VCALENDAR") == 1 and structure.count(b"END:VCALENDAR") == 1
        assert structure.count(b"BEGIN:VEVENT") == len(events)
        assert len(cal.walk("VCALENDAR")) == 1
        if len(events) == 1:  # the per-proposal calendar is named after the title
            assert x_text(cal["X-WR-CALNAME"]).endswith(" — " + expected)


def test_hostile_names_everywhere(agenda):
    """Proposer, room, theme and format names go through the library too."""
    evil = "a,b;c\\d\\Ne\r\nEND:VEVENT\r\nBEGIN:VEVENT"
    p = scheduled(agenda)[0]
    p = dataclasses.replace(p, proposers=(dataclasses.replace(p.proposers[0], name=evil, organisation=evil),))
    room = dataclasses.replace(agenda.room(p.schedule.room), name={"fr": evil, "en": evil})
    theme = dataclasses.replace(agenda.theme(p.themes[0]), name={"fr": evil, "en": evil})
    event = dataclasses.replace(agenda.event, name={"fr": evil, "en": evil},
                                rooms=tuple(room if r.id == room.id else r for r in agenda.event.rooms))
    hostile = dataclasses.replace(with_proposal(agenda, p), event=event,
                                  themes=tuple(theme if t.id == theme.id else t for t in agenda.themes))
    data = feeds.calendar_theme(hostile, theme.id, base_url=BASE, stamp=STAMP)
    cal, events = parse_ics(data)
    flat = evil.replace("\r\n", "\n")
    assert x_text(cal["X-WR-CALNAME"]) == f"{flat} — {flat}"
    mine = [e for e in events if str(e["UID"]) == uid(hostile, p)]
    assert len(mine) == 1
    assert str(mine[0]["LOCATION"]) == flat
    assert str(mine[0]["CATEGORIES"].cats[0]) == flat
    assert flat in str(mine[0]["DESCRIPTION"])
    assert begin_lines(data).count(b"BEGIN:VEVENT") == len(events)


def test_hostile_proposal_id(agenda):
    """Ids are slugs once checked; a model object built directly still cannot break out."""
    pid = "x/../\r\nBEGIN:VEVENT\r\n<script>é"
    p = dataclasses.replace(scheduled(agenda)[0], id=pid)
    hostile = dataclasses.replace(agenda, proposals=agenda.proposals + (p,))
    data = feeds.calendar_proposal(hostile, pid, base_url=BASE, stamp=STAMP)
    _, events = parse_ics(data)
    assert len(events) == 1 and begin_lines(data).count(b"BEGIN:VEVENT") == 1
    assert str(events[0]["UID"]) == exports.frab_guid(hostile, "proposal", pid)  # a UUID: nothing to escape
    assert str(events[0]["URL"]) == f"{BASE}proposals/x%2F..%2F%0D%0ABEGIN%3AVEVENT%0D%0A%3Cscript%3E%C3%A9/"
    [entry] = parse_feed(feeds.atom_feed(hostile, {pid: [("2016-10-01", "proposed")]}, base_url=BASE)).entries
    assert entry.link == str(events[0]["URL"])
    assert entry.id.startswith(f"tag:{HOST},2016:x%2F..%2F%0D%0ABEGIN%3AVEVENT")


def test_control_characters_are_dropped(agenda):
    p = dataclasses.replace(scheduled(agenda)[0], title="a\x00b\x07c\x1bd\x7fe\tf\ud800g")
    data = feeds.calendar_proposal(with_proposal(agenda, p), p.id, base_url=BASE, stamp=STAMP)
    for line in content_lines(data):
        assert not any(b < 0x20 and b != 0x09 or b == 0x7F for b in line), line
    _, events = parse_ics(data)
    assert str(events[0]["SUMMARY"]) == "abcde\tfg"


def test_long_lines_are_folded(agenda):
    title = "Une très longue session sur l'ouverture des données — الحق في النفاذ 🎉 " * 8
    p = dataclasses.replace(scheduled(agenda)[0], title=title)
    hostile = with_proposal(agenda, p)
    datas = [feeds.calendar_all(hostile, base_url=BASE, stamp=STAMP),
             feeds.calendar_proposal(hostile, p.id, base_url=BASE, stamp=STAMP)]
    datas += [feeds.calendar_theme(hostile, t.id, base_url=BASE, stamp=STAMP) for t in agenda.themes]
    for data in datas:
        lines = content_lines(data)
        assert max(len(line) for line in lines) <= 75
        assert any(line.startswith(b" ") for line in lines)  # something was folded
        for line in lines:
            line.decode("utf-8")  # no character split across a fold
    _, events = parse_ics(datas[1])
    assert str(events[0]["SUMMARY"]) == title


# The bytes of every calendar and of the feed, computed in a fresh process: sets, dicts and
# hash seeds differ between processes, the published files must not.
SUBSCRIPTIONS = """
import datetime as dt, hashlib, sys
sys.path.insert(0, sys.argv[1])
import test_feeds as t
agenda = t.load_agenda()
kw = dict(base_url=t.BASE, stamp=t.STAMP)
files = [t.feeds.calendar_all(agenda, **kw)] + [t.feeds.calendar_theme(agenda, th.id, **kw) for th in agenda.themes]
files += [t.feeds.calendar_proposal(agenda, p.id, **kw) for p in t.scheduled(agenda)]
files.append(t.feeds.atom_feed(agenda, t.make_history(agenda), base_url=t.BASE).encode())
print(hashlib.sha256(b"\\0".join(files)).hexdigest())
"""


def test_calendars_and_feed_do_not_depend_on_the_process():
    tests = str(ROOT / "tests")
    digests = {subprocess.run([sys.executable, "-c", SUBSCRIPTIONS, tests], capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONHASHSEED": seed}).stdout.strip() for seed in ("1", "2")}
    assert len(digests) == 1 and len(next(iter(digests))) == 64


def test_calendars_do_not_depend_on_how_the_stamp_and_base_url_are_written(agenda):
    # The stamp is the caller's: naive means UTC, another zone is converted.
    naive = feeds.calendar_all(agenda, base_url=BASE, stamp=STAMP.replace(tzinfo=None))
    paris = feeds.calendar_all(agenda, base_url=BASE, stamp=STAMP.astimezone(PARIS))
    assert naive == paris
    assert b"DTSTAMP:20161130T120000Z" in naive
    # The base URL without its final slash gives the same file.
    assert feeds.calendar_all(agenda, base_url=BASE.rstrip("/"), stamp=STAMP) == naive
    # Proposals in another order give the same file.
    shuffled = dataclasses.replace(agenda, proposals=tuple(reversed(agenda.proposals)))
    assert feeds.calendar_all(shuffled, base_url=BASE, stamp=STAMP) == naive


def test_base_url_must_be_absolute(agenda):
    """None says the site has no address; any other value must be an absolute http(s) one."""
    for bad in ("/agenda/", "/", "example.org", "javascript:alert(1)", "", "https://example.org/\r\nBEGIN:VEVENT",
                "https://example.org/a b/", "https://exämple.org/", "https:///path"):
        with pytest.raises(ValueError):
            feeds.calendar_all(agenda, base_url=bad, stamp=STAMP)
        with pytest.raises(ValueError):
            feeds.atom_feed(agenda, {}, base_url=bad, fallback_updated="2016-01-01")


# ------------------------------------------------------------------------------ Atom

def make_history(agenda):
    """A plausible history: every proposal proposed in September, some accepted in October,
    scheduled in November; declined and withdrawn ones end so (ignored by the feed)."""
    history = {}
    for i, p in enumerate(agenda.proposals):
        proposed = dt.datetime(2016, 9, 1, 9, tzinfo=PARIS) + dt.timedelta(hours=7 * i, minutes=i)
        entries = [(proposed.isoformat(), "proposed")]
        if p.status in ("accepted", "scheduled"):
            entries.append(((proposed + dt.timedelta(days=30)).isoformat(), "accepted"))
        if p.status == "scheduled":
            entries.append(((proposed + dt.timedelta(days=31)).isoformat(), "scheduled"))
            # A later commit that changes the room: still scheduled, not a new event.
            entries.append(((proposed + dt.timedelta(days=40)).isoformat(), "scheduled"))
        if p.status in ("declined", "withdrawn"):
            entries.append(((proposed + dt.timedelta(days=20)).isoformat(), p.status))
        history[p.id] = entries
    return history


def expected_events(history):
    out = []
    for pid, entries in history.items():
        out.append((dt.datetime.fromisoformat(entries[0][0]), "proposed", pid))
        for (_, before), (when, status) in itertools.pairwise(entries):
            if status in ("accepted", "scheduled") and status != before:
                out.append((dt.datetime.fromisoformat(when), status, pid))
    return sorted(out, key=lambda e: e[0], reverse=True)


def parse_feed(text):
    assert isinstance(text, str)
    assert text.startswith("<?xml version='1.0' encoding='utf-8'?>\n<feed ")
    assert text.endswith("</feed>\n")
    ET.fromstring(text.encode("utf-8"))  # a strict parser accepts it too
    parsed = feedparser.parse(text.encode("utf-8"))
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def when(entry):
    return dt.datetime.fromisoformat(entry.updated.replace("Z", "+00:00"))


def test_atom_feed_with_the_repository(agenda):
    history = make_history(agenda)
    text = feeds.atom_feed(agenda, history, base_url=BASE, limit=None)
    parsed = parse_feed(text)
    expected = expected_events(history)
    entries = parsed.entries
    assert len(entries) == len(expected)
    assert [(when(e), e.link) for e in entries] == [(w, f"{BASE}proposals/{pid}/") for w, _, pid in expected]
    # Newest first, ids unique, the feed's date is its newest entry's.
    dates = [when(e) for e in entries]
    assert dates == sorted(dates, reverse=True)
    assert len({e.id for e in entries}) == len(entries)
    assert dt.datetime.fromisoformat(parsed.feed.updated.replace("Z", "+00:00")) == dates[0]
    m = Messages("fr")
    for entry, (instant, kind, pid) in zip(entries, expected):
        p = agenda.proposal(pid)
        assert entry.id.startswith(f"tag:{HOST},2016:{pid}:{kind}:")
        title = {"proposed": f"Nouvelle proposition : {p.title}",
                 "accepted": f"{m('status.accepted')} : {p.title}",
                 "scheduled": f"{m('status.scheduled')} : {p.title}"}[kind]
        assert entry.title == title
        assert entry.title_detail.type == "text/plain"
        assert entry.summary == p.summary
        assert entry.summary_detail.type == "text/plain"
        assert [a.name for a in entry.authors] == [x.name for x in p.proposers]
        assert [t.term for t in entry.tags] == list(p.themes)
        assert [t.label for t in entry.tags] == [agenda.theme(t).name["fr"] for t in p.themes]
        published = dt.datetime.fromisoformat(entry.published.replace("Z", "+00:00"))
        assert published == dt.datetime.fromisoformat(history[pid][0][0])
    # No entry for declined or withdrawn, nor for a repeated "scheduled".
    assert not [e for e in entries if ":declined:" in e.id or ":withdrawn:" in e.id]
    assert len([e for e in entries if ":scheduled:" in e.id]) == len(scheduled(agenda))
    # The feed itself.
    assert parsed.feed.id == BASE
    assert parsed.feed.title == agenda.event.name["fr"]
    assert parsed.feed.language == "fr"
    links = {(link.rel, link.href) for link in parsed.feed.links}
    assert links == {("self", f"{BASE}data/feed.atom"), ("alternate", BASE)}


def test_atom_ids_are_stable(agenda):
    history = make_history(agenda)
    ids_one = [e.id for e in parse_feed(feeds.atom_feed(agenda, history, base_url=BASE)).entries]
    # Entries keep their id when newer ones push them down the feed.
    newer = dict(history)
    newer["soiree-societe-civile"] = history["soiree-societe-civile"] + [
        ("2016-12-01T10:00:00+01:00", "accepted"), ("2016-12-02T10:00:00+01:00", "scheduled")]
    ids_newer = [e.id for e in parse_feed(feeds.atom_feed(agenda, newer, base_url=BASE)).entries]
    assert ids_newer[:2] == [f"tag:{HOST},2016:soiree-societe-civile:scheduled:20161202T090000Z",
                             f"tag:{HOST},2016:soiree-societe-civile:accepted:20161201T090000Z"]
    assert ids_newer[2:] == ids_one[:len(ids_newer) - 2]


def test_atom_limit_keeps_the_newest(agenda):
    history = make_history(agenda)
    everything = parse_feed(feeds.atom_feed(agenda, history, base_url=BASE, limit=None)).entries
    five = parse_feed(feeds.atom_feed(agenda, history, base_url=BASE, limit=5)).entries
    assert [e.id for e in five] == [e.id for e in everything[:5]]
    assert len(parse_feed(feeds.atom_feed(agenda, history, base_url=BASE)).entries) == min(50, len(everything))


def test_atom_without_entries_uses_the_fallback_date(agenda):
    parsed = parse_feed(feeds.atom_feed(agenda, {}, base_url=BASE, fallback_updated="2016-10-01T12:00:00+02:00"))
    assert parsed.entries == []
    assert parsed.feed.updated == "2016-10-01T10:00:00Z"
    assert parse_feed(feeds.atom_feed(agenda, {"not-a-proposal": [("2016-10-01", "proposed")]},
                                      base_url=BASE, fallback_updated=dt.date(2016, 10, 1))).entries == []
    with pytest.raises(ValueError, match="fallback_updated"):
        feeds.atom_feed(agenda, {}, base_url=BASE)


def test_atom_fallback_history(agenda):
    """Without Git: one entry per proposal, its current status at a fallback date."""
    history = {p.id: [("2016-11-01", p.status)] for p in agenda.proposals}
    parsed = parse_feed(feeds.atom_feed(agenda, history, base_url=BASE, limit=None))
    kinds = [e.id.split(":")[3] for e in parsed.entries]
    assert kinds.count("proposed") == len(agenda.proposals)
    assert kinds.count("scheduled") == len(scheduled(agenda))
    assert kinds.count("accepted") == len([p for p in agenda.proposals if p.status == "accepted"])
    assert {e.updated for e in parsed.entries} == {"2016-11-01T00:00:00Z"}
    # Same instant: the later step first, then by proposal id.
    order = [(["scheduled", "accepted", "proposed"].index(e.id.split(":")[3]), e.id.split(":")[2])
             for e in parsed.entries]
    assert order == sorted(order)


def test_atom_in_english(agenda):
    history = make_history(agenda)
    parsed = parse_feed(feeds.atom_feed(agenda, history, base_url=BASE, lang="en", limit=None))
    assert parsed.feed.language == "en"
    assert parsed.feed.title == agenda.event.name["en"]
    titles = [e.title for e in parsed.entries]
    assert any(t.startswith("Scheduled: ") for t in titles)
    assert any(t.startswith("Accepted: ") for t in titles)
    assert any(t.startswith("New proposal: ") for t in titles)


def test_atom_hostile_text_still_parses(agenda):
    nasty = ("a\x00b\x01\x08\x0b\x0c\x1f\ufffe\uffff\ud800\udfffc ]]> <script>alert(1)</script> "
             "&amp; &lt; \" ' <![CDATA[x]]> é 🎉 العربية")
    clean = "abc ]]> <script>alert(1)</script> &amp; &lt; \" ' <![CDATA[x]]> é 🎉 العربية"
    p = dataclasses.replace(agenda.proposals[0], title=nasty, summary=nasty + "\tend\nline",
                            proposers=(dataclasses.replace(agenda.proposals[0].proposers[0], name=nasty),))
    theme = dataclasses.replace(agenda.theme(p.themes[0]), name={"fr": nasty, "en": nasty})
    hostile = dataclasses.replace(with_proposal(agenda, p),
                                  themes=tuple(theme if t.id == theme.id else t for t in agenda.themes))
    text = feeds.atom_feed(hostile, {p.id: [("2016-10-01T10:00:00Z", "proposed")]}, base_url=BASE)
    assert "<script>" not in text
    parsed = parse_feed(text)
    [entry] = parsed.entries
    assert entry.title == f"Nouvelle proposition : {clean}"
    assert entry.summary == clean + "\tend\nline"
    assert entry.authors[0].name == clean
    assert entry.tags[0].label == clean
    # The standard library's strict parser reads the same text.
    root = ET.fromstring(text.encode("utf-8"))
    assert root.find(f"{ATOM}entry/{ATOM}title").text == f"Nouvelle proposition : {clean}"
    assert root.find(f"{ATOM}entry/{ATOM}summary").text == clean + "\tend\nline"


def test_atom_history_dates_in_any_zone(agenda):
    pid = agenda.proposals[0].id
    for value in ("2016-10-01T12:00:00+02:00", "2016-10-01T10:00:00Z", "2016-10-01T10:00:00",
                  "2016-10-01T05:00:00-05:00"):
        [entry] = parse_feed(feeds.atom_feed(agenda, {pid: [(value, "proposed")]}, base_url=BASE)).entries
        assert entry.updated == "2016-10-01T10:00:00Z"
        assert entry.id == f"tag:{HOST},2016:{pid}:proposed:20161001T100000Z"


def test_atom_without_a_site_address(agenda):
    """Links are IRI references: relative to data/feed.atom. Ids and category schemes are IRIs
    (absolute): ids from the repository's address, schemes left out."""
    history = make_history(agenda)
    text = feeds.atom_feed(agenda, history, base_url=None, limit=None)
    parsed = parse_feed(text)
    assert parsed.feed.id == agenda.event.repository
    links = {(link.rel, link.href) for link in parsed.feed.links}
    assert links == {("self", "../data/feed.atom"), ("alternate", "../")}
    # Resolved against the feed's own address, they reach the site's pages.
    published = "https://anywhere.example/some/path/data/feed.atom"
    assert urljoin(published, "../proposals/x/") == "https://anywhere.example/some/path/proposals/x/"
    with_address = parse_feed(feeds.atom_feed(agenda, history, base_url=BASE, limit=None)).entries
    for entry, other in zip(parsed.entries, with_address, strict=True):
        pid = other.link[len(BASE) + len("proposals/"):-1]
        assert entry.link == f"../proposals/{pid}/"
        assert entry.id == other.id.replace(f"tag:{HOST},2016:", "tag:github.com,2016:example-org/agenda/")
        assert [t.get("scheme") for t in entry.tags] == [None] * len(entry.tags)
        assert entry.title == other.title and entry.updated == other.updated
    assert HOST not in text
    root = ET.fromstring(text.encode("utf-8"))
    assert all("scheme" not in c.attrib for c in root.iter(f"{ATOM}category"))


def test_atom_entry_without_summary(agenda):
    p = dataclasses.replace(agenda.proposals[0], summary="")
    text = feeds.atom_feed(with_proposal(agenda, p), {p.id: [("2016-10-01", "proposed")]}, base_url=BASE)
    [entry] = parse_feed(text).entries
    assert "<summary" not in text and "summary" not in entry
