"""The strict YAML policy: nothing a contributor wrote is silently changed or lost."""

from __future__ import annotations

import pytest

from agenda.check.load import MAX_BYTES, load_bytes


def data_of(text):
    doc, problems = load_bytes("p.yaml", text.encode("utf-8"))
    assert problems == []
    return doc.data


@pytest.mark.parametrize("written", ["NO", "no", "No", "on", "off", "yes", "y", "n", "10:30", "060",
                                     "2016-12-07", "1e3", "0x1F", "0o17", ".inf", "-.inf", ".nan",
                                     "1_000", "+1", "1.5", "12:30:00", "2016-12-07T10:30:00Z"])
def test_yaml_11_lookalikes_are_kept_as_the_text_written(written):
    assert data_of(f"value: {written}\n") == {"value": written}


@pytest.mark.parametrize("written, value", [
    ("true", True), ("false", False), ("True", True), ("FALSE", False),
    ("90", 90), ("-5", -5), ("0", 0), ("", None), ("~", None), ("null", None),
    ('"90"', "90"), ("'true'", "true"), ('"no"', "no"),
])
def test_only_unambiguous_scalars_are_typed(written, value):
    assert data_of(f"value: {written}\n") == {"value": value}


def test_huge_integers_stay_text_rather_than_overflow_later():
    assert data_of("value: 12345678901234567890\n") == {"value": "12345678901234567890"}


def test_every_value_and_key_keeps_its_line_and_column():
    doc, _ = load_bytes("p.yaml", b"title: x\nproposers:\n  - name: Ana\n    country: FR\n")
    assert doc.where(("title",)) == (1, 8)
    assert doc.where(("proposers", 0, "country")) == (4, 14)
    assert doc.where_key(("proposers",)) == (2, 1)
    assert doc.where(("proposers", 0, "missing")) == (3, 5)  # nearest written ancestor


def rules_of(raw: bytes):
    doc, problems = load_bytes("p.yaml", raw)
    assert doc is None
    return [(p.rule, p.line, p.column) for p in problems]


def test_utf16_with_bom_is_refused():
    assert rules_of("title: é\n".encode("utf-16")) == [("not-utf8", 1, 1)]


def test_utf16_without_bom_is_refused():
    assert rules_of("title: x\n".encode("utf-16-le")) == [("not-utf8", 1, 1)]


def test_invalid_utf8_points_at_the_byte():
    assert rules_of(b"title: ok\nsummary: caf\xe9\n") == [("not-utf8", 2, 13)]


def test_nul_byte_is_refused():
    assert rules_of(b"title: ok\nsummary: a\x00b\n") == [("not-utf8", 2, 1)]


def test_utf8_bom_is_accepted():
    doc, problems = load_bytes("p.yaml", b"\xef\xbb\xbftitle: ok\n")
    assert problems == [] and doc.data == {"title": "ok"}


def test_size_limit():
    raw = b"title: " + b"a" * MAX_BYTES + b"\n"
    assert rules_of(raw) == [("file-too-large", 1, 1)]
    assert load_bytes("p.yaml", b"title: " + b"a" * (MAX_BYTES - 20) + b"\n")[0] is not None


def test_alias_bomb_is_refused_before_anything_is_expanded():
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    problems = rules_of("\n".join(lines).encode())
    assert [r for r, _, _ in problems] == ["yaml-anchor", "yaml-alias"]


def test_deep_nesting_is_a_problem_not_a_recursion_error():
    raw = b"a: " + b"[" * 100_000 + b"]" * 100_000 + b"\n"
    assert rules_of(raw[:MAX_BYTES])[0][0] == "too-deep"
    raw = b"a: " + b"[" * 5000 + b"]" * 5000
    assert rules_of(raw)[0][0] == "too-deep"


def test_messages_never_echo_raw_control_characters():
    doc, problems = load_bytes("p.yaml", b"a: 1\n\"\\e[31mred\\u202e\": 1\n\"\\e[31mred\\u202e\": 2\n")
    (p,) = problems
    assert p.rule == "duplicate-key"
    assert "\x1b" not in p.message and "\u202e" not in p.message
    assert "\\u001b" in p.message
