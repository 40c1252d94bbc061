"""Attending (attend.py, qr.py, sessions_data.py), without a browser: the week's external events
by date and by country, the accessibility filters, the door sheets, the QR codes and
data/sessions.json, from the repository's own programme; hostile place text stays text.
Expected values come from the YAML through the model, not from the HTML.
(tests/test_browser_attend.py drives the interactive pieces in a real browser.)"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import shutil

import pytest
import segno

from agenda.data import exports, feeds
from agenda.site import qr
from agenda.model import build_agenda
from agenda.data.opendata import data_files
from agenda.site.pages import render_site
from agenda.site.programme import Programme
from agenda.check.repository import check_repository
from conftest import ROOT, copy_repo

BASE = "https://example-org.github.io/agenda/"
STAMP = dt.datetime(2016, 11, 30, tzinfo=dt.timezone.utc)


@pytest.fixture(scope="module")
def agenda():
    report = check_repository(ROOT, jobs=1)
    return build_agenda(report.event, report.themes, report.proposals)


@pytest.fixture(scope="module")
def fr(agenda):
    return render_site(agenda, "fr", base_url=BASE)


@pytest.fixture(scope="module")
def en(agenda):
    return render_site(agenda, "en", prefix="en/", base_url=BASE)


def linked(page_html):
    """(proposal id, data-session key) of every session item of a page, in order."""
    return re.findall(r'<li data-session="([a-z0-9.-]+)">.*?href="(?:\.\./)*proposals/([a-z0-9-]+)/"', page_html)


def sections(page_html):
    """{day: [session keys]} of a page listed by day (h2 id="day-YYYY-MM-DD")."""
    out = {}
    for day, body in re.findall(r'<h2 id="day-(\d{4}-\d{2}-\d{2})">.*?</h2>(.*?)</section>', page_html, re.S):
        out[day] = re.findall(r'<li data-session="([a-z0-9.-]+)"', body)
    return out


# --- the week's external events ---------------------------------------------------------------------


def test_external_events_are_listed_by_date_under_each_day_they_run(agenda, fr):
    """Sessions with a place (not a room), each under every event day it covers (an exhibition
    over six days is under each), in time order; the venue's sessions are not there."""
    programme = Programme(agenda)
    elsewhere = [s for s in agenda.sessions() if s.slot.place is not None]
    assert len(elsewhere) >= 4 and all(s.slot.room is None for s in elsewhere)
    expected = {}
    for s in elsewhere:
        for day in programme.days_of(s):
            expected.setdefault(day, []).append(s)
    expected = {day: [s.key for s in sorted(items, key=lambda s: (s.slot.starts_at, s.proposal.id))]
                for day, items in sorted(expected.items())}
    page = fr["programme/elsewhere.md"].html
    assert sections(page) == expected
    long = next(s for s in elsewhere if s.slot.duration > 1440)
    assert sum(long.key in keys for keys in sections(page).values()) == len(programme.days_of(long)) >= 5
    assert "2016-12-05" in expected and "2016-12-10" in expected  # before and after the summit's days


def test_a_page_per_country_and_one_for_online_sessions(agenda, fr, en):
    elsewhere = [s for s in agenda.sessions() if s.slot.place is not None]
    countries = {s.slot.place.country for s in elsewhere if s.slot.place.country}
    assert countries >= {"FR", "TN"}
    index = fr["programme/elsewhere.md"].html
    for code in countries:
        key = f"programme/place/{code.lower()}.md"
        mine = {s.key for s in elsewhere if s.slot.place.country == code}
        listed = {k for keys in sections(fr[key].html).values() for k in keys}
        assert listed == mine, code
        assert f'href="../place/{code.lower()}/"' in index
    online = {s.key for s in elsewhere if s.slot.place.online}
    assert online and {k for keys in sections(fr["programme/place/online.md"].html).values() for k in keys} == online
    assert ">France</a>" in fr["programme/place/fr.md"].html and ">Tunisie</a>" in index
    assert ">Tunisia</a>" in en["programme/elsewhere.md"].html and "En ligne" in fr["programme/place/online.md"].title


def test_proposal_pages_and_day_pages_show_the_place(agenda, fr):
    s = next(s for s in agenda.sessions() if s.slot.place is not None and s.slot.place.address)
    page = fr[f"proposals/{s.proposal.id}.md"].html
    place = s.slot.place
    shown = html.unescape(re.sub(r"<[^>]+>", "", page))
    assert f"{place.name}, {place.address}, {place.city}, France" in shown
    day = fr[f"programme/{s.slot.day}.md"].html
    assert s.key in sections_of_band(day)  # in the day's "elsewhere" or "over several days" band, with its ☆
    closed = next(d for d in Programme(agenda).days if not d.venue_open)
    assert "Le lieu est fermé ce jour-là" in fr[f"programme/{closed.day}.md"].html


def sections_of_band(page_html):
    return re.findall(r'<li data-session="([a-z0-9.-]+)"', page_html.split('id="list"')[0])


# --- accessibility filters ------------------------------------------------------------------------


def _offers(agenda, s, key):
    """Computed here from the proposals' YAML fields, not with attend.py."""
    access = dict(s.proposal.accessibility)
    if key == "captions":
        return access.get("captions") is True
    if key == "sign-language":
        return bool(access.get("sign_language"))
    if key == "step-free":
        return agenda.room(s.slot.room).get("step_free") is True if s.slot.room else access.get("step_free_access") is True
    return key.removeprefix("interpretation-") in access.get("interpretation", ())


def test_accessibility_filters_are_static_pages_of_exactly_their_sessions(agenda, fr):
    keys = ["captions", "sign-language", "step-free"] + [
        f"interpretation-{lang.id}" for lang in agenda.event.languages
        if any(lang.id in dict(s.proposal.accessibility).get("interpretation", ()) for s in agenda.sessions())]
    programme = fr["programme/index.md"].html
    for key in keys:
        expected = [s for s in agenda.sessions() if _offers(agenda, s, key)]
        assert expected, key
        page = fr[f"programme/access/{key}.md"]
        listed = {k for keys_ in sections(page.html).values() for k in keys_}
        assert listed == {s.key for s in expected}, key
        assert f'href="access/{key}/"' in programme  # a plain link among the programme's filters
        assert f'href="./" aria-current="page"' in page.html
    assert "Programme — Accessibilité : Sous-titrage en direct" == fr["programme/access/captions.md"].title
    # a session in a room with stairs is never "step-free", whatever else it says
    stairs = [s for s in agenda.sessions() if s.slot.room and not agenda.room(s.slot.room).get("step_free")]
    assert stairs and not {s.key for s in stairs} & {
        k for ks in sections(fr["programme/access/step-free.md"].html).values() for k in ks}


# --- QR codes and door sheets -----------------------------------------------------------------------


def _modules(svg: bytes) -> list:
    """The dark modules of an SVG written by qr.svg, read back from its path (quiet zone off)."""
    text = svg.decode("ascii")
    size = int(re.search(r'viewBox="0 0 (\d+) \d+"', text).group(1))
    grid = [[0] * size for _ in range(size)]
    path = re.search(r'<path stroke="#000" d="([^"]+)"', text).group(1)
    x = y = 0.0
    for command, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", path):
        if command == "M":
            x, y = float(a), float(b)
        elif command == "m":
            x, y = x + float(a), y + float(b)
        else:
            for col in range(int(x), int(x + float(a))):
                grid[int(y)][col] = 1
            x += float(a)
    return [row[4:size - 4] for row in grid[4:size - 4]]


def test_qr_codes_encode_each_sessions_page_in_each_language(agenda):
    site = {}
    for lang, prefix in (("fr", ""), ("en", "en/")):
        from agenda.site.pages import Site

        site[lang] = Site(agenda, lang, prefix=prefix, base_url=BASE).attending.files()
    scheduled = [p for p in agenda.proposals if p.slots]
    for lang, prefix in (("fr", ""), ("en", "en/")):
        assert set(site[lang]) == {f"qr/{p.id}.svg" for p in scheduled}
        for p in scheduled:
            url = f"{BASE}{prefix}proposals/{p.id}/"
            reference = segno.make(url, error="m", micro=False, boost_error=False)
            assert _modules(site[lang][f"qr/{p.id}.svg"]) == [list(map(int, row)) for row in reference.matrix], url
    assert site["fr"] != site["en"]


def test_proposal_pages_show_the_qr_code_with_its_address_in_words(agenda, fr, en):
    for pages, prefix in ((fr, ""), (en, "en/")):
        for p in agenda.proposals:
            page = pages[f"proposals/{p.id}.md"].html
            if not p.slots:
                assert "agenda-qr" not in page
                continue
            url = f"{BASE}{prefix}proposals/{p.id}/"
            img = re.search(r'<img class="agenda-qr__code" src="([^"]+)" width="128" height="128" alt="([^"]+)">', page)
            assert img and img.group(1) == f"../../qr/{p.id}.svg"
            assert html.unescape(img.group(2)).endswith(url)
            assert f"<figcaption>{url}</figcaption>" in page


def test_without_a_site_address_there_is_no_qr_code_and_the_door_sheets_say_why(agenda):
    pages = render_site(agenda, "fr", base_url=None)
    assert not any("agenda-qr__code" in page.html for page in pages.values())
    assert "site_url" in pages["doors/index.md"].html
    from agenda.site.pages import Site

    assert Site(agenda, "fr").attending.files() == {}


def test_a_door_sheet_per_room_and_day_with_its_sessions_in_order(agenda, fr):
    programme = Programme(agenda)
    expected = {}
    for day in programme.days:
        for room in agenda.event.rooms:
            mine = [s for s in day.sessions if s.slot.room == room.id]
            if mine:
                expected[f"doors/{day.day}/{room.id}.md"] = mine
    sheets = {k for k in fr if k.startswith("doors/") and k != "doors/index.md"}
    assert sheets == set(expected) and len(sheets) >= 6
    index = fr["doors/index.md"].html
    for key, sessions in expected.items():
        page = fr[key].html
        times = re.findall(r'<p class="agenda-door__time">.*?<time datetime="([^"]+)"', page)
        assert times == [s.slot.starts_at.isoformat(timespec="minutes") for s in sessions], key
        assert sessions == sorted(sessions, key=lambda s: s.slot.starts_at)
        assert page.count('class="agenda-qr__code"') == len(sessions)
        assert f'href="{key.removeprefix("doors/").removesuffix(".md")}/"' in index


# --- data/sessions.json ------------------------------------------------------------------------------


def test_sessions_json_has_every_session_with_the_calendars_uids(agenda):
    files = data_files(agenda, {}, base_url=BASE, stamp=STAMP)
    document = json.loads(files["data/sessions.json"])
    assert document["timezone"] == "Europe/Paris" and document["days"] == list(agenda.event.days())
    sessions = agenda.sessions()
    assert [s["key"] for s in document["sessions"]] == [x.key for x in sessions]
    assert len({s["key"] for s in document["sessions"]}) == len(sessions)
    idents = exports.identities(agenda)
    import icalendar

    uids = [str(e["UID"]) for e in icalendar.Calendar.from_ical(files["data/agenda.ics"]).walk("VEVENT")]
    for record, x in zip(document["sessions"], sessions, strict=True):
        assert record["guid"] == idents[x.proposal.id, x.slot.index].guid in uids
        assert dt.datetime.fromisoformat(record["start"]) == x.slot.starts_at
        assert dt.datetime.fromisoformat(record["end"]) == x.slot.ends_at
        assert record["room"] == x.slot.room and record["title"] == x.proposal.title
        if x.slot.place:
            assert record["place"]["country" if x.slot.place.country else "online"] in (x.slot.place.country, True)
    assert any("." in s["key"] for s in document["sessions"])  # a session held twice: key.n


def test_locations_of_external_events_in_the_calendars(agenda):
    import icalendar

    cal = icalendar.Calendar.from_ical(feeds.calendar_all(agenda, base_url=BASE, stamp=STAMP, lang="en"))
    by_uid = {str(e["UID"]): str(e["LOCATION"]) for e in cal.walk("VEVENT")}
    idents = exports.identities(agenda)
    for x in agenda.sessions():
        location = by_uid[idents[x.proposal.id, x.slot.index].guid]
        place = x.slot.place
        if place is None:
            assert location == agenda.room(x.slot.room).name["en"]
        elif place.online and place.url:
            assert location.endswith(place.url)
        else:
            assert place.city in location and "France" in location or "Tunisia" in location


# --- hostile place text -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    repo = copy_repo(tmp_path_factory.mktemp("hostile-place") / "repo")
    shutil.copy(ROOT / "tests" / "fixtures" / "hostile" / "script-in-place.yaml", repo / "proposals")
    report = check_repository(repo, jobs=1)
    assert report.problems == []
    agenda = build_agenda(report.event, report.themes, report.proposals)
    return agenda, render_site(agenda, "fr", base_url=BASE), render_site(agenda, "en", prefix="en/", base_url=BASE)


def test_hostile_place_text_is_escaped_on_every_attending_page(hostile):
    agenda, fr, en = hostile
    p = agenda.proposal("script-in-place")
    keys = ["programme/elsewhere.md", "programme/place/fr.md", "programme/place/online.md",
            "programme/2016-12-06.md", "proposals/script-in-place.md", "now.md", "my-agenda.md"]
    for pages in (fr, en):
        for key in keys:
            page = pages[key].html
            for raw in ("<script>alert", "<svg", "<iframe", "<img src=x", "<b onmouseover"):
                assert raw not in page, (key, raw)
        shown = html.unescape(pages["programme/elsewhere.md"].html)
        assert p.slots[0].place.name in shown and p.slots[0].place.address in shown
    assert "&lt;script&gt;alert(&#39;place-name&#39;)&lt;/script&gt;" in fr["programme/elsewhere.md"].html
    # the place's address to join is a link, escaped in its attribute
    assert 'href="https://evil.example/join?x=%22%3E%3Cscript%3Ealert(1)%3C/script%3E"' in fr[
        "proposals/script-in-place.md"].html
