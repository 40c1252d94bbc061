"""A neutral `Schedule` -> the programme's documents: event.yaml, themes/, proposals/.

Decisions, each reported (see report.KINDS):
* the same session held several times (same title, persons and abstract) is one proposal
  with several slots, each keeping its guid and numeric id;
* a room where the source has overlapping sessions is `shared: true`; with at most two
  overlapping pairs it may be a double booking instead, and each pair is listed;
* event.yaml's limits are set so that every imported value fits (durations, lengths, counts);
* a session without track has no theme (limits.themes.min 0), without language none, without
  persons none (limits set to 0 when any session needs it);
* a session without a usable time is written unscheduled (status accepted);
* a guid already used is replaced by a new one derived from it (stable between imports).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from ..check import schema
from ..check.repository import reserved_id
from ..contribute.scaffold import slugify
from . import languages, markup, timing
from .source import MAX_MINUTES, ImportFailure

PLACEHOLDER_REPOSITORY = "https://github.com/example-org/agenda"
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")
_NAMESPACE = uuid.UUID("6f1d1d8e-0a3c-4b7e-9a55-9b1f4f0c2a10")  # agenda import's own uuid5 namespace
MAX_LINKS = 20
MAX_PROPOSERS = 100
MAX_SLOTS = 100
TITLE_MAX, SUMMARY_MAX, DESCRIPTION_MAX = 300, 5000, 20000


@dataclass
class Slot:
    session: object
    start: dt.datetime  # local, aware
    duration: int
    room_id: str
    day: dt.date = None
    guid: str | None = None

    @property
    def end(self):
        return self.start + dt.timedelta(minutes=self.duration)


@dataclass
class Group:
    sessions: list
    ident: str = ""
    slots: list = field(default_factory=list)
    fields: dict = field(default_factory=dict)


@dataclass
class Programme:
    event: dict
    themes: dict
    proposals: dict
    stats: dict


def _ident(name: str, taken: set, fallback: str, folder: str | None = None) -> str:
    """A slug from the name, unique among `taken` (ignoring case) and, for a file of `folder`,
    not a reserved name (con, index…: see repository.reserved_id)."""
    base = slugify(name) if name and name.strip() else fallback
    if base == "session" and fallback != "session":
        base = fallback
    candidate, n = base, 1
    while candidate.casefold() in taken or (folder and reserved_id(candidate, folder)):
        n += 1
        suffix = f"-{n}"
        candidate = base[: 64 - len(suffix)].rstrip("-") + suffix
    taken.add(candidate.casefold())
    return candidate


def _norm(text) -> str:
    return " ".join((text or "").split()).casefold()


def _person_names(session):
    return tuple(sorted(_norm(p.name) for p in session.persons if p.name and p.name.strip()))


class Builder:
    def __init__(self, schedule, report, timezone=None, repository=None):
        self.s = schedule
        self.report = report
        self.timezone_option = timezone
        self.repository = repository
        self.base_url = schedule.base_url if markup.is_web_url(schedule.base_url or "") else None
        self.defaults = schema.limit_defaults()

    # --- entry point -------------------------------------------------------------------

    def build(self) -> Programme:
        s = self.s
        if not s.sessions:
            raise ImportFailure("the schedule lists no sessions: there is nothing to import",
                                "check that the export is the published schedule, not an empty draft")
        self.zone_name, self.zone = timing.choose_zone(s, self.timezone_option, self.report)
        self._conference_fields()
        self._rooms()
        self._times()
        self._groups()
        self._themes_formats_languages()
        proposals = self._proposals()
        self._shared_rooms()
        event = self._event(proposals)
        themes = {tid: doc for tid, doc in self.theme_docs.items()}
        stats = {
            "sessions": len(s.sessions), "proposals": len(proposals),
            "slots": sum(len(g.slots) for g in self.groups),
            "repeated": sum(1 for g in self.groups if len(g.slots) > 1),
            "rooms": len(self.room_ids), "shared_rooms": len(self.shared),
            "themes": len(themes), "formats": len(self.format_ids), "languages": len(self.language_codes),
            "unscheduled": sum(1 for g in self.groups if not g.slots),
        }
        return Programme(event, themes, proposals, stats)

    # --- conference ----------------------------------------------------------------------

    def _conference_fields(self):
        for key, value in self.s.extra.items():
            if value not in (None, "", [], {}):
                self.report.add("unmapped-field", f"conference {key}: no place in event.yaml", "conference", value=value)

    def _rooms(self):
        names = list(self.s.rooms)
        for session in self.s.sessions:
            if session.room not in self.s.rooms and session.room not in names:
                names.append(session.room)
        taken, self.room_ids, self.room_docs = set(), {}, {}
        for name in names:
            clean = markup.clean_line(name, self._note("conference", ""), f"room {name[:40]!r}", 200)
            if not clean:
                clean = "Room"
                self.report.add("missing-value", "a session has no room name: written in a room named 'Room'", "conference")
            rid = _ident(clean, taken, "room")
            self.room_ids[name] = rid
            doc = {"id": rid, "name": clean}
            room = self.s.rooms.get(name)
            if room is not None:
                capacity = room.capacity
                if isinstance(capacity, float) and capacity.is_integer():
                    capacity = int(capacity)
                if isinstance(capacity, str) and capacity.strip().isdigit():
                    capacity = int(capacity.strip())
                if isinstance(capacity, int) and not isinstance(capacity, bool) and 1 <= capacity <= 100000:
                    doc["capacity"] = capacity
                elif capacity not in (None, "", 0):
                    self.report.add("invalid-value", f"room {clean!r}: capacity {capacity!r} is not a number of seats",
                                    f"room {clean}", value=capacity)
                for key, value in room.extra.items():
                    if value not in (None, "", [], {}):
                        self.report.add("unmapped-field", f"room {clean!r}: {key} has no place in event.yaml",
                                        f"room {clean}", value=value)
            self.room_docs[rid] = doc

    # --- time ----------------------------------------------------------------------------

    def _times(self):
        s, zone = self.s, self.zone
        # A source day's date as a local date (wafer writes UTC dates for a day in India).
        listed = {}
        for day in s.days:
            listed[id(day)] = timing.local(day.start, zone).date() if day.start is not None else day.date
        day_of = {}
        for day in s.days:
            day_of[day.date] = listed[id(day)]
        self.starts = {}
        no_time = []
        for session in s.sessions:
            start = timing.session_start(session, zone, s.day_change)
            if start is None:
                no_time.append(session)
                continue
            session.listed_day = day_of.get(session.day, session.day)
            self.starts[session.index] = start
            if session.start is not None and session.start_text:
                clock = session.start_text.strip()[:5]
                if re.match(r"\d\d:\d\d\Z", clock) and clock != start.strftime("%H:%M"):
                    self.report.add("time", f"start {clock} disagrees with date {session.start.isoformat()} "
                                            f"({start.strftime('%H:%M')} in {self.zone_name}); the date is used",
                                    session.label(), value=session.start_text)
        for session in no_time:
            self.report.add("invalid-value", "no usable start time (date or start): written unscheduled, as accepted",
                            session.label(), value={"date": str(session.start or ""), "start": session.start_text})
        pairs = [(session, self.starts[session.index]) for session in s.sessions
                 if session.index in self.starts and getattr(session, "listed_day", None)]
        for session, start in pairs:
            session.day = session.listed_day
        self.day_change = timing.choose_day_change(s, pairs, zone, self.report)
        moved = []
        for session, start in pairs:
            when = timing.event_day(start, self.day_change)
            if session.listed_day and when != session.listed_day:
                moved.append(f"{session.label()}: listed under {session.listed_day}, starts {start:%Y-%m-%d %H:%M}")
        if moved:
            self.report.add("time", f"{len(moved)} session(s) start on another event day than the source day they "
                                    "are listed under; each is written on the day its start time belongs to",
                            "conference", value=moved)
        self.durations = {}
        for session in s.sessions:
            self.durations[session.index] = self._duration(session)

    def _duration(self, session):
        minutes = session.duration
        fallback = self.s.timeslot if self.s.timeslot and 0 < self.s.timeslot <= 1440 else 5
        if minutes is None:
            self.report.add("invalid-value", f"duration {session.duration_text!r} is not a length of time; "
                                             f"{fallback} minutes written", session.label(), value=session.duration_text)
            return fallback
        if minutes <= 0:
            self.report.add("zero-duration", f"duration {session.duration_text or minutes!r}: {fallback} minutes "
                                             "written (the schedule's time slot)", session.label(),
                            value=session.duration_text)
            return fallback
        if minutes > MAX_MINUTES:
            self.report.add("invalid-value", f"duration of {minutes} minutes cut to {MAX_MINUTES} (31 days)",
                            session.label(), value=session.duration_text)
            return MAX_MINUTES
        return minutes

    # --- repeated sessions ---------------------------------------------------------------

    def _groups(self):
        by_key, self.groups = {}, []
        for session in self.s.sessions:
            persons = _person_names(session)
            content = _norm(markup.plain_text(session.abstract or "")) or _norm(session.description)
            title = _norm(session.title)
            key = (title, persons, content) if title and (persons or content) else None
            if key is not None and key in by_key:
                by_key[key].sessions.append(session)
                continue
            group = Group([session])
            self.groups.append(group)
            if key is not None:
                by_key[key] = group

    def _slots(self, group, used_guids, ident):
        slots, seen = [], []
        for session in group.sessions:
            start = self.starts.get(session.index)
            if start is None:
                continue
            slot = Slot(session, start, self.durations[session.index], self.room_ids[session.room])
            slot.day = timing.event_day(start, self.day_change)
            duplicate = next((o for o in seen if o.room_id == slot.room_id and o.start < slot.end and slot.start < o.end), None)
            if duplicate is not None:
                self.report.add("duplicate-listing",
                                f"listed again in {slot.room_id} at {slot.start:%Y-%m-%d %H:%M} ({slot.duration} min), "
                                f"overlapping its listing at {duplicate.start:%H:%M}: kept once",
                                session.label(), ident, value={"guid": session.guid, "id": session.source_id})
                continue
            seen.append(slot)
            slots.append(slot)
        slots.sort(key=lambda x: (x.start, x.room_id))
        if len(slots) > MAX_SLOTS:
            for slot in slots[MAX_SLOTS:]:
                self.report.add("too-many", f"more than {MAX_SLOTS} slots: this one is not written",
                                slot.session.label(), ident, value=slot.start.isoformat())
            slots = slots[:MAX_SLOTS]
        for slot in slots:
            guid = (slot.session.guid or "").strip()
            if guid and not _UUID.match(guid):
                self.report.add("invalid-value", f"guid {guid[:60]!r} is not a UUID; a new one is written",
                                slot.session.label(), ident, value=guid)
                guid = ""
            guid = guid.lower()
            if guid and guid in used_guids:
                new = str(uuid.uuid5(_NAMESPACE, f"{guid}/{slot.start.isoformat()}/{slot.room_id}"))
                self.report.add("duplicate-guid", f"guid {guid} is already used by {used_guids[guid]}; this slot "
                                                  f"gets {new}", slot.session.label(), ident, value=guid)
                guid = new
            if guid:
                used_guids[guid] = f"{ident} ({slot.start:%Y-%m-%d %H:%M})"
            slot.guid = guid or None
        return slots

    # --- themes, formats, languages --------------------------------------------------------

    def _themes_formats_languages(self):
        note = self._note("conference", "")
        taken, self.theme_ids, self.theme_docs = set(), {}, {}
        track_names = list(self.s.tracks)
        for session in self.s.sessions:
            if session.track and session.track.strip() and session.track not in track_names:
                track_names.append(session.track)
        for name in track_names:
            clean = markup.clean_line(name, note, f"track {name[:40]!r}", 200)
            if not clean:
                continue
            tid = _ident(clean, taken, "theme", "themes")
            self.theme_ids[name] = tid
            self.theme_docs[tid] = {"name": {"fr": clean, "en": clean}}
            track = self.s.tracks.get(name)
            for key, value in (track.extra.items() if track else ()):
                if value not in (None, "", [], {}):
                    self.report.add("unmapped-field", f"track {clean!r}: {key} has no place in themes/{tid}.yaml",
                                    f"track {clean}", value=value)
        self.format_ids, self.format_docs, spellings = {}, {}, defaultdict(set)
        taken = set()
        for session in self.s.sessions:
            raw = session.type or ""
            clean = markup.clean_line(raw, note, "type", 200) or ""
            base = slugify(clean) if clean else "session"
            if base not in self.format_docs:
                fid = _ident(clean or "Session", taken, "session")
                self.format_docs[base] = {"id": fid, "name": {"fr": clean or "Session", "en": clean or "Session"}}
            self.format_ids[raw] = self.format_docs[base]["id"]
            spellings[base].add(clean)
        merged = {k: sorted(v) for k, v in spellings.items() if len(v) > 1}
        if merged:
            self.report.add("format", f"{len(merged)} format(s) merge session types written differently", "conference",
                            value={self.format_docs[k]["id"]: v for k, v in merged.items()})
        self.language_codes = {}
        for session in self.s.sessions:
            codes, unknown = languages.parse(session.language)
            session.language_codes = codes
            for piece in unknown:
                self.report.add("unknown-language", f"language {piece[:40]!r} is no known language; left out",
                                session.label(), value=piece)
            for code in codes:
                self.language_codes.setdefault(code, languages.names(code))

    # --- proposals -----------------------------------------------------------------------

    def _proposals(self):
        taken, used_guids, ids_seen = set(), {}, {}
        proposals = {}
        for group in self.groups:
            first = group.sessions[0]
            note = self._note(first.label(), "")
            title = markup.clean_line(first.title, note, "title", TITLE_MAX)
            if not title:
                title = "Untitled session"
                self.report.add("missing-value", "no title: written as 'Untitled session'", first.label())
            group.ident = _ident(title, taken, "session", "proposals")
            group.slots = self._slots(group, used_guids, group.ident)
            if len(group.sessions) > 1:
                self.report.add("repeated-session", f"{len(group.sessions)} listings of the same session (same title, "
                                                    f"persons and abstract) written as one proposal with "
                                                    f"{len(group.slots)} slot(s)", first.label(), group.ident,
                                value=[{"guid": x.guid, "id": x.source_id, "start": str(self.starts.get(x.index, "")),
                                        "room": x.room} for x in group.sessions])
            for session in group.sessions:
                if session.source_id is not None:
                    ids_seen.setdefault(session.source_id, set()).add(group.ident)
            fields = self._fields(group, title)
            proposals[group.ident] = fields
        written = {session.label(): group.ident for group in self.groups for session in group.sessions}
        for entry in self.report.entries:  # entries made before the proposal had its id
            if not entry.proposal and entry.where in written:
                entry.proposal = written[entry.where]
        for key, what in (("themes", "no track: written without a theme"),
                          ("languages", "no known language: written without a language"),
                          ("proposers", "no person: written without proposers")):
            empty = sorted(pid for pid, fields in proposals.items() if not fields.get(key))
            if empty:
                self.report.add("missing-value", f"{len(empty)} session(s) with {what}", "conference", value=empty)
        untyped = sorted(g.ident for g in self.groups if not (g.sessions[0].type or "").strip())
        if untyped:
            self.report.add("missing-value", f"{len(untyped)} session(s) without a type: written with the format "
                                             "'session'", "conference", value=untyped)
        for source_id, idents in sorted(ids_seen.items()):
            if len(idents) > 1:
                self.report.add("duplicate-source-id", f"id {source_id} is used by {len(idents)} different sessions; "
                                                       "kept on each", "conference", value=sorted(idents))
        return proposals

    def _note(self, where, proposal):
        def note(kind, message, value=None):
            self.report.add(kind, message, where, proposal, value)
        return note

    def _fields(self, group, title):
        first = group.sessions[0]
        ident = group.ident
        note = self._note(first.label(), ident)
        fields = {"title": title}
        subtitle = markup.clean_line(first.subtitle, note, "subtitle", TITLE_MAX)
        if len({_norm(x.subtitle) for x in group.sessions}) > 1:  # "Day 1", "Day 2": not the proposal's
            subtitle = None
        if subtitle and subtitle != title:
            fields["subtitle"] = subtitle
        fields["format"] = self.format_ids[first.type or ""]
        if first.track and first.track in self.theme_ids:
            fields["themes"] = [self.theme_ids[first.track]]
        else:
            fields["themes"] = []
        fields["languages"] = list(first.language_codes)
        abstract = markup.to_markdown(first.abstract, note, "abstract", self.base_url)
        description = markup.to_markdown(first.description, note, "description", self.base_url)
        summary = None
        if abstract:
            one_line = abstract.strip()
            if "\n" not in one_line and "](" not in one_line and len(one_line) <= SUMMARY_MAX:
                if markup.looks_like_html(first.abstract):  # a summary is plain text: no ** from <b>
                    one_line = markup.html_text(first.abstract)
                summary = markup.clean_line(one_line, lambda *a: None, "summary", SUMMARY_MAX)
            else:
                self.report.add("abstract-in-description",
                                "the abstract is not one line of plain text (or is longer than a summary may be): "
                                "it opens the description", first.label(), ident)
                if not description or _norm(description) != _norm(abstract):
                    description = abstract + ("\n" + description if description else "")
        if summary and description and _norm(markup.plain_text(description)) == _norm(summary):
            description = None  # OSEM writes the abstract again as the description
        if summary:
            fields["summary"] = summary
        if description:
            if len(description) > DESCRIPTION_MAX:
                self.report.add("text-too-long", f"description has {len(description)} characters; cut to "
                                                 f"{DESCRIPTION_MAX} (the full text is here)", first.label(), ident,
                                value=description)
                description = markup.cut_markdown(description, DESCRIPTION_MAX)
            fields["description"] = description
        fields["proposers"] = self._proposers(first, note, ident)
        durations = [slot.duration for slot in group.slots] or [self.durations[first.index]]
        fields["duration"] = durations[0]
        fields["status"] = "scheduled" if group.slots else "accepted"
        if group.slots:
            slots = [self._slot_doc(slot, fields["duration"]) for slot in group.slots]
            fields["schedule"] = slots[0] if len(slots) == 1 else slots
        links = self._links(group, note)
        if links:
            fields["links"] = links
        if first.do_not_record is not None:
            fields["recording"] = "not-allowed" if first.do_not_record else "allowed"
        for session in group.sessions:
            self._unmapped(session, ident)
        self._repeat_differences(group, fields)
        return fields

    def _slot_doc(self, slot, duration):
        doc = {"day": slot.day.isoformat(), "start": slot.start.strftime("%H:%M")}
        if slot.duration != duration:
            doc["duration"] = slot.duration
        doc["room"] = slot.room_id
        if slot.guid:
            doc["guid"] = slot.guid
        if slot.session.source_id is not None and 1 <= slot.session.source_id <= 2147483647:
            doc["source_id"] = slot.session.source_id
        elif slot.session.source_id is not None:
            self.report.add("invalid-value", f"id {slot.session.source_id} is out of range for source_id",
                            slot.session.label(), value=slot.session.source_id)
        return doc

    def _proposers(self, session, note, ident):
        people, seen = [], set()
        for i, person in enumerate(session.persons):
            name = markup.clean_line(person.name, note, f"persons[{i}].name", 200)
            if not name:
                self.report.add("missing-value", f"persons[{i}] has no name: left out", session.label(), ident,
                                value={"guid": person.guid, **person.extra})
                continue
            if name.casefold() in seen:
                continue
            seen.add(name.casefold())
            doc = {"name": name}
            guid = (person.guid or "").strip()
            if guid and _UUID.match(guid):
                doc["guid"] = guid.lower()
            elif guid:
                self.report.add("invalid-value", f"person {name!r}: guid {guid[:60]!r} is not a UUID", session.label(),
                                ident, value=guid)
            for key, value in person.extra.items():
                if value not in (None, "", [], {}):
                    self.report.add("unmapped-field", f"person {name!r}: {key} has no place in a proposal",
                                    session.label(), ident, value=value)
            people.append(doc)
        if len(people) > MAX_PROPOSERS:
            self.report.add("too-many", f"{len(people)} persons: the first {MAX_PROPOSERS} are kept", session.label(),
                            ident, value=[p["name"] for p in people[MAX_PROPOSERS:]])
            people = people[:MAX_PROPOSERS]
        return people

    _LINK_TITLES = {"page": "Programme page", "origin": "Original submission", "attachment": "Attachment",
                    "link": "Link"}

    def _links(self, group, note):
        out, seen = [], set()
        for n, session in enumerate(group.sessions):
            for link in session.links:
                fixed = markup.web_url(link.url, self.base_url, note, f"{link.kind} {(link.title or '')[:40]!r}".strip(),
                                       link.title)
                if fixed is None:
                    continue
                url, title = fixed
                if url in seen:
                    continue
                seen.add(url)
                title = markup.clean_line(title, note, "link title", 200)
                if not title:
                    title = self._LINK_TITLES.get(link.kind, "Link")
                    if link.kind == "page" and n:
                        start = self.starts.get(session.index)
                        title += f" ({start:%Y-%m-%d %H:%M})" if start else f" ({n + 1})"
                elif link.kind == "person":
                    title = markup.cut(title, 200)
                for key, value in link.extra.items():
                    if value not in (None, "", [], {}):
                        note("unmapped-field", f"link {title!r}: {key} has no place in a proposal", value)
                out.append({"title": title, "url": url})
        if len(out) > MAX_LINKS:
            for link in out[MAX_LINKS:]:
                note("too-many", f"more than {MAX_LINKS} links: {link['title']!r} is not written", link["url"])
            out = out[:MAX_LINKS]
        return out

    def _unmapped(self, session, ident):
        for key, value in session.extra.items():
            if value in (None, "", [], {}):
                continue
            self.report.add("unmapped-field", f"{key} has no place in a proposal", session.label(), ident, value=value)

    def _repeat_differences(self, group, fields):
        first = group.sessions[0]
        for other in group.sessions[1:]:
            for name in ("subtitle", "track", "type", "language", "description", "do_not_record"):
                a, b = getattr(first, name), getattr(other, name)
                if _norm(str(a) if a is not None else "") != _norm(str(b) if b is not None else ""):
                    kept = "no subtitle is written" if name == "subtitle" else "the first is kept"
                    self.report.add("repeat-differs", f"{name} differs from the first listing's; {kept}",
                                    other.label(), group.ident, value=b)

    # --- rooms used side by side ---------------------------------------------------------

    def _shared_rooms(self):
        by_room = defaultdict(list)
        for group in self.groups:
            for slot in group.slots:
                by_room[slot.room_id].append((slot.start, slot.end, group.ident, slot))
        self.shared = {}
        for rid, items in sorted(by_room.items()):
            items.sort(key=lambda x: (x[0], x[2]))
            pairs, active = [], []
            for item in items:
                active = [a for a in active if a[1] > item[0]]
                pairs.extend((a, item) for a in active if a[2] != item[2])
                active.append(item)
            if not pairs:
                continue
            self.shared[rid] = pairs
            self.room_docs[rid]["shared"] = True
            shown = [f"{a[2]} {a[0]:%Y-%m-%d %H:%M}–{a[1]:%H:%M} and {b[2]} {b[0]:%H:%M}–{b[1]:%H:%M}" for a, b in pairs]
            self.report.add("shared-room", f"room {rid!r}: the source has {len(pairs)} overlapping pair(s) of sessions "
                                           "there, so it is marked shared: true (sessions there never conflict)",
                            f"room {self.room_docs[rid]['name']}", value=shown[:50])
            if len(pairs) <= 2:
                for line in shown:
                    self.report.add("possible-double-booking",
                                    f"room {rid!r} has only {len(pairs)} overlap(s): if it is not a shared space, this "
                                    f"is a double booking to fix (remove shared: true, move one session): {line}",
                                    f"room {self.room_docs[rid]['name']}")

    # --- event.yaml ----------------------------------------------------------------------

    def _event(self, proposals):
        s = self.s
        note = self._note("conference", "")
        name = markup.clean_line(s.title, note, "conference title", 200)
        if not name:
            name = "Imported programme"
            self.report.add("missing-value", "the conference has no title: event.yaml is named 'Imported programme'",
                            "conference")
        days, slots = set(), []
        for group in self.groups:
            for slot in group.slots:
                days.add(slot.day)
                days.add(timing.event_day(slot.end - dt.timedelta(minutes=1), self.day_change))
                slots.append((slot.day, slot.start, slot.end))
        conf_start, conf_end = timing.conference_dates(s, self.zone)
        listed = {getattr(d, "date") for d in s.days}
        candidates = [d for d in [conf_start, conf_end, *days] if d]
        first = min(candidates) if candidates else min(listed)
        last = max(candidates) if candidates else max(listed)
        if conf_start and conf_end and (first < conf_start or last > conf_end):
            self.report.add("time", f"the conference says {conf_start} to {conf_end}; sessions run from {first} to "
                                    f"{last}, which event.yaml's dates cover", "conference")
        event = {"name": {"fr": name, "en": name}, "dates": {"start": first.isoformat(), "end": last.isoformat()},
                 "timezone": self.zone_name}
        if self.day_change:
            event["day_change"] = timing.clock_of(self.day_change)
        hours = timing.opening_hours(s, self.zone, self.day_change, slots, self.report)
        day_docs = []
        for when, (opening, closing) in sorted(hours.items()):
            if first <= when <= last:
                day_docs.append({"date": when.isoformat(), "start": timing.clock_of(opening),
                                 "end": timing.clock_of(closing)})
        if day_docs:
            event["days"] = day_docs
        event["rooms"] = list(self.room_docs.values())
        event["formats"] = list(self.format_docs.values())
        codes = self.language_codes
        if not codes:
            codes = {"und": {"fr": "langue indéterminée", "en": "Undetermined language"}}
            self.report.add("missing-value", "no session names its language: event.yaml lists 'und' (undetermined)",
                            "conference")
        event["languages"] = [{"code": code, "name": names} for code, names in codes.items()]
        limits = self._limits(proposals)
        if limits:
            event["limits"] = limits
        if self.repository:
            event["repository"] = self.repository
        else:
            event["repository"] = PLACEHOLDER_REPOSITORY
            self.report.add("missing-value", f"repository: the placeholder {PLACEHOLDER_REPOSITORY} is written; put "
                                             "the programme's repository there (or use --repository)", "conference")
        return event

    def _limits(self, proposals):
        d = self.defaults
        found = defaultdict(list)
        for fields in proposals.values():
            found["title"].append(len(fields["title"]))
            found["summary"].append(len(fields.get("summary", "")))
            found["description"].append(len(fields.get("description", "")))
            for key in ("themes", "languages", "proposers"):
                found[key].append(len(fields.get(key, [])))
            found["duration"].append(fields["duration"])
            schedule = fields.get("schedule")
            for slot in (schedule if isinstance(schedule, list) else [schedule] if schedule else []):
                if "duration" in slot:
                    found["duration"].append(slot["duration"])
        limits = {}
        for key in ("title", "summary", "description", "themes", "languages", "proposers"):
            low, high = min(found[key]), max(found[key])
            bounds = {}
            if low < d[key]["min"]:
                bounds["min"] = low
            if high > d[key]["max"]:
                bounds["max"] = high
            if bounds:
                limits[key] = bounds
        durations = found["duration"]
        bounds = {}
        if min(durations) < d["duration"]["min"]:
            bounds["min"] = min(durations)
        if max(durations) > d["duration"]["max"]:
            bounds["max"] = max(durations)
        step = d["duration"]["step"]
        if any(x % step for x in durations) or bounds.get("min", d["duration"]["min"]) % step:
            step = math.gcd(*durations)
            bounds["step"] = step
        if bounds:
            limits["duration"] = bounds
        for key, bounds in limits.items():
            for bound, value in bounds.items():
                why = {"min": "the smallest", "max": "the largest", "step": "the common divisor of every"}[bound]
                self.report.add("limit", f"limits.{key}.{bound}: {value} (default {d[key][bound]}), {why} "
                                         f"{'duration' if key == 'duration' else key + ' count' if key in ('themes', 'languages', 'proposers') else key + ' length'} "
                                         "among the imported sessions", "event.yaml", value=value)
        return limits
