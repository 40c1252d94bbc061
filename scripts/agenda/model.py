"""The programme as immutable objects, with the indexes the pages need.

The model trusts its input: it is built only from documents that passed `agenda check`.
Every ordering is explicit (ids, days, times, rooms as listed in event.yaml), so that the
same repository always gives the same pages, byte for byte.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

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
class Slot:
    day: str  # YYYY-MM-DD
    start: str  # HH:MM
    end: str
    room: str


@dataclass(frozen=True)
class Person:
    name: str
    organisation: str
    country: str
    github: str | None = None


@dataclass(frozen=True)
class Proposal:
    id: str
    path: str  # proposals/<id>.yaml, for "view source" links
    title: str
    format: str
    themes: tuple
    languages: tuple
    summary: str
    description: str
    proposers: tuple
    duration: int
    status: str
    schedule: Slot | None
    links: tuple  # (title, url)
    accessibility: tuple  # (key, value) pairs, in schema order
    looking_for: tuple
    example: bool

    @property
    def sort_key(self):
        s = self.schedule
        return (s.day, s.start, s.room, self.id) if s else ("", "", "", self.id)


@dataclass(frozen=True)
class Event:
    name: dict
    first_day: str
    last_day: str
    timezone: str
    hours: tuple | None
    rooms: tuple
    formats: tuple
    languages: tuple
    repository: str
    branch: str
    site_url: str | None

    def days(self):
        import datetime as dt

        day = dt.date.fromisoformat(self.first_day)
        last = dt.date.fromisoformat(self.last_day)
        out = []
        while day <= last:
            out.append(day.isoformat())
            day += dt.timedelta(days=1)
        return tuple(out)


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

    def scheduled(self, day=None):
        """Scheduled sessions in time order, then by the rooms' order in event.yaml."""
        order = {r.id: i for i, r in enumerate(self.event.rooms)}
        items = [p for p in self.proposals if p.schedule and (day is None or p.schedule.day == day)]
        return sorted(items, key=lambda p: (p.schedule.day, p.schedule.start, order.get(p.schedule.room, 0), p.id))

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
    event = Event(
        name=e["name"], first_day=e["dates"]["start"], last_day=e["dates"]["end"], timezone=e["timezone"],
        hours=(e["hours"]["start"], e["hours"]["end"]) if "hours" in e else None,
        rooms=_named(e["rooms"]), formats=_named(e["formats"]), languages=_named(e["languages"], key="code"),
        repository=e["repository"].rstrip("/"), branch=e.get("branch", "main"), site_url=e.get("site_url"),
    )
    themes = tuple(
        Named(tid, doc.data["name"], doc.data["description"], (("reviewers", tuple(doc.data["reviewers"])),))
        for tid, doc in sorted(theme_docs.items())
    )
    proposals = tuple(_proposal(pid, doc) for pid, doc in sorted(proposal_docs.items()))
    return Agenda(event, themes, proposals)


def _proposal(pid, doc) -> Proposal:
    d = doc.data
    s = d.get("schedule")
    access = d.get("accessibility", {})
    return Proposal(
        id=pid, path=doc.path, title=d["title"], format=d["format"], themes=tuple(d["themes"]),
        languages=tuple(d["languages"]), summary=d["summary"], description=d["description"],
        proposers=tuple(Person(p["name"], p["organisation"], p["country"], p.get("github")) for p in d["proposers"]),
        duration=d["duration"], status=d["status"],
        schedule=Slot(s["day"], s["start"], s["end"], s["room"]) if s else None,
        links=tuple((link["title"], link["url"]) for link in d.get("links", [])),
        accessibility=tuple((k, _freeze(access[k])) for k in ACCESSIBILITY_ORDER if k in access),
        looking_for=tuple(d.get("looking_for", [])), example=bool(d.get("example", False)),
    )


def _freeze(value):
    return tuple(value) if isinstance(value, list) else value
