"""The programme of each event day, laid out for the site: which sessions a day shows, and
where each sits in the day's grid (rows are time steps, columns are rooms, a block spans its
duration). Numbers only: the templates turn them into HTML.

- A day shows the sessions that belong to it (night sessions after midnight included, see
  timeline.py) and the items that run over several event days (an installation, a week of
  external events), which appear on every day they cover, in a band above the grid.
- The grid runs from the hour before the day's first session to the hour after its last,
  in steps of the largest whole number of minutes that every start and end falls on (at
  least 5; a time off the step is rounded to it).
- A room where sessions overlap (a shared space) gets one lane per parallel session.
- Sessions held outside the venue (a place instead of a room) are listed apart.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from functools import cached_property

from ..model import Agenda, Session

MIN_STEP = 5  # minutes


@dataclass(frozen=True)
class Block:
    """One session in a day's grid: CSS grid lines, 1-based, row 1 being the room names."""

    session: Session
    row: int
    rows: int
    column: int


@dataclass(frozen=True)
class Column:
    room: object  # model.Named
    column: int  # first grid column (column 1 holds the times)
    lanes: int


@dataclass(frozen=True)
class Mark:
    """An hour of the grid: its first row and how many rows it spans."""

    row: int
    rows: int
    time: dt.time


@dataclass(frozen=True)
class Grid:
    start: dt.datetime  # wall clock of the first row
    step: int  # minutes per row
    rows: int
    columns: tuple  # Column
    blocks: tuple  # Block, in time order
    marks: tuple  # Mark

    @property
    def width(self) -> int:
        """Number of grid columns holding sessions (the time column excluded)."""
        return sum(c.lanes for c in self.columns)


@dataclass(frozen=True)
class Day:
    day: str
    hours: tuple | None  # (HH:MM, HH:MM) opening hours, the end possibly past midnight
    sessions: tuple  # Session, in time order: every session this day lists
    long: tuple  # Session: items over several event days, shown on each of them
    elsewhere: tuple  # Session: held outside the venue (no room), not in the grid
    grid: Grid | None
    venue_open: bool = True  # False on the days of a week of events when the venue is closed

    def covers(self, session) -> bool:
        return session in self.long


class Programme:
    """Every event day of an agenda, computed once."""

    def __init__(self, agenda: Agenda):
        self.agenda = agenda
        self.clock = agenda.event.clock

    @cached_property
    def _covered(self) -> dict:
        """day -> sessions over several event days that cover it."""
        covered = {day: [] for day in self.agenda.event.days()}
        for session in self.agenda.sessions():
            days = self.days_of(session)
            if len(days) > 1:
                for day in days:
                    covered.setdefault(day, []).append(session)
        return covered

    def days_of(self, session: Session) -> list:
        """The event days whose opening (or whole day, without opening hours) a session
        overlaps: its own day, and more for an item over several days."""
        slot = session.slot
        first = dt.date.fromisoformat(slot.day)
        days = [slot.day]
        day = first + dt.timedelta(days=1)
        while True:
            opens, closes = self.clock.opening(day)
            if opens >= slot.ends or not self.clock.in_event(day):
                break
            if slot.ends > opens and slot.starts < closes:
                days.append(day.isoformat())
            day += dt.timedelta(days=1)
        return days

    def is_long(self, session: Session) -> bool:
        return len(self.days_of(session)) > 1

    @cached_property
    def days(self) -> tuple:
        return tuple(self.day(d) for d in self.agenda.event.days())

    def day(self, day: str) -> Day:
        own = self.agenda.sessions(day)
        long = tuple(self._covered.get(day, ()))
        in_grid = [s for s in own if s not in long and s.slot.room]
        elsewhere = tuple(s for s in own if s not in long and not s.slot.room)
        listed = sorted({*own, *long}, key=lambda s: (s.slot.starts_at, s.proposal.id, s.slot.index))
        return Day(day, self.agenda.event.hours_of(day), tuple(listed), long, elsewhere, self._grid(in_grid),
                   self.agenda.event.venue_open(day))

    def _grid(self, sessions) -> Grid | None:
        if not sessions:
            return None
        first = min(s.slot.starts for s in sessions)
        last = max(s.slot.ends for s in sessions)
        start = first.replace(minute=0, second=0, microsecond=0)
        end = last.replace(minute=0, second=0, microsecond=0)
        if end < last:
            end += dt.timedelta(hours=1)
        offsets = {_minutes(s.slot.starts - start) for s in sessions} | {_minutes(s.slot.ends - start) for s in sessions}
        step = 60
        for value in offsets:
            step = math.gcd(step, value)
        step = max(step, MIN_STEP)
        rows = math.ceil(_minutes(end - start) / step)

        columns, blocks, next_column = [], [], 2
        by_room = {}
        for s in sessions:
            by_room.setdefault(s.slot.room, []).append(s)
        lane_of = {}
        for room in self.agenda.event.rooms:
            if room.id not in by_room:
                continue
            lanes = []  # end of the last session in each lane
            for s in sorted(by_room[room.id], key=lambda x: (x.slot.starts, x.slot.ends, x.proposal.id)):
                lane = next((i for i, busy in enumerate(lanes) if busy <= s.slot.starts), None)
                if lane is None:
                    lane = len(lanes)
                    lanes.append(s.slot.ends)
                else:
                    lanes[lane] = s.slot.ends
                lane_of[s] = next_column + lane
            columns.append(Column(room, next_column, len(lanes)))
            next_column += len(lanes)
        for s in sessions:  # already in time order
            top = _minutes(s.slot.starts - start) // step
            bottom = -(-_minutes(s.slot.ends - start) // step)
            blocks.append(Block(s, 2 + top, max(bottom - top, 1), lane_of[s]))
        hours = _minutes(end - start) // 60
        marks = tuple(Mark(2 + h * 60 // step, min(60 // step, rows - h * 60 // step) or 1,
                           (start + dt.timedelta(hours=h)).time()) for h in range(hours))
        return Grid(start, step, rows, tuple(columns), tuple(blocks), marks)


def _minutes(delta: dt.timedelta) -> int:
    return int(delta.total_seconds() // 60)
