"""The open-data files published under data/: one registry, one function that builds them.

The same bytes come out of `mkdocs build` (the plugin adds them to the site) and of
`agenda export --out DIR`, from the same model. Nothing here reads the clock or the disk:
the build date and the status history are given by the caller (see history.py).
"""

from __future__ import annotations

import datetime as dt

from . import exports, feeds
from ..site import sessions_data

DATA_DIR = "data"

# (path, format, catalogue key of its description): what the Data page documents, in order.
FILES = (
    ("data/proposals.json", "JSON", "data.json"),
    ("data/proposals.schema.json", "JSON Schema", "data.json_schema"),
    ("data/proposals.csv", "CSV", "data.csv"),
    ("data/agenda.ics", "iCalendar", "data.ics"),
    ("data/themes/<theme>.ics", "iCalendar", "data.ics_theme"),
    ("data/proposals/<proposal>.ics", "iCalendar", "data.ics_proposal"),
    ("data/feed.atom", "Atom", "data.atom"),
    ("data/schedule.json", "frab / C3VOC JSON", "data.frab"),
    ("data/schedule.xml", "frab / C3VOC XML", "data.frab_xml"),
    ("data/sessions.json", "JSON", "data.sessions"),
)


def theme_calendar_path(theme_id: str) -> str:
    return f"data/themes/{theme_id}.ics"


def proposal_calendar_path(proposal_id: str) -> str:
    return f"data/proposals/{proposal_id}.ics"


def data_files(agenda, history: dict, *, base_url: str | None, stamp: dt.datetime, lang: str = "fr") -> dict:
    """path -> bytes for every open-data file. `base_url` is the site's absolute address, or
    None when it has none (see urls.Site: relative links, absolute-only fields left out)."""
    generated = stamp.astimezone(dt.timezone.utc).isoformat()
    # One schedule document, two serialisations: schedule.json and schedule.xml list the same sessions.
    schedule = exports.frab_schedule_document(agenda, base_url=base_url, generated=generated, lang=lang)
    files = {
        "data/proposals.json": exports.proposals_json(agenda, base_url=base_url, generated=generated),
        "data/proposals.schema.json": exports.export_schema_text(),
        "data/proposals.csv": exports.proposals_csv(agenda, base_url=base_url),
        "data/agenda.ics": feeds.calendar_all(agenda, base_url=base_url, stamp=stamp, lang=lang),
        "data/feed.atom": feeds.atom_feed(agenda, history, base_url=base_url, lang=lang, fallback_updated=generated),
        "data/schedule.json": exports.frab_json(schedule),
        "data/schedule.xml": exports.frab_xml(schedule),
        "data/sessions.json": sessions_data.sessions_json(agenda),
    }
    for theme in agenda.themes:
        files[theme_calendar_path(theme.id)] = feeds.calendar_theme(agenda, theme.id, base_url=base_url,
                                                                   stamp=stamp, lang=lang)
    for proposal in agenda.proposals:
        if not proposal.slots:
            continue
        files[proposal_calendar_path(proposal.id)] = feeds.calendar_proposal(agenda, proposal.id, base_url=base_url,
                                                                             stamp=stamp, lang=lang)
    return {path: content.encode("utf-8") if isinstance(content, str) else content
            for path, content in files.items()}
