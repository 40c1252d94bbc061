"""The programme as immutable objects, with the indexes the pages need.

The model trusts its input: it is built only from documents that passed `agenda check`.
Every ordering is explicit (ids, days, times, rooms as listed in event.yaml), so that the
same repository always gives the same pages, byte for byte.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

from . import timeline

STATUSES = ("scheduled", "accepted", "proposed", "declined", "withdrawn")


@dataclass(frozen=True)
class Named:
    """An item of event.yaml (room, format, language) or a theme: an id and its names."""

    id: str
    name: dict  # language code -> name
    description: dict | None = None
    extra: tuple = ()  # (key, value) pairs such as capacity, step_free

    def get(self, key, default=None):
        return dict(self.extra).get(key, default)


@dataclass(frozen=True)
class Place:
    """Where a session held outside the venue takes place (an external event of the week)."""

    name: str | None = None
    address: str | None = None
    city: str | None = None
    country: str | None = None
    online: bool = False
    url: str | None = None

    def text(self, country=lambda code: code, online: str = "online") -> str:
        """One line for people: name, address, city, country (as `country` writes a code),
        then `online` for a session held online ("Mairie, 1 rue X, Lyon, France")."""
        parts = [x for x in (self.name, self.address, self.city) if x]
        if self.country:
            parts.append(country(self.country))
        if self.online:
            parts.append(online)
        return ", ".join(parts)


@dataclass(frozen=True)
class Slot:
    """One time a session is held. `day` is the event day it belongs to, which for a night
    session is the evening before the calendar date of `starts`."""

    index: int  # position in the proposal's schedule, from 0
    day: str  # YYYY-MM-DD, the event day
    start: str  # HH:MM, wall clock
    end: str  # HH:MM, wall clock (may be on a later date: see ends)
    room: str | None  # a room of the venue, or None for a session held elsewhere
    duration: int  # minutes
    starts: dt.datetime  # wall clock, naive, in the event's time zone
    ends: dt.datetime
    starts_at: dt.datetime  # the same instants, time-zone aware (subtract them in UTC: Python
    ends_at: dt.datetime    # subtracts wall clocks when both share a zone, across DST too)
    guid: str | None = None  # kept from an imported programme
    source_id: int | None = None
    place: Place | None = None  # where a session held outside the venue takes place

    @property
    def crosses_midnight(self) -> bool:
        return self.ends.date() > self.starts.date() and self.ends.time() != dt.time()

    @property
    def days_spanned(self) -> int:
        """1 for a session within one calendar day (or ending at midnight), more for items over days."""
        last = self.ends - dt.timedelta(microseconds=1)
        return (last.date() - self.starts.date()).days + 1


@dataclass(frozen=True)
class Person:
    name: str
    organisation: str | None = None
    country: str | None = None
    github: str | None = None
    guid: str | None = None


@dataclass(frozen=True)
class Proposal:
    id: str
    path: str  # proposals/<id>.yaml, for "view source" links
    title: str
    subtitle: str | None
    format: str
    themes: tuple
    languages: tuple
    summary: str  # "" when left out
    description: str  # "" when left out
    proposers: tuple
    duration: int
    status: str
    slots: tuple  # Slot, in the order written
    links: tuple  # (title, url)
    accessibility: tuple  # (key, value) pairs, in schema order
    looking_for: tuple
    recording: str | None  # "allowed", "not-allowed", or None when not said
    example: bool
    translations: tuple = ()  # (language, title, summary or ""), ordered by language

    @property
    def schedule(self) -> Slot | None:
        """The first slot (in time), or None: where one time is enough (lists, sorting)."""
        return min(self.slots, key=lambda s: s.starts_at) if self.slots else None

    @property
    def do_not_record(self) -> bool:
        """Only a session whose proposers said yes may be recorded (frab's do_not_record)."""
        return self.recording != "allowed"

    @property
    def sort_key(self):
        s = self.schedule
        return (s.day, s.start, s.room, self.id) if s else ("", "", "", self.id)


@dataclass(frozen=True)
class Session:
    """A proposal at one of its slots: what the programme grid, calendars and schedule apps show."""

    proposal: Proposal
    slot: Slot

    @property
    def key(self) -> str:
        """Unique per session: the proposal id, with the slot's number after a dot when it has
        several ("open-budgets.2"; ids have no dot, so no key is another proposal's id)."""
        return self.proposal.id if len(self.proposal.slots) == 1 else f"{self.proposal.id}.{self.slot.index + 1}"


@dataclass(frozen=True)
class Event:
    name: dict
    first_day: str
    last_day: str
    timezone: str
    hours: tuple | None  # default opening hours (HH:MM, HH:MM); the end may be past midnight
    rooms: tuple
    formats: tuple
    languages: tuple
    repository: str
    branch: str
    site_url: str | None
    clock: timeline.Clock

    def days(self):
        return tuple(day.isoformat() for day in self.clock.days)

    def venue_open(self, day: str) -> bool:
        """Whether the venue's rooms are open on an event day (venue_dates)."""
        return self.clock.venue_open(dt.date.fromisoformat(day))

    def hours_of(self, day: str):
        """(HH:MM, HH:MM) opening hours of an event day, or None (and None on the days of a
        week of events when the venue is closed: see venue_dates)."""
        date = dt.date.fromisoformat(day)
        hours = self.clock.hours_of(date) if self.clock.venue_open(date) else None
        return (timeline.hhmm(hours.start), timeline.hhmm(hours.end)) if hours else None


@dataclass(frozen=True)
class Agenda:
    event: Event
    themes: tuple  # Named, ordered by id
    proposals: tuple  # Proposal, ordered by id

    @cached_property
    def _themes(self):
        return {t.id: t for t in self.themes}

    @cached_property
    def _proposals(self):
        return {p.id: p for p in self.proposals}

    @cached_property
    def _rooms(self):
        return {r.id: r for r in self.event.rooms}

    @cached_property
    def _formats(self):
        return {f.id: f for f in self.event.formats}

    @cached_property
    def _languages(self):
        return {lang.id: lang for lang in self.event.languages}

    def theme(self, theme_id):
        return self._themes[theme_id]

    def proposal(self, proposal_id):
        return self._proposals[proposal_id]

    def room(self, room_id):
        return self._rooms[room_id]

    def format(self, format_id):
        return self._formats[format_id]

    def language(self, code):
        return self._languages.get(code)

    @cached_property
    def _sessions(self):
        order = {r.id: i for i, r in enumerate(self.event.rooms)}  # sessions held elsewhere after the rooms
        items = [Session(p, s) for p in self.proposals for s in p.slots]
        return tuple(sorted(items, key=lambda x: (x.slot.day, x.slot.starts_at, order.get(x.slot.room, len(order)),
                                                   x.proposal.id, x.slot.index)))

    def sessions(self, day=None):
        """Every slot of every scheduled proposal, in time order, then by the rooms' order
        in event.yaml; with `day`, those of that event day (night sessions included)."""
        return [x for x in self._sessions if day is None or x.slot.day == day]

    def scheduled(self, day=None):
        """Scheduled proposals with a slot (on `day`, if given), each once, in time order."""
        seen, out = set(), []
        for x in self.sessions(day):
            if x.proposal.id not in seen:
                seen.add(x.proposal.id)
                out.append(x.proposal)
        return out

    def by_status(self, proposals=None):
        """status -> proposals (ordered by title), in the order of STATUSES."""
        groups = defaultdict(list)
        for p in self.proposals if proposals is None else proposals:
            groups[p.status].append(p)
        return {s: sorted(groups[s], key=title_key) for s in STATUSES if groups[s]}

    def with_theme(self, theme_id):
        return [p for p in self.proposals if theme_id in p.themes]

    def with_format(self, format_id):
        return [p for p in self.proposals if p.format == format_id]

    def with_language(self, code):
        return [p for p in self.proposals if code in p.languages]

    def organisations(self):
        """organisation -> (people, proposals), organisations ordered alphabetically."""
        people = defaultdict(dict)
        proposals = defaultdict(dict)
        for p in self.proposals:
            for person in p.proposers:
                if person.organisation:
                    people[person.organisation][person.name] = person
                    proposals[person.organisation][p.id] = p
        return {
            org: (sorted(people[org].values(), key=lambda x: x.name.casefold()),
                  sorted(proposals[org].values(), key=title_key))
            for org in sorted(people, key=str.casefold)
        }


def title_key(proposal):
    return (proposal.title.casefold(), proposal.id)


def _named(items, key="id"):
    return tuple(
        Named(item[key], item["name"] if isinstance(item["name"], dict) else {"fr": item["name"], "en": item["name"]},
              item.get("description"),
              tuple((k, v) for k, v in item.items() if k not in (key, "name", "description")))
        for item in items
    )


ACCESSIBILITY_ORDER = ("interpretation", "sign_language", "captions", "step_free_access", "materials_in_advance", "notes")


def build_agenda(event_doc, theme_docs, proposal_docs) -> Agenda:
    """Documents that passed the check -> the model."""
    e = event_doc.data
    clock = timeline.Clock.from_event(e)
    event = Event(
        name=e["name"], first_day=e["dates"]["start"], last_day=e["dates"]["end"], timezone=e["timezone"],
        hours=(e["hours"]["start"], e["hours"]["end"]) if "hours" in e else None,
        rooms=_named(e["rooms"]), formats=_named(e["formats"]), languages=_named(e["languages"], key="code"),
        repository=e["repository"].rstrip("/"), branch=e.get("branch", "main"), site_url=e.get("site_url"),
        clock=clock,
    )
    themes = tuple(
        Named(tid, doc.data["name"], doc.data.get("description"),
              (("reviewers", tuple(doc.data.get("reviewers", ()))),))
        for tid, doc in sorted(theme_docs.items())
    )
    proposals = tuple(_proposal(pid, doc, clock) for pid, doc in sorted(proposal_docs.items()))
    return Agenda(event, themes, proposals)


def _slot(clock, index, s, default_duration) -> Slot:
    t = timeline.timing(clock, s, default_duration)
    starts_at = clock.aware(t.start)
    ends_at = (starts_at.astimezone(dt.timezone.utc) + dt.timedelta(minutes=t.duration)).astimezone(starts_at.tzinfo)
    place = Place(**s["place"]) if "place" in s else None
    return Slot(index, s["day"], s["start"], f"{t.end:%H:%M}", s.get("room"), t.duration, t.start, t.end,
                starts_at, ends_at, s.get("guid"), s.get("source_id"), place)


def _proposal(pid, doc, clock) -> Proposal:
    d = doc.data
    access = d.get("accessibility", {})
    slots = () if d["status"] != "scheduled" else tuple(
        _slot(clock, i, s, d["duration"]) for i, s in enumerate(timeline.slots_of(d)))
    return Proposal(
        id=pid, path=doc.path, title=d["title"], subtitle=d.get("subtitle"), format=d["format"],
        themes=tuple(d.get("themes", ())), languages=tuple(d.get("languages", ())),
        summary=d.get("summary", ""), description=d.get("description", ""),
        proposers=tuple(Person(p["name"], p.get("organisation"), p.get("country"), p.get("github"), p.get("guid"))
                        for p in d.get("proposers", ())),
        duration=d["duration"], status=d["status"], slots=slots,
        links=tuple((link["title"], link["url"]) for link in d.get("links", [])),
        accessibility=tuple((k, _freeze(access[k])) for k in ACCESSIBILITY_ORDER if k in access),
        looking_for=tuple(d.get("looking_for", [])), recording=d.get("recording"),
        example=bool(d.get("example", False)),
        translations=tuple((lang, t["title"], t.get("summary", "")) for lang, t in sorted(d.get("translations", {}).items())),
    )


def _freeze(value):
    return tuple(value) if isinstance(value, list) else value
