"""The schemas are the documentation source: valid Draft 2020-12, every field described,
and the reference implementation (jsonschema) agrees with the fast one (jsonschema-rs)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from agenda.check.load import load_bytes
from agenda.check.schema import KINDS, load_schema, validator
from conftest import CASES, ROOT

SCHEMAS = sorted((ROOT / "schema").glob("*.schema.json"))


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: p.name)
def test_schema_is_valid_draft_2020_12(path):
    schema = json.loads(path.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def _properties(node, path=()):
    for name, child in node.get("properties", {}).items():
        yield path + (name,), child
        yield from _properties(child, path + (name,))
    if "items" in node:
        yield from _properties(node["items"], path + ("*",))


@pytest.mark.parametrize("kind", KINDS)
def test_every_top_level_field_has_a_description(kind):
    schema = load_schema(kind)
    for name, child in schema["properties"].items():
        assert child.get("description"), f"{kind}.{name} has no description"
    for name, child in schema["$defs"].get("proposer", {}).get("properties", {}).items():
        assert child.get("description"), f"proposer.{name} has no description"


def _data_files():
    yield "event", ROOT / "event.yaml"
    for path in sorted((ROOT / "themes").glob("*.yaml")):
        yield "theme", path
    for path in sorted((ROOT / "proposals").glob("*.yaml")):
        yield "proposal", path
    for path in sorted(CASES.glob("*/*.yaml")):
        kind = {"event": "event", "themes": "theme", "proposals": "proposal", "valid": "proposal"}[path.parent.name]
        yield kind, path


@pytest.mark.parametrize("kind, path", list(_data_files()), ids=lambda x: getattr(x, "name", x))
def test_reference_and_fast_validators_agree(kind, path):
    doc, problems = load_bytes(path.name, path.read_bytes())
    if doc is None:
        return  # refused by the loader before any schema applies
    reference = jsonschema.Draft202012Validator(load_schema(kind))
    assert reference.is_valid(doc.data) == validator(kind).is_valid(doc.data)


def test_published_schemas_are_the_packaged_ones():
    from agenda.check.schema import schema_dir

    for path in SCHEMAS:
        assert (Path(schema_dir()) / path.name).read_bytes() == path.read_bytes()
