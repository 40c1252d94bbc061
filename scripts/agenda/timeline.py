"""The event's clock: event days that change at a set hour, opening hours that may run past
midnight, and slots written as a day, a start and a duration that may cross midnight or last
several days.

Real programmes need all of it: a night session at 01:30 belongs to the evening's event day
(frab's day_change), a venue may close at 04:00, an installation may run for three days.
Rules, the model and the exports read times only through this module, so they agree.

Times are minutes. Wall-clock instants are naive `datetime`s in the event's time zone;
elapsed time (durations, conflicts) is measured on time-zone-aware instants, so that a
session on the night the clocks change lasts what it says.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from functools import cached_property

DAY = 24 * 60


def minutes(hhmm: str) -> int:
    """'10:30' -> 630 (the schema guarantees the form)."""
    return int(hhmm[:2]) * 60 + int(hhmm[3:5])


def hhmm(total: int) -> str:
    return f"{total // 60 % 24:02d}:{total % 60:02d}"


def parse_date(text):
    try:
        return dt.date.fromisoformat(text) if isinstance(text, str) and len(text) == 10 else None
    except ValueError:
        return None


def zone(name):
    """The event's time zone, or None when the name is not a known zone."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        return None


@dataclass(frozen=True)
class Hours:
    """Opening hours of one day, in minutes after midnight; an end at or before the start is
    on the next morning."""

    start: int
    end: int

    @property
    def crosses_midnight(self) -> bool:
        return self.end <= self.start

    @property
    def length(self) -> int:
        return self.end - self.start + (DAY if self.crosses_midnight else 0)

    def label(self) -> str:
        return f"{hhmm(self.start)}–{hhmm(self.end)}"


@dataclass(frozen=True)
class Clock:
    """The time rules of one event, read from event.yaml (already valid against its schema)."""

    first_day: dt.date | None
    last_day: dt.date | None
    tz: zoneinfo.ZoneInfo | None
    day_change: int
    hours: Hours | None
    day_hours: dict  # date -> Hours, for days whose hours differ
    venue_first: dt.date | None = None  # the days the venue's rooms are open (default: every day)
    venue_last: dt.date | None = None

    @classmethod
    def from_event(cls, data: dict) -> "Clock":
        dates = data.get("dates", {})
        hours = _hours(data.get("hours"))
        day_hours = {}
        for entry in data.get("days", []):
            day = parse_date(entry["date"])
            if day is not None:
                day_hours.setdefault(day, _hours(entry))
        venue = data.get("venue_dates") or dates
        return cls(parse_date(dates.get("start")), parse_date(dates.get("end")), zone(data.get("timezone")),
                   _day_change(data, hours, day_hours.values()), hours, day_hours,
                   parse_date(venue.get("start")), parse_date(venue.get("end")))

    @cached_property
    def days(self) -> tuple:
        """Every event day, first to last."""
        if not self.first_day or not self.last_day or self.first_day > self.last_day:
            return ()
        count = (self.last_day - self.first_day).days + 1
        return tuple(self.first_day + dt.timedelta(days=i) for i in range(count))

    def in_event(self, day: dt.date) -> bool:
        return bool(self.days) and self.first_day <= day <= self.last_day

    def venue_open(self, day: dt.date) -> bool:
        """Whether the venue's rooms are open on an event day."""
        if not self.venue_first or not self.venue_last:
            return True
        return self.venue_first <= day <= self.venue_last

    def hours_of(self, day: dt.date) -> Hours | None:
        return self.day_hours.get(day, self.hours)

    def opening(self, day: dt.date):
        """(opens, closes) of an event day as wall-clock instants. Without opening hours,
        the whole event day: from its day-change hour to the next one."""
        hours = self.hours_of(day)
        midnight = dt.datetime.combine(day, dt.time())
        if hours is None:
            opens = midnight + dt.timedelta(minutes=self.day_change)
            return opens, opens + dt.timedelta(days=1)
        opens = midnight + dt.timedelta(minutes=hours.start)
        return opens, opens + dt.timedelta(minutes=hours.length)

    def wall_start(self, day: dt.date, start: str) -> dt.datetime:
        """The wall-clock start of a slot: a time before the day-change hour is in the night
        after `day`."""
        t = minutes(start)
        date = day + dt.timedelta(days=1) if t < self.day_change else day
        return dt.datetime.combine(date, dt.time(t // 60, t % 60))

    def aware(self, wall: dt.datetime) -> dt.datetime:
        return wall.replace(tzinfo=self.tz or dt.timezone.utc)

    def exists(self, wall: dt.datetime) -> bool:
        """False for a wall-clock time skipped when the clocks go forward."""
        if self.tz is None:
            return True
        there = wall.replace(tzinfo=self.tz)
        back = there.astimezone(dt.timezone.utc).astimezone(self.tz).replace(tzinfo=None)
        return back == wall

    def end_of(self, wall_start: dt.datetime, duration: int) -> dt.datetime:
        """Wall-clock end after `duration` minutes of elapsed time."""
        end = self.aware(wall_start).astimezone(dt.timezone.utc) + dt.timedelta(minutes=duration)
        return end.astimezone(self.tz or dt.timezone.utc).replace(tzinfo=None)

    def event_day_of(self, wall: dt.datetime) -> dt.date:
        """The event day a wall-clock instant belongs to."""
        return (wall - dt.timedelta(minutes=self.day_change)).date()

    def closing_day(self, wall_end: dt.datetime):
        """The event day whose opening hours contain an end instant (opens < end <= closes),
        or None when the venue is closed then."""
        day = self.event_day_of(wall_end - dt.timedelta(minutes=1))
        for candidate in (day, day - dt.timedelta(days=1), day + dt.timedelta(days=1)):
            opens, closes = self.opening(candidate)
            if opens < wall_end <= closes:
                return candidate
        return None

    def utc_minutes(self, wall: dt.datetime) -> int:
        """An instant as whole minutes on one absolute scale, for comparing slots."""
        return int(self.aware(wall).timestamp()) // 60


def _hours(entry):
    return Hours(minutes(entry["start"]), minutes(entry["end"])) if entry else None


def _day_change(data, hours, others) -> int:
    """Written, or the latest end of opening hours that run past midnight, or midnight."""
    if data.get("day_change"):
        return minutes(data["day_change"])
    ends = [h.end for h in (hours, *others) if h is not None and h.crosses_midnight]
    return max(ends, default=0)


@dataclass(frozen=True)
class Timing:
    """Where a slot lies in time: wall-clock start and end, elapsed minutes, absolute range."""

    day: dt.date
    start: dt.datetime
    end: dt.datetime
    duration: int
    begin_abs: int
    end_abs: int


def slots_of(data: dict) -> list:
    """A proposal's slots as a list, whether `schedule` holds one slot or a list of them."""
    schedule = data.get("schedule")
    if schedule is None:
        return []
    return schedule if isinstance(schedule, list) else [schedule]


def slot_path(data: dict, index: int) -> tuple:
    """The data path of slot `index`, as written: ('schedule', i) or ('schedule',)."""
    return ("schedule", index) if isinstance(data.get("schedule"), list) else ("schedule",)


def timing(clock: Clock, slot: dict, default_duration: int) -> Timing | None:
    """A slot's timing, or None when its day is not a calendar date."""
    day = parse_date(slot.get("day"))
    if day is None:
        return None
    duration = slot.get("duration", default_duration)
    start = clock.wall_start(day, slot["start"])
    end = clock.end_of(start, duration)
    return Timing(day, start, end, duration, clock.utc_minutes(start), clock.utc_minutes(start) + duration)
