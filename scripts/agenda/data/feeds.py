"""Subscriptions to the programme: iCalendar files and an Atom feed.

Every function here is pure: it reads the model and what the caller passes (the base URL of
the site, the stamp of the build, the status history), never the clock, the disk or the
machine's locale, so that the same repository always gives the same bytes.

- iCalendar (RFC 5545) is written by the `icalendar` library: escaping of `,` `;` `\\` and
  line breaks, and the folding of content lines at 75 octets, are its job. One VEVENT per
  slot, its UID the slot's guid (the same as in schedule.json: kept from an imported
  programme, or derived from the proposal, never from the time, so that moving a session
  updates it in subscribed calendars). Times are local times of the event's zone (TZID)
  with a VTIMEZONE built from the tz database for the event's years only, so that the
  component does not change with "now" and stays small. Recording consent is said twice:
  `X-AGENDA-DO-NOT-RECORD` (frab's do_not_record) for tools, a sentence in DESCRIPTION for
  people, since calendar apps show no X- property.
- Atom (RFC 4287) is written by `xml.etree.ElementTree`; characters that XML 1.0 cannot
  carry are removed first, so that the feed always parses.

Without a site address (base_url None), calendars have no URL (a URI must be absolute) and
the feed links relatively (an href is an IRI reference) with ids made from the repository's
address (an id must be an absolute IRI).
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, vText

from .exports import identities
from ..i18n import N_, Messages, translator
from ..model import Agenda, Proposal, Session
from .urls import Site, proposal_path

__all__ = [
    "atom_feed",
    "calendar_all",
    "calendar_proposal",
    "calendar_theme",
    "feed_events",
    "recording_sentence",
    "sessions_of",
]

ATOM_NS = "http://www.w3.org/2005/Atom"
FEED_PATH = "data/feed.atom"

# Strings that the site's catalogue (agenda.i18n) does not have. English is the fallback
# for a language added to the catalogue but not here.
# The words of the calendars and the feed, translated through the catalogues (agenda.i18n).
NEW_PROPOSAL = N_("New proposal: %(title)s")
FEED_SUBTITLE = N_("New proposals and status changes (accepted, scheduled)")
CALENDAR_OF = N_("%(event)s — %(name)s")
PROPOSERS = N_("Proposers")
RECORDING = {
    "allowed": N_("Recording and streaming allowed by the speakers."),
    "not-allowed": N_("Do not record or stream: the speakers said no."),
    None: N_("Do not record or stream: the speakers have not agreed to it."),
}

# Feed events, and their order among events of the same instant: the later step of a
# proposal's life first, since the feed is newest first.
FEED_KINDS = ("scheduled", "accepted", "proposed")


def _say(lang, message, **values):
    return translator(lang).gettext(message, **values)


# --------------------------------------------------------------------------- text cleaning

# XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# RFC 5545 TEXT: no CONTROL (%x00-08 / %x0A-1F / %x7F) except the escaped line feed; the
# library escapes LF but lets the others through raw. Lone surrogates cannot be encoded.
_ICAL_ILLEGAL = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")


def _newlines(text):
    return text.replace("\r\n", "\n").replace("\r", "\n")


def xml_text(text) -> str:
    """`text` without the characters XML 1.0 forbids (CR/LF and TAB are kept)."""
    return _XML_ILLEGAL.sub("", str(text))


def ical_text(text) -> "Text":
    """`text` as iCalendar TEXT can carry it: CRLF and CR become LF (the only line break
    TEXT knows, written `\\n`), other control characters and lone surrogates are removed."""
    return Text(_ICAL_ILLEGAL.sub("", _newlines(str(text))))


class Text(vText):
    """TEXT written exactly as RFC 5545 3.3.11 says, nothing more: backslash, `;`, `,` and the
    line feed escaped. icalendar's own escaping first turns the two characters `\\N` into a
    line break (it takes them for an already escaped one), so a title holding a literal `\\N`
    would come back from any calendar with a line break in it."""

    __slots__ = ()

    def to_ical(self) -> bytes:
        text = str(self).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
        return text.encode(self.encoding)


# --------------------------------------------------------------------------- iCalendar

def sessions_of(agenda: Agenda, theme_id: str | None = None, proposal_id: str | None = None) -> list[Session]:
    """Every slot of the scheduled proposals (of one theme, or of one proposal), in time
    order (`Agenda.sessions()`)."""
    if proposal_id is not None:  # one proposal's slots, without going through the programme
        p = agenda.proposal(proposal_id)
        rooms = {r.id: i for i, r in enumerate(agenda.event.rooms)}
        slots = sorted(p.slots, key=lambda s: (s.day, s.starts_at, rooms.get(s.room, 0), s.index))
        return [Session(p, s) for s in slots if theme_id is None or theme_id in p.themes]
    return [x for x in agenda.sessions() if theme_id is None or theme_id in x.proposal.themes]


def calendar_all(agenda: Agenda, *, base_url: str | None, stamp: dt.datetime, lang: str = "fr") -> bytes:
    """Every session of the programme (one event per slot), as an iCalendar file."""
    m = Messages(lang)
    return _calendar(agenda, sessions_of(agenda), m.name(agenda.event.name),
                     base_url=base_url, stamp=stamp, m=m)


def calendar_theme(agenda: Agenda, theme_id: str, *, base_url: str | None, stamp: dt.datetime,
                   lang: str = "fr") -> bytes:
    """The sessions of one theme (KeyError for an unknown theme)."""
    m = Messages(lang)
    theme = agenda.theme(theme_id)
    name = _say(lang, CALENDAR_OF, event=m.name(agenda.event.name), name=m.name(theme.name))
    return _calendar(agenda, sessions_of(agenda, theme_id=theme_id), name,
                     base_url=base_url, stamp=stamp, m=m)


def calendar_proposal(agenda: Agenda, proposal_id: str, *, base_url: str | None, stamp: dt.datetime,
                      lang: str = "fr") -> bytes:
    """Every slot of one scheduled proposal ("add to my calendar"). KeyError for an unknown
    proposal, ValueError for a proposal that is not scheduled: there is nothing to add."""
    m = Messages(lang)
    p = agenda.proposal(proposal_id)
    if not p.slots:
        raise ValueError(f"proposal {proposal_id!r} is not scheduled (status {p.status})")
    name = _say(lang, CALENDAR_OF, event=m.name(agenda.event.name), name=p.title)
    return _calendar(agenda, sessions_of(agenda, proposal_id=proposal_id), name,
                     base_url=base_url, stamp=stamp, m=m)


def _utc(value: dt.datetime) -> dt.datetime:
    """A naive datetime is taken as UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc)


def vtimezone(agenda: Agenda) -> Timezone:
    """The VTIMEZONE of the event's zone, for the event's years only: the observances in
    force from 1 January of the first day's year to 1 January after the last day. It does
    not depend on "now", only on the zone's (historical, stable) rules in the tz database."""
    first = dt.date.fromisoformat(agenda.event.first_day)
    last = dt.date.fromisoformat(agenda.event.last_day)
    return Timezone.from_tzid(agenda.event.timezone, first_date=dt.date(first.year, 1, 1),
                              last_date=dt.date(last.year + 1, 1, 1))


def _calendar(agenda, sessions, name, *, base_url, stamp, m) -> bytes:
    site = Site(base_url, "data/agenda.ics")  # only absolute links: URL is a URI, not a reference
    if not isinstance(stamp, dt.datetime):
        raise TypeError(f"stamp must be a datetime, not {type(stamp).__name__}")
    event = agenda.event
    zone = ZoneInfo(event.timezone)
    cal = Calendar()
    cal.add("prodid", ical_text(f"-//agenda//{m.name(event.name)}//{m.lang.upper()}"))
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    # X- properties have no known type: without vText, icalendar would write them raw.
    cal.add("x-wr-calname", ical_text(name))
    cal.add("x-wr-timezone", ical_text(event.timezone))
    # Always present, even in a calendar without events, since X-WR-TIMEZONE names it.
    # (Calendar.add_missing_timezones() calls the same Timezone.from_tzid, but only for
    # zones that events use, and with a 1970-2038 range unless told otherwise.)
    cal.add_component(vtimezone(agenda))
    dtstamp = _utc(stamp)
    idents = identities(agenda)
    for x in sessions:
        cal.add_component(_vevent(agenda, x, idents[x.proposal.id, x.slot.index], site, dtstamp, zone, m))
    return cal.to_ical()


def _wall(moment: dt.datetime, zone):
    """DTSTART/DTEND: local time with TZID, unless the wall-clock time occurs twice (the night
    the clocks go back) and the instant is the second one: RFC 5545 (3.3.5) reads such a
    local time as the first, so that instant is written in UTC."""
    local = moment.astimezone(zone)
    if local.fold and local.replace(fold=0).utcoffset() != local.utcoffset():
        return local.astimezone(dt.timezone.utc)
    return local.replace(fold=0)


def recording_sentence(proposal: Proposal, lang: str) -> str:
    """What a reader of the calendar is told about recording: the proposers' consent."""
    return _say(lang, RECORDING[proposal.recording])


def location(agenda: Agenda, slot, t) -> str:
    """LOCATION: the room's name; for a session held elsewhere, its place (name, address,
    city, country in the calendar's language), or for a session online its address to join
    (or the word "online" when it has none)."""
    if slot.room:
        return t.name(agenda.room(slot.room).name)
    place = slot.place
    if place.online and place.url:  # the address to join, where a calendar app makes it a link
        return ", ".join(x for x in (place.name, place.address, place.city,
                                     t.country(place.country) if place.country else None, place.url) if x)
    return place.text(country=t.country, online=t.gettext("online"))


def _vevent(agenda, session: Session, ident, site: Site, dtstamp, zone, m) -> Event:
    p, s = session.proposal, session.slot
    url = site.absolute(proposal_path(p.id))
    people = ", ".join(f"{x.name} ({x.organisation})" if x.organisation else x.name for x in p.proposers)
    lines = [url] if url else []
    if people:
        lines.append(f"{_say(m.lang, PROPOSERS)}{m('colon')}{people}")
    lines.append(recording_sentence(p, m.lang))
    description = "\n\n".join(part for part in (p.subtitle, p.summary, "\n".join(lines)) if part)
    categories = [m.name(agenda.theme(t).name) for t in p.themes]
    categories.append(m.name(agenda.format(p.format).name))
    ev = Event()
    ev.add("uid", ident.guid)
    ev.add("dtstamp", dtstamp)
    ev.add("dtstart", _wall(s.starts_at, zone))
    ev.add("dtend", _wall(s.ends_at, zone))
    ev.add("summary", ical_text(p.title))
    ev.add("description", ical_text(description))
    ev.add("location", ical_text(location(agenda, s, m.t)))
    if url:
        ev.add("url", url)
    ev.add("categories", [ical_text(c) for c in categories])
    ev["categories"].cats = [ical_text(c) for c in categories]  # the library wraps them in its own vText
    ev.add("status", "CONFIRMED")
    # For machines (recording and streaming tools): frab's do_not_record, TRUE unless the
    # proposers said yes. Calendar apps do not show X- properties: DESCRIPTION says it to people.
    ev.add("x-agenda-do-not-record", ical_text("TRUE" if p.do_not_record else "FALSE"))
    return ev


# --------------------------------------------------------------------------- Atom

def _instant(value) -> dt.datetime:
    """An ISO 8601 date or date-time (str, date or datetime) -> aware UTC datetime, to the
    second. A value without offset is taken as UTC."""
    if isinstance(value, str):
        text = value.strip()
        if text[-1:] in ("Z", "z"):  # Python 3.10's fromisoformat does not read "Z"
            text = text[:-1] + "+00:00"
        value = dt.datetime.fromisoformat(text) if ("T" in text or " " in text) else dt.date.fromisoformat(text)
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    return _utc(value).replace(microsecond=0)


def _rfc3339(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def feed_events(agenda: Agenda, history) -> list[tuple[dt.datetime, str, str]]:
    """(instant, kind, proposal id) of the feed, newest first, without limit.

    Per proposal, `history` lists (iso date, status), oldest first. The first entry is the
    proposal's appearance ("proposed", whatever its status); a later entry whose status
    differs from the previous one's and is accepted or scheduled is a change. A proposal
    that appears already accepted or scheduled gives both events at the same instant.
    Other statuses (declined, withdrawn, ...) give nothing. Proposals missing from the
    model (deleted since) are skipped, as are repeated events of the same instant."""
    known = {p.id for p in agenda.proposals}
    seen = set()
    out = []
    for pid in sorted(history):
        if pid not in known:
            continue
        previous = None
        for i, (when, status) in enumerate(history[pid]):
            instant = _instant(when)
            kinds = []
            if i == 0:
                kinds.append("proposed")
            if status in ("accepted", "scheduled") and status != previous:
                kinds.append(status)
            previous = status
            for kind in kinds:
                key = (instant, kind, pid)
                if key not in seen:
                    seen.add(key)
                    out.append(key)
    out.sort(key=lambda e: (FEED_KINDS.index(e[1]), e[2]))
    out.sort(key=lambda e: e[0], reverse=True)  # stable: ties keep the order above
    return out


def _sub(parent, tag, text=None, **attrs):
    el = ET.SubElement(parent, tag, {k: xml_text(v) for k, v in attrs.items() if v is not None})
    if text is not None:
        el.text = xml_text(text)
    return el


def _entry_title(kind, title, m):
    if kind == "proposed":
        return _say(m.lang, NEW_PROPOSAL, title=title)
    return f"{m('status.' + kind)}{m('colon')}{title}"


def atom_feed(agenda: Agenda, history, *, base_url: str | None, lang: str = "fr", limit: int | None = 50,
              fallback_updated: dt.datetime | dt.date | str | None = None) -> str:
    """An Atom 1.0 feed of the latest proposals and status changes, newest first.

    `history`: proposal id -> [(iso date-time, status), ...], oldest first (see
    `feed_events`). `limit` keeps the newest entries (None: all). The feed's `updated` is its
    newest entry's date, or `fallback_updated` when there is no entry (required then).
    Returns the document as text: an XML declaration (UTF-8, how it must be written), the
    feed, a final newline."""
    m = Messages(lang)
    site = Site(base_url, FEED_PATH)
    events = feed_events(agenda, history)
    if limit is not None:
        events = events[:max(limit, 0)]
    if events:
        updated = events[0][0]
    elif fallback_updated is not None:
        updated = _instant(fallback_updated)
    else:
        raise ValueError("the feed has no entry: pass fallback_updated for its updated date")

    event = agenda.event
    # Ids are absolute IRIs: from the site's address, else from the repository's.
    feed_id, host, prefix = site.base, site.host, ""
    if site.base is None:
        repository = urlsplit(event.repository)
        feed_id, host, prefix = event.repository, repository.hostname, repository.path.strip("/") + "/"
    tag_year = dt.date.fromisoformat(event.first_day).year
    feed = ET.Element("feed", {"xmlns": ATOM_NS, "xml:lang": lang})
    _sub(feed, "id", feed_id)
    _sub(feed, "title", m.name(event.name), type="text")
    _sub(feed, "subtitle", _say(lang, FEED_SUBTITLE), type="text")
    _sub(feed, "updated", _rfc3339(updated))
    _sub(feed, "link", rel="self", type="application/atom+xml", href=site.link(FEED_PATH))
    _sub(feed, "link", rel="alternate", type="text/html", href=site.link())
    _sub(_sub(feed, "author"), "name", m.name(event.name))  # for entries without proposers

    for instant, kind, pid in events:
        p = agenda.proposal(pid)
        published = _instant(history[pid][0][0])
        entry = _sub(feed, "entry")
        _sub(entry, "id", f"tag:{host},{tag_year}:{prefix}{quote(pid, safe='')}:{kind}:{instant.strftime('%Y%m%dT%H%M%SZ')}")
        _sub(entry, "title", _entry_title(kind, p.title, m), type="text")
        _sub(entry, "published", _rfc3339(published))
        _sub(entry, "updated", _rfc3339(instant))
        _sub(entry, "link", rel="alternate", type="text/html", href=site.proposal(pid))
        for person in p.proposers:
            author = _sub(entry, "author")
            _sub(author, "name", person.name)
            if person.github:
                _sub(author, "uri", f"https://github.com/{person.github}")
        for tid in p.themes:
            _sub(entry, "category", term=tid, label=m.name(agenda.theme(tid).name),
                 scheme=site.absolute("themes/"))  # an IRI: left out without an address
        if p.summary:
            _sub(entry, "summary", p.summary, type="text")

    ET.indent(feed, "  ")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True).decode("utf-8") + "\n"
