"""Time: the time zone, each session's local start and event day, the day change and the
opening hours of each day. The source's absolute times are kept exactly: a session's (day,
start) is written so that the model reads back the same instant (a start before day_change is
in the night after `day`)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import Counter

from .source import ImportFailure, parse_clock, parse_date, parse_datetime

MIDNIGHT = dt.time(0, 0)


def zone_named(name: str):
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        return None


def choose_zone(schedule, option, report):
    """--timezone, else the source's time_zone_name, else one fixed UTC offset found in the
    source's times (written as the IANA zone Etc/GMT±N, exact for those times). Never a guess:
    without any of them, ImportFailure."""
    if option:
        zone = zone_named(option)
        if zone is None or "/" not in option and option not in ("UTC", "GMT"):
            raise ImportFailure(f"--timezone {option!r} is not an IANA time zone",
                                "give a zone such as Europe/Paris or America/Sao_Paulo")
        if schedule.timezone and schedule.timezone != option:
            report.add("time", f"the source says time_zone_name {schedule.timezone!r}; --timezone {option} is used",
                       "conference", value=schedule.timezone)
        return option, zone
    if schedule.timezone:
        name = schedule.timezone.strip()
        zone = zone_named(name)
        if zone is not None:
            return name, zone
        report.add("invalid-value", f"time_zone_name {name[:60]!r} is not an IANA time zone", "conference",
                   value=schedule.timezone)
    offsets = Counter()
    for moment in _moments(schedule):
        if moment.tzinfo is not None:
            offsets[moment.utcoffset()] += 1
    if not offsets:
        raise ImportFailure("the schedule gives no time zone (no time_zone_name, and its times have no UTC offset)",
                            "say where the event takes place: agenda import SOURCE --timezone Europe/Paris")
    if len(offsets) > 1:
        shown = ", ".join(_offset(o) for o in sorted(offsets))
        raise ImportFailure(f"the schedule has no time zone name and its times use several UTC offsets ({shown})",
                            "say where the event takes place: agenda import SOURCE --timezone Europe/Berlin")
    offset = next(iter(offsets))
    minutes = int(offset.total_seconds() // 60)
    if minutes % 60:
        raise ImportFailure(f"the schedule has no time zone name and its UTC offset {_offset(offset)} is not a whole hour",
                            "say where the event takes place: agenda import SOURCE --timezone Asia/Kolkata")
    hours = minutes // 60
    name = "UTC" if hours == 0 else f"Etc/GMT{'-' if hours > 0 else '+'}{abs(hours)}"
    report.add("time", f"the source gives no time zone name; its times are all at UTC{_offset(offset)}, written as "
                       f"timezone {name} (exact for these times, but without daylight saving: give --timezone with "
                       "the place's zone to get a calendar that follows it)", "conference")
    return name, zone_named(name)


def _offset(delta) -> str:
    minutes = int(delta.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _moments(schedule):
    for day in schedule.days:
        for moment in (day.start, day.end):
            if moment is not None:
                yield moment
    for session in schedule.sessions:
        if session.start is not None:
            yield session.start
    for value in (schedule.start, schedule.end):
        moment = parse_datetime(value) if isinstance(value, str) else None
        if moment is not None:
            yield moment


def local(moment: dt.datetime, zone) -> dt.datetime:
    """An aware time in the zone; a time without offset is taken as written in the zone."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=zone)
    return moment.astimezone(zone)


def session_start(session, zone, conf_day_change):
    """The session's local start, or None when the source gives no usable time."""
    if session.start is not None:
        return local(session.start, zone)
    clock = parse_clock(session.start_text)
    if clock is None or session.day is None:
        return None
    day = session.day
    if conf_day_change and clock < conf_day_change:
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, clock, tzinfo=zone)


def minutes_of(clock: dt.time) -> int:
    return clock.hour * 60 + clock.minute


def clock_of(minutes: int) -> str:
    minutes %= 1440
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _rounded_end(moment: dt.datetime) -> dt.datetime:
    """frab and pretalx end a day at 03:59 (or 21:29:59) for 04:00: round up to the minute after."""
    if moment.second or moment.microsecond or moment.minute % 5 == 4:
        moment = moment.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    return moment


def choose_day_change(schedule, starts, zone, report):
    """The hour at which one event day becomes the next, HH:MM minutes.

    Taken from the source's days (the end of a day that ends after midnight) or its
    day_change, then moved, if needed, so that every night session listed under the evening's
    day starts before it and every other session after it."""
    candidates = Counter()
    for day in schedule.days:
        if day.end is not None:
            end = _rounded_end(local(day.end, zone))
            if end.date() > day.date and end.time() != MIDNIGHT and (end.date() - day.date).days == 1:
                candidates[minutes_of(end.time())] += 1
    source = None
    if candidates:
        source = candidates.most_common(1)[0][0]
    elif schedule.day_change is not None:
        source = minutes_of(schedule.day_change)
    chosen = source or 0
    night = [minutes_of(t.time()) for s, t in starts if s.day and t.date() == s.day + dt.timedelta(days=1)]
    same = [minutes_of(t.time()) for s, t in starts if s.day and t.date() == s.day]
    latest_night = max(night) if night else None
    earliest_day = min(same) if same else None
    if latest_night is not None and chosen <= latest_night:
        chosen = latest_night + 1
        rounded = -(-chosen // 15) * 15  # a quarter hour, when no session starts before it
        if earliest_day is None or rounded <= earliest_day:
            chosen = rounded
    if earliest_day is not None and chosen > earliest_day:
        chosen = earliest_day if latest_night is None or earliest_day > latest_night else chosen
    if source is not None and chosen != source:
        report.add("time", f"day_change: the source's {clock_of(source)} would move sessions to another day; "
                           f"{clock_of(chosen)} keeps each session on the day the source lists it under", "conference")
    elif chosen:
        report.add("time", f"day_change {clock_of(chosen)} (from the source's days): sessions before it belong to "
                           "the previous evening's day", "conference")
    return chosen


def event_day(moment: dt.datetime, day_change: int) -> dt.date:
    if minutes_of(moment.time()) < day_change:
        return moment.date() - dt.timedelta(days=1)
    return moment.date()


def offset_in_day(moment: dt.datetime, day: dt.date) -> int:
    """Minutes from the event day's midnight, on the wall clock (past midnight: over 1440)."""
    wall = moment.replace(tzinfo=None) - dt.datetime.combine(day, MIDNIGHT)
    return int(wall.total_seconds() // 60)


def opening_hours(schedule, zone, day_change, slots, report):
    """{event day: (opening, closing) minutes after its midnight} from the source's
    day_start/day_end, kept between the day's day_change and the next one (the model's rule),
    and widened where the source schedules a session outside them (reported): a start before
    the opening moves the opening; an end while the venue is closed moves the closing of the
    day it ends in, or the opening of the next morning. `slots`: (event day, local start, local
    end). Days without source hours get none (the whole event day is open)."""
    hours, clamped = {}, []
    for day in schedule.days:
        if day.start is None or day.end is None:
            continue
        start = local(day.start, zone)
        end = _rounded_end(local(day.end, zone))
        when = event_day(start, day_change)
        opening = max(offset_in_day(start, when), day_change)
        closing = min(offset_in_day(end, when), day_change + 1440)
        if (opening, closing) != (offset_in_day(start, when), offset_in_day(end, when)):
            clamped.append(f"{when}: {start:%H:%M}–{end:%H:%M}")
        if closing <= opening:
            continue
        if when in hours:
            opening, closing = min(opening, hours[when][0]), max(closing, hours[when][1])
        hours[when] = [opening, closing]
    if clamped:
        report.add("time", f"opening hours of {len(clamped)} day(s) kept within their event day "
                           f"(day_change {clock_of(day_change)})", "conference", value=clamped)
    before = {when: tuple(h) for when, h in hours.items()}
    for when, start, end in sorted(slots, key=lambda x: x[1]):
        if when not in hours:
            continue
        h = hours[when]
        offset = offset_in_day(start, when)
        if offset < h[0]:
            h[0] = offset
        if offset >= h[1]:
            h[1] = min(day_change + 1440, offset + max(1, int((end - start).total_seconds() // 60)))
    for when, start, end in sorted(slots, key=lambda x: x[1]):
        if when not in hours or _open_at(hours, end, day_change):
            continue
        end_day = event_day(end - dt.timedelta(minutes=1), day_change)
        if end_day not in hours:
            continue
        h = hours[end_day]
        offset = offset_in_day(end, end_day)
        if offset > h[1]:
            h[1] = offset
        elif offset <= h[0]:
            h[0] = max(day_change, (offset - 1) // 60 * 60)
    widened = [f"{when}: {clock_of(a)}–{clock_of(b)} -> {clock_of(hours[when][0])}–{clock_of(hours[when][1])}"
               for when, (a, b) in sorted(before.items()) if tuple(hours[when]) != (a, b)]
    if widened:
        report.add("time", f"opening hours of {len(widened)} day(s) widened to the sessions the source schedules "
                           "outside them", "conference", value=widened)
    return {when: tuple(h) for when, h in hours.items()}


def _open_at(hours, end, day_change) -> bool:
    """Is the venue open at `end` (opens < end <= closes) on the day it falls in, or either
    neighbour? (The model's closing_day.)"""
    day = event_day(end - dt.timedelta(minutes=1), day_change)
    for candidate in (day, day - dt.timedelta(days=1), day + dt.timedelta(days=1)):
        opening, closing = hours.get(candidate, (day_change, day_change + 1440))
        if opening < offset_in_day(end, candidate) <= closing:
            return True
    return False


def conference_dates(schedule, zone):
    out = []
    for value in (schedule.start, schedule.end):
        moment = parse_datetime(value) if isinstance(value, str) else None
        if moment is not None and (moment.hour or moment.minute or moment.tzinfo):
            out.append(local(moment, zone).date())
        else:
            out.append(parse_date(value) if isinstance(value, str) else None)
    return out
