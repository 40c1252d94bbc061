"""Attending in a real browser (Debian's chromium, never a downloaded one): the ☆ buttons (mouse
and keyboard, aria-pressed, kept across pages), "my agenda" with its shareable link and its
.ics (parsed back with icalendar and compared with the model), "happening now" at fixed
clocks (Playwright's page.clock), the pages that need no JavaScript (each day listed, the
accessibility filters as plain links), the door sheets on A4, and axe-core on every new page
type in both languages. The site is the real `mkdocs build`, served under site_url's path
(test_browser.py's helpers). Expected values come from the model, not from the HTML."""

from __future__ import annotations

import datetime as dt
import json
import re

import icalendar
from pathlib import Path
import pytest

from test_browser import (LANGS, MOBILE, Tab, _build_and_serve, axe_report, browser, in_lang,  # noqa: F401
                          linked_proposals, tab, tab_without_js)
from agenda.data import exports
from agenda.i18n import translator
from agenda.model import build_agenda
from agenda.site.programme import Programme
from agenda.check.repository import check_repository
from conftest import ROOT

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

PARIS = dt.timezone(dt.timedelta(hours=1))


@pytest.fixture(scope="module")
def agenda():
    report = check_repository(ROOT, jobs=1)
    return build_agenda(report.event, report.themes, report.proposals)


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    yield from _build_and_serve(ROOT, tmp_path_factory.mktemp("browser-attend"))


def keys_of(locator):
    return locator.evaluate_all("items => items.map(li => li.dataset.session)")


def star(page, key, within=".agenda-day-list, .agenda-slots"):
    """The ☆ button of a session in the page's list (a day page lists a session in its band too)."""
    return page.locator(within).locator(f"[data-session='{key}'] > .agenda-star")


# --- stars, my agenda, its link and its .ics ------------------------------------------------------------


def test_star_sessions_then_export_them_as_ics(tab, agenda):
    day = max(Programme(agenda).days, key=lambda d: len(d.sessions))
    page = tab.open(f"programme/{day.day}/")
    items = page.locator(".agenda-day-list > li[data-session]")
    expect(page.locator(".agenda-day-list .agenda-star")).to_have_count(items.count())
    first, second, third = [s.key for s in day.sessions[:3]]
    star(page, first).click()  # the mouse
    star(page, second).focus()
    page.keyboard.press("Space")  # the keyboard: a real <button>
    star(page, third).focus()
    page.keyboard.press("Enter")
    star(page, third).click()  # and off again
    for key, pressed in ((first, "true"), (second, "true"), (third, "false")):
        expect(star(page, key)).to_have_attribute("aria-pressed", pressed)
    title = next(s for s in day.sessions if s.key == first).proposal.title
    expect(star(page, first)).to_have_accessible_name(re.compile(re.escape(title)))

    twice = next(p for p in agenda.scheduled() if len(p.slots) > 1)
    later = max(twice.slots, key=lambda s: s.starts_at)
    page = tab.open(f"proposals/{twice.id}/")
    second_slot = f"{twice.id}.{later.index + 1}"
    star(page, second_slot).click()
    expect(star(page, second_slot)).to_have_attribute("aria-pressed", "true")
    other_slot = f"{twice.id}.{1 if later.index else 2}"  # its other slot: a session of its own
    expect(star(page, other_slot)).to_have_attribute("aria-pressed", "true" if other_slot in (first, second) else "false")

    page = tab.open(f"programme/{day.day}/")  # kept in the browser
    expect(star(page, first)).to_have_attribute("aria-pressed", "true")

    chosen = [x for x in agenda.sessions() if x.key in {first, second, second_slot}]
    assert len(chosen) == 3
    page = tab.open("my-agenda/")
    listed = page.locator("#agenda-mine [data-part='list'] li[data-session]")
    expect(listed).to_have_count(3)
    assert keys_of(listed) == [x.key for x in chosen]  # by day and time
    with page.expect_download() as info:
        page.get_by_role("button", name=translator("fr").gettext("Download as a calendar (.ics)")).click()
    data = Path(info.value.path()).read_bytes()
    cal = icalendar.Calendar.from_ical(data)
    events = cal.walk("VEVENT")
    idents = exports.identities(agenda)
    assert [str(e["UID"]) for e in events] == [idents[x.proposal.id, x.slot.index].guid for x in chosen]
    for e, x in zip(events, chosen):
        assert e.decoded("DTSTART") == x.slot.starts_at and e.decoded("DTEND") == x.slot.ends_at
        assert str(e["SUMMARY"]) == x.proposal.title
    assert str(cal["X-WR-CALNAME"]).startswith("Mon agenda — ")
    assert len(cal.walk("VTIMEZONE")) == 1
    assert all(len(line) <= 75 for line in data.split(b"\r\n")) and data.endswith(b"END:VCALENDAR\r\n")

    link = page.locator("#agenda-share").input_value()
    assert re.search(r"#s=[a-z0-9.,-]+$", link)
    shared = Tab(tab.context.browser, tab.base)  # someone else: another browser profile, nothing starred
    try:
        other = shared.open(link.split(tab.base, 1)[1])
        expect(other.locator("#agenda-mine [data-part='shared']")).to_be_visible()
        expect(other.locator("#agenda-mine [data-part='list'] li[data-session]")).to_have_count(3)
        assert keys_of(other.locator("#agenda-mine [data-part='list'] li[data-session]")) == [x.key for x in chosen]
        other.get_by_role("button", name=translator("fr").gettext("Add these sessions to my agenda")).click()
        expect(other.locator("#agenda-mine [data-part='shared']")).to_be_hidden()
        stored = other.evaluate("Object.keys(localStorage).map(k => [k, localStorage.getItem(k)])")
        assert [(k.split(":")[0], sorted(json.loads(v))) for k, v in stored] == [
            ("agenda-starred", sorted(x.key for x in chosen))]
    finally:
        shared.close()
    shared.check()


def test_my_agenda_without_javascript_says_what_to_do(tab_without_js):
    page = tab_without_js.open("my-agenda/")
    expect(page.locator("#agenda-mine")).to_be_hidden()
    assert "JavaScript" in page.locator("article").inner_text()


# --- happening now ---------------------------------------------------------------------------------------


def expected_now(agenda, moment):
    sessions = agenda.sessions()
    on = [x.key for x in sessions if x.slot.starts_at <= moment < x.slot.ends_at]
    later = sorted((x for x in sessions if x.slot.starts_at > moment), key=lambda x: x.slot.starts_at)
    first = later[0].slot.starts_at if later else None
    following = [x.key for x in later if x.slot.starts_at <= first + dt.timedelta(hours=1)]
    return on, following


def moments(agenda):
    busy = max(Programme(agenda).days, key=lambda d: len(d.sessions))
    during = busy.sessions[len(busy.sessions) // 2].slot.starts_at + dt.timedelta(minutes=10)
    return {"during": during, "before": dt.datetime(2016, 12, 1, 12, 0, tzinfo=PARIS),
            "after": dt.datetime(2016, 12, 20, 12, 0, tzinfo=PARIS)}


@pytest.mark.parametrize("when", ["during", "before", "after"])
@pytest.mark.parametrize("lang", LANGS)
def test_happening_now_at_a_fixed_clock(browser, base_url, agenda, when, lang):
    moment = moments(agenda)[when]
    t = Tab(browser, base_url)
    try:
        t.page.clock.set_fixed_time(moment)
        page = t.open(in_lang(lang, "now/"))
        now = page.locator("#agenda-now")
        expect(now).to_be_visible()
        on, following = expected_now(agenda, moment)
        expect(now.locator("[data-list='now'] > li")).to_have_count(len(on))
        expect(now.locator("[data-list='next'] > li")).to_have_count(len(following))
        assert keys_of(now.locator("[data-list='now'] > li")) == on
        assert keys_of(now.locator("[data-list='next'] > li")) == following
        local = moment.astimezone(PARIS)
        expect(now.locator("[data-part='clock']")).to_contain_text(f"{local:%H:%M}")
        expect(now.locator("[data-empty='now']")).to_be_visible() if not on else None
        expect(now.locator("[data-part='before']")).to_be_visible() if when == "before" else \
            expect(now.locator("[data-part='before']")).to_be_hidden()
        expect(now.locator("[data-part='after']")).to_be_visible() if when == "after" else \
            expect(now.locator("[data-part='after']")).to_be_hidden()
        if when == "during":
            assert on and following
            first = next(x for x in agenda.sessions() if x.key == on[0])
            item = now.locator(f"[data-list='now'] > li[data-session='{first.key}']")
            expect(item.locator("time").first).to_have_attribute(
                "datetime", first.slot.starts_at.isoformat(timespec="minutes"))
            expect(item.locator("time").first).to_have_text(f"{first.slot.starts:%H:%M}")
            title = dict((lang_, title) for lang_, title, _ in first.proposal.translations).get(lang, first.proposal.title)
            expect(item.get_by_role("link")).to_have_text(title)
            expect(item.locator(".agenda-star")).to_have_count(1)
            # an hour later, the page follows the clock by itself
            t.page.clock.set_fixed_time(moment + dt.timedelta(hours=1))
            t.page.clock.run_for(31_000)
            on_later, _ = expected_now(agenda, moment + dt.timedelta(hours=1))
            expect(now.locator("[data-list='now'] > li")).to_have_count(len(on_later))
            assert keys_of(now.locator("[data-list='now'] > li")) == on_later
    finally:
        t.close()
    t.check()


def test_happening_now_without_javascript_lists_each_day(tab_without_js, agenda):
    page = tab_without_js.open("now/")
    expect(page.locator("#agenda-now")).to_be_hidden()
    days = page.locator(".agenda-now-days > li > a")
    expect(days).to_have_count(len(agenda.event.days()))
    hrefs = days.evaluate_all("links => links.map(a => a.href)")
    assert [h.rstrip("/").rsplit("/", 1)[1] for h in hrefs] == list(agenda.event.days())
    days.nth(2).click()
    expect(page).to_have_url(f"{tab_without_js.base}programme/{agenda.event.days()[2]}/")


# --- filters and door sheets ----------------------------------------------------------------------------------


def test_accessibility_filters_are_plain_links_without_javascript(tab_without_js, agenda):
    t = translator("fr")
    expected = {x.proposal.id for x in agenda.sessions() if dict(x.proposal.accessibility).get("captions") is True}
    assert expected
    page = tab_without_js.open("programme/")
    page.locator(".agenda-filters").get_by_role("link", name=t.gettext("Live captions"), exact=True).click()
    expect(page).to_have_url(f"{tab_without_js.base}programme/access/captions/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        t.gettext("Programme — %(facet)s: %(value)s", facet=t.gettext("Accessibility"), value=t.gettext("Live captions")))
    expect(page.locator(".agenda-filters [aria-current='page']")).to_have_text(t.gettext("Live captions"))
    assert linked_proposals(page) == expected
    page.locator(".agenda-filters").get_by_role("link", name=t.gettext("Step-free access"), exact=True).click()
    step_free = {x.proposal.id for x in agenda.sessions()
                 if (agenda.room(x.slot.room).get("step_free") is True if x.slot.room
                     else dict(x.proposal.accessibility).get("step_free_access") is True)}
    assert linked_proposals(page) == step_free


def test_a_door_sheet_prints_alone_on_a4(tab, agenda):
    day, room = next((d.day, r) for d in Programme(agenda).days for r in agenda.event.rooms
                     if len([s for s in d.sessions if s.slot.room == r.id]) >= 2)
    page = tab.open(f"doors/{day}/{room.id}/")
    qr = page.locator("img.agenda-qr__code")
    expect(qr.first).to_be_visible()
    assert all(qr.evaluate_all("imgs => imgs.map(i => i.complete && i.naturalWidth > 0)"))  # the SVGs load
    page.emulate_media(media="print")
    for hidden in (".md-header", ".md-tabs", ".md-sidebar", ".md-footer", ".agenda-door__back"):
        expect(page.locator(hidden).first).to_be_hidden()
    expect(page.locator(".agenda-door__room")).to_have_text(room.name["fr"])
    sizes = page.locator(".agenda-door__title").evaluate_all("ts => ts.map(t => parseFloat(getComputedStyle(t).fontSize))")
    assert min(sizes) >= 24  # large print: 1.5 × 14 pt
    pdf = page.pdf(prefer_css_page_size=True)
    assert pdf[:4] == b"%PDF"
    width, height = map(float, re.search(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf).groups())
    assert (round(width), round(height)) == (595, 842)  # A4, from the print stylesheet
    assert len(re.findall(rb"/Type /Page\b", pdf)) == 1  # the sheet on one page


# --- accessibility of every new page type ------------------------------------------------------------------------


KINDS = ["now", "now-mobile", "my-agenda", "my-agenda-mobile", "elsewhere", "place", "access", "doors", "door",
         "door-mobile", "day-stars", "proposal-stars"]


def kind_path(kind, agenda):
    programme = Programme(agenda)
    day = max(programme.days, key=lambda d: len(d.sessions)).day
    door_day, room = next((d.day, r.id) for d in programme.days for r in agenda.event.rooms
                          if any(s.slot.room == r.id for s in d.sessions))
    return {"now": "now/", "my-agenda": "my-agenda/", "elsewhere": "programme/elsewhere/",
            "place": "programme/place/fr/", "access": "programme/access/captions/", "doors": "doors/",
            "door": f"doors/{door_day}/{room}/", "day-stars": f"programme/{day}/",
            "proposal-stars": f"proposals/{agenda.scheduled()[0].id}/"}[kind.removesuffix("-mobile")]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", KINDS)
def test_no_axe_violations_on_attending_pages(kind, lang, browser, base_url, agenda):
    mobile = kind.endswith("mobile")
    t = Tab(browser, base_url, **({"viewport": MOBILE, "is_mobile": True, "has_touch": True} if mobile else {}))
    try:
        t.page.clock.set_fixed_time(moments(agenda)["during"])
        if kind.startswith("my-agenda"):  # two sessions starred first, on a day's page
            day = t.open(in_lang(lang, kind_path("day-stars", agenda)))
            for i in range(2):
                day.locator(".agenda-day-list .agenda-star").nth(i).click()
        page = t.open(in_lang(lang, kind_path(kind, agenda)))
        if kind.startswith(("day", "proposal", "now")):
            expect(page.locator(".agenda-star").first).to_be_visible()
            page.locator(".agenda-star").first.click()  # a pressed one too
        if kind.startswith("my-agenda"):
            expect(page.locator("#agenda-mine [data-part='list'] li")).to_have_count(2)
        violations = Axe().run(page).response["violations"]
        assert not violations, f"axe-core found {len(violations)} violation(s) on {page.url}:\n{axe_report(violations)}"
        assert page.evaluate("document.scrollingElement.scrollWidth <= document.scrollingElement.clientWidth"), \
            page.evaluate("document.scrollingElement.scrollWidth")
    finally:
        t.close()
    t.check()
