"""JSON Schema errors -> problems at the place a contributor must edit.

Value errors point at the value, missing fields at the mapping that lacks them, unknown fields
at the key. The schemas in `schema/` are the single source of truth: this module reads field
descriptions from them for hints, and which strings are Markdown or URLs for the text rules.
"""

from __future__ import annotations

import difflib
import json
from functools import cache
from pathlib import Path

import jsonschema_rs

from . import suggest
from .problems import ERROR, Msg, Problem, field_path, show

KINDS = ("proposal", "theme", "event")


def schema_dir() -> Path:
    """Installed wheels carry a copy beside the package; a checkout reads `schema/` itself."""
    here = Path(__file__).resolve().parent.parent  # the agenda package
    for candidate in (here / "schema", here.parent.parent / "schema"):
        if (candidate / "proposal.schema.json").is_file():
            return candidate
    raise FileNotFoundError("the JSON Schemas (schema/*.schema.json) are missing from this installation")


@cache
def load_schema(kind: str) -> dict:
    return json.loads((schema_dir() / f"{kind}.schema.json").read_text(encoding="utf-8"))


@cache
def validator(kind: str):
    return jsonschema_rs.Draft202012Validator(load_schema(kind))


def _resolve(schema: dict, node: dict) -> dict:
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        target = schema
        for part in ref.lstrip("#/").split("/"):
            target = target[part]
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def _branch(schema: dict, node: dict, part) -> dict:
    """A value that may be one thing or a list of them (`schedule`) is written with
    if/then/else: a list index leads into `then`, a field name into `else`."""
    if "if" in node and not ("items" in node or "properties" in node):
        node = _resolve(schema, node.get("then" if isinstance(part, int) else "else", {}))
    return node


def subschema(kind: str, path) -> dict:
    """The schema of the value at a data path (for descriptions, enums, field names)."""
    schema = load_schema(kind)
    node = schema
    for part in path:
        node = _branch(schema, _resolve(schema, node), part)
        if isinstance(part, int):
            node = node.get("items", {})
        else:
            node = node.get("properties", {}).get(part, {})
    return _resolve(schema, node)


def describe(kind: str, path) -> str:
    """The schema's description of a field: the hint every message about it ends with."""
    return subschema(kind, path).get("description", "")


@cache
def limit_defaults() -> dict:
    """limit name -> {bound: default}, from the `default` keywords of event.yaml's limits."""
    limits = _resolve(load_schema("event"), {"$ref": "#/$defs/limits"})
    return {name: {bound: spec["default"] for bound, spec in node["properties"].items()}
            for name, node in limits["properties"].items()}


@cache
def examples(kind: str) -> dict:
    """Path pattern ('*' for list items) -> the `examples` the schema gives for that text
    field: the proposal template's placeholder values."""
    schema = load_schema(kind)
    found = {}

    def walk(node, path):
        node = _resolve(schema, node)
        if node.get("examples") and node.get("type") == "string":
            found[path] = tuple(node["examples"])
        for name, child in node.get("properties", {}).items():
            walk(child, path + (name,))
        if "items" in node:
            walk(node["items"], path + ("*",))

    walk(schema, ())
    return found


@cache
def field_kinds(kind: str):
    """Path patterns ('*' for list items) of Markdown strings and of URL strings."""
    schema = load_schema(kind)
    markdown, urls = set(), set()

    def walk(node, path):
        node = _resolve(schema, node)
        if node.get("contentMediaType") == "text/markdown":
            markdown.add(path)
        if node.get("format") == "uri":
            urls.add(path)
        for name, child in node.get("properties", {}).items():
            walk(child, path + (name,))
        if "items" in node:
            walk(node["items"], path + ("*",))
        for branch in ("then", "else"):
            if branch in node:
                walk(node[branch], path)

    walk(schema, ())
    return frozenset(markdown), frozenset(urls)


_TYPE_WORDS = {
    "string": Msg("text"), "integer": Msg("a whole number"), "number": Msg("a number"),
    "boolean": Msg("true or false"), "array": Msg("a list"), "object": Msg("a group of `field: value` lines"),
    "null": Msg("empty"),
}


def _type_of(value) -> Msg:
    if value is None:
        return Msg("empty")
    if isinstance(value, bool):
        return Msg("true/false")
    if isinstance(value, int):
        return Msg("a number")
    if isinstance(value, str):
        return Msg("text")
    if isinstance(value, list):
        return Msg("a list")
    return Msg("a group of fields")


def _lookup(data, path):
    for part in path:
        data = data[part]
    return data


# What a pattern asks for, in words, by the name of the schema's definition that holds it.
_SHAPES = {
    "slug": Msg("an id (lower-case letters a-z, digits and hyphens)"),
    "language": Msg("a language code (two or three lower-case letters, such as fr or en)"),
    "date": Msg("a date written YYYY-MM-DD"),
    "time": Msg("a time written HH:MM (24-hour)"),
    "uuid": Msg("a lower-case UUID"),
}


def _error_to_problem(kind, doc, error, hints=None, key=None) -> Problem:
    path = tuple(error.instance_path)
    name = error.kind.name
    detail = error.kind.as_dict()
    value = _lookup(doc.data, path)
    where = field_path(path) or Msg("the file")
    line, col = doc.where(path)
    described = describe(kind, path)
    rule, message, hint = "invalid-value", Msg("%(where)s: %(error)s", where=where, error=error.message), \
        Msg(described) if described else ""

    if name == "required":
        missing = detail["property"]
        rule = "missing-field"
        message = (Msg("the required field `%(field)s` is missing in %(where)s", field=missing, where=where) if path
                   else Msg("the required field `%(field)s` is missing", field=missing))
        hint = Msg("add `%(field)s:` here. %(description)s", field=missing,
                   description=Msg(describe(kind, path + (missing,))))
    elif name in ("additionalProperties", "unevaluatedProperties"):
        if key is None:
            unexpected = detail.get("unexpected") or []
            key = unexpected[0] if unexpected else ""
        known = list(subschema(kind, path).get("properties", {}))
        close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
        rule = "unknown-field"
        message = (Msg("unknown field %(key)s in %(where)s", key=show(key, 40), where=where) if path
                   else Msg("unknown field %(key)s", key=show(key, 40)))
        line, col = doc.where_key(path + (key,))
        path = path + (key,)
        hint = (Msg("did you mean `%(field)s`?", field=close[0]) if close
                else Msg("allowed fields: %(fields)s", fields=", ".join(known)))
    elif name == "type":
        types = detail.get("types", [])
        rule = "wrong-type"
        wanted = _TYPE_WORDS.get(types[0], types[0]) if len(types) == 1 else \
            Msg("%(first)s or %(second)s", first=_TYPE_WORDS.get(types[0], types[0]),
                second=_TYPE_WORDS.get(types[-1], types[-1]))
        message = Msg("%(where)s must be %(wanted)s, not %(found)s", where=where, wanted=wanted, found=_type_of(value))
        if "string" in types and not isinstance(value, (list, dict)):
            hint = Msg("put the value in quotes, for example %(value)s",
                       value='"' + show("" if value is None else str(value), 40)[1:-1] + '"')
        elif "boolean" in types:
            hint = Msg("write true or false (lower case, no quotes)")
        elif "integer" in types:
            hint = Msg("write digits only, without quotes or units (for example 90)")
    elif name == "enum":
        options = [str(o) for o in detail.get("options", [])]
        close = difflib.get_close_matches(str(value), options, n=1, cutoff=0.6)
        rule = "not-allowed"
        message = Msg("%(where)s is %(value)s, which is not one of the allowed values", where=where, value=show(value))
        hint = (Msg("did you mean '%(value)s'? allowed: %(options)s", value=close[0], options=", ".join(options)) if close
                else Msg("allowed: %(options)s", options=", ".join(options)))
    elif name == "pattern":
        rule = "bad-format"
        shape = _shape(kind, detail.get("pattern", ""))
        message = (Msg("%(where)s is %(value)s, which is not %(shape)s", where=where, value=show(value),
                       shape=_SHAPES[shape]) if shape in _SHAPES else
                   Msg("%(where)s is %(value)s, which is not in the expected form", where=where, value=show(value)))
        hint = _pattern_hint(kind, path, value, shape, hints or {}) or hint
    elif name in ("minLength", "maxLength"):
        rule = "too-short" if name == "minLength" else "too-long"
        size = len(value) if isinstance(value, str) else 0
        limit = detail.get("limit")
        message = (Msg.plural("%(where)s is %(num)s character long; it must have at least %(limit)s",
                              "%(where)s is %(num)s characters long; it must have at least %(limit)s",
                              size, where=where, limit=limit) if name == "minLength" else
                   Msg.plural("%(where)s is %(num)s character long; it must have at most %(limit)s",
                              "%(where)s is %(num)s characters long; it must have at most %(limit)s",
                              size, where=where, limit=limit))
    elif name in ("minItems", "maxItems"):
        rule = "too-few-items" if name == "minItems" else "too-many-items"
        limit = detail.get("limit")
        message = (Msg.plural("%(where)s has %(num)s item; it needs at least %(limit)s",
                              "%(where)s has %(num)s items; it needs at least %(limit)s", len(value),
                              where=where, limit=limit) if name == "minItems" else
                   Msg.plural("%(where)s has %(num)s item; it needs at most %(limit)s",
                              "%(where)s has %(num)s items; it needs at most %(limit)s", len(value),
                              where=where, limit=limit))
    elif name in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"):
        rule = "out-of-range"
        limit = detail.get("limit", detail.get("multiple_of", detail.get("value")))
        need = {"minimum": Msg("at least %(limit)s", limit=limit), "maximum": Msg("at most %(limit)s", limit=limit),
                "exclusiveMinimum": Msg("more than %(limit)s", limit=limit),
                "exclusiveMaximum": Msg("less than %(limit)s", limit=limit),
                "multipleOf": Msg("a multiple of %(limit)s", limit=limit)}[name]
        message = Msg("%(where)s is %(value)s; it must be %(need)s", where=where, value=show(value), need=need)
    elif name == "uniqueItems":
        rule = "duplicate-item"
        message = Msg("%(where)s lists the same item twice", where=where)
        hint = Msg("remove the repeated item")
    else:
        message = Msg("%(where)s is not valid (%(name)s)", where=where, name=name)
    return Problem(doc.path, line, col, ERROR, rule, message, field_path(path), hint)


def _shape(kind, pattern):
    """The name of the schema definition whose pattern this is (date, time, slug…), or None."""
    defs = load_schema(kind).get("$defs", {})
    return next((name for name, node in defs.items() if node.get("pattern") == pattern), None)


def _pattern_hint(kind, path, value, shape, hints):
    """The value to type instead of one that is not in the expected form: an id for a
    name, the ISO form of a date or a time, a country code, a GitHub name without @."""
    text = str(value)
    if shape == "date":
        iso = suggest.iso_date(text, hints.get("dates"))
        return (Msg('write the date as YYYY-MM-DD, in quotes: "%(date)s"', date=iso) if iso
                else Msg('write the date as YYYY-MM-DD, in quotes, for example "2016-12-07"'))
    if shape == "time":
        iso = suggest.iso_time(text)
        return (Msg('write the time as HH:MM (24-hour), in quotes: "%(time)s"', time=iso) if iso
                else Msg('write the time as HH:MM (24-hour), in quotes, for example "14:30"'))
    known = hints.get(tuple("*" if isinstance(part, int) else part for part in path))
    if known:
        return suggest.id_for(text, known)
    if shape in ("slug", "language"):
        wanted = suggest.slug(text) if shape == "slug" else text.strip().lower()
        return Msg("ids use lower-case letters a-z, digits and hyphens: write '%(id)s'", id=wanted) if wanted else ""
    if path and path[-1] == "country":
        code = suggest.country_code(text)
        return (Msg("write the two-letter code '%(code)s'", code=code) if code
                else Msg("write the two-letter ISO code in capitals, for example FR, SN or BR"))
    if path and path[-1] == "github" and text.strip().lstrip("@").split("/")[-1]:
        return Msg("write the user name alone, without @ or address: '%(name)s'",
                   name=text.strip().rstrip("/").split("/")[-1].lstrip("@"))
    return ""


def check(kind: str, doc, hints=None):
    """Problems of one loaded document against its schema; the fast path for valid files.

    `hints` (from the repository's settings; a callable, asked only when a problem needs it)
    name what references may be, for better suggestions: {path pattern: {id: names}} and
    "dates": (first, last) of the event."""
    v = validator(kind)
    if v.is_valid(doc.data):
        return []
    hints = hints() if callable(hints) else hints
    problems = []
    for error in v.iter_errors(doc.data):
        if error.kind.name == "additionalProperties":  # one problem per unknown field, not one for all
            for key in error.kind.as_dict().get("unexpected") or [""]:
                problems.append(_error_to_problem(kind, doc, error, hints, key))
        else:
            problems.append(_error_to_problem(kind, doc, error, hints))
    return problems
