"""Rules across files. Each rule is a small generator; its docstring is the rule.

Rules receive only documents that passed their schema, so they can trust types; they never
read files. Three registries at the end say when each rule runs; `catalogue.RULES` lists
every rule id, and a test keeps it equal to the README's rule table.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import math
import re
import unicodedata
from collections import Counter, defaultdict

from . import catalogue, schema, suggest
from .. import timeline
from .problems import ERROR, WARNING, Msg, Problem, field_path, path_pattern, show


def _at(doc, path, rule, message, hint="", severity=ERROR, related=""):
    line, col = doc.where(path)
    return Problem(doc.path, line, col, severity, rule, message, field_path(path), hint, related)


def _limits_hint(where, name, low, high, characters):
    if characters:
        return Msg("%(where)s sets %(name)s to %(low)s–%(high)s characters", where=where, name=name, low=low, high=high)
    return Msg("%(where)s sets %(name)s to %(low)s–%(high)s items", where=where, name=name, low=low, high=high)


class Context:
    """What the rules look at: the event settings and the valid themes and proposals."""

    def __init__(self, event, themes, proposals=None):
        self.event = event  # Document or None
        self.themes = themes  # id -> Document
        self.proposals = proposals if proposals is not None else {}  # id -> Document
        data = event.data if event else {}
        self.formats = {f["id"]: f for f in data.get("formats", [])}
        self.rooms = {r["id"]: r for r in data.get("rooms", [])}
        self.languages = {lang["code"] for lang in data.get("languages", [])}
        self.clock = timeline.Clock.from_event(data)
        self.first_day, self.last_day = self.clock.first_day, self.clock.last_day
        self._limits, self._size_limits = {}, {}

    def limits(self, format_id):
        """(limits, where they are set) for a proposal of this format: each bound from the
        format's limits, else the event's, else the schema's default."""
        if format_id not in self._limits:
            event_limits = (self.event.data if self.event else {}).get("limits", {})
            fmt = self.formats.get(format_id, {}).get("limits", {})
            merged, origin = {}, {}
            for name, bounds in schema.limit_defaults().items():
                merged[name] = dict(bounds)
                for source, where in ((event_limits, "event.yaml"),
                                      (fmt, Msg("the format %(format)s in event.yaml", format=show(format_id)))):
                    for key, value in source.get(name, {}).items():
                        merged[name][key] = value
                        origin[name] = where
            self._limits[format_id] = merged, origin
        return self._limits[format_id]

    def size_limits(self, format_id):
        """(field, min, max, str or list) of each text and list limit for this format: what
        `proposal_limits` compares on every proposal, looked up once per format."""
        if format_id not in self._size_limits:
            limits = self.limits(format_id)[0]
            self._size_limits[format_id] = tuple(
                (name, limits[name]["min"], limits[name]["max"], str if name in _TEXT_LIMITS else list)
                for name in _TEXT_LIMITS + _COUNT_LIMITS)
        return self._size_limits[format_id]

    @functools.cached_property
    def hints(self) -> dict:
        """What references may be, for the schema's suggestions: {path pattern: {id: names}},
        and the event's dates to read an ambiguous date (computed once, when needed)."""
        def names(item):
            n = item.get("name", {})
            return list(n.values()) if isinstance(n, dict) else [n]

        rooms = {rid: names(room) for rid, room in self.rooms.items()}
        event = self.event.data if self.event else {}
        return {
            ("format",): {fid: names(f) for fid, f in self.formats.items()},
            ("themes", "*"): {tid: list(doc.data["name"].values()) for tid, doc in self.themes.items()},
            ("languages", "*"): {lang["code"]: names(lang) for lang in event.get("languages", [])},
            ("schedule", "room"): rooms, ("schedule", "*", "room"): rooms,
            "dates": (self.first_day, self.last_day),
        }

    def timings(self, doc):
        """(index, slot, Timing) of each slot whose day is a calendar date."""
        for i, slot in enumerate(timeline.slots_of(doc.data)):
            t = timeline.timing(self.clock, slot, doc.data["duration"])
            if t is not None:
                yield i, slot, t

    def scheduled(self):
        """(id, doc, slot index, slot, Timing) of every slot the conflict rules can compare."""
        for pid, doc in self.proposals.items():
            if doc.data["status"] == "scheduled":
                for i, slot, t in self.timings(doc):
                    yield pid, doc, i, slot, t


# --- event settings ------------------------------------------------------------------------


def event_dates(ctx):
    """The event's dates are real calendar dates, the first not after the last, and each
    day with its own opening hours is an event day, listed once."""
    doc = ctx.event
    if doc is None:
        return
    for key in ("start", "end"):
        if timeline.parse_date(doc.data["dates"][key]) is None:
            yield _at(doc, ("dates", key), "invalid-date",
                      Msg("dates.%(key)s is %(dates)s, which is not a calendar date", key=key, dates=show(doc.data['dates'][key])),
                      Msg("write YYYY-MM-DD, for example 2016-12-07"))
    if ctx.first_day and ctx.last_day and ctx.first_day > ctx.last_day:
        yield _at(doc, ("dates", "end"), "invalid-date", Msg("the event ends before it starts"),
                  Msg("dates.end must be on or after dates.start"))
    venue = doc.data.get("venue_dates")
    if venue and ctx.clock.days:
        first, last = timeline.parse_date(venue["start"]), timeline.parse_date(venue["end"])
        for key, day in (("start", first), ("end", last)):
            if day is None:
                yield _at(doc, ("venue_dates", key), "invalid-date",
                          Msg("venue_dates.%(key)s is %(venue)s, which is not a calendar date", key=key, venue=show(venue[key])),
                          Msg("write YYYY-MM-DD, for example 2016-12-07"))
            elif not ctx.clock.in_event(day):
                yield _at(doc, ("venue_dates", key), "schedule-outside-event",
                          Msg("venue_dates.%(key)s %(venue)s is outside the event (%(first_day)s to %(last_day)s)", key=key, venue=venue[key], first_day=ctx.first_day, last_day=ctx.last_day),
                          Msg("the venue's days are some of the event's dates"))
        if first and last and first > last:
            yield _at(doc, ("venue_dates", "end"), "invalid-date", Msg("the venue closes before it opens"),
                      Msg("venue_dates.end must be on or after venue_dates.start"))
    seen = {}
    for i, entry in enumerate(doc.data.get("days", [])):
        day = timeline.parse_date(entry["date"])
        if day is None:
            yield _at(doc, ("days", i, "date"), "invalid-date",
                      Msg("days[%(i)s].date is %(date)s, which is not a calendar date", i=i, date=show(entry['date'])),
                      Msg("write YYYY-MM-DD, for example 2016-12-07"))
        elif ctx.clock.days and not ctx.clock.in_event(day):
            yield _at(doc, ("days", i, "date"), "schedule-outside-event",
                      Msg("days[%(i)s].date %(date)s is outside the event (%(first_day)s to %(last_day)s)", i=i, date=entry['date'], first_day=ctx.first_day, last_day=ctx.last_day),
                      Msg("list only event days, or change dates"))
        elif day in seen:
            yield _at(doc, ("days", i, "date"), "duplicate-id",
                      Msg("days[%(i)s].date %(date)s is already listed in days[%(seen)s]", i=i, date=entry['date'], seen=seen[day]),
                      Msg("give each day its opening hours once"))
        if day is not None:
            seen.setdefault(day, i)


def event_day_change(ctx):
    """Every event day opens at or after the day-change hour, and opening hours that run
    past midnight close at or before it: otherwise a session after midnight would belong
    to two days."""
    doc = ctx.event
    if doc is None:
        return
    clock = ctx.clock
    change = timeline.hhmm(clock.day_change)
    entries = [(("hours",), doc.data["hours"])] if "hours" in doc.data else []
    entries += [(("days", i), entry) for i, entry in enumerate(doc.data.get("days", []))]
    written = "day_change" in doc.data
    hint = Msg("set day_change to an hour between the latest closing and the earliest opening, for example "
               "day_change: \"05:00\" for a venue open 10:00–04:00")
    for path, entry in entries:
        hours = timeline._hours(entry)
        name = field_path(path)
        if hours.start < clock.day_change:
            yield _at(doc, path + ("start",), "day-change-mismatch",
                      Msg("%(name)s opens at %(start)s, before the event day begins at %(change)s (day_change)",
                          name=name, start=entry["start"], change=change) if written else
                      Msg("%(name)s opens at %(start)s, before the event day begins at %(change)s (day_change, from "
                          "the opening hours that run past midnight)", name=name, start=entry["start"], change=change),
                      hint)
        elif hours.crosses_midnight and hours.end > clock.day_change:
            yield _at(doc, path + ("end",), "day-change-mismatch",
                      Msg("%(name)s closes at %(end)s the next morning, after the next event day begins at %(change)s", name=name, end=entry['end'], change=change),
                      hint)


def event_timezone(ctx):
    """The time zone is a real IANA zone name (for example Europe/Paris)."""
    if ctx.event is None:
        return
    import zoneinfo

    name = ctx.event.data["timezone"]
    if timeline.zone(name) is None:
        available = zoneinfo.available_timezones()
        if available:  # without any time-zone database the name cannot be checked
            yield _at(ctx.event, ("timezone",), "unknown-timezone",
                      Msg("timezone is %(name)s, which is not a known time zone", name=show(name)),
                      suggest.closest(name, available))


def event_unique_ids(ctx):
    """Room, format and language ids are each listed once in event.yaml."""
    if ctx.event is None:
        return
    for section, key in (("rooms", "id"), ("formats", "id"), ("languages", "code")):
        seen = {}
        for i, item in enumerate(ctx.event.data[section]):
            if item[key] in seen:
                yield _at(ctx.event, (section, i, key), "duplicate-id",
                          Msg("%(section)s[%(i)s].%(key)s %(item)s is already used by %(section)s[%(seen)s]", section=section, i=i, key=key, item=show(item[key]), seen=seen[item[key]]),
                          Msg("give each entry its own id"))
            seen.setdefault(item[key], i)


def event_limits(ctx):
    """Each limit's minimum is not above its maximum, for the event and for each format."""
    if ctx.event is None:
        return
    data = ctx.event.data
    sources = [(("limits",), data.get("limits", {}))]
    sources += [(("formats", i, "limits"), f.get("limits", {})) for i, f in enumerate(data["formats"])]
    defaults = schema.limit_defaults()
    for path, limits in sources:
        for name, bounds in limits.items():
            low = bounds.get("min", defaults[name]["min"])
            high = bounds.get("max", defaults[name]["max"])
            if low > high:
                key = "min" if "min" in bounds else "max"
                yield _at(ctx.event, path + (name, key), "out-of-range",
                          Msg("%(field)s allows %(low)s to %(high)s: the minimum is above the maximum", field=field_path(path + (name,)), low=low, high=high),
                          Msg("make %(name)s.min at most %(name)s.max (defaults: %(min)s to %(max)s)", name=name, min=defaults[name]['min'], max=defaults[name]['max']))


# --- proposals against the settings and the themes ------------------------------------------


def known_references(ctx, doc):
    """Themes exist in themes/; format, rooms and languages exist in event.yaml."""
    d = doc.data
    for i, theme in enumerate(d.get("themes", [])):
        if theme not in ctx.themes:
            yield _at(doc, ("themes", i), "unknown-theme",
                      Msg("theme %(theme)s is not defined in themes/", theme=show(theme)), suggest.closest(theme, ctx.themes))
    if ctx.event is None:
        return
    if d["format"] not in ctx.formats:
        yield _at(doc, ("format",), "unknown-format",
                  Msg("format %(format)s is not one of the event's formats", format=show(d['format'])), suggest.closest(d["format"], ctx.formats))
    for i, lang in enumerate(d.get("languages", [])):
        if lang not in ctx.languages:
            yield _at(doc, ("languages", i), "unknown-language",
                      Msg("language %(lang)s is not one of the event's languages", lang=show(lang)), suggest.closest(lang, ctx.languages))
    for i, slot in enumerate(timeline.slots_of(d)):
        path = timeline.slot_path(d, i)
        name = field_path(path)
        if "room" in slot and "place" in slot:
            yield _at(doc, path + ("place",), "invalid-value",
                      Msg("%(name)s has both a room and a place: a session is either in a room of the venue or elsewhere", name=name),
                      Msg("keep `room` for the venue, or `place` for a session held elsewhere"))
        elif "room" not in slot and "place" not in slot:
            yield _at(doc, path, "missing-field", Msg("%(name)s says when, but not where", name=name),
                      Msg("add `room:` (a room id from event.yaml) for the venue, or `place:` (city and country, or online: true) for a session held elsewhere"))
        elif "room" in slot and slot["room"] not in ctx.rooms:
            yield _at(doc, path + ("room",), "unknown-room",
                      Msg("room %(room)s is not one of the event's rooms", room=show(slot['room'])), suggest.closest(slot["room"], ctx.rooms))
        elif "place" in slot and not slot["place"].get("online") and not (
                "city" in slot["place"] and "country" in slot["place"]):
            yield _at(doc, path + ("place",), "missing-field",
                      Msg("%(name)s.place needs a city and a country, or `online: true`", name=name),
                      Msg("for example: place: {name: \"Mairie du 2e\", city: Paris, country: FR}"))


def step_free_rooms(ctx, doc):
    """A session that promises step-free access is only held in rooms marked step_free:
    otherwise its page would say "step-free access" beside a room with stairs."""
    if doc.data.get("accessibility", {}).get("step_free_access") is not True:
        return
    d = doc.data
    for i, slot in enumerate(timeline.slots_of(d)):
        room = ctx.rooms.get(slot.get("room"))
        if room is not None and room.get("step_free") is not True:
            accessible = sorted(rid for rid, room in ctx.rooms.items() if room.get("step_free") is True)
            message = (Msg("the session promises step-free access, but room %(room)s has stairs", room=show(slot["room"]))
                       if room.get("step_free") is False else
                       Msg("the session promises step-free access, but room %(room)s is not known to be step-free",
                           room=show(slot["room"])))
            yield _at(doc, timeline.slot_path(d, i) + ("room",), "step-free-room", message,
                      Msg("choose a step-free room: %(rooms)s", rooms=suggest.listing(accessible)) if accessible else
                      Msg("mark step-free rooms with `step_free: true` in event.yaml, or ask the proposers"))


def placeholders(ctx, doc):
    """No text is left as the proposal template wrote it ("Title of my session", "Your
    Name"): the template's example values are the `examples` of the schema's fields.

    One pass over the file's strings (`Document.strings`, collected by the loader): the
    field's name, then the length and the first and last letters rule out nearly every
    value before it is normalised; a Markdown text costs one search for the example's
    sentences."""
    index, names = _placeholder_index()
    for path, value in doc.strings:
        if path[-1] not in names:
            continue
        entry = index.get(path if len(path) == 1 else path_pattern(path))
        if entry is None:
            continue
        whole, lines, sizes, ends = entry
        if (len(value) in sizes and _ends(value) in ends and _words(value) in whole) or (
                lines is not None and lines.search("\n" + value)):
            yield _at(doc, path, "placeholder-text",
                      Msg("%(field)s still holds the template's example text %(value)s", field=field_path(path),
                          value=show(value, 40)),
                      Msg("replace it with your own words"))


_MARKDOWN_FIELDS = ("description",)


@functools.cache
def _placeholder_index():
    """({pattern: (the examples' words; for Markdown, a pattern of their sentences of 20
    characters or more, headings aside (structure a contributor may keep), spaces and case
    aside; the lengths and the first and last letters a value must have)}, the fields'
    names): built once, so that a proposal costs a few look-ups.

    The sentence pattern is searched in the text after a line break of its own: each line
    start is then a line break, which the regular-expression engine finds by scanning (not
    trying every position), and the spaces before a sentence are spaces of its line only,
    so that a run of many empty lines costs a step each, not a search of the rest of the
    run from each of them (which took 37 s for 60,000 of them)."""
    index = {}
    for pattern, examples in schema.examples("proposal").items():
        lines = None
        if pattern[-1] in _MARKDOWN_FIELDS:  # one search, in C, for any of the example's sentences
            sentences = [line.split() for e in examples for line in e.splitlines()
                         if len(line.strip()) >= 20 and not line.startswith("#")]
            lines = re.compile(r"\n[^\S\n]*(?:" + "|".join(r"\s+".join(map(re.escape, words)) + r"\s*$" for words in sentences) + ")",
                               re.IGNORECASE | re.MULTILINE)
        sizes = frozenset(size for e in examples for size in range(len(e) - 20, len(e) + 21))  # spaces and case aside
        index[pattern] = ({_words(e) for e in examples}, lines, sizes, frozenset(_ends(e) for e in examples))
    return index, frozenset(pattern[-1] for pattern in index)


def _ends(text):
    """The first and last four letters, case and surrounding spaces aside."""
    text = text.strip()
    return (text[:4] + text[-4:]).casefold()


def _words(text):
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


_TEXT_LIMITS = ("title", "summary", "description")
_DEFAULT_LIMITS = Msg("the default limits (see limits in schema/event.schema.json)")
_COUNT_LIMITS = ("themes", "languages", "proposers")


def proposal_limits(ctx, doc, skip=frozenset()):
    """Texts are as long, lists as full and durations as long as the event's limits allow
    (limits in event.yaml, or the format's own; the schema's defaults otherwise).

    Also run on a file with schema errors, so that every problem of a file shows at once:
    values of the wrong type, and fields named in `skip` (those with a schema error
    already), are left to the schema's messages."""
    d = doc.data
    fmt = d.get("format")
    limits, origin = ctx.limits(fmt if isinstance(fmt, str) else None)

    def where(name):
        return origin.get(name, _DEFAULT_LIMITS)

    for name, low, high, kind in ctx.size_limits(fmt if isinstance(fmt, str) else None):
        if name in skip:
            continue
        value = d.get(name)
        if isinstance(value, kind) and low <= len(value) <= high:
            continue  # the common case, decided without building any message
        characters = kind is str
        hint = _limits_hint(where(name), name, low, high, characters)
        if name not in d:
            if low > 0:
                yield _at(doc, (), "missing-field",
                          Msg.plural("the field `%(name)s` is missing; this event asks for at least %(num)s character",
                                     "the field `%(name)s` is missing; this event asks for at least %(num)s characters",
                                     low, name=name) if characters else
                          Msg("the field `%(name)s` is missing; this event asks for at least %(low)s", name=name, low=low),
                          Msg("add `%(name)s:`. %(description)s", name=name,
                              description=Msg(schema.describe("proposal", (name,)))))
            continue
        if not isinstance(d[name], str if characters else list):
            continue
        size = len(d[name])
        if size < low:
            rule = "too-short" if characters else "too-few-items"
            yield _at(doc, (name,), rule, (
                Msg.plural("%(name)s has %(num)s character; this event asks for at least %(low)s",
                           "%(name)s has %(num)s characters; this event asks for at least %(low)s", size, name=name, low=low)
                if characters else
                Msg.plural("%(name)s has %(num)s item; this event asks for at least %(low)s",
                           "%(name)s has %(num)s items; this event asks for at least %(low)s", size, name=name, low=low)),
                hint)
        elif size > high:
            rule = "too-long" if characters else "too-many-items"
            yield _at(doc, (name,), rule, (
                Msg.plural("%(name)s has %(num)s character; this event allows at most %(high)s",
                           "%(name)s has %(num)s characters; this event allows at most %(high)s", size, name=name, high=high)
                if characters else
                Msg.plural("%(name)s has %(num)s item; this event allows at most %(high)s",
                           "%(name)s has %(num)s items; this event allows at most %(high)s", size, name=name, high=high)),
                hint)
    bounds = limits["duration"]
    durations = [(("duration",), d.get("duration"))]
    if isinstance(d.get("schedule"), (dict, list)):
        durations += [(timeline.slot_path(d, i) + ("duration",), slot.get("duration"))
                      for i, slot in enumerate(timeline.slots_of(d)) if isinstance(slot, dict)]
    for path, value in durations:
        if type(value) is not int or (skip and field_path(path) in skip):
            continue
        if not bounds["min"] <= value <= bounds["max"] or value % bounds["step"]:
            yield _at(doc, path, "out-of-range",
                      Msg("%(field)s is %(value)s minutes; it must be %(min)s to %(max)s minutes, in steps of %(step)s", field=field_path(path), value=value, min=bounds['min'], max=bounds['max'], step=bounds['step']),
                      Msg("%(where)s sets the durations; 60 is an hour, 1440 a day", where=where('duration')))


def check_invalid_proposal(ctx, doc, problems):
    """The rules that still make sense for a file with schema errors (`problems`): its
    limits, so that a contributor sees every problem of the file at once."""
    skip = frozenset(p.field.split("[")[0].split(".")[0] for p in problems if p.field) | {
        p.field for p in problems if p.field}
    return list(proposal_limits(ctx, doc, skip))


def status_and_schedule(ctx, doc):
    """A proposal has a schedule exactly when its status is scheduled."""
    status, has = doc.data["status"], "schedule" in doc.data
    if status == "scheduled" and not has:
        yield _at(doc, ("status",), "status-schedule-mismatch",
                  Msg("the status is scheduled but there is no schedule"),
                  Msg("add `schedule:` with day, start and room, or change the status to accepted"))
    elif has and status != "scheduled":
        yield _at(doc, ("schedule",), "status-schedule-mismatch",
                  Msg("the proposal has a schedule but its status is %(status)s", status=status),
                  Msg("set `status: scheduled`, or remove the schedule"))


_MINUTE = dt.timedelta(minutes=1)


def _clock_time(wall):
    return f"{wall:%Y-%m-%d %H:%M}"


def schedule_times(ctx, doc):
    """Each slot's day is a real date within the event; its start exists on the clock; its
    end, when written, agrees with the duration; and it starts and ends while the venue is
    open (a session may run past midnight or over several days, but not outside the event)."""
    clock = ctx.clock
    d = doc.data
    for i, slot in enumerate(timeline.slots_of(d)):
        path = timeline.slot_path(d, i)
        day = timeline.parse_date(slot["day"])
        if day is None:
            yield _at(doc, path + ("day",), "invalid-date",
                      Msg("%(field)s is %(day)s, which is not a calendar date", field=field_path(path + ('day',)), day=show(slot['day'])),
                      Msg("write YYYY-MM-DD, for example 2016-12-07"))
            continue
        if clock.days and not clock.in_event(day):
            yield _at(doc, path + ("day",), "schedule-outside-event",
                      Msg("%(field)s %(day)s is outside the event (%(first_day)s to %(last_day)s)", field=field_path(path + ('day',)), day=slot['day'], first_day=ctx.first_day, last_day=ctx.last_day),
                      Msg("choose a day within the event's dates"))
            continue
        if "room" in slot and not clock.venue_open(day):
            yield _at(doc, path + ("day",), "schedule-outside-event",
                      Msg("%(field)s %(day)s is outside the days the venue is open (%(venue_first)s to %(venue_last)s)", field=field_path(path + ('day',)), day=slot['day'], venue_first=clock.venue_first, venue_last=clock.venue_last),
                      Msg("choose a day when the venue is open, or give a `place` instead of a room for a session held elsewhere"))
            continue
        t = timeline.timing(clock, slot, d["duration"])
        if not clock.exists(t.start):
            yield _at(doc, path + ("start",), "invalid-date",
                      Msg("%(clock_time)s does not exist in %(timezone)s: the clocks go forward that night", clock_time=_clock_time(t.start), timezone=ctx.event.data['timezone']),
                      Msg("choose a start an hour later"))
            continue
        if "end" in slot and timeline.minutes(slot["end"]) != t.end.hour * 60 + t.end.minute:
            yield _at(doc, path + ("end",), "schedule-duration-mismatch",
                      Msg("starting at %(start)s and lasting %(duration)s minutes, the session ends at %(end)s, not %(end2)s", start=slot['start'], duration=t.duration, end=format(t.end, '%H:%M'), end2=slot['end']),
                      Msg("make the end time or the duration agree, or remove `end`"))
        if not clock.days or ctx.event is None:
            continue
        if "room" not in slot:  # held elsewhere: the venue's hours do not apply, the event's days do
            if clock.event_day_of(t.end - _MINUTE) > ctx.last_day:
                yield _at(doc, path + ("start",), "schedule-outside-event",
                          Msg("the session ends at %(clock_time)s, after the event's last day (%(last_day)s)", clock_time=_clock_time(t.end), last_day=ctx.last_day),
                          Msg("shorten it, or start it earlier"))
            continue
        opens, closes = clock.opening(day)
        hours = clock.hours_of(day)
        label = hours.label() if hours else ""
        if not opens <= t.start < closes:
            yield _at(doc, path + ("start",), "schedule-outside-hours",
                      Msg("%(start)s on %(day)s is outside the opening hours of that day (%(label)s)", start=slot['start'], day=slot['day'], label=label),
                      Msg("choose a start within the event's opening hours") if clock.day_change or t.start >= opens else
                      Msg("choose a start within the event's opening hours; a night session after midnight needs "
                          "day_change in event.yaml"))
            continue
        if t.end <= closes:
            continue
        if clock.event_day_of(t.end - _MINUTE) > ctx.last_day:
            yield _at(doc, path + ("start",), "schedule-outside-event",
                      Msg("the session ends at %(clock_time)s, after the event's last day (%(last_day)s)", clock_time=_clock_time(t.end), last_day=ctx.last_day),
                      Msg("shorten it, or start it earlier"))
        elif clock.closing_day(t.end) is None:
            yield _at(doc, path + ("start",), "schedule-outside-hours",
                      Msg("the session ends at %(clock_time)s, when the venue is closed (opening hours of %(day)s: %(label)s)", clock_time=_clock_time(t.end), day=slot['day'], label=label),
                      Msg("shorten it, start it earlier, or choose a later day"))


def duplicate_people(ctx, doc):
    """A person is listed once per proposal: names are compared the way people read them
    (Unicode normalisation, case and spaces aside), GitHub names and guids exactly."""
    people = doc.data.get("proposers", ())
    if len(people) < 2:
        return
    seen = {}
    for i, person in enumerate(people):
        keys = _identities(person)
        known = [key for key in keys if key in seen]  # seen holds the people before this one
        if known:
            yield _at(doc, ("proposers", i), "duplicate-item",
                      Msg("proposers[%(i)s] is the same person as proposers[%(seen)s] (%(name)s)", i=i, seen=seen[min(known)], name=show(person['name'])),
                      Msg("list each person once"))
        for key in keys:
            seen.setdefault(key, i)


def acknowledgements(ctx, doc):
    """Only warnings can be acknowledged, each by its rule id."""
    for i, ack in enumerate(doc.data.get("acknowledged", [])):
        if ack["rule"] not in catalogue.WARNING_RULES - {"unused-acknowledgement"}:
            message = (Msg("acknowledged[%(i)s].rule is %(rule)s: an error, which must be fixed; only warnings can be "
                           "acknowledged", i=i, rule=show(ack["rule"])) if ack["rule"] in catalogue.RULES else
                       Msg("acknowledged[%(i)s].rule is %(rule)s: not a rule id; only warnings can be acknowledged",
                           i=i, rule=show(ack["rule"])))
            yield _at(doc, ("acknowledged", i, "rule"), "not-allowed", message,
                      Msg("warnings that can be acknowledged: %(rules)s",
                          rules=", ".join(sorted(catalogue.WARNING_RULES - {"unused-acknowledgement"}))))


def _sweep(items):
    """Pairs of items (begin, end, ...) whose times overlap, each pair once."""
    items.sort(key=lambda x: (x[0], x[1], x[2:4]))
    active = []
    for item in items:
        active = [a for a in active if a[1] > item[0]]
        for other in active:
            yield other, item
        active.append(item)


def _when(doc, index, timing):
    return f"{_clock_time(timing.start)}–{timing.end:%H:%M}"


def room_conflicts(ctx):
    """No two sessions are in the same room at the same time, unless the room is shared
    (sessions side by side on purpose); a slot may run past midnight or over days."""
    groups = defaultdict(list)
    for pid, doc, i, slot, t in ctx.scheduled():
        room = ctx.rooms.get(slot.get("room"))
        if room is not None and not room.get("shared"):
            groups[slot["room"]].append((t.begin_abs, t.end_abs, pid, i, doc, t))
    for room, items in sorted(groups.items()):
        for a, b in _sweep(items):
            for mine, other in ((a, b), (b, a)):
                doc = mine[4]
                what = (Msg("slot %(number)s of this proposal", number=other[3] + 1) if mine[2] == other[2]
                        else show(other[2]))
                yield _at(doc, timeline.slot_path(doc.data, mine[3]) + ("room",), "room-conflict",
                          Msg("room %(room)s is also used by %(what)s at %(when)s", room=show(room), what=what, when=_when(other[4], other[3], other[5])),
                          Msg("choose another room or time; see %(path)s. If sessions run side by side there on purpose, mark the room `shared: true` in event.yaml", path=other[4].path),
                          related=other[2])


def _identities(proposer):
    """How a person is recognised: a guid or a GitHub name surely, a name probably (the same
    name may be two people). Names compare as read: Unicode normalisation, case and spaces aside."""
    name = proposer["name"]
    name = " ".join((name if name.isascii() else unicodedata.normalize("NFKC", name)).casefold().split())
    keys = {"name:" + name}
    if proposer.get("github"):
        keys.add("github:" + proposer["github"].lower())
    if proposer.get("guid"):
        keys.add("guid:" + proposer["guid"])
    return keys


def proposer_conflicts(ctx):
    """Nobody is in two sessions at the same time: a warning, since real programmes list a
    host of parallel self-organised sessions on purpose; it says whether it is surely the same
    person (same GitHub name or guid) or only the same name (two people may share a name)."""
    groups = defaultdict(list)
    for pid, doc, i, slot, t in ctx.scheduled():
        for j, person in enumerate(doc.data["proposers"] if "proposers" in doc.data else ()):
            for key in _identities(person):
                groups[key].append((t.begin_abs, t.end_abs, pid, i, doc, t, j))
    pairs = {}
    for key, items in sorted(groups.items()):
        for a, b in _sweep(items):
            if a[2] != b[2]:
                found = pairs.setdefault(tuple(sorted((a[2], b[2]))), [a, b, False])
                found[2] = found[2] or not key.startswith("name:")
    for key in sorted(pairs):
        a, b, sure = pairs[key]
        for mine, other in ((a, b), (b, a)):
            doc = mine[4]
            name = doc.data["proposers"][mine[6]]["name"]
            values = {"name": show(name), "other": show(other[2]), "when": _when(other[4], other[3], other[5]),
                      "path": other[4].path}
            if sure:
                message = Msg("%(name)s is also in %(other)s at the same time (%(when)s) (the same account)", **values)
                hint = Msg("move one of the sessions (see %(path)s), or, if this is intended (a host of parallel "
                           "sessions), acknowledge this warning", **values)
            else:
                message = Msg("%(name)s is also in %(other)s at the same time (%(when)s): if this is the same person, "
                              "they cannot be in both", **values)
                hint = Msg("move one of the sessions (see %(path)s), or, if this is intended (a host of parallel "
                           "sessions, or two people with the same name), acknowledge this warning", **values)
            yield _at(doc, ("proposers", mine[6], "name"), "proposer-conflict", message, hint,
                      severity=WARNING, related=other[2])


_STOPWORDS = frozenset(
    "a an and the of for in on to with by at from or de des du la le les et en un une pour sur "
    "dans par au aux avec l d".split()
)
_NOT_WORDS = _STOPWORDS | {""}


# What is not a word character: not 0-9, a-z, or another character of the BMP. Written as what
# it is (not as `[^0-9a-z\u0080-\uffff]`, whose compilation takes 3 ms of every check).
_WORD_BREAKS = re.compile(r"[\x00-/:-`{-\x7f\U00010000-\U0010ffff]+")
_MAY_COMBINE = re.compile(r"[^\x00-\u02ff]+")  # no character before U+0300 is a combining mark


def _without_marks(match):
    return "".join([c for c in match.group() if not unicodedata.combining(c)])


def title_words(title):
    """The words that make a title, for comparing titles: case, accents and small words aside."""
    text = title.casefold()
    if not text.isascii():
        text = _MAY_COMBINE.sub(_without_marks, unicodedata.normalize("NFKD", text))
    return frozenset(_WORD_BREAKS.split(text)) - _NOT_WORDS


MAX_NEAR_DUPLICATES = 5  # shown per proposal; more is a cluster of copies, summed up in one warning


def near_duplicate_titles(ctx, threshold=0.8):
    """Titles that share most of their words (Jaccard >= 0.8, ignoring case, accents, order and
    small words) are reported as warnings: the proposers may want to merge. A proposal shows
    at most MAX_NEAR_DUPLICATES of them (those a reviewer acknowledged first), then one
    warning for the rest: a thousand copies of one title make a few warnings each, not a
    million, and the search stops looking for more once it has found that many."""
    tokens = {pid: doc.data.get(TITLE_WORDS) or title_words(doc.data["title"]) for pid, doc in ctx.proposals.items()}
    factor = threshold / (1 + threshold)  # Jaccard >= t  <=>  overlap >= t/(1+t) * (|x| + |y|)
    pairs = _similar_title_pairs(tokens, threshold, factor)
    acknowledged = set()  # pairs an acknowledgement names are always looked at, and shown first
    for pid, doc in ctx.proposals.items():
        for ack in doc.data.get(ACKNOWLEDGED, ()):
            other = ack.get("with")
            if ack["rule"] == "near-duplicate-title" and other in tokens and other != pid:
                pair = (min(pid, other), max(pid, other))
                acknowledged.add(pair)
                mine, theirs = tokens[pid], tokens[other]
                if mine and theirs and len(mine & theirs) >= factor * (len(mine) + len(theirs)) - 1e-9:
                    pairs.add(pair)
    partners = defaultdict(set)
    for first, second in pairs:
        partners[first].add(second)
        partners[second].add(first)
    for mine in sorted(partners):
        others = sorted(partners[mine], key=lambda other: ((min(mine, other), max(mine, other)) not in acknowledged, other))
        doc = ctx.proposals[mine]
        for other in others[:MAX_NEAR_DUPLICATES]:
            yield _at(doc, ("title",), "near-duplicate-title",
                      Msg("the title is very close to that of %(other)s: %(title)s", other=show(other), title=show(ctx.proposals[other].data['title'])),
                      Msg("if both describe the same session, merge them (a proposal can hold several slots); if they are different sessions, acknowledge this warning. See %(path)s", path=ctx.proposals[other].path),
                      severity=WARNING, related=other)
        rest = others[MAX_NEAR_DUPLICATES:]
        if rest:
            yield _at(doc, ("title",), "near-duplicate-title",
                      Msg.plural("the title is also very close to that of %(num)s more proposal, such as %(other)s",
                                 "the title is also very close to those of at least %(num)s more proposals, such as %(other)s",
                                 len(rest), other=show(rest[0])),
                      Msg("if they are copies of one session, merge them into one proposal with several slots; if they are different sessions, acknowledge this warning without `with` to accept them all"),
                      severity=WARNING)


def _similar_title_pairs(tokens, threshold, factor):
    """{(id, id)} of the titles whose words reach the threshold, each title with at most
    MAX_NEAR_DUPLICATES + 1 of the titles before it (enough to say there are more).

    Prefix filtering, as in set-similarity joins (AllPairs, PPJoin), on pairs of words (as
    pkwise signatures do): a pair of titles with Jaccard >= t shares at least r words, and
    its k rarest shared words lie among the first len - r + k rarest shareable words of each
    title (words of one title only are never shared). So each title is indexed under the
    pairs of words (k = 2; single words for one-word titles, which can only match one-word
    titles) of that prefix, and looks up the pairs of its own: two titles meet only if they
    share two of their rarer words, not one word that thousands of titles hold. Titles are
    taken shortest first, so a title is only compared with titles no longer than it: those
    need r >= 2t/(1+t) * n of their own words in common (their indexed prefix), the one
    looking needs r >= t * n (its prefix), and only sizes from t * n to n can reach the
    threshold (the length filter). Candidates are verified by intersection."""
    frequency = Counter(itertools.chain.from_iterable(tokens.values()))
    rank = {t: i for i, (_, t) in enumerate(sorted((n, t) for t, n in frequency.items() if n > 1))}
    index = defaultdict(lambda: defaultdict(list))  # key (words) -> size -> [(id, words)]
    pairs = set()
    enough = MAX_NEAR_DUPLICATES + 1
    for pid in sorted(tokens, key=lambda pid: (len(tokens[pid]), pid)):
        mine = tokens[pid]
        size = len(mine)
        need = math.ceil(threshold * size - 1e-9)
        shareable = sorted([rank[t] for t in mine if t in rank])
        if not size or len(shareable) < need:
            continue
        k = 2 if need >= 2 else 1  # need >= 2 exactly when the title has two words or more
        found = _probe(index, mine, shareable[: len(shareable) - need + k], k, need, size, factor, enough)
        indexed = len(shareable) - math.ceil(2 * factor * size - 1e-9) + k
        for key in itertools.combinations(shareable[:indexed], k):
            index[key][size].append((pid, mine))
        pairs.update((min(other, pid), max(other, pid)) for other in found)
    return pairs


def _probe(index, mine, prefix, k, need, size, factor, enough):
    """The titles indexed so far that are similar to `mine`: up to `enough` of them."""
    found, seen = set(), set()
    sizes = range(need, size + 1)  # the length filter: from t * n words up to n
    for key in itertools.combinations(prefix, k):
        by_size = index.get(key)
        if by_size is None:
            continue
        for other_size in sizes:
            entries = by_size.get(other_size)
            if entries is None:
                continue
            required = factor * (size + other_size) - 1e-9
            for other, theirs in entries:
                if other in seen:
                    continue
                seen.add(other)
                if len(mine & theirs) >= required:
                    found.add(other)
                    if len(found) >= enough:
                        return found
    return found
    return found


def unused_acknowledgements(ctx, problems):
    """Acknowledged warnings stop showing. A warning about a pair of proposals (two similar
    titles, one name in two places) is reported on both files; acknowledging it in either
    (`with:` the other, or without `with` for every warning of that rule) settles both. An
    acknowledgement that matches no warning any more is itself a warning, so that stale
    ones get cleaned up. Returns (problems kept, problems acknowledged)."""
    by_file = {doc.path: pid for pid, doc in ctx.proposals.items()}

    def owner(problem):
        return None if problem.is_error else by_file.get(problem.file)

    settled, used = set(), set()
    for problem in problems:
        pid = owner(problem)
        if pid is None:
            continue
        for i, ack in enumerate(ctx.proposals[pid].data.get(ACKNOWLEDGED, ())):
            if ack["rule"] == problem.rule and ack.get("with", problem.related) == problem.related:
                settled.add((problem.rule, frozenset((pid, problem.related))))
                used.add((pid, i))
                break
    kept, acknowledged = [], []
    for problem in problems:
        pid = owner(problem)
        pair = (problem.rule, frozenset((pid, problem.related)))
        (acknowledged if pid is not None and pair in settled else kept).append(problem)
    for pid, doc in sorted(ctx.proposals.items()):
        for i, ack in enumerate(doc.data.get(ACKNOWLEDGED, ())):
            if (pid, i) not in used and ack["rule"] in catalogue.WARNING_RULES:
                message = (Msg("acknowledged[%(i)s] accepts a %(rule)s warning about %(other)s that no longer appears",
                               i=i, rule=show(ack["rule"]), other=show(ack["with"])) if "with" in ack else
                           Msg("acknowledged[%(i)s] accepts a %(rule)s warning that no longer appears",
                               i=i, rule=show(ack["rule"])))
                kept.append(_at(doc, (ACKNOWLEDGED, i), "unused-acknowledgement", message,
                                Msg("remove this acknowledgement"), severity=WARNING))
    return kept, acknowledged


ACKNOWLEDGED = "acknowledged"

# Rules on the settings alone, on one proposal (run in the worker that loaded it), and
# across proposals (run once, on the few fields they need).
EVENT_RULES = (event_dates, event_day_change, event_timezone, event_unique_ids, event_limits)
PROPOSAL_RULES = (known_references, proposal_limits, status_and_schedule, schedule_times, step_free_rooms,
                  duplicate_people, placeholders, acknowledgements)
CROSS_RULES = (room_conflicts, proposer_conflicts, near_duplicate_titles)
SCHEDULE_FIELDS = ("schedule", "duration")


def cross_facts(data):
    """What the cross-proposal rules read of a proposal: all a worker process sends back
    when the full data is not needed, with the title's words already computed. Only
    scheduled proposals are compared for conflicts (`Context.scheduled`), so only theirs
    carry the schedule and the people."""
    facts = {"title": data["title"], "status": data["status"], TITLE_WORDS: title_words(data["title"])}
    if ACKNOWLEDGED in data:
        facts[ACKNOWLEDGED] = data[ACKNOWLEDGED]
    if data["status"] == "scheduled":
        for key in SCHEDULE_FIELDS:
            if key in data:
                facts[key] = data[key]
        facts["proposers"] = [{k: p[k] for k in ("name", "github", "guid") if k in p} for p in data.get("proposers", ())]
    return facts


TITLE_WORDS = "title words"  # not a field name (fields have no spaces): a computed fact


def check_proposal(ctx, doc):
    problems = []
    for rule in PROPOSAL_RULES:
        problems.extend(rule(ctx, doc))
    return problems


def run_rules(ctx):
    """The settings and cross-proposal rules (proposal rules ran with each file)."""
    problems = []
    for rule in EVENT_RULES + CROSS_RULES:
        problems.extend(rule(ctx))
    return problems
