"""Rules across files. Each rule is a small generator; its docstring is the rule.

Rules receive only documents that passed their schema, so they can trust types; they never
read files. Three registries at the end say when each rule runs; `catalogue.RULES` lists
every rule id, and a test keeps it equal to the README's rule table.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections import defaultdict

from . import catalogue, schema, suggest, timeline
from .problems import ERROR, WARNING, Problem, field_path, show


def _at(doc, path, rule, message, hint="", severity=ERROR, related=""):
    line, col = doc.where(path)
    return Problem(doc.path, line, col, severity, rule, message, field_path(path), hint, related)


def _limits_hint(where, name, low, high, unit):
    return f"{where} sets {name} to {low}–{high} {unit}"


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
        self._limits = {}

    def limits(self, format_id):
        """(limits, where they are set) for a proposal of this format: each bound from the
        format's limits, else the event's, else the schema's default."""
        if format_id not in self._limits:
            event_limits = (self.event.data if self.event else {}).get("limits", {})
            fmt = self.formats.get(format_id, {}).get("limits", {})
            merged, origin = {}, {}
            for name, bounds in schema.limit_defaults().items():
                merged[name] = dict(bounds)
                for source, where in ((event_limits, "event.yaml"), (fmt, f"the format {show(format_id)} in event.yaml")):
                    for key, value in source.get(name, {}).items():
                        merged[name][key] = value
                        origin[name] = where
            self._limits[format_id] = merged, origin
        return self._limits[format_id]

    def hints(self) -> dict:
        """What references may be, for the schema's suggestions: {path pattern: {id: names}},
        and the event's dates to read an ambiguous date."""
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
                      f"dates.{key} is {show(doc.data['dates'][key])}, which is not a calendar date",
                      "write YYYY-MM-DD, for example 2016-12-07")
    if ctx.first_day and ctx.last_day and ctx.first_day > ctx.last_day:
        yield _at(doc, ("dates", "end"), "invalid-date", "the event ends before it starts",
                  "dates.end must be on or after dates.start")
    venue = doc.data.get("venue_dates")
    if venue and ctx.clock.days:
        first, last = timeline.parse_date(venue["start"]), timeline.parse_date(venue["end"])
        for key, day in (("start", first), ("end", last)):
            if day is None:
                yield _at(doc, ("venue_dates", key), "invalid-date",
                          f"venue_dates.{key} is {show(venue[key])}, which is not a calendar date",
                          "write YYYY-MM-DD, for example 2016-12-07")
            elif not ctx.clock.in_event(day):
                yield _at(doc, ("venue_dates", key), "schedule-outside-event",
                          f"venue_dates.{key} {venue[key]} is outside the event ({ctx.first_day} to {ctx.last_day})",
                          "the venue's days are some of the event's dates")
        if first and last and first > last:
            yield _at(doc, ("venue_dates", "end"), "invalid-date", "the venue closes before it opens",
                      "venue_dates.end must be on or after venue_dates.start")
    seen = {}
    for i, entry in enumerate(doc.data.get("days", [])):
        day = timeline.parse_date(entry["date"])
        if day is None:
            yield _at(doc, ("days", i, "date"), "invalid-date",
                      f"days[{i}].date is {show(entry['date'])}, which is not a calendar date",
                      "write YYYY-MM-DD, for example 2016-12-07")
        elif ctx.clock.days and not ctx.clock.in_event(day):
            yield _at(doc, ("days", i, "date"), "schedule-outside-event",
                      f"days[{i}].date {entry['date']} is outside the event ({ctx.first_day} to {ctx.last_day})",
                      "list only event days, or change dates")
        elif day in seen:
            yield _at(doc, ("days", i, "date"), "duplicate-id",
                      f"days[{i}].date {entry['date']} is already listed in days[{seen[day]}]",
                      "give each day its opening hours once")
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
    hint = ("set day_change to an hour between the latest closing and the earliest opening, for example "
            "day_change: \"05:00\" for a venue open 10:00–04:00")
    for path, entry in entries:
        hours = timeline._hours(entry)
        name = field_path(path)
        if hours.start < clock.day_change:
            yield _at(doc, path + ("start",), "day-change-mismatch",
                      f"{name} opens at {entry['start']}, before the event day begins at {change} "
                      f"(day_change{'' if written else ', from the opening hours that run past midnight'})",
                      hint)
        elif hours.crosses_midnight and hours.end > clock.day_change:
            yield _at(doc, path + ("end",), "day-change-mismatch",
                      f"{name} closes at {entry['end']} the next morning, after the next event day begins at {change}",
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
                      f"timezone is {show(name)}, which is not a known time zone",
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
                          f"{section}[{i}].{key} {show(item[key])} is already used by {section}[{seen[item[key]]}]",
                          "give each entry its own id")
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
                          f"{field_path(path + (name,))} allows {low} to {high}: the minimum is above the maximum",
                          f"make {name}.min at most {name}.max (defaults: {defaults[name]['min']} to {defaults[name]['max']})")


# --- proposals against the settings and the themes ------------------------------------------


def known_references(ctx, doc):
    """Themes exist in themes/; format, rooms and languages exist in event.yaml."""
    d = doc.data
    for i, theme in enumerate(d.get("themes", [])):
        if theme not in ctx.themes:
            yield _at(doc, ("themes", i), "unknown-theme",
                      f"theme {show(theme)} is not defined in themes/", suggest.closest(theme, ctx.themes))
    if ctx.event is None:
        return
    if d["format"] not in ctx.formats:
        yield _at(doc, ("format",), "unknown-format",
                  f"format {show(d['format'])} is not one of the event's formats", suggest.closest(d["format"], ctx.formats))
    for i, lang in enumerate(d.get("languages", [])):
        if lang not in ctx.languages:
            yield _at(doc, ("languages", i), "unknown-language",
                      f"language {show(lang)} is not one of the event's languages", suggest.closest(lang, ctx.languages))
    for i, slot in enumerate(timeline.slots_of(d)):
        path = timeline.slot_path(d, i)
        name = field_path(path)
        if "room" in slot and "place" in slot:
            yield _at(doc, path + ("place",), "invalid-value",
                      f"{name} has both a room and a place: a session is either in a room of the venue or elsewhere",
                      "keep `room` for the venue, or `place` for a session held elsewhere")
        elif "room" not in slot and "place" not in slot:
            yield _at(doc, path, "missing-field", f"{name} says when, but not where",
                      "add `room:` (a room id from event.yaml) for the venue, or `place:` (city and country, "
                      "or online: true) for a session held elsewhere")
        elif "room" in slot and slot["room"] not in ctx.rooms:
            yield _at(doc, path + ("room",), "unknown-room",
                      f"room {show(slot['room'])} is not one of the event's rooms", suggest.closest(slot["room"], ctx.rooms))
        elif "place" in slot and not slot["place"].get("online") and not (
                "city" in slot["place"] and "country" in slot["place"]):
            yield _at(doc, path + ("place",), "missing-field",
                      f"{name}.place needs a city and a country, or `online: true`",
                      "for example: place: {name: \"Mairie du 2e\", city: Paris, country: FR}")


def step_free_rooms(ctx, doc):
    """A session that promises step-free access is only held in rooms marked step_free:
    otherwise its page would say "step-free access" beside a room with stairs."""
    if doc.data.get("accessibility", {}).get("step_free_access") is not True:
        return
    d = doc.data
    accessible = sorted(rid for rid, room in ctx.rooms.items() if room.get("step_free") is True)
    for i, slot in enumerate(timeline.slots_of(d)):
        room = ctx.rooms.get(slot.get("room"))
        if room is not None and room.get("step_free") is not True:
            state = "has stairs" if room.get("step_free") is False else "is not known to be step-free"
            yield _at(doc, timeline.slot_path(d, i) + ("room",), "step-free-room",
                      f"the session promises step-free access, but room {show(slot['room'])} {state}",
                      ("choose a step-free room: " + suggest.listing(accessible)) if accessible else
                      "mark step-free rooms with `step_free: true` in event.yaml, or ask the proposers")


def placeholders(ctx, doc):
    """No text is left as the proposal template wrote it ("Title of my session", "Your
    Name"): the template's example values are the `examples` of the schema's fields."""
    for pattern, examples in schema.examples("proposal").items():
        for path, value in _values_at(doc.data, pattern):
            if not isinstance(value, str):
                continue
            if _same_text(value, examples) or (len(pattern) == 1 and pattern[0] in _MARKDOWN_FIELDS
                                               and _shares_a_line(value, examples)):
                yield _at(doc, path, "placeholder-text",
                          f"{field_path(path)} still holds the template's example text {show(value, 40)}",
                          "replace it with your own words")


_MARKDOWN_FIELDS = ("description",)


def _values_at(data, pattern, path=()):
    """(path, value) of every value whose path matches `pattern` ('*' for any list item)."""
    if not pattern:
        yield path, data
        return
    head, rest = pattern[0], pattern[1:]
    if head == "*":
        for i, item in enumerate(data if isinstance(data, list) else ()):
            yield from _values_at(item, rest, path + (i,))
    elif isinstance(data, dict) and head in data:
        yield from _values_at(data[head], rest, path + (head,))


def _words(text):
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _same_text(value, examples):
    return _words(value) in {_words(e) for e in examples}


def _shares_a_line(value, examples):
    """A Markdown text that keeps a sentence of the template's example (20 characters or more;
    its headings are structure a contributor may keep)."""
    lines = {_words(line) for e in examples for line in e.splitlines()
             if len(line.strip()) >= 20 and not line.startswith("#")}
    return any(_words(line) in lines for line in value.splitlines())


_TEXT_LIMITS = ("title", "summary", "description")
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
        return origin.get(name, "the default limits (see limits in schema/event.schema.json)")

    for name in _TEXT_LIMITS + _COUNT_LIMITS:
        if name in skip:
            continue
        low, high = limits[name]["min"], limits[name]["max"]
        value = d.get(name)
        if isinstance(value, str if name in _TEXT_LIMITS else list) and low <= len(value) <= high:
            continue  # the common case, decided without building any message
        unit = "characters" if name in _TEXT_LIMITS else "items"
        hint = _limits_hint(where(name), name, low, high, unit)
        if name not in d:
            if low > 0:
                yield _at(doc, (), "missing-field",
                          f"the field `{name}` is missing; this event asks for "
                          + (f"at least {low} characters" if unit == "characters" else f"at least {low}"),
                          f"add `{name}:`. " + schema.describe("proposal", (name,)))
            continue
        if not isinstance(d[name], str if unit == "characters" else list):
            continue
        size = len(d[name])
        if size < low:
            rule = "too-short" if unit == "characters" else "too-few-items"
            yield _at(doc, (name,), rule, f"{name} has {size} {unit}; this event asks for at least {low}", hint)
        elif size > high:
            rule = "too-long" if unit == "characters" else "too-many-items"
            yield _at(doc, (name,), rule, f"{name} has {size} {unit}; this event allows at most {high}", hint)
    bounds = limits["duration"]
    durations = [(("duration",), d.get("duration"))]
    if isinstance(d.get("schedule"), (dict, list)):
        durations += [(timeline.slot_path(d, i) + ("duration",), slot.get("duration"))
                      for i, slot in enumerate(timeline.slots_of(d)) if isinstance(slot, dict)]
    for path, value in durations:
        if type(value) is not int or field_path(path) in skip:
            continue
        if not bounds["min"] <= value <= bounds["max"] or value % bounds["step"]:
            yield _at(doc, path, "out-of-range",
                      f"{field_path(path)} is {value} minutes; it must be {bounds['min']} to {bounds['max']} "
                      f"minutes, in steps of {bounds['step']}",
                      f"{where('duration')} sets the durations; 60 is an hour, 1440 a day")


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
                  "the status is scheduled but there is no schedule",
                  "add `schedule:` with day, start and room, or change the status to accepted")
    elif has and status != "scheduled":
        yield _at(doc, ("schedule",), "status-schedule-mismatch",
                  f"the proposal has a schedule but its status is {status}",
                  "set `status: scheduled`, or remove the schedule")


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
                      f"{field_path(path + ('day',))} is {show(slot['day'])}, which is not a calendar date",
                      "write YYYY-MM-DD, for example 2016-12-07")
            continue
        if clock.days and not clock.in_event(day):
            yield _at(doc, path + ("day",), "schedule-outside-event",
                      f"{field_path(path + ('day',))} {slot['day']} is outside the event ({ctx.first_day} to {ctx.last_day})",
                      "choose a day within the event's dates")
            continue
        if "room" in slot and not clock.venue_open(day):
            yield _at(doc, path + ("day",), "schedule-outside-event",
                      f"{field_path(path + ('day',))} {slot['day']} is outside the days the venue is open "
                      f"({clock.venue_first} to {clock.venue_last})",
                      "choose a day when the venue is open, or give a `place` instead of a room for a session held elsewhere")
            continue
        t = timeline.timing(clock, slot, d["duration"])
        if not clock.exists(t.start):
            yield _at(doc, path + ("start",), "invalid-date",
                      f"{_clock_time(t.start)} does not exist in {ctx.event.data['timezone']}: the clocks go forward that night",
                      "choose a start an hour later")
            continue
        if "end" in slot and timeline.minutes(slot["end"]) != t.end.hour * 60 + t.end.minute:
            yield _at(doc, path + ("end",), "schedule-duration-mismatch",
                      f"starting at {slot['start']} and lasting {t.duration} minutes, the session ends at "
                      f"{t.end:%H:%M}, not {slot['end']}",
                      "make the end time or the duration agree, or remove `end`")
        if not clock.days or ctx.event is None:
            continue
        if "room" not in slot:  # held elsewhere: the venue's hours do not apply, the event's days do
            if clock.event_day_of(t.end - _MINUTE) > ctx.last_day:
                yield _at(doc, path + ("start",), "schedule-outside-event",
                          f"the session ends at {_clock_time(t.end)}, after the event's last day ({ctx.last_day})",
                          "shorten it, or start it earlier")
            continue
        opens, closes = clock.opening(day)
        hours = clock.hours_of(day)
        label = hours.label() if hours else ""
        if not opens <= t.start < closes:
            yield _at(doc, path + ("start",), "schedule-outside-hours",
                      f"{slot['start']} on {slot['day']} is outside the opening hours of that day ({label})",
                      "choose a start within the event's opening hours"
                      + ("" if clock.day_change or t.start >= opens else
                         "; a night session after midnight needs day_change in event.yaml"))
            continue
        if t.end <= closes:
            continue
        if clock.event_day_of(t.end - _MINUTE) > ctx.last_day:
            yield _at(doc, path + ("start",), "schedule-outside-event",
                      f"the session ends at {_clock_time(t.end)}, after the event's last day ({ctx.last_day})",
                      "shorten it, or start it earlier")
        elif clock.closing_day(t.end) is None:
            yield _at(doc, path + ("start",), "schedule-outside-hours",
                      f"the session ends at {_clock_time(t.end)}, when the venue is closed "
                      f"(opening hours of {slot['day']}: {label})",
                      "shorten it, start it earlier, or choose a later day")


def duplicate_people(ctx, doc):
    """A person is listed once per proposal: names are compared the way people read them
    (Unicode normalisation, case and spaces aside), GitHub names and guids exactly."""
    people = doc.data.get("proposers", ())
    if len(people) < 2:
        return
    seen = {}
    for i, person in enumerate(people):
        for key in sorted(_identities(person)):
            if key in seen and seen[key] != i:
                yield _at(doc, ("proposers", i), "duplicate-item",
                          f"proposers[{i}] is the same person as proposers[{seen[key]}] ({show(person['name'])})",
                          "list each person once")
                break
        for key in _identities(person):
            seen.setdefault(key, i)


def acknowledgements(ctx, doc):
    """Only warnings can be acknowledged, each by its rule id."""
    for i, ack in enumerate(doc.data.get("acknowledged", [])):
        if ack["rule"] not in catalogue.WARNING_RULES - {"unused-acknowledgement"}:
            kind = "an error, which must be fixed" if ack["rule"] in catalogue.RULES else "not a rule id"
            yield _at(doc, ("acknowledged", i, "rule"), "not-allowed",
                      f"acknowledged[{i}].rule is {show(ack['rule'])}: {kind}; only warnings can be acknowledged",
                      "warnings that can be acknowledged: "
                      + ", ".join(sorted(catalogue.WARNING_RULES - {"unused-acknowledgement"})))


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
                what = (f"slot {other[3] + 1} of this proposal" if mine[2] == other[2]
                        else show(other[2]))
                yield _at(doc, timeline.slot_path(doc.data, mine[3]) + ("room",), "room-conflict",
                          f"room {show(room)} is also used by {what} at {_when(other[4], other[3], other[5])}",
                          f"choose another room or time; see {other[4].path}. "
                          "If sessions run side by side there on purpose, mark the room `shared: true` in event.yaml",
                          related=other[2])


def _identities(proposer):
    """How a person is recognised: a guid or a GitHub name surely, a name probably (the same
    name may be two people). Names compare as read: Unicode normalisation, case and spaces aside."""
    name = " ".join(unicodedata.normalize("NFKC", proposer["name"]).casefold().split())
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
            yield _at(doc, ("proposers", mine[6], "name"), "proposer-conflict",
                      f"{show(name)} is also in {show(other[2])} at the same time ({_when(other[4], other[3], other[5])})"
                      + (" (the same account)" if sure else ": if this is the same person, they cannot be in both"),
                      f"move one of the sessions (see {other[4].path}), or, if this is intended (a host of parallel "
                      + ("sessions), acknowledge this warning" if sure else
                         "sessions, or two people with the same name), acknowledge this warning"),
                      severity=WARNING, related=other[2])


_STOPWORDS = frozenset(
    "a an and the of for in on to with by at from or de des du la le les et en un une pour sur "
    "dans par au aux avec l d".split()
)


def title_words(title):
    """The words that make a title, for comparing titles: case, accents and small words aside."""
    text = title.casefold()
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    return frozenset(t for t in re.split(r"[^0-9a-z\u0080-\uffff]+", text) if t and t not in _STOPWORDS)


def near_duplicate_titles(ctx, threshold=0.8):
    """Titles that share most of their words (Jaccard >= 0.8, ignoring case, accents, order and
    small words) are reported as warnings: the proposers may want to merge."""
    tokens = {pid: doc.data.get(TITLE_WORDS) or title_words(doc.data["title"]) for pid, doc in ctx.proposals.items()}
    frequency = defaultdict(int)
    for toks in tokens.values():
        for t in toks:
            frequency[t] += 1
    # Prefix filtering, as in set-similarity joins (PPJoin): a pair with Jaccard >= t
    # shares at least need = ceil(t * n) words, so both titles hold a shared word among
    # their len - need + 1 rarest shareable words (words of one title only are never shared).
    # Entries of a word's bucket are grouped by (size, words after it): a group whose best
    # possible overlap is too small is skipped whole; the others are verified on bit masks.
    bit = {t: 1 << i for i, t in enumerate(sorted(frequency))}
    factor = threshold / (1 + threshold)  # Jaccard >= t  <=>  overlap >= t/(1+t) * (|x| + |y|)
    index = defaultdict(lambda: defaultdict(list))
    pairs = []
    for pid in sorted(tokens):
        size = len(tokens[pid])
        need = math.ceil(threshold * size - 1e-9)
        shareable = sorted((t for t in tokens[pid] if frequency[t] > 1), key=lambda t: (frequency[t], t))
        if not size or len(shareable) < need:
            continue
        mine = sum(bit[t] for t in tokens[pid])
        found = set()
        for i, t in enumerate(shareable[: len(shareable) - need + 1]):
            rest = len(shareable) - i - 1
            for (other_size, other_rest), entries in index[t].items():
                required = factor * (size + other_size) - 1e-9
                if 1 + min(rest, other_rest) < required:
                    continue
                for other, other_mask in entries:
                    if (mine & other_mask).bit_count() >= required:
                        found.add(other)
            index[t][(size, rest)].append((pid, mine))
        pairs.extend((other, pid) for other in found)
    for first, second in sorted(pairs):
        for mine, other in ((first, second), (second, first)):
            doc = ctx.proposals[mine]
            yield _at(doc, ("title",), "near-duplicate-title",
                      f"the title is very close to that of {show(other)}: "
                      f"{show(ctx.proposals[other].data['title'])}",
                      f"if both describe the same session, merge them (a proposal can hold several slots); "
                      f"if they are different sessions, acknowledge this warning. See {ctx.proposals[other].path}",
                      severity=WARNING, related=other)


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
                kept.append(_at(doc, (ACKNOWLEDGED, i), "unused-acknowledgement",
                                f"acknowledged[{i}] accepts a {show(ack['rule'])} warning"
                                + (f" about {show(ack['with'])}" if "with" in ack else "")
                                + " that no longer appears", "remove this acknowledgement", severity=WARNING))
    return kept, acknowledged


ACKNOWLEDGED = "acknowledged"

# Rules on the settings alone, on one proposal (run in the worker that loaded it), and
# across proposals (run once, on the few fields they need).
EVENT_RULES = (event_dates, event_day_change, event_timezone, event_unique_ids, event_limits)
PROPOSAL_RULES = (known_references, proposal_limits, status_and_schedule, schedule_times, step_free_rooms,
                  duplicate_people, placeholders, acknowledgements)
CROSS_RULES = (room_conflicts, proposer_conflicts, near_duplicate_titles)
CROSS_FIELDS = ("title", "status", "schedule", "duration", ACKNOWLEDGED)


def cross_facts(data):
    """What the cross-proposal rules read of a proposal: all a worker process sends back
    when the full data is not needed, with the title's words already computed."""
    facts = {k: data[k] for k in CROSS_FIELDS if k in data}
    facts["proposers"] = [{k: p[k] for k in ("name", "github", "guid") if k in p} for p in data.get("proposers", ())]
    facts[TITLE_WORDS] = title_words(data["title"])
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
