"""Bytes -> a neutral `Schedule`: format detected from the content, never the file name.

Both formats are the frab family (https://c3voc.de/wiki/schedule): the C3VOC/frab JSON that
pretalx and frab export, and the XML that pentabarf introduced and frab, pretalx, OSEM and
wafer export. Reading is forgiving about what real exports get wrong (missing optional
fields, numbers written as text, durations as H:MM or HH:MM:SS), strict about structure:
a missing or wrongly typed required part is an `ImportFailure`, one line, never a traceback.

XML is parsed by defusedxml: no entity is ever expanded and no external resource is fetched
(billion laughs, quadratic blow-up, XXE), and the input is bounded before parsing.
"""

from __future__ import annotations

import json
from xml.etree.ElementTree import ParseError

import defusedxml
import defusedxml.ElementTree as SafeET

from .source import MAX_SESSIONS, MAX_TEXT, Day, ImportFailure, Link, Person, Room, Schedule, Session, Track, parse_bool, parse_clock, parse_date, parse_datetime, parse_duration, parse_int

MAX_BYTES = 32 * 1024 * 1024  # the 36C3 programme, 1,351 sessions, is 2.9 MB of JSON
MAX_ITEMS = 1000  # persons or links of one session


def read_schedule(data: bytes) -> Schedule:
    """Detect the format from the first significant byte and read it."""
    if not isinstance(data, (bytes, bytearray)):
        raise ImportFailure("the schedule must be read as bytes")
    if len(data) > MAX_BYTES:
        raise ImportFailure(f"the file is {len(data):,} bytes, more than the {MAX_BYTES:,} this command reads",
                            "import a smaller schedule (one conference), or split it")
    head = bytes(data[:4096]).lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head:
        raise ImportFailure("the file is empty", "give a frab/pretalx schedule.json or schedule.xml")
    if head[:1] in (b"{", b"["):
        return read_json(bytes(data))
    if head[:1] == b"<":
        return read_xml(bytes(data))
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in head[:64]:
        raise ImportFailure("the file is not UTF-8 text (UTF-16 or binary)", "export the schedule again as UTF-8")
    raise ImportFailure("the file is neither JSON nor XML",
                        "give a frab/C3VOC schedule.json or a frab/pentabarf schedule.xml (as pretalx, frab, "
                        "pentabarf and OSEM export)")


# --- JSON ----------------------------------------------------------------------------------


def _refuse_constant(name):
    raise ValueError(f"{name} is not a JSON number")


def read_json(data: bytes) -> Schedule:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFailure(f"the file is not UTF-8 (byte {exc.start + 1} cannot be decoded)",
                            "export the schedule again as UTF-8") from None
    try:
        doc = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise ImportFailure(f"the file is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}",
                            "the file may be truncated; download the schedule again") from None
    except ValueError as exc:  # NaN, or an integer too long to convert
        raise ImportFailure(f"the file is not valid JSON: {str(exc)[:100]}") from None
    except RecursionError:
        raise ImportFailure("the JSON is nested too deeply to be a schedule") from None
    schedule = doc.get("schedule") if isinstance(doc, dict) else None
    if not isinstance(schedule, dict):
        raise ImportFailure("this JSON is not a frab/C3VOC schedule: there is no \"schedule\" object at the top",
                            "export the schedule in the frab/C3VOC JSON format (pretalx: schedule.json)")
    conf = _field(schedule, "conference", dict, "schedule", required=True)
    out = Schedule(format="frab-json", title=_text(conf.get("title"), "conference", "title"))
    out.start, out.end = conf.get("start"), conf.get("end")
    out.timezone = _text(conf.get("time_zone_name"), "conference", "time_zone_name")
    out.day_change = parse_clock(conf.get("day_change"))
    out.timeslot = parse_duration(conf.get("timeslot_duration"))
    out.base_url = _text(schedule.get("base_url"), "schedule", "base_url") or _text(conf.get("base_url"), "conference", "base_url")
    known = {"title", "start", "end", "time_zone_name", "day_change", "timeslot_duration", "days", "rooms",
             "tracks", "daysCount", "base_url"}
    out.extra = {k: v for k, v in conf.items() if k not in known}
    out.extra.update({f"schedule.{k}": v for k, v in schedule.items() if k not in ("conference", "base_url")})
    out.extra.update({k: v for k, v in doc.items() if k != "schedule"})
    for i, room in enumerate(_field(conf, "rooms", list, "conference") or []):
        if isinstance(room, dict) and isinstance(room.get("name"), str) and room["name"].strip():
            name = _text(room["name"], f"conference.rooms[{i}]", "name")
            out.rooms.setdefault(name, Room(name, room.get("capacity"),
                                            {k: v for k, v in room.items() if k not in ("name", "capacity")}))
    for i, track in enumerate(_field(conf, "tracks", list, "conference") or []):
        if isinstance(track, dict) and isinstance(track.get("name"), str) and track["name"].strip():
            name = _text(track["name"], f"conference.tracks[{i}]", "name")
            out.tracks.setdefault(name, Track(name, {k: v for k, v in track.items() if k != "name"}))
    days = _field(conf, "days", list, "conference", required=True)
    for d, day in enumerate(days):
        where = f"conference.days[{d}]"
        if not isinstance(day, dict):
            raise ImportFailure(f"{where} is a {_kind(day)}, not an object")
        date = parse_date(day.get("date"))
        if date is None:
            raise ImportFailure(f"{where}.date is {_show(day.get('date'))}, not a date (YYYY-MM-DD)")
        current = Day(parse_int(day.get("index")) or d + 1, date, parse_datetime(day.get("day_start")),
                      parse_datetime(day.get("day_end")))
        out.days.append(current)
        rooms = _field(day, "rooms", dict, where) or {}
        for room_name, events in rooms.items():
            room_name = _text(room_name, where, "room name")
            if not isinstance(events, list):
                raise ImportFailure(f"{where}.rooms[{_show(room_name)}] is a {_kind(events)}, not a list of events")
            for e, event in enumerate(events):
                if len(out.sessions) >= MAX_SESSIONS:
                    raise ImportFailure(f"the schedule lists more than {MAX_SESSIONS:,} sessions")
                if not isinstance(event, dict):
                    raise ImportFailure(f"{where}.rooms[{_show(room_name)}][{e}] is a {_kind(event)}, not an event")
                out.sessions.append(_json_event(event, len(out.sessions), current, room_name,
                                                f"{where}.rooms[{_show(room_name)}][{e}]"))
    return out


_EVENT_FIELDS = {"title", "subtitle", "track", "type", "language", "abstract", "description", "date", "start",
                 "duration", "room", "persons", "links", "attachments", "guid", "id", "do_not_record", "url",
                 "origin_url"}


def _json_event(event: dict, index: int, day: Day, room_name: str, where: str) -> Session:
    duration_text = event.get("duration")
    session = Session(
        index=index, day=day.date, day_start=day.start,
        start=parse_datetime(event.get("date")), start_text=_text(event.get("start"), where, "start"),
        duration=parse_duration(duration_text),
        duration_text=duration_text if isinstance(duration_text, str) else None,
        room=_text(event.get("room"), where, "room") or room_name,
        title=_text(event.get("title"), where, "title"),
        subtitle=_text(event.get("subtitle"), where, "subtitle"),
        track=_text(event.get("track"), where, "track"),
        type=_text(event.get("type"), where, "type"),
        language=_text(event.get("language"), where, "language"),
        abstract=_text(event.get("abstract"), where, "abstract"),
        description=_text(event.get("description"), where, "description"),
        guid=_text(event.get("guid"), where, "guid"),
        source_id=parse_int(event.get("id")),
        do_not_record=parse_bool(event.get("do_not_record")),
    )
    if event.get("id") is not None and session.source_id is None:
        session.extra["id"] = event["id"]
    if event.get("do_not_record") is not None and session.do_not_record is None:
        session.extra["do_not_record"] = event["do_not_record"]
    for key in ("url", "origin_url"):
        url = _text(event.get(key), where, key)
        if url:
            session.links.append(Link(url, None, "page" if key == "url" else "origin"))
    persons = _field(event, "persons", list, where) or []
    for p, person in enumerate(persons[:MAX_ITEMS]):
        if isinstance(person, str):
            session.persons.append(Person(_text(person, where, f"persons[{p}]")))
        elif isinstance(person, dict):
            name = person.get("public_name") if person.get("public_name") not in (None, "") else person.get("name")
            extra = {k: v for k, v in person.items() if k not in ("public_name", "name", "guid", "url")}
            if person.get("public_name") not in (None, "") and person.get("name") not in (None, "", person.get("public_name")):
                extra["name"] = person["name"]
            url = _text(person.get("url"), where, f"persons[{p}].url")
            people = Person(_text(name, where, f"persons[{p}].name"), _text(person.get("guid"), where, "guid"), extra)
            session.persons.append(people)
            if url:
                session.links.append(Link(url, people.name, "person"))
        else:
            raise ImportFailure(f"{where}.persons[{p}] is a {_kind(person)}, not a person")
    if len(persons) > MAX_ITEMS:
        session.extra["persons (beyond the first 1000)"] = len(persons) - MAX_ITEMS
    for key, kind in (("links", "link"), ("attachments", "attachment")):
        items = _field(event, key, list, where) or []
        for item in items[:MAX_ITEMS]:
            if isinstance(item, str):
                session.links.append(Link(_text(item, where, key), None, kind))
            elif isinstance(item, dict):
                url = item.get("url", item.get("href"))
                session.links.append(Link(_text(url, where, f"{key}.url"), _text(item.get("title"), where, f"{key}.title"),
                                          kind, {k: v for k, v in item.items() if k not in ("url", "href", "title", "type")}))
            else:
                session.extra.setdefault(key, []).append(item)
        if len(items) > MAX_ITEMS:
            session.extra[f"{key} (beyond the first 1000)"] = len(items) - MAX_ITEMS
    for key, value in event.items():
        if key not in _EVENT_FIELDS and value not in (None, "", [], {}):
            session.extra[key] = value
    return session


def _field(mapping, key, kind, where, required=False):
    value = mapping.get(key)
    if value is None:
        if required:
            raise ImportFailure(f"{where} has no {key!r}: this is not a complete frab/C3VOC schedule",
                                "the file may be truncated or of another format")
        return None
    if not isinstance(value, kind):
        raise ImportFailure(f"{where}.{key} is a {_kind(value)}, not a {_KINDS.get(kind, kind.__name__)}")
    return value


_KINDS = {dict: "object", list: "list", str: "text"}


def _kind(value) -> str:
    return {dict: "object", list: "list", str: "text", bool: "true/false", int: "number", float: "number",
            type(None): "null"}.get(type(value), type(value).__name__)


def _show(value, limit=40) -> str:
    text = json.dumps(value, ensure_ascii=True)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _text(value, where, name):
    """Text as written; numbers become their digits; anything else is a wrong type."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if not isinstance(value, str):
        raise ImportFailure(f"{where}.{name} is a {_kind(value)}, not text")
    if len(value) > MAX_TEXT:
        raise ImportFailure(f"{where}.{name} holds {len(value):,} characters, more than the {MAX_TEXT:,} "
                            "a schedule value may have", "check the export: no session text is that long")
    return value


# --- XML -----------------------------------------------------------------------------------


def read_xml(data: bytes) -> Schedule:
    try:
        root = SafeET.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except defusedxml.EntitiesForbidden:
        raise ImportFailure("the XML declares entities, which this command never expands (XML bomb protection)",
                            "export the schedule again; frab, pretalx and pentabarf never declare entities") from None
    except (defusedxml.DTDForbidden, defusedxml.ExternalReferenceForbidden, defusedxml.NotSupportedError):
        raise ImportFailure("the XML refers to external resources, which this command never fetches") from None
    except ParseError as exc:
        raise ImportFailure(f"the file is not well-formed XML ({_xml_reason(exc)})",
                            "the file may be truncated or not UTF-8; download the schedule again") from None
    except (ValueError, UnicodeError) as exc:  # an unknown declared encoding, among others
        raise ImportFailure(f"the XML cannot be read ({str(exc)[:100]})") from None
    if _tag(root) != "schedule":
        raise ImportFailure(f"this XML is not a frab/pentabarf schedule: its root element is <{_tag(root)[:40]}>, not <schedule>",
                            "export the schedule in the frab/pentabarf XML format (pretalx: schedule.xml)")
    conf = _child(root, "conference")
    if conf is None:
        raise ImportFailure("the XML schedule has no <conference>: this is not a complete frab/pentabarf schedule",
                            "the file may be truncated or of another format")
    values = {}
    out = Schedule(format="frab-xml", title=None)
    for el in conf:
        name = _tag(el)
        if name == "track":
            track_name = _xml_text(el.get("name")) or _xml_text(el.text)
            if track_name and track_name.strip():
                out.tracks.setdefault(track_name, Track(track_name, {k: v for k, v in el.attrib.items() if k != "name"}))
        elif name == "room":
            room_name = _xml_text(el.get("name"))
            if room_name and room_name.strip():
                out.rooms.setdefault(room_name, Room(room_name, None, {k: v for k, v in el.attrib.items() if k != "name"}))
        else:
            values[name] = _inner(el, "conference", name)
    out.title = values.pop("title", None)
    out.start, out.end = values.pop("start", None), values.pop("end", None)
    out.timezone = values.pop("time_zone_name", None)
    out.day_change = parse_clock((values.pop("day_change", None) or "")[:5])
    out.timeslot = parse_duration(values.pop("timeslot_duration", None))
    out.base_url = values.pop("base_url", None)
    values.pop("days", None)
    out.extra = {k: v for k, v in values.items() if v not in (None, "")}
    for el in root:
        name = _tag(el)
        if name in ("conference", "day"):
            continue
        value = _inner(el, "schedule", name)
        if value or el.attrib:
            out.extra[f"schedule.{name}"] = value or dict(el.attrib)
    for d, day_el in enumerate(e for e in root if _tag(e) == "day"):
        where = f"<day> {d + 1}"
        date = parse_date(day_el.get("date")) or parse_date(day_el.get("start"))
        if date is None:
            raise ImportFailure(f"{where} has no date (date={_show(day_el.get('date'))})")
        day = Day(parse_int(day_el.get("index")) or d + 1, date, parse_datetime(day_el.get("start")),
                  parse_datetime(day_el.get("end")))
        out.days.append(day)
        for room_el in day_el:
            if _tag(room_el) != "room":
                continue
            room_name = _xml_text(room_el.get("name")) or ""
            if room_name.strip() and room_name not in out.rooms:
                out.rooms[room_name] = Room(room_name, None, {k: v for k, v in room_el.attrib.items() if k != "name"})
            for event_el in room_el:
                if _tag(event_el) != "event":
                    continue
                if len(out.sessions) >= MAX_SESSIONS:
                    raise ImportFailure(f"the schedule lists more than {MAX_SESSIONS:,} sessions")
                out.sessions.append(_xml_event(event_el, len(out.sessions), day, room_name,
                                               f"{where}, room {_show(room_name)}"))
    return out


_XML_SIMPLE = {"title", "subtitle", "track", "type", "language", "abstract", "description", "date", "start",
               "duration", "room"}


def _xml_event(el, index: int, day: Day, room_name: str, where: str) -> Session:
    values, extra, persons, links = {}, {}, [], []
    do_not_record = None
    for child in el:
        name = _tag(child)
        if name in _XML_SIMPLE:
            values[name] = _inner(child, where, name)
        elif name == "persons":
            for p in child:
                if len(persons) >= MAX_ITEMS:
                    extra["persons (beyond the first 1000)"] = True
                    break
                attrs = {k: v for k, v in p.attrib.items() if k != "guid"}
                persons.append(Person(_inner(p, where, "person"), _xml_text(p.get("guid")), attrs))
        elif name in ("links", "attachments"):
            kind = "link" if name == "links" else "attachment"
            for item in list(child)[:MAX_ITEMS]:
                attrs = {k: v for k, v in item.attrib.items() if k not in ("href", "type")}
                links.append(Link(_xml_text(item.get("href")), _inner(item, where, name), kind, attrs))
        elif name in ("url", "origin_url"):
            url = _inner(child, where, name)
            if url:
                links.append(Link(url, None, "page" if name == "url" else "origin"))
        elif name == "recording":
            for part in child:
                part_name, value = _tag(part), _inner(part, where, "recording")
                if part_name == "optout" and parse_bool(value) is not None:
                    do_not_record = parse_bool(value)
                elif value:
                    extra[f"recording.{part_name}"] = value
        else:
            value = _inner(child, where, name)
            if value or child.attrib:
                extra[name] = value if not child.attrib else {"text": value, **child.attrib}
    duration_text = values.get("duration")
    session = Session(
        index=index, day=day.date, day_start=day.start,
        start=parse_datetime(values.get("date")), start_text=values.get("start"),
        duration=parse_duration(duration_text), duration_text=duration_text,
        room=values.get("room") or room_name, title=values.get("title"), subtitle=values.get("subtitle"),
        track=values.get("track"), type=values.get("type"), language=values.get("language"),
        abstract=values.get("abstract"), description=values.get("description"),
        persons=persons, links=links, guid=_xml_text(el.get("guid")), source_id=parse_int(el.get("id")),
        do_not_record=do_not_record, extra=extra,
    )
    for key, value in el.attrib.items():
        if key not in ("guid", "id"):
            session.extra[f"@{key}"] = value
    if el.get("id") is not None and session.source_id is None:
        session.extra["@id"] = el.get("id")
    return session


def _tag(el) -> str:
    tag = el.tag if isinstance(el.tag, str) else ""
    return tag.rpartition("}")[2]


def _child(el, name):
    return next((c for c in el if _tag(c) == name), None)


def _xml_text(value):
    if value is not None and len(value) > MAX_TEXT:
        raise ImportFailure(f"an XML value holds {len(value):,} characters, more than the {MAX_TEXT:,} a schedule "
                            "value may have")
    return value


def _inner(el, where, name):
    """An element's content as text; child elements (XHTML written as markup) kept as markup."""
    from xml.etree.ElementTree import tostring

    parts = [el.text or ""]
    for child in el:
        parts.append(tostring(child, encoding="unicode"))
    text = "".join(parts)
    if len(text) > MAX_TEXT:
        raise ImportFailure(f"{where}: <{name}> holds {len(text):,} characters, more than the {MAX_TEXT:,} a schedule "
                            "value may have", "check the export: no session text is that long")
    return text if (text.strip() or len(el)) else (None if not text else "")


def _xml_reason(exc) -> str:
    line, column = getattr(exc, "position", (0, 0))
    reason = str(exc).split(":")[0]
    return f"{reason} at line {line}, column {column + 1}"
