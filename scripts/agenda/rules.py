"""Rules across files. Each rule is a small generator; its docstring is the rule.

Rules receive only documents that passed their schema, so they can trust types; they never
read files. Three registries at the end say when each rule runs; `catalogue.RULES` lists
every rule id, and a test keeps it equal to the README's rule table.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
import unicodedata
from collections import defaultdict

from .problems import ERROR, WARNING, Problem, field_path, show


def _at(doc, path, rule, message, hint="", severity=ERROR):
    line, col = doc.where(path)
    return Problem(doc.path, line, col, severity, rule, message, field_path(path), hint)


def _suggest(value, known):
    """'climat' -> 'climate-sustainable-development': compare with whole ids and their words."""
    value = str(value).lower()

    def score(candidate):
        parts = [candidate, *candidate.replace("/", "-").split("-")]
        return max(difflib.SequenceMatcher(None, value, part).ratio() for part in parts)

    ranked = sorted(known, key=lambda k: (-score(k), k))
    if ranked and score(ranked[0]) >= 0.7:
        return f"did you mean '{ranked[0]}'?"
    listed = sorted(known)
    return "known values: " + ", ".join(listed[:12]) + (" …" if len(listed) > 12 else "")


def _date(text):
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _minutes(hhmm):
    return int(hhmm[:2]) * 60 + int(hhmm[3:])


class Context:
    """What the rules look at: the event settings and the valid themes and proposals."""

    def __init__(self, event, themes, proposals=None):
        self.event = event  # Document or None
        self.themes = themes  # id -> Document
        self.proposals = proposals if proposals is not None else {}  # id -> Document
        data = event.data if event else {}
        self.formats = {f["id"] for f in data.get("formats", [])}
        self.rooms = {r["id"] for r in data.get("rooms", [])}
        self.languages = {lang["code"] for lang in data.get("languages", [])}
        dates = data.get("dates", {})
        self.first_day = _date(dates.get("start", ""))
        self.last_day = _date(dates.get("end", ""))
        hours = data.get("hours")
        self.hours = (_minutes(hours["start"]), _minutes(hours["end"])) if hours else None

    def scheduled(self):
        """Scheduled proposals whose day and times the conflict rules can compare."""
        for pid, doc in self.proposals.items():
            if doc.data["status"] == "scheduled" and "schedule" in doc.data:
                s = doc.data["schedule"]
                if _date(s["day"]) and s["start"] < s["end"]:
                    yield pid, doc, s


# --- event settings ------------------------------------------------------------------------


def event_dates(ctx):
    """The event's dates are real calendar dates, the first not after the last, and its
    opening hours start before they end."""
    doc = ctx.event
    if doc is None:
        return
    for key in ("start", "end"):
        if _date(doc.data["dates"][key]) is None:
            yield _at(doc, ("dates", key), "invalid-date",
                      f"dates.{key} is {show(doc.data['dates'][key])}, which is not a calendar date",
                      "write YYYY-MM-DD, for example 2016-12-07")
    if ctx.first_day and ctx.last_day and ctx.first_day > ctx.last_day:
        yield _at(doc, ("dates", "end"), "invalid-date", "the event ends before it starts",
                  "dates.end must be on or after dates.start")
    if ctx.hours and ctx.hours[0] >= ctx.hours[1]:
        yield _at(doc, ("hours", "end"), "schedule-end-before-start",
                  "the opening hours end before they start", "hours.end must be after hours.start")


def event_timezone(ctx):
    """The time zone is a real IANA zone name (for example Europe/Paris)."""
    if ctx.event is None:
        return
    import zoneinfo

    name = ctx.event.data["timezone"]
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        available = zoneinfo.available_timezones()
        if available:  # without any time-zone database the name cannot be checked
            yield _at(ctx.event, ("timezone",), "unknown-timezone",
                      f"timezone is {show(name)}, which is not a known time zone",
                      _suggest(name, available))


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


# --- proposals against the settings and the themes ------------------------------------------


def known_references(ctx, doc):
    """Themes exist in themes/; format, rooms and languages exist in event.yaml."""
    d = doc.data
    for i, theme in enumerate(d["themes"]):
        if theme not in ctx.themes:
            yield _at(doc, ("themes", i), "unknown-theme",
                      f"theme {show(theme)} is not defined in themes/", _suggest(theme, ctx.themes))
    if ctx.event is not None:
        if d["format"] not in ctx.formats:
            yield _at(doc, ("format",), "unknown-format",
                      f"format {show(d['format'])} is not one of the event's formats", _suggest(d["format"], ctx.formats))
        for i, lang in enumerate(d["languages"]):
            if lang not in ctx.languages:
                yield _at(doc, ("languages", i), "unknown-language",
                          f"language {show(lang)} is not one of the event's languages", _suggest(lang, ctx.languages))
        room = d.get("schedule", {}).get("room")
        if room is not None and room not in ctx.rooms:
            yield _at(doc, ("schedule", "room"), "unknown-room",
                      f"room {show(room)} is not one of the event's rooms", _suggest(room, ctx.rooms))


def status_and_schedule(ctx, doc):
    """A proposal has a schedule exactly when its status is scheduled."""
    status, has = doc.data["status"], "schedule" in doc.data
    if status == "scheduled" and not has:
        yield _at(doc, ("status",), "status-schedule-mismatch",
                  "the status is scheduled but there is no schedule",
                  "add `schedule:` with day, start, end and room, or change the status to accepted")
    elif has and status != "scheduled":
        yield _at(doc, ("schedule",), "status-schedule-mismatch",
                  f"the proposal has a schedule but its status is {status}",
                  "set `status: scheduled`, or remove the schedule")


def schedule_times(ctx, doc):
    """The day is a real date within the event's dates; the session starts before it ends,
    lasts its duration, and fits the opening hours."""
    s = doc.data.get("schedule")
    if not s:
        return
    day = _date(s["day"])
    if day is None:
        yield _at(doc, ("schedule", "day"), "invalid-date",
                  f"schedule.day is {show(s['day'])}, which is not a calendar date",
                  "write YYYY-MM-DD, for example 2016-12-07")
    elif ctx.first_day and ctx.last_day and not ctx.first_day <= day <= ctx.last_day:
        yield _at(doc, ("schedule", "day"), "schedule-outside-event",
                  f"schedule.day {s['day']} is outside the event ({ctx.first_day} to {ctx.last_day})",
                  "choose a day within the event's dates")
    start, end = _minutes(s["start"]), _minutes(s["end"])
    if end <= start:
        yield _at(doc, ("schedule", "end"), "schedule-end-before-start",
                  f"the session ends at {s['end']}, not after it starts at {s['start']}",
                  "schedule.end must be later than schedule.start on the same day")
        return
    if end - start != doc.data["duration"]:
        yield _at(doc, ("schedule", "end"), "schedule-duration-mismatch",
                  f"{s['start']}–{s['end']} lasts {end - start} minutes but duration is {doc.data['duration']}",
                  "make the end time or the duration agree")
    if ctx.hours and (start < ctx.hours[0] or end > ctx.hours[1]):
        opening = ctx.event.data["hours"]
        yield _at(doc, ("schedule", "start"), "schedule-outside-hours",
                  f"{s['start']}–{s['end']} is outside the opening hours ({opening['start']}–{opening['end']})",
                  "choose times within the event's opening hours")


def _overlaps(items):
    """Pairs of (key, id, doc, start, end) whose times overlap, each pair once."""
    items.sort(key=lambda x: (x[3], x[1]))
    active = []
    for item in items:
        active = [a for a in active if a[4] > item[3]]
        for other in active:
            yield other, item
        active.append(item)


def room_conflicts(ctx):
    """No two scheduled sessions are in the same room at the same time."""
    groups = defaultdict(list)
    for pid, doc, s in ctx.scheduled():
        groups[(s["day"], s["room"])].append((s["room"], pid, doc, _minutes(s["start"]), _minutes(s["end"])))
    for (day, room), items in sorted(groups.items()):
        for a, b in _overlaps(items):
            for mine, other in ((a, b), (b, a)):
                s = other[2].data["schedule"]
                yield _at(mine[2], ("schedule", "room"), "room-conflict",
                          f"room {show(room)} on {day} is also used by {show(other[1])} ({s['start']}–{s['end']})",
                          f"choose another room or time; see {other[2].path}")


def _identities(proposer):
    """The same person may be written with or without a GitHub handle: either key matches."""
    name = " ".join(unicodedata.normalize("NFKC", proposer["name"]).casefold().split())
    keys = {"name:" + name}
    if proposer.get("github"):
        keys.add("github:" + proposer["github"].lower())
    return keys


def proposer_conflicts(ctx):
    """Nobody (same GitHub handle, or same name) is in two scheduled sessions at once."""
    groups = defaultdict(list)
    for pid, doc, s in ctx.scheduled():
        for i, person in enumerate(doc.data["proposers"]):
            for key in _identities(person):
                groups[(key, s["day"])].append((i, pid, doc, _minutes(s["start"]), _minutes(s["end"])))
    pairs = {}
    for _, items in sorted(groups.items()):
        for a, b in _overlaps(items):
            if a[1] != b[1]:
                pairs.setdefault(tuple(sorted((a[1], b[1]))), (a, b))
    for key in sorted(pairs):
        a, b = pairs[key]
        for mine, other in ((a, b), (b, a)):
            name = mine[2].data["proposers"][mine[0]]["name"]
            s = other[2].data["schedule"]
            yield _at(mine[2], ("proposers", mine[0], "name"), "proposer-conflict",
                      f"{show(name)} is also in {show(other[1])} on {s['day']} at the same time ({s['start']}–{s['end']})",
                      f"move one of the sessions; see {other[2].path}")


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
                      f"if both describe the same session, consider merging with {ctx.proposals[other].path}",
                      severity=WARNING)


# Rules on the settings alone, on one proposal (run in the worker that loaded it), and
# across proposals (run once, on the few fields they need).
EVENT_RULES = (event_dates, event_timezone, event_unique_ids)
PROPOSAL_RULES = (known_references, status_and_schedule, schedule_times)
CROSS_RULES = (room_conflicts, proposer_conflicts, near_duplicate_titles)


def cross_facts(data):
    """What the cross-proposal rules read of a proposal: all a worker process sends back
    when the full data is not needed, with the title's words already computed."""
    facts = {k: data[k] for k in ("title", "status", "schedule") if k in data}
    facts["proposers"] = [{k: p[k] for k in ("name", "github") if k in p} for p in data["proposers"]]
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
