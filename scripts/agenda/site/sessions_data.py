"""data/sessions.json: every session (a proposal at one of its slots), small enough for a
phone to fetch, for the pages that draw themselves in the browser ("Happening now", "My
agenda": assets/attend.js) and for anyone who wants the timetable without the descriptions.

    {"format_version": "1.0", "timezone": "Europe/Paris", "days": [...],
     "rooms": {"<id>": {"fr": "...", "en": "..."}},
     "sessions": [{"key", "id", "guid", "day", "start", "end", "title", "lang",
                   "titles": {"<lang>": "..."}, "room": "<id>" | null, "place": {...} | null}]}

`key` is what the star buttons store (model.Session.key), `guid` the slot's UID in the
calendars (data/agenda.ics), `start` and `end` ISO 8601 instants with the event's offset,
`title` the original title in the language `lang` (the proposal's first), `titles` its
translations. Sessions come in the programme's order (model.Agenda.sessions). Pure: model
in, text out, the same bytes for the same programme.
"""

from __future__ import annotations

import json

from ..data.exports import identities
from ..model import Agenda

FORMAT_VERSION = "1.0"


def _place(place) -> dict | None:
    if place is None:
        return None
    fields = {"name": place.name, "address": place.address, "city": place.city, "country": place.country,
              "online": place.online or None, "url": place.url}
    return {k: v for k, v in fields.items() if v is not None}


def sessions_json(agenda: Agenda) -> str:
    idents = identities(agenda)
    e = agenda.event
    sessions = []
    for x in agenda.sessions():
        p, s = x.proposal, x.slot
        item = {"key": x.key, "id": p.id, "guid": idents[p.id, s.index].guid, "day": s.day,
                "start": s.starts_at.isoformat(), "end": s.ends_at.isoformat(), "title": p.title,
                "lang": p.languages[0] if p.languages else None}
        if p.translations:
            item["titles"] = {lang: title for lang, title, _ in p.translations}
        item["room"] = s.room
        item["place"] = _place(s.place)
        sessions.append(item)
    document = {
        "format_version": FORMAT_VERSION,
        "timezone": e.timezone,
        "days": list(e.days()),
        "rooms": {r.id: dict(r.name) for r in e.rooms},
        "sessions": sessions,
    }
    # One session per line: small, and still readable in a diff.
    head = json.dumps({k: v for k, v in document.items() if k != "sessions"}, ensure_ascii=False,
                      separators=(",", ":"), allow_nan=False)
    lines = [json.dumps(item, ensure_ascii=False, separators=(",", ":"), allow_nan=False) for item in sessions]
    return head[:-1] + ',"sessions":[\n' + ",\n".join(lines) + "\n]}\n"
