"""Open-data exports of the programme: proposals.json, proposals.csv and a frab/C3VOC schedule.

Every function here is pure: model in, text out. No clock, no disk, no environment: the same
agenda and arguments always give the same string, byte for byte. The caller decides the
`generated` date (derived from the content, for example the date of the last commit) and
where the files go.

- `proposals_json`: every public field of every proposal, with the event and the themes,
  described by `schema/proposals-export.schema.json` (`export_schema_text()`).
- `proposals_csv`: one flat row per proposal for spreadsheets, columns in `CSV_COLUMNS`,
  cells that a spreadsheet would run as a formula neutralised (`neutralise_formula`).
- `frab_schedule`: the scheduled sessions in the frab / C3VOC schedule JSON that conference
  apps read (Giggity, ConfClerk, EventFahrplan, c3voc tools): https://c3voc.de/wiki/schedule
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import uuid
import zoneinfo
from urllib.parse import quote

from . import __version__
from .model import ACCESSIBILITY_ORDER, Agenda, Proposal
from .urls import proposal_url, site_base

FORMAT_VERSION = "1.0"
SCHEMA_FILE = "proposals-export.schema.json"
LICENCE = {
    "id": "CC-BY-4.0",
    "name": "Creative Commons Attribution 4.0 International",
    "url": "https://creativecommons.org/licenses/by/4.0/",
}
C3VOC_SCHEMA = "https://c3voc.de/schedule/schema.json"
# Fixed for ever (it is uuid5(NAMESPACE_URL, "https://agenda.example.org/schema/frab-guid")):
# the frab guids (UUID v5) of sessions, rooms and people derive from it and from the
# repository's address, so that schedule apps recognise the same session across builds and
# two events never share a guid. Never change it.
GUID_NAMESPACE = uuid.UUID("82d81e69-daf6-52ad-b048-833a1007601d")

# A formula-triggering first character, as listed by OWASP ("CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

_GENERATED = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2}))?\Z")
_C3VOC_ACRONYM = re.compile(r"[a-z0-9_-][a-z0-9_]{3,}(-2[0-9]{3}-[a-z]+)?\Z")


# --- shared helpers ------------------------------------------------------------------------


def _generated(generated: str) -> str:
    if not isinstance(generated, str) or not _GENERATED.match(generated):
        raise ValueError(f"generated must be an ISO date (YYYY-MM-DD) or date-time with offset, not {generated!r}")
    return generated


def _check_lang(agenda: Agenda, lang: str) -> None:
    if lang not in agenda.event.name:
        raise ValueError(f"lang must be one of {sorted(agenda.event.name)}, not {lang!r}")


def _source_url(agenda: Agenda, proposal: Proposal) -> str:
    return f"{agenda.event.repository}/blob/{quote(agenda.event.branch)}/{proposal.path}"


def _room_name(room) -> str:
    """Rooms have one name in event.yaml (the model stores it under every language)."""
    return room.name.get("fr", next(iter(room.name.values())))


def _local_iso(timezone: str, day: str, hhmm: str) -> str:
    """'2016-12-07', '10:30' -> '2016-12-07T10:30:00+01:00', with the zone's offset on that date."""
    moment = dt.datetime.combine(dt.date.fromisoformat(day), dt.time.fromisoformat(hhmm),
                                 tzinfo=zoneinfo.ZoneInfo(timezone))
    return moment.isoformat()


def _dumps(document) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False, allow_nan=False) + "\n"


# --- proposals.json ------------------------------------------------------------------------


def _accessibility(proposal: Proposal) -> dict:
    """Every accessibility field in schema order; null when the proposal does not say."""
    given = dict(proposal.accessibility)
    out = {}
    for key in ACCESSIBILITY_ORDER:
        value = given.get(key)
        out[key] = list(value) if isinstance(value, tuple) else value
    return out


def _proposal_record(agenda: Agenda, proposal: Proposal, base: str) -> dict:
    p = proposal
    fmt = agenda.format(p.format)
    schedule = None
    if p.schedule:
        s = p.schedule
        room = agenda.room(s.room)
        tz = agenda.event.timezone
        schedule = {
            "day": s.day, "start": s.start, "end": s.end,
            "room": {"id": room.id, "name": _room_name(room)},
            "start_iso": _local_iso(tz, s.day, s.start), "end_iso": _local_iso(tz, s.day, s.end),
        }
    return {
        "id": p.id,
        "title": p.title,
        "format": {"id": fmt.id, "name": dict(fmt.name)},
        "themes": [{"id": t, "name": dict(agenda.theme(t).name)} for t in p.themes],
        "languages": list(p.languages),
        "summary": p.summary,
        "description": p.description,
        "proposers": [{"name": x.name, "organisation": x.organisation, "country": x.country, "github": x.github}
                      for x in p.proposers],
        "duration": p.duration,
        "status": p.status,
        "schedule": schedule,
        "links": [{"title": title, "url": url} for title, url in p.links],
        "accessibility": _accessibility(p),
        "looking_for": list(p.looking_for),
        "example": p.example,
        "url": proposal_url(base, p.id),
        "source": p.path,
        "source_url": _source_url(agenda, p),
    }


def _event_record(agenda: Agenda) -> dict:
    e = agenda.event
    return {
        "name": dict(e.name),
        "dates": {"start": e.first_day, "end": e.last_day},
        "timezone": e.timezone,
        "hours": {"start": e.hours[0], "end": e.hours[1]} if e.hours else None,
        "rooms": [{"id": r.id, "name": _room_name(r), "capacity": r.get("capacity"), "step_free": r.get("step_free")}
                  for r in e.rooms],
        "formats": [{"id": f.id, "name": dict(f.name), "description": dict(f.description) if f.description else None}
                    for f in e.formats],
        "languages": [{"code": lang.id, "name": dict(lang.name)} for lang in e.languages],
        "repository": e.repository,
        "branch": e.branch,
        "site_url": e.site_url,
    }


def proposals_json(agenda: Agenda, *, base_url: str, generated: str) -> str:
    """Every proposal with all its public fields, the event and the themes, as JSON.

    The document follows schema/proposals-export.schema.json (`export_schema_text()`);
    proposals and themes are ordered by id, keys in a fixed order, values keep their types.
    """
    base = site_base(base_url)
    document = {
        "format_version": FORMAT_VERSION,
        "generated": _generated(generated),
        "licence": {**LICENCE, "attribution": f"Programme co-built by the contributors of {agenda.event.repository}"},
        "event": _event_record(agenda),
        "themes": [{"id": t.id, "name": dict(t.name), "description": dict(t.description),
                    "reviewers": list(t.get("reviewers", ()))} for t in agenda.themes],
        "proposals": [_proposal_record(agenda, p, base) for p in sorted(agenda.proposals, key=lambda p: p.id)],
    }
    return _dumps(document)


def export_schema_text() -> str:
    """The JSON Schema of proposals.json, to publish next to it."""
    from .schema import schema_dir

    return (schema_dir() / SCHEMA_FILE).read_text(encoding="utf-8")


# --- proposals.csv -------------------------------------------------------------------------

LIST_SEPARATOR = "; "

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
    ("day", "Scheduled day, YYYY-MM-DD; empty when not scheduled."),
    ("start", "Scheduled start time, HH:MM in the event's time zone; empty when not scheduled."),
    ("end", "Scheduled end time, HH:MM in the event's time zone; empty when not scheduled."),
    ("room", "Room id; empty when not scheduled."),
    ("room_name", "Room name; empty when not scheduled."),
    ("proposers", "Names of the proposers, separated by \"; \"."),
    ("organisations", "Organisation of each proposer, separated by \"; \", in the same order as proposers."),
    ("countries", "Country code (ISO 3166-1) of each proposer, separated by \"; \", in the same order as proposers."),
    ("summary", "One- or two-sentence summary (plain text)."),
    ("looking_for", "What the proposers are looking for, separated by \"; \"."),
    ("interpretation", "Languages of live interpretation, separated by \"; \"; empty when none is stated."),
    ("sign_language", "Sign languages provided, separated by \"; \"; empty when none is stated."),
    ("captions", "true or false: live captions; empty when the proposal does not say."),
    ("step_free_access", "true or false: reachable without stairs; empty when the proposal does not say."),
    ("materials_in_advance", "true or false: documents shared beforehand; empty when the proposal does not say."),
    ("accessibility_notes", "Other accessibility information; empty when none."),
    ("example", "true for sample content shipped with the repository, otherwise false."),
    ("url", "Address of the proposal's page on the site."),
    ("source", "Path of the proposal's file in the repository."),
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


def _csv_row(agenda: Agenda, p: Proposal, base: str, lang: str) -> list:
    access = dict(p.accessibility)
    s = p.schedule
    room = agenda.room(s.room) if s else None
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
        "day": s.day if s else "",
        "start": s.start if s else "",
        "end": s.end if s else "",
        "room": s.room if s else "",
        "room_name": _room_name(room) if room else "",
        "proposers": join(x.name for x in p.proposers),
        "organisations": join(x.organisation for x in p.proposers),
        "countries": join(x.country for x in p.proposers),
        "summary": p.summary,
        "looking_for": join(p.looking_for),
        "interpretation": join(access.get("interpretation", ())),
        "sign_language": join(access.get("sign_language", ())),
        "captions": _flag(access.get("captions")),
        "step_free_access": _flag(access.get("step_free_access")),
        "materials_in_advance": _flag(access.get("materials_in_advance")),
        "accessibility_notes": access.get("notes", ""),
        "example": _flag(p.example),
        "url": proposal_url(base, p.id),
        "source": p.path,
    }
    # Every text cell is neutralised; the numbers we write ourselves are left as numbers.
    return [neutralise_formula(v) if isinstance(v, str) else v for v in (cells[c] for c, _ in CSV_COLUMNS)]


def proposals_csv(agenda: Agenda, *, base_url: str, lang: str = "fr") -> str:
    """One row per proposal (ordered by id), columns as in CSV_COLUMNS, RFC 4180 (CRLF).

    Names of formats and themes are in `lang` (fr or en). The Markdown description is not
    included: proposals.json carries every field."""
    base = site_base(base_url)
    _check_lang(agenda, lang)
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([c for c, _ in CSV_COLUMNS])
    for p in sorted(agenda.proposals, key=lambda p: p.id):
        writer.writerow(_csv_row(agenda, p, base, lang))
    return out.getvalue()


# --- frab / C3VOC schedule.json ------------------------------------------------------------


def frab_guid(agenda: Agenda, kind: str, key: str) -> str:
    """A UUID v5, stable across builds, for a session ('proposal'), a 'room' or a 'person'."""
    return str(uuid.uuid5(GUID_NAMESPACE, f"{agenda.event.repository}#{kind}/{key}"))


def frab_ids(proposal_ids) -> dict:
    """proposal id -> a positive 31-bit integer from its sha256, unique among them all.

    31 bits because some apps store the id in a signed 32-bit integer. On a collision, the
    proposal with the greater id hashes again with a counter (ids taken in id order)."""
    taken, out = set(), {}
    for pid in sorted(proposal_ids):
        n = 0
        while True:
            digest = hashlib.sha256((pid if n == 0 else f"{pid}#{n}").encode("utf-8")).hexdigest()
            number = int(digest[:8], 16) & 0x7FFFFFFF
            if number and number not in taken:
                break
            n += 1
        taken.add(number)
        out[pid] = number
    return out


def default_acronym(agenda: Agenda) -> str:
    """The repository's name in the form C3VOC asks for (lower case, digits, _), e.g. 'agenda'."""
    name = agenda.event.repository.rstrip("/").rsplit("/", 1)[-1].lower()
    name = re.sub(r"[^a-z0-9_]+", "_", name).strip("_")
    if not _C3VOC_ACRONYM.match(name):
        name = f"{name or 'agenda'}_{agenda.event.first_day[:4]}"
    return name


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _frab_room_names(agenda: Agenda) -> dict:
    """room id -> the name used as key in the schedule; a name shared by two rooms gets its id."""
    names = {r.id: _room_name(r) for r in agenda.event.rooms}
    counts = {}
    for name in names.values():
        counts[name] = counts.get(name, 0) + 1
    return {rid: (name if counts[name] == 1 else f"{name} ({rid})") for rid, name in names.items()}


def _frab_event(agenda: Agenda, p: Proposal, base: str, lang: str, acronym: str, number: int, room_names) -> dict:
    s = p.schedule
    tz = agenda.event.timezone
    return {
        "guid": frab_guid(agenda, "proposal", p.id),
        "id": number,
        "date": _local_iso(tz, s.day, s.start),
        "start": s.start,
        "duration": _hhmm(p.duration),
        "room": room_names[s.room],
        "slug": f"{acronym}-{number}-{p.id}",
        "url": proposal_url(base, p.id),
        "title": p.title,
        "subtitle": "",
        "track": agenda.theme(p.themes[0]).name[lang],
        "type": agenda.format(p.format).name[lang],
        "language": p.languages[0],
        "abstract": p.summary,
        "description": p.description,
        "recording_license": "",
        "do_not_record": False,
        "persons": [{"name": x.name, "public_name": x.name,
                     "guid": frab_guid(agenda, "person", f"{x.organisation}/{x.name}")} for x in p.proposers],
        "links": [{"title": title, "url": url} for title, url in p.links],
        "attachments": [],
    }


def frab_schedule(agenda: Agenda, *, base_url: str, generated: str, lang: str = "fr",
                  acronym: str | None = None) -> str:
    """The scheduled sessions as a frab / C3VOC schedule.json (https://c3voc.de/wiki/schedule).

    Every day of the event is listed (with an empty `rooms` object when nothing happens);
    each day lists the rooms that have sessions, in the order of event.yaml, each with its
    sessions in time order. Names of the event, rooms, formats (type) and themes (track)
    are in `lang`. Days are numbered from 1, as frab and pretalx do."""
    base = site_base(base_url)
    _check_lang(agenda, lang)
    version = _generated(generated)
    acronym = acronym or default_acronym(agenda)
    e = agenda.event
    tz = e.timezone
    ids = frab_ids(p.id for p in agenda.proposals)  # all, so scheduling one changes no other id
    room_names = _frab_room_names(agenda)
    order = {r.id: i for i, r in enumerate(e.rooms)}
    days = []
    for index, day in enumerate(e.days(), start=1):
        if e.hours:
            start, end = _local_iso(tz, day, e.hours[0]), _local_iso(tz, day, e.hours[1])
        else:
            following = (dt.date.fromisoformat(day) + dt.timedelta(days=1)).isoformat()
            start, end = _local_iso(tz, day, "00:00"), _local_iso(tz, following, "00:00")
        sessions = sorted(agenda.scheduled(day), key=lambda p: (order[p.schedule.room], p.schedule.start, p.id))
        rooms = {}
        for p in sessions:
            rooms.setdefault(room_names[p.schedule.room], []).append(
                _frab_event(agenda, p, base, lang, acronym, ids[p.id], room_names))
        days.append({"index": index, "date": day, "day_start": start, "day_end": end, "rooms": rooms})
    document = {
        "$schema": C3VOC_SCHEMA,
        "generator": {"name": "agenda", "version": __version__},
        "schedule": {
            "version": version,
            "base_url": base,
            "conference": {
                "acronym": acronym,
                "title": e.name[lang],
                "start": e.first_day,
                "end": e.last_day,
                "daysCount": len(days),
                "timeslot_duration": "00:05",
                "time_zone_name": tz,
                "url": base,
                "rooms": [{"name": room_names[r.id], "guid": frab_guid(agenda, "room", r.id)} for r in e.rooms],
                "days": days,
            },
        },
    }
    return _dumps(document)
