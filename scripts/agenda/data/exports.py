"""Open-data exports of the programme: proposals.json, proposals.csv and a frab/C3VOC schedule.

Every function here is pure: model in, text out. No clock, no disk, no environment: the same
agenda and arguments always give the same string, byte for byte. The caller decides the
`generated` date (derived from the content, for example the date of the last commit), the
site's address (`base_url`, or None when the site has none: links are then relative to the
file, see urls.Site) and where the files go.

- `proposals_json`: every public field of every proposal, with each slot of its schedule,
  the event and the themes, described by `schema/proposals-export.schema.json`
  (`export_schema_text()`).
- `proposals_csv`: one flat row per proposal for spreadsheets, columns in `CSV_COLUMNS`; a
  proposal held several times lists its slots in the schedule columns, joined by "; " in the
  order of its schedule (as proposers and organisations are); cells that a spreadsheet would
  run as a formula are neutralised (`neutralise_formula`).
- `frab_schedule`: every slot in the frab / C3VOC schedule JSON that conference apps read
  (Giggity, ConfClerk, EventFahrplan, c3voc tools): https://c3voc.de/wiki/schedule
- `frab_schedule_xml`: the same schedule as frab XML (pentabarf's format, as frab and pretalx
  write it), valid against C3VOC's XSD, for the apps and recording pipelines that read XML.
  Both are written from one document, `frab_schedule_document`: the XML is a serialisation of
  the JSON's dict (`frab_xml`), never a second reading of the programme.

Identity (`identities`): each slot has a guid and a numeric id that schedule apps, calendars
and the JSON share. Kept from an imported programme when the slot has them, otherwise derived
from the repository and the proposal's id (and the slot's position), never from a time or a
room, so that moving a session keeps it; unique across the file.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from urllib.parse import quote

from .. import __version__
from ..model import ACCESSIBILITY_ORDER, Agenda, Proposal, Slot
from .urls import Site, proposal_path

FORMAT_VERSION = "2.1"  # 2.1: a slot held elsewhere has a place (and no room); venue_dates
SCHEMA_FILE = "proposals-export.schema.json"
LICENCE = {
    "id": "CC-BY-4.0",
    "name": "Creative Commons Attribution 4.0 International",
    "url": "https://creativecommons.org/licenses/by/4.0/",
}
C3VOC_SCHEMA = "https://c3voc.de/schedule/schema.json"
C3VOC_XSD = "https://c3voc.de/schedule/schema.xsd"
SCHEDULE_XML = "data/schedule.xml"  # its address is the site's plus this path
# Fixed for ever (it is uuid5(NAMESPACE_URL, "https://agenda.example.org/schema/frab-guid")):
# the frab guids (UUID v5) of sessions, rooms and people derive from it and from the
# repository's address, so that schedule apps recognise the same session across builds and
# two events never share a guid. Never change it.
GUID_NAMESPACE = uuid.UUID("82d81e69-daf6-52ad-b048-833a1007601d")

# A formula-triggering first character, as listed by OWASP ("CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

_GENERATED = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2}))?\Z")
_C3VOC_ACRONYM = re.compile(r"[a-z0-9_-][a-z0-9_]{3,}(-2[0-9]{3}-[a-z]+)?\Z")
# A theme id that is a slug in both C3VOC schemas (JSON: ^[a-z0-9_-]+[a-z0-9]$, XSD: [a-z][a-z0-9-]+).
_TRACK_SLUG = re.compile(r"[a-z][a-z0-9-]*[a-z0-9]\Z")


# --- shared helpers ------------------------------------------------------------------------


def _generated(generated: str) -> str:
    if not isinstance(generated, str) or not _GENERATED.match(generated):
        raise ValueError(f"generated must be an ISO date (YYYY-MM-DD) or date-time with offset, not {generated!r}")
    return generated


def _check_lang(agenda: Agenda, lang: str) -> None:
    if lang not in agenda.event.name:
        raise ValueError(f"lang must be one of {sorted(agenda.event.name)}, not {lang!r}")


def source_url(agenda: Agenda, proposal: Proposal) -> str:
    """The proposal's file in the repository's web view (always absolute)."""
    return f"{agenda.event.repository}/blob/{quote(agenda.event.branch)}/{proposal.path}"


def _room_name(room) -> str:
    """Rooms have one name in event.yaml (the model stores it under every language)."""
    return room.name.get("fr", next(iter(room.name.values())))


def _iso(clock, wall: dt.datetime) -> str:
    """A wall-clock instant of the event as ISO 8601 with the zone's offset at that instant."""
    return clock.aware(wall).isoformat()


def hours_minutes(minutes: int) -> str:
    """A duration as HH:MM; hours go past 24 for items over several days ("72:00")."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _dumps(document) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False, allow_nan=False) + "\n"


# --- identity --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Identity:
    """How schedule apps and calendars recognise a slot: a UUID and a positive 31-bit id."""

    guid: str
    id: int


def frab_guid(agenda: Agenda, kind: str, key: str) -> str:
    """A UUID v5, stable across builds, for a session ('proposal'), a 'room' or a 'person'."""
    return str(uuid.uuid5(GUID_NAMESPACE, f"{agenda.event.repository}#{kind}/{key}"))


def slot_key(proposal_id: str, slot: Slot) -> str:
    """What a derived identity is made from: the proposal's id for its first slot, "<id>/<n>"
    for slot n > 1 (its position in the schedule, never its time)."""
    return proposal_id if slot.index == 0 else f"{proposal_id}/{slot.index + 1}"


def frab_ids(keys, taken=()) -> dict:
    """key -> a positive 31-bit integer from its sha256, unique among them all and distinct
    from `taken` (ids kept from an imported programme).

    31 bits because some apps store the id in a signed 32-bit integer. On a collision, the
    key that comes later in sorted order hashes again with a counter."""
    taken, out = set(taken), {}
    for key in sorted(keys):
        n = 0
        while True:
            digest = hashlib.sha256((key if n == 0 else f"{key}#{n}").encode("utf-8")).hexdigest()
            number = int(digest[:8], 16) & 0x7FFFFFFF
            if number and number not in taken:
                break
            n += 1
        taken.add(number)
        out[key] = number
    return out


_last_identities = (None, None)  # (agenda, result): every file of one build asks for the same agenda


def identities(agenda: Agenda) -> dict:
    """(proposal id, slot index) -> Identity, for every slot of the programme.

    A slot keeps the guid and source id it was imported with; when two slots carry the same
    one, the first in (proposal id, slot) order keeps it and the other gets a derived one.
    Derived guids are UUID v5 of the slot's key; derived ids are taken for every proposal
    (scheduled or not) and every further slot, so that scheduling one changes no other id.
    The model is immutable, so the result for the last agenda asked about is kept."""
    global _last_identities
    if _last_identities[0] is not agenda:
        _last_identities = (agenda, _identities(agenda))
    return _last_identities[1]


def _identities(agenda: Agenda) -> dict:
    slots = [(p.id, s) for p in sorted(agenda.proposals, key=lambda p: p.id) for s in p.slots]
    guids, ids, taken_guids, taken_ids = {}, {}, set(), set()
    for pid, s in slots:
        if s.guid and s.guid not in taken_guids:
            guids[pid, s.index] = s.guid
            taken_guids.add(s.guid)
        if s.source_id and s.source_id not in taken_ids:
            ids[pid, s.index] = s.source_id
            taken_ids.add(s.source_id)
    for pid, s in slots:
        if (pid, s.index) not in guids:
            key, n = slot_key(pid, s), 0
            guid = frab_guid(agenda, "proposal", key)
            while guid in taken_guids:
                n += 1
                guid = frab_guid(agenda, "proposal", f"{key}#{n}")
            taken_guids.add(guid)
            guids[pid, s.index] = guid
    wanted = {p.id: (p.id, 0) for p in agenda.proposals if (p.id, 0) not in ids}
    wanted.update({slot_key(pid, s): (pid, s.index) for pid, s in slots if (pid, s.index) not in ids})
    for key, number in frab_ids(wanted, taken=taken_ids).items():
        ids.setdefault(wanted[key], number)
    return {(pid, s.index): Identity(guids[pid, s.index], ids[pid, s.index]) for pid, s in slots}


def person_guid(agenda: Agenda, person) -> str:
    """The person's own guid (kept from an imported programme), or one derived from the
    organisation and the name: the same person in two sessions has the same guid."""
    return person.guid or frab_guid(agenda, "person", f"{person.organisation or ''}/{person.name}")


# --- proposals.json ------------------------------------------------------------------------


def _accessibility(proposal: Proposal) -> dict:
    """Every accessibility field in schema order; null when the proposal does not say."""
    given = dict(proposal.accessibility)
    out = {}
    for key in ACCESSIBILITY_ORDER:
        value = given.get(key)
        out[key] = list(value) if isinstance(value, tuple) else value
    return out


def _place_record(place) -> dict | None:
    if place is None:
        return None
    return {"name": place.name, "address": place.address, "city": place.city, "country": place.country,
            "online": place.online, "url": place.url}


def _slot_record(agenda: Agenda, p: Proposal, s: Slot, ident: Identity) -> dict:
    room = agenda.room(s.room) if s.room else None  # None: held elsewhere, at its place
    return {
        "number": s.index + 1,
        "guid": ident.guid,
        "source_id": s.source_id,
        "day": s.day,
        "start_date": s.starts.date().isoformat(),
        "start": s.start,
        "end_date": s.ends.date().isoformat(),
        "end": s.end,
        "duration": s.duration,
        "room": {"id": room.id, "name": _room_name(room)} if room else None,
        "start_iso": s.starts_at.isoformat(),
        "end_iso": s.ends_at.isoformat(),
        "place": _place_record(s.place),
    }


def _proposal_record(agenda: Agenda, proposal: Proposal, site: Site, idents: dict) -> dict:
    p = proposal
    fmt = agenda.format(p.format)
    return {
        "id": p.id,
        "title": p.title,
        "subtitle": p.subtitle or None,
        "format": {"id": fmt.id, "name": dict(fmt.name)},
        "themes": [{"id": t, "name": dict(agenda.theme(t).name)} for t in p.themes],
        "languages": list(p.languages),
        "summary": p.summary or None,
        "description": p.description or None,
        "proposers": [{"name": x.name, "organisation": x.organisation, "country": x.country, "github": x.github,
                       "guid": x.guid} for x in p.proposers],
        "duration": p.duration,
        "status": p.status,
        "schedule": [_slot_record(agenda, p, s, idents[p.id, s.index]) for s in p.slots],
        "recording": p.recording,
        "do_not_record": p.do_not_record,
        "links": [{"title": title, "url": url} for title, url in p.links],
        "accessibility": _accessibility(p),
        "looking_for": list(p.looking_for),
        "example": p.example,
        "url": site.proposal(p.id),
        "source": p.path,
        "source_url": source_url(agenda, p),
    }


def _event_record(agenda: Agenda) -> dict:
    e = agenda.event
    return {
        "name": dict(e.name),
        "dates": {"start": e.first_day, "end": e.last_day},
        "venue_dates": {"start": e.clock.venue_first.isoformat(), "end": e.clock.venue_last.isoformat()}
        if e.clock.venue_first and e.clock.venue_last else None,
        "timezone": e.timezone,
        "day_change": hours_minutes(e.clock.day_change),
        "hours": {"start": e.hours[0], "end": e.hours[1]} if e.hours else None,
        "days": [{"date": day, "hours": dict(zip(("start", "end"), hours)) if hours else None}
                 for day, hours in ((d, e.hours_of(d)) for d in e.days())],
        "rooms": [{"id": r.id, "name": _room_name(r), "capacity": r.get("capacity"), "step_free": r.get("step_free"),
                   "shared": bool(r.get("shared", False))} for r in e.rooms],
        "formats": [{"id": f.id, "name": dict(f.name), "description": dict(f.description) if f.description else None}
                    for f in e.formats],
        "languages": [{"code": lang.id, "name": dict(lang.name)} for lang in e.languages],
        "repository": e.repository,
        "branch": e.branch,
        "site_url": e.site_url,
    }


def proposals_json(agenda: Agenda, *, base_url: str | None, generated: str) -> str:
    """Every proposal with all its public fields, the event and the themes, as JSON.

    The document follows schema/proposals-export.schema.json (`export_schema_text()`);
    proposals and themes are ordered by id, keys in a fixed order, values keep their types,
    a value the source does not give is null and an empty list is []. Without a site
    address (base_url None), a proposal's `url` is relative to data/proposals.json."""
    site = Site(base_url, "data/proposals.json")
    idents = identities(agenda)
    document = {
        "format_version": FORMAT_VERSION,
        "generated": _generated(generated),
        "licence": {**LICENCE, "attribution": f"Programme co-built by the contributors of {agenda.event.repository}"},
        "event": _event_record(agenda),
        "themes": [{"id": t.id, "name": dict(t.name), "description": dict(t.description) if t.description else None,
                    "reviewers": list(t.get("reviewers", ()))} for t in agenda.themes],
        "proposals": [_proposal_record(agenda, p, site, idents) for p in sorted(agenda.proposals, key=lambda p: p.id)],
    }
    return _dumps(document)


def export_schema_text() -> str:
    """The JSON Schema of proposals.json, to publish next to it."""
    from ..check.schema import schema_dir

    return (schema_dir() / SCHEMA_FILE).read_text(encoding="utf-8")


# --- proposals.csv -------------------------------------------------------------------------

LIST_SEPARATOR = "; "
_SLOTS = " Several slots (a session held several times) are joined by \"; \", in the order of the schedule."

# New columns are added at the end, so that a column keeps its position from one version to the next.
CSV_COLUMNS = [
    ("id", "Proposal id: the file name proposals/<id>.yaml without .yaml."),
    ("title", "Title of the session."),
    ("status", "proposed, accepted, scheduled, declined or withdrawn."),
    ("format", "Format id (see event.yaml)."),
    ("format_name", "Format name in the export's language."),
    ("themes", "Theme ids, separated by \"; \"; the first is the main theme."),
    ("theme_names", "Theme names in the export's language, separated by \"; \", in the same order."),
    ("languages", "Language codes the session is held in, separated by \"; \"."),
    ("duration_minutes", "Length of the session in minutes (a whole number)."),
    ("day", "Event day of each slot, YYYY-MM-DD (a night session after midnight belongs to the evening's day); "
            "empty when not scheduled." + _SLOTS),
    ("start", "Start time of each slot, HH:MM in the event's time zone; empty when not scheduled." + _SLOTS),
    ("end", "End time of each slot, HH:MM in the event's time zone (it may be on a later date: see end_iso); "
            "empty when not scheduled." + _SLOTS),
    ("room", "Room id of each slot; empty when not scheduled, or for a slot held elsewhere (see place_city)."
             + _SLOTS),
    ("room_name", "Room name of each slot; empty when not scheduled, or for a slot held elsewhere." + _SLOTS),
    ("proposers", "Names of the proposers, separated by \"; \"."),
    ("organisations", "Organisation of each proposer (empty when not given), separated by \"; \", in the same "
                      "order as proposers."),
    ("countries", "Country code (ISO 3166-1) of each proposer (empty when not given), separated by \"; \", in the "
                  "same order as proposers."),
    ("summary", "One- or two-sentence summary (plain text); empty when not given."),
    ("looking_for", "What the proposers are looking for, separated by \"; \"."),
    ("interpretation", "Languages of live interpretation, separated by \"; \"; empty when none is stated."),
    ("sign_language", "Sign languages provided, separated by \"; \"; empty when none is stated."),
    ("captions", "true or false: live captions; empty when the proposal does not say."),
    ("step_free_access", "true or false: reachable without stairs; empty when the proposal does not say."),
    ("materials_in_advance", "true or false: documents shared beforehand; empty when the proposal does not say."),
    ("accessibility_notes", "Other accessibility information; empty when none."),
    ("example", "true for sample content shipped with the repository, otherwise false."),
    ("url", "Address of the proposal's page on the site (relative to this file when the site has no address)."),
    ("source", "Path of the proposal's file in the repository."),
    ("subtitle", "Second line of the title; empty when none."),
    ("recording", "allowed or not-allowed: what the proposers said about recording and streaming; empty when "
                  "they have not said."),
    ("do_not_record", "true unless the proposers allowed recording (recording is allowed): the session must not "
                      "be recorded or streamed."),
    ("start_iso", "Start of each slot as a date and time with the UTC offset (2016-12-07T20:00:00+01:00); empty "
                  "when not scheduled." + _SLOTS),
    ("end_iso", "End of each slot as a date and time with the UTC offset; empty when not scheduled." + _SLOTS),
    ("slot_guids", "Identifier (UUID) of each slot, the same as in schedule.json and the calendars; empty when not "
                   "scheduled." + _SLOTS),
    ("place_name", "For a slot held outside the venue: the place's name; empty for a room of the venue or when "
                   "not given." + _SLOTS),
    ("place_address", "For a slot held outside the venue: its street address; empty otherwise." + _SLOTS),
    ("place_city", "For a slot held outside the venue: its city; empty otherwise." + _SLOTS),
    ("place_country", "For a slot held outside the venue: its country code (ISO 3166-1); empty otherwise." + _SLOTS),
    ("place_online", "For a slot held outside the venue: true when it is held online, otherwise false; empty for a "
                     "room of the venue." + _SLOTS),
    ("place_url", "For a slot held outside the venue: the page to join online or the place's page; empty "
                  "otherwise." + _SLOTS),
]


def neutralise_formula(value: str) -> str:
    """A cell a spreadsheet would run as a formula, made inert (OWASP, "CSV injection").

    A value starting with =, +, -, @, TAB or CR gets a leading single quote, which
    spreadsheets show as text; every other value is returned unchanged."""
    if value and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _flag(value) -> str:
    return "" if value is None else ("true" if value else "false")


def _csv_row(agenda: Agenda, p: Proposal, site: Site, lang: str, idents: dict) -> list:
    access = dict(p.accessibility)
    slots = p.slots
    join = LIST_SEPARATOR.join
    cells = {
        "id": p.id,
        "title": p.title,
        "status": p.status,
        "format": p.format,
        "format_name": agenda.format(p.format).name[lang],
        "themes": join(p.themes),
        "theme_names": join(agenda.theme(t).name[lang] for t in p.themes),
        "languages": join(p.languages),
        "duration_minutes": p.duration,
        "day": join(s.day for s in slots),
        "start": join(s.start for s in slots),
        "end": join(s.end for s in slots),
        "room": join(s.room or "" for s in slots),
        "room_name": join(_room_name(agenda.room(s.room)) if s.room else "" for s in slots),
        "proposers": join(x.name for x in p.proposers),
        "organisations": join(x.organisation or "" for x in p.proposers),
        "countries": join(x.country or "" for x in p.proposers),
        "summary": p.summary,
        "looking_for": join(p.looking_for),
        "interpretation": join(access.get("interpretation", ())),
        "sign_language": join(access.get("sign_language", ())),
        "captions": _flag(access.get("captions")),
        "step_free_access": _flag(access.get("step_free_access")),
        "materials_in_advance": _flag(access.get("materials_in_advance")),
        "accessibility_notes": access.get("notes", ""),
        "example": _flag(p.example),
        "url": site.proposal(p.id),
        "source": p.path,
        "subtitle": p.subtitle or "",
        "recording": p.recording or "",
        "do_not_record": _flag(p.do_not_record),
        "start_iso": join(s.starts_at.isoformat() for s in slots),
        "end_iso": join(s.ends_at.isoformat() for s in slots),
        "slot_guids": join(idents[p.id, s.index].guid for s in slots),
        "place_name": join(_place_field(s, "name") for s in slots),
        "place_address": join(_place_field(s, "address") for s in slots),
        "place_city": join(_place_field(s, "city") for s in slots),
        "place_country": join(_place_field(s, "country") for s in slots),
        "place_online": join(_flag(s.place.online) if s.place else "" for s in slots),
        "place_url": join(_place_field(s, "url") for s in slots),
    }
    # Every text cell is neutralised; the numbers we write ourselves are left as numbers.
    return [neutralise_formula(v) if isinstance(v, str) else v for v in (cells[c] for c, _ in CSV_COLUMNS)]


def _place_field(slot: Slot, name: str) -> str:
    return (getattr(slot.place, name) or "") if slot.place else ""


def proposals_csv(agenda: Agenda, *, base_url: str | None, lang: str = "fr") -> str:
    """One row per proposal (ordered by id), columns as in CSV_COLUMNS, RFC 4180 (CRLF).

    Names of formats and themes are in `lang` (fr or en). The Markdown description is not
    included: proposals.json carries every field. Without a site address (base_url None),
    `url` is relative to data/proposals.csv."""
    site = Site(base_url, "data/proposals.csv")
    _check_lang(agenda, lang)
    idents = identities(agenda)
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([c for c, _ in CSV_COLUMNS])
    for p in sorted(agenda.proposals, key=lambda p: p.id):
        writer.writerow(_csv_row(agenda, p, site, lang, idents))
    return out.getvalue()


# --- frab / C3VOC schedule.json ------------------------------------------------------------


def default_acronym(agenda: Agenda) -> str:
    """The repository's name in the form C3VOC asks for (lower case, digits, _), e.g. 'agenda'."""
    name = agenda.event.repository.rstrip("/").rsplit("/", 1)[-1].lower()
    name = re.sub(r"[^a-z0-9_]+", "_", name).strip("_")
    if not _C3VOC_ACRONYM.match(name):
        name = f"{name or 'agenda'}_{agenda.event.first_day[:4]}"
    return name


def _frab_room_names(agenda: Agenda) -> dict:
    """room id -> the name used as key in the schedule; a name shared by two rooms gets its id."""
    names = {r.id: _room_name(r) for r in agenda.event.rooms}
    counts = {}
    for name in names.values():
        counts[name] = counts.get(name, 0) + 1
    return {rid: (name if counts[name] == 1 else f"{name} ({rid})") for rid, name in names.items()}


def _frab_places(agenda: Agenda, lang: str, taken) -> dict:
    """Place -> the name of the room that stands for it in the schedule: frab has rooms only,
    so each place of the sessions held elsewhere is a room after the venue's, in the order it
    first appears ("Maison des associations, Lyon (FR)", "Online"), never a venue room's name."""
    from ..i18n import translator

    t = translator(lang)
    out, used = {}, set(taken)
    for x in agenda.sessions():
        place = x.slot.place
        if place is None or place in out:
            continue
        parts = [v for v in (place.name, place.city) if v]
        name = ", ".join(parts) + (f" ({place.country})" if place.country else "")
        if place.online:
            name = f"{name} ({t.gettext('online')})" if name else t.gettext("Online")
        unique, n = name, 1
        while unique in used:
            n += 1
            unique = f"{name} {n}"
        used.add(unique)
        out[place] = unique
    return out


def _frab_event(agenda: Agenda, p: Proposal, s: Slot, ident: Identity, site: Site, lang: str, acronym: str,
                room_names) -> dict:
    """`room_names` maps a room id, or a Place, to its name in the schedule."""
    return {
        "guid": ident.guid,
        "id": ident.id,
        "date": s.starts_at.isoformat(),
        "start": s.start,
        "end": s.ends_at.isoformat(),
        "duration": hours_minutes(s.duration),
        "room": room_names[s.room or s.place],
        "slug": f"{acronym}-{ident.id}-{p.id}",
        # An absolute address is required: without a site address, the proposal's file.
        "url": site.absolute(proposal_path(p.id)) or source_url(agenda, p),
        "title": p.title,
        "subtitle": p.subtitle or "",
        "track": agenda.theme(p.themes[0]).name[lang] if p.themes else None,
        "type": agenda.format(p.format).name[lang],
        "language": p.languages[0] if p.languages else "",
        "abstract": p.summary,
        "description": p.description,
        "do_not_record": p.do_not_record,
        "persons": [{"name": x.name, "public_name": x.name, "guid": person_guid(agenda, x)} for x in p.proposers],
        "links": [{"title": title, "url": url} for title, url in p.links],
        "attachments": [],
    }


def frab_schedule(agenda: Agenda, *, base_url: str | None, generated: str, lang: str = "fr",
                  acronym: str | None = None) -> str:
    """Every slot of the programme as a frab / C3VOC schedule.json (https://c3voc.de/wiki/schedule):
    `frab_schedule_document` as JSON."""
    return frab_json(frab_schedule_document(agenda, base_url=base_url, generated=generated, lang=lang,
                                            acronym=acronym))


def frab_json(document: dict) -> str:
    """A frab / C3VOC schedule document (`frab_schedule_document`) as schedule.json."""
    return _dumps(document)


def frab_schedule_xml(agenda: Agenda, *, base_url: str | None, generated: str, lang: str = "fr",
                      acronym: str | None = None) -> bytes:
    """The same schedule as frab XML (schedule.xml, UTF-8): `frab_xml` of the same document."""
    return frab_xml(frab_schedule_document(agenda, base_url=base_url, generated=generated, lang=lang,
                                           acronym=acronym))


def frab_schedule_document(agenda: Agenda, *, base_url: str | None, generated: str, lang: str = "fr",
                           acronym: str | None = None) -> dict:
    """Every slot of the programme as the frab / C3VOC schedule document, the dict that
    schedule.json (`frab_schedule`) and schedule.xml (`frab_xml`) are written from.

    Every day of the event is listed (with an empty `rooms` object when nothing happens),
    from its opening to its closing (past midnight when its hours run past midnight; from
    day-change to day-change hour without hours, or when the venue is closed that day). A
    slot belongs to its event day, so a night session after midnight is listed under the
    evening's day, its `date` being the real instant. Each day lists the rooms that have
    sessions, in the order of event.yaml, then the places of sessions held elsewhere as rooms
    (`_frab_places`), each with its sessions in time order. Names of the event, rooms, formats (type) and
    themes (track) are in `lang`. Days are numbered from 1, as frab and pretalx do. Without
    a site address (base_url None), `base_url` and the conference's `url` are left out and a
    session's `url` is its file in the repository. The themes are the conference's `tracks`
    (names in `lang`; the id as slug when it is one in both C3VOC schemas)."""
    site = Site(base_url, "data/schedule.json")  # absolute addresses only: the same for schedule.xml
    _check_lang(agenda, lang)
    version = _generated(generated)
    acronym = acronym or default_acronym(agenda)
    e = agenda.event
    clock = e.clock
    idents = identities(agenda)
    room_names = _frab_room_names(agenda)
    places = _frab_places(agenda, lang, room_names.values())
    room_names.update(places)
    order = {r.id: i for i, r in enumerate(e.rooms)}
    order.update({place: len(order) + i for i, place in enumerate(places)})  # after the venue's rooms
    by_day = {}
    for x in agenda.sessions():
        by_day.setdefault(x.slot.day, []).append(x)
    days = []
    for index, day in enumerate(clock.days, start=1):
        opens, closes = clock.opening(day)
        if not clock.venue_open(day):  # only sessions held elsewhere: the whole event day
            opens = dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=clock.day_change)
            closes = opens + dt.timedelta(days=1)
        sessions = sorted(by_day.get(day.isoformat(), ()),
                          key=lambda x: (order[x.slot.room or x.slot.place], x.slot.starts_at, x.proposal.id,
                                         x.slot.index))
        rooms = {}
        for x in sessions:
            rooms.setdefault(room_names[x.slot.room or x.slot.place], []).append(
                _frab_event(agenda, x.proposal, x.slot, idents[x.proposal.id, x.slot.index], site, lang, acronym,
                            room_names))
        days.append({"index": index, "date": day.isoformat(), "day_start": _iso(clock, opens),
                     "day_end": _iso(clock, closes), "rooms": rooms})
    conference = {
        "acronym": acronym,
        "title": e.name[lang],
        "start": e.first_day,
        "end": e.last_day,
        "daysCount": len(days),
        "timeslot_duration": "00:05",
        "time_zone_name": e.timezone,
        "url": site.absolute(),
        "tracks": [{"name": th.name[lang], **({"slug": th.id} if _TRACK_SLUG.match(th.id) else {})}
                   for th in agenda.themes],
        "rooms": [{"name": room_names[r.id], "guid": frab_guid(agenda, "room", r.id)} for r in e.rooms]
        + [{"name": name, "guid": frab_guid(agenda, "room", f"place/{name}")} for name in places.values()],
        "days": days,
    }
    schedule = {"version": version, "base_url": site.absolute(), "conference": conference}
    if site.base is None:  # both must be absolute addresses: left out rather than wrong
        del schedule["base_url"], conference["url"]
    return {
        "$schema": C3VOC_SCHEMA,
        "generator": {"name": "agenda", "version": __version__},
        "schedule": schedule,
    }


# --- frab XML (schedule.xml) -----------------------------------------------------------------

_XSI = "http://www.w3.org/2001/XMLSchema-instance"
# What XML 1.0 cannot carry at all (C0 controls but TAB, LF and CR; lone surrogates; U+FFFE and
# U+FFFF): a document holding one is not well-formed, so it is dropped.
_XML_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_HTTP_URI = re.compile(r"https?://[!-~]+\Z")  # the XSD's httpURI, ASCII without spaces
_VOC_SLUG = re.compile(r"[a-z0-9_]{4,}-[a-z0-9_-]{4,}\Z")  # the XSD's voc-slug-new
_XSD_DURATION = re.compile(r"[0-9]{1,2}:[0-9]{2}\Z")  # the XSD's duration: two digits of hours
LONGEST_XML_DURATION = "99:59"


def xml_text(value) -> str:
    """A value as text that XML 1.0 carries exactly: characters it cannot hold are dropped,
    and line breaks are LF (a parser turns a CR of element text into LF anyway). Escaping is
    ElementTree's."""
    text = "" if value is None else value if isinstance(value, str) else str(value)
    return _XML_ILLEGAL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _add(parent, tag: str, text=None, attrib: dict | None = None):
    """A child element; attributes whose value is None are left out."""
    attrs = {name: xml_text(value) for name, value in (attrib or {}).items() if value is not None}
    element = ET.SubElement(parent, tag, attrs) if parent is not None else ET.Element(tag, attrs)
    if text is not None:
        element.text = xml_text(text)
    return element


def _xml_duration(duration: str) -> str:
    """frab XML's duration has at most two digits of hours: a session of 100 hours or more
    (a week-long exhibition) is written 99:59; schedule.json and its `date` keep the truth."""
    return duration if _XSD_DURATION.match(duration) else LONGEST_XML_DURATION


def _bool(value: bool) -> str:
    return "true" if value else "false"


def frab_xml(document: dict) -> bytes:
    """A frab / C3VOC schedule document (`frab_schedule_document`) as schedule.xml.

    Valid against C3VOC's XSD (https://c3voc.de/schedule/schema.xsd): the conference's
    fields, its tracks, then each day (index, date, start, end) with its rooms (name, guid)
    and their events (guid and id attributes; date, start, duration, room, slug, url, title,
    subtitle, track, type, language, abstract, description, recording with its opt-out from
    `do_not_record`, persons with a numeric id derived from their guid, links, attachments),
    in the document's order. The XSD has no conference room list (rooms are listed in the
    days), no event end (the duration gives it) and durations of two digits of hours
    (`_xml_duration`). Text goes through `xml_text`; ElementTree escapes it. The same document
    always gives the same bytes: UTF-8, an XML declaration, two-space indentation."""
    schedule = document["schedule"]
    conference = schedule["conference"]
    root = _add(None, "schedule", attrib={f"{{{_XSI}}}noNamespaceSchemaLocation": C3VOC_XSD})
    generator = document.get("generator")
    if generator:
        _add(root, "generator", attrib={"name": generator.get("name"), "version": generator.get("version")})
    base_url = schedule.get("base_url")
    if base_url and _HTTP_URI.match(base_url):
        _add(root, "url", base_url.rstrip("/") + "/" + SCHEDULE_XML)
    _add(root, "version", schedule["version"])
    conf = _add(root, "conference")
    _add(conf, "acronym", conference["acronym"])
    _add(conf, "title", conference["title"])
    for key in ("start", "end"):
        if conference.get(key):
            _add(conf, key, conference[key])
    _add(conf, "days", len(conference["days"]))
    if conference.get("timeslot_duration"):
        _add(conf, "timeslot_duration", conference["timeslot_duration"])
    for tag, value in (("base_url", base_url), ("url", conference.get("url"))):
        if value and _HTTP_URI.match(value):
            _add(conf, tag, value)
    if conference.get("time_zone_name"):
        _add(conf, "time_zone_name", conference["time_zone_name"])
    for track in conference.get("tracks", ()):
        _add(conf, "track", attrib={"name": track["name"], "slug": track.get("slug")})
    room_guids = {room["name"]: room.get("guid") for room in conference.get("rooms", ())}
    person_guids = {person["guid"] for day in conference["days"] for events in day["rooms"].values()
                    for event in events for person in event["persons"] if person.get("guid")}
    person_ids = frab_ids(person_guids)
    for day in conference["days"]:
        day_el = _add(root, "day", attrib={"index": day["index"], "date": day["date"], "start": day["day_start"],
                                           "end": day["day_end"]})
        for name, events in day["rooms"].items():
            room_el = _add(day_el, "room", attrib={"name": name, "guid": room_guids.get(name)})
            for event in events:
                _event_xml(room_el, event, person_ids)
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True) + b"\n"


def _event_xml(parent, e: dict, person_ids: dict) -> None:
    """One event in the order frab and pretalx write its elements (the XSD takes any order)."""
    event = _add(parent, "event", attrib={"guid": e["guid"], "id": e["id"]})
    _add(event, "date", e["date"])
    _add(event, "start", e["start"])
    _add(event, "duration", _xml_duration(e["duration"]))
    _add(event, "room", e["room"])
    if e.get("slug") and _VOC_SLUG.match(e["slug"]):
        _add(event, "slug", e["slug"])
    if e.get("url") and _HTTP_URI.match(e["url"]):
        _add(event, "url", e["url"])
    _add(event, "title", e["title"])
    _add(event, "subtitle", e.get("subtitle") or "")
    _add(event, "track", e.get("track") or "")
    _add(event, "type", e["type"])
    if e.get("language"):
        _add(event, "language", e["language"])
    _add(event, "abstract", e.get("abstract") or "")
    if e.get("description") is not None:
        _add(event, "description", e["description"])
    if e.get("do_not_record") is not None:
        recording = _add(event, "recording")
        _add(recording, "license", "")
        _add(recording, "optout", _bool(e["do_not_record"]))
    persons = _add(event, "persons")
    for person in e["persons"]:
        guid = person.get("guid")
        _add(persons, "person", person.get("public_name") or person["name"],
             {"id": person_ids.get(guid), "guid": guid})
    links = _add(event, "links")
    for link in e["links"]:
        _add(links, "link", link.get("title") or "", {"href": link["url"]})
    attachments = _add(event, "attachments")
    for attachment in e.get("attachments", ()):
        _add(attachments, "attachment", attachment.get("title") or "", {"href": attachment.get("url")})
