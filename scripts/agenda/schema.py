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
from .problems import ERROR, Problem, field_path, show

KINDS = ("proposal", "theme", "event")


def schema_dir() -> Path:
    """Installed wheels carry a copy beside the package; a checkout reads `schema/` itself."""
    here = Path(__file__).resolve().parent
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
    "string": "text", "integer": "a whole number", "number": "a number", "boolean": "true or false",
    "array": "a list", "object": "a group of `field: value` lines", "null": "empty",
}


def _type_of(value) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return "a group of fields"


def _lookup(data, path):
    for part in path:
        data = data[part]
    return data


def _error_to_problem(kind, doc, error, hints=None, key=None) -> Problem:
    path = tuple(error.instance_path)
    name = error.kind.name
    detail = error.kind.as_dict()
    value = _lookup(doc.data, path)
    where = field_path(path) or "the file"
    line, col = doc.where(path)
    rule, message, hint = "invalid-value", f"{where}: {error.message}", describe(kind, path)

    if name == "required":
        missing = detail["property"]
        rule = "missing-field"
        message = f"the required field `{missing}` is missing" + (f" in {where}" if path else "")
        hint = f"add `{missing}:` here. " + describe(kind, path + (missing,))
    elif name in ("additionalProperties", "unevaluatedProperties"):
        if key is None:
            unexpected = detail.get("unexpected") or []
            key = unexpected[0] if unexpected else ""
        known = list(subschema(kind, path).get("properties", {}))
        close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
        rule = "unknown-field"
        message = f"unknown field {show(key, 40)}" + (f" in {where}" if path else "")
        line, col = doc.where_key(path + (key,))
        path = path + (key,)
        hint = (f"did you mean `{close[0]}`?" if close else "allowed fields: " + ", ".join(known))
    elif name == "type":
        wanted = " or ".join(_TYPE_WORDS.get(t, t) for t in detail.get("types", []))
        rule = "wrong-type"
        message = f"{where} must be {wanted}, not {_type_of(value)}"
        if "string" in detail.get("types", []) and not isinstance(value, (list, dict)):
            hint = "put the value in quotes, for example " + show("" if value is None else str(value), 40)
        elif "boolean" in detail.get("types", []):
            hint = "write true or false (lower case, no quotes)"
        elif "integer" in detail.get("types", []):
            hint = "write digits only, without quotes or units (for example 90)"
    elif name == "enum":
        options = detail.get("options", [])
        close = difflib.get_close_matches(str(value), [str(o) for o in options], n=1, cutoff=0.6)
        rule = "not-allowed"
        message = f"{where} is {show(value)}, which is not one of the allowed values"
        hint = (f"did you mean '{close[0]}'? " if close else "") + "allowed: " + ", ".join(map(str, options))
    elif name == "pattern":
        rule = "bad-format"
        message = f"{where} is {show(value)}, which is not in the expected form"
        hint = _pattern_hint(kind, path, value, detail.get("pattern", ""), hints or {}) or hint
    elif name in ("minLength", "maxLength"):
        rule = "too-short" if name == "minLength" else "too-long"
        size = len(value) if isinstance(value, str) else 0
        limit = detail.get("limit")
        message = (f"{where} is {size} characters long; it must have "
                   + (f"at least {limit}" if name == "minLength" else f"at most {limit}") + " characters")
    elif name in ("minItems", "maxItems"):
        rule = "too-few-items" if name == "minItems" else "too-many-items"
        limit = detail.get("limit")
        message = (f"{where} has {len(value)} item(s); it needs "
                   + (f"at least {limit}" if name == "minItems" else f"at most {limit}"))
    elif name in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"):
        rule = "out-of-range"
        limit = detail.get("limit", detail.get("multiple_of", detail.get("value")))
        need = {"minimum": f"at least {limit}", "maximum": f"at most {limit}",
                "exclusiveMinimum": f"more than {limit}", "exclusiveMaximum": f"less than {limit}",
                "multipleOf": f"a multiple of {limit}"}[name]
        message = f"{where} is {show(value)}; it must be {need}"
    elif name == "uniqueItems":
        rule = "duplicate-item"
        message = f"{where} lists the same item twice"
        hint = "remove the repeated item"
    else:
        message = f"{where} is not valid ({name})"
    return Problem(doc.path, line, col, ERROR, rule, message, field_path(path), hint)


def _pattern_hint(kind, path, value, pattern, hints) -> str:
    """The value to type instead of one that is not in the expected form: an id for a
    name, the ISO form of a date or a time, a country code, a GitHub name without @."""
    defs = load_schema(kind).get("$defs", {})
    shape = next((name for name, node in defs.items() if node.get("pattern") == pattern), None)
    text = str(value)
    if shape == "date":
        iso = suggest.iso_date(text, hints.get("dates"))
        return (f"write the date as YYYY-MM-DD, in quotes: \"{iso}\"" if iso
                else "write the date as YYYY-MM-DD, in quotes, for example \"2016-12-07\"")
    if shape == "time":
        iso = suggest.iso_time(text)
        return (f"write the time as HH:MM (24-hour), in quotes: \"{iso}\"" if iso
                else "write the time as HH:MM (24-hour), in quotes, for example \"14:30\"")
    known = hints.get(tuple("*" if isinstance(part, int) else part for part in path))
    if known:
        return suggest.id_for(text, known)
    if shape in ("slug", "language"):
        wanted = suggest.slug(text) if shape == "slug" else text.strip().lower()
        return f"ids use lower-case letters a-z, digits and hyphens: write '{wanted}'" if wanted else ""
    if path and path[-1] == "country":
        code = suggest.country_code(text)
        return (f"write the two-letter code '{code}'" if code
                else "write the two-letter ISO code in capitals, for example FR, SN or BR")
    if path and path[-1] == "github" and text.strip().lstrip("@").split("/")[-1]:
        return f"write the user name alone, without @ or address: '{text.strip().rstrip('/').split('/')[-1].lstrip('@')}'"
    return ""


def check(kind: str, doc, hints=None):
    """Problems of one loaded document against its schema; the fast path for valid files.

    `hints` (from the repository's settings) name what references may be, for better
    suggestions: {path pattern: {id: names}} and "dates": (first, last) of the event."""
    v = validator(kind)
    if v.is_valid(doc.data):
        return []
    problems = []
    for error in v.iter_errors(doc.data):
        if error.kind.name == "additionalProperties":  # one problem per unknown field, not one for all
            for key in error.kind.as_dict().get("unexpected") or [""]:
                problems.append(_error_to_problem(kind, doc, error, hints, key))
        else:
            problems.append(_error_to_problem(kind, doc, error, hints))
    return problems
