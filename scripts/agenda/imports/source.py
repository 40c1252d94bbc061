"""The neutral form of an imported schedule: what both readers (frab/C3VOC JSON, frab/pentabarf
XML) produce and the builder consumes. Values are kept as the source wrote them (text, or
datetimes parsed without guessing a time zone); everything a reader met and the model has no
place for travels in `extra`, so that the report can list it."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

MAX_SESSIONS = 50_000
MAX_TEXT = 200_000  # characters of one value; longer values are refused as hostile
MAX_MINUTES = 44640  # 31 days, the schema's largest duration


class ImportFailure(Exception):
    """Input that cannot be imported: said in one line, with a next step."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass
class Person:
    name: str | None
    guid: str | None = None
    extra: dict = field(default_factory=dict)  # id, url, biography, answers, code, avatar…


@dataclass
class Link:
    url: str | None
    title: str | None = None
    kind: str = "link"  # link, attachment, page, origin, person
    extra: dict = field(default_factory=dict)


@dataclass
class Session:
    index: int  # order in the source
    day: dt.date | None  # the source day it is listed under
    day_start: dt.datetime | None  # that day's opening, for naive start times
    start: dt.datetime | None  # from `date`, aware or naive
    start_text: str | None  # the `start` field, HH:MM
    duration: int | None  # minutes
    duration_text: str | None
    room: str
    title: str | None
    subtitle: str | None = None
    track: str | None = None
    type: str | None = None
    language: str | None = None
    abstract: str | None = None
    description: str | None = None
    persons: list = field(default_factory=list)
    links: list = field(default_factory=list)
    guid: str | None = None
    source_id: int | None = None
    do_not_record: bool | None = None
    extra: dict = field(default_factory=dict)

    def label(self) -> str:
        ident = self.guid or (f"id {self.source_id}" if self.source_id is not None else f"#{self.index + 1}")
        title = (self.title or "").strip()
        if len(title) > 60:
            title = title[:59] + "…"
        return f"session {ident} ({title!r})" if title else f"session {ident}"


@dataclass
class Day:
    index: int
    date: dt.date
    start: dt.datetime | None = None
    end: dt.datetime | None = None


@dataclass
class Room:
    name: str
    capacity: object = None
    extra: dict = field(default_factory=dict)


@dataclass
class Track:
    name: str
    extra: dict = field(default_factory=dict)


@dataclass
class Schedule:
    format: str  # "frab-json" or "frab-xml"
    title: str | None
    start: object = None  # date or datetime
    end: object = None
    timezone: str | None = None
    day_change: dt.time | None = None
    timeslot: int | None = None
    base_url: str | None = None
    days: list = field(default_factory=list)
    rooms: dict = field(default_factory=dict)  # name -> Room, in source order
    tracks: dict = field(default_factory=dict)  # name -> Track
    sessions: list = field(default_factory=list)
    extra: dict = field(default_factory=dict)  # conference fields without a place


# --- value parsing shared by both readers ---------------------------------------------------

_DURATION = re.compile(r"(\d{1,5}):(\d{2})(?::(\d{2}))?\Z")
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?\Z")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?\Z")


def parse_duration(value):
    """'01:30', '1:30', '00:05:00' (HH:MM:SS, pentabarf) or a number of minutes -> minutes
    (seconds round up); None when the value says nothing usable."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.isdigit() and len(text) <= 6:
        return int(text)
    m = _DURATION.match(text)
    if not m:
        return None
    hours, minutes, seconds = (int(g) if g else 0 for g in m.groups())
    return hours * 60 + minutes + (1 if seconds else 0)


def parse_clock(value) -> dt.time | None:
    if not isinstance(value, str):
        return None
    m = _CLOCK.match(value.strip())
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        return None
    return dt.time(int(m.group(1)), int(m.group(2)))


def parse_date(value) -> dt.date | None:
    if isinstance(value, str) and _DATE.match(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    moment = parse_datetime(value)
    return moment.date() if moment else None


def parse_datetime(value) -> dt.datetime | None:
    """ISO 8601 date-time, with or without an offset ('Z' too, which Python 3.10 does not read)."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not _DATETIME.match(text):
        return None
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    elif re.search(r"[+-]\d{4}\Z", text):
        text = text[:-2] + ":" + text[-2:]
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return None


def parse_int(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 12:
        return int(value.strip())
    return None


def parse_bool(value) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}.get(value.strip().lower())
    return None
