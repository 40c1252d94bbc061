"""Text rules on hostile input, class by class: invisible characters (with the exceptions real
scripts need), links judged from what Markdown reads as a link, and Markdown that renders to
far more HTML than it is long."""

from __future__ import annotations

import json
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agenda.site import markdown
from agenda.check import schema, text
from agenda.check.load import load_bytes
from agenda.check.repository import check_repository
from conftest import ROOT

MARKDOWN, URLS = schema.field_kinds("proposal")
DESCRIPTION_MAX = json.loads((ROOT / "schema" / "proposal.schema.json").read_text(encoding="utf-8"))[
    "properties"]["description"]["maxLength"]


def yaml_quoted(value):
    """A YAML double-quoted scalar: every non-ASCII character escaped (\\u, \\U for astral)."""
    body = json.dumps(value, ensure_ascii=False)[1:-1]
    return '"' + "".join(c if c.isascii() else (f"\\u{ord(c):04x}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08x}")
                         for c in body) + '"'


def problems_of(title=None, description=None, summary=None):
    """The text rules' problems for a proposal holding these values (only these fields)."""
    fields = {name: value for name, value in (("title", title), ("summary", summary), ("description", description))
              if value is not None}
    raw = "\n".join(f"{k}: {yaml_quoted(v)}" for k, v in fields.items()).encode()
    doc, problems = load_bytes("proposals/p.yaml", raw)
    assert doc is not None, problems
    return [(p.rule, p.field) for p in text.check_text(doc, MARKDOWN, URLS)]


def hidden(value):
    return problems_of(title=value) == [("control-character", "title")]


def kept(value):
    return problems_of(title=value, description=value) == []


# --- invisible characters --------------------------------------------------------------------

ENGLAND = "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"
REFUSED = {
    "tag characters spelling text": "Open data\U000e0069\U000e0067\U000e006e\U000e006f\U000e0072\U000e0065",
    "cancel tag alone": "Open data \U000e007f",
    "language tag (deprecated)": "\U000e0001\U000e0065\U000e006e Open data",
    "flag tags without the black flag": "Open \U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f data",
    "flag tags without cancel tag": "Open \U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067 data",
    "flag tags too long": "Open \U0001f3f4" + "\U000e0061" * 7 + "\U000e007f data",
    "VS16 after a letter": "Open\ufe0f data",
    "VS1 after a letter": "Op\ufe00en data",
    "VS at the start": "\ufe0fOpen data",
    "VS after a space": "Open \ufe0fdata",
    "two VS in a row": "I \u2764\ufe0f\ufe0f open data",
    "VS smuggling run": "Open data \U0001f600" + "\U000e0100\U000e0121\U000e0133" * 5,
    "VS17 after an ideograph": "Open data \u845b\U000e0100",
    "hangul filler": "\u3164",
    "hangul choseong filler": "Open\u115f data",
    "hangul jungseong filler": "Open\u1160 data",
    "halfwidth hangul filler": "Open data\uffa0",
    "soft hyphen": "Open da\u00adta",
    "combining grapheme joiner": "Open da\u034fta",
    "mongolian vowel separator": "Open\u180edata",
    "mongolian selector after latin": "Open\u180b data",
    "khmer inherent vowel": "Open\u17b4 data",
    "invisible times": "Open\u2062data",
    "function application": "Open\u2061data",
    "word joiner": "Open\u2060data",
    "deprecated format (inhibit swapping)": "Open\u206adata",
    "interlinear annotation": "Open \ufff9data\ufffahidden\ufffb",
    "byte order mark": "Open data\ufeff",
    "zero width space": "Open\u200bdata",
    "braille blank": "Open\u2800data",
    "ZWJ between ASCII letters": "Op\u200den data",
    "ZWNJ between ASCII letters": "Op\u200cen data",
    "ZWJ at the end": "Open data \u0627\u200d",
    "two joiners in a row": "\u0645\u06cc\u200c\u200c\u062e\u0648\u0627\u0647\u0645",
    "joiner before a space": "\u0645\u06cc\u200c \u062e\u0648\u0627\u0647\u0645",
    "shorthand format control": "Open\U0001bca0data",
    "musical symbol begin beam": "Open\U0001d173data",
    "egyptian hieroglyph format control": "Open\U00013430data",
    "unassigned default ignorable": "Open\U000e0fffdata",
}
KEPT = {
    "flag of England": f"Open data in England {ENGLAND}",
    "flag of Scotland": "Scotland \U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",
    "emoji presentation": "I \u2764\ufe0f open data, \u263a\ufe0e text style",
    "keycaps": "Step 1\ufe0f\u20e3 and #\ufe0f\u20e3",
    "standardized variant": "a \u2269\ufe00 b",
    "emoji ZWJ sequences": "\U0001f469\u200d\U0001f4bb \U0001f3f3\ufe0f\u200d\U0001f308 \u2764\ufe0f\u200d\U0001f525",
    "persian ZWNJ": "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",
    "devanagari half form": "\u0915\u094d\u200d\u0937",
    "direction marks": "\u05e2\u05d1\u05e8\u05d9\u05ea\u200f and \u0627\u0644\u0639\u0631\u0628\u064a\u0629\u061c 2016\u200e",
    "mongolian free variation selector": "\u182d\u180b\u1823",
    "arabic number sign (a drawn format character)": "\u0600\u0661\u0662",
    "no-break spaces": "Open\u00a0data\u202f!",
    "private use": "Open \ue000 data",
}


@pytest.mark.parametrize("value", REFUSED.values(), ids=REFUSED.keys())
def test_invisible_characters_are_refused(value):
    assert hidden(value)
    assert problems_of(description=value + "\n") == [("control-character", "description")]


@pytest.mark.parametrize("value", KEPT.values(), ids=KEPT.keys())
def test_what_real_scripts_need_is_kept(value):
    assert kept(value)


LONG = "Des communes publient leurs budgets ; les habitants les lisent ensemble. " * 4  # over 200 characters


@pytest.mark.parametrize("value", REFUSED.values(), ids=REFUSED.keys())
def test_invisible_characters_are_refused_in_long_texts_with_or_without_emoji(value):
    """A long text without astral characters is searched without the astral ranges: a refused
    character is found there too, and in a long text that also holds an emoji."""
    for text_ in (LONG + value, value + LONG, LONG + "😀 " + value):
        assert problems_of(summary=text_, description=text_ + "\n") == [
            ("control-character", "summary"), ("control-character", "description")], text_


@pytest.mark.parametrize("value", KEPT.values(), ids=KEPT.keys())
def test_what_real_scripts_need_is_kept_in_long_texts(value):
    assert problems_of(summary=LONG + value, description=LONG + value + "\n" + LONG) == []


def test_the_message_names_the_character_and_where_it_is(base_repo):
    path = base_repo / "proposals" / "second-session.yaml"
    path.write_text(path.read_text().replace("Second fixture", "Second\U000e0069 fixture"))
    (problem,) = check_repository(base_repo, jobs=1).problems
    assert (problem.rule, problem.line, problem.column) == ("control-character", 2, 8)
    assert "U+E0069 TAG LATIN SMALL LETTER I" in problem.message
    assert "at character 7 of 'Second\\U000e0069 fixture" in problem.message


# --- links -------------------------------------------------------------------------------------

SECURITY_TALK = """## Cross-site scripting

A link such as `<a href="javascript:alert(1)">` runs code; so does `[x](javascript:alert(1))`
and the autolink `<javascript:alert(1)>` in some renderers: never let `javascript:alert(1)` or
``data:text/html,<script>`` reach an `href`.

```html
<a href="javascript:alert(document.cookie)">click</a>
[ref]: javascript:alert(1)
```

    ![pixel](data:image/gif;base64,R0lGOD)

Read [the OWASP page](https://owasp.org/www-community/attacks/xss/) and <mailto:sec@example.org>.
"""


def test_a_talk_about_web_security_may_show_dangerous_links_as_code():
    assert problems_of(description=SECURITY_TALK) == []


UNSAFE = [
    "[x](javascript:alert(1))", "[x](JaVaScRiPt:alert(1))", "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;avascript&#58;alert(1))", "[x](javascript&colon;alert(1))", "[x](< javascript:alert(1)>)",
    "[x](\njavascript:alert(1))", "[x](data:text/html;base64,PHNjcmlwdD4=)", "[x](vbscript:msgbox)",
    "[x](file:///etc/passwd)", "[x](//evil.example)", "[x](  //evil.example)", "[x](</\\/evil.example>)", "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2Zz4=)", "[x][r]\n\n[r]: javascript:alert(1)",
    "[r]\n\n[r]:\n  javascript:alert(1)", "[unused]: javascript:alert(1)", "<javascript:alert(1)>",
    "<JAVASCRIPT:alert(1)>", "> - [x](javascript:alert(1))", "| a |\n|---|\n| [x](javascript:a) |",
    "[![i](https://i.example)](javascript:alert(1))", "![[x](javascript:alert(1))](https://i.example)",
    "Text ``code`` then [x](javascript:alert(1))",
]


@pytest.mark.parametrize("value", UNSAFE)
def test_every_real_unsafe_link_is_reported(value):
    assert problems_of(description=value) == [("unsafe-url", "description")]


def test_safe_links_are_not_reported():
    value = ("[a](https://example.org) [b](http://example.org \"t\") <https://x.example> <someone@example.org> "
             "[c](mailto:someone@example.org) [d](#anchor) [e](relative/page) [f][r]\n\n[r]: HTTPS://example.org")
    assert problems_of(description=value) == []


def test_a_link_used_a_thousand_times_is_one_problem_naming_its_line():
    value = "Intro\n\n" + "[x][r] " * 1000 + "\n\n[r]: javascript:alert(1)\n"
    doc, _ = load_bytes("proposals/p.yaml", f"description: {yaml_quoted(value)}".encode())
    problems = text.check_text(doc, MARKDOWN, URLS)
    assert [p.rule for p in problems] == ["unsafe-url"]
    assert "'javascript:alert(1)' (line 3 of the text)" in problems[0].message


# --- output amplification ------------------------------------------------------------------

def _reference_bomb(uses=1400, url_length=4000):
    url = "https://example.org/" + "a" * url_length
    return "[x][r] " * uses + f"\n\n[r]: {url} \"{'t' * 1000}\"\n"


def _table_bomb():
    """Long enough to be measured for its length alone; just over the limit once rendered."""
    columns = 1500
    return "|" + "a|" * columns + "\n|" + "-|" * columns + "\n" + "x\n" * 10


def _small_table_bomb():
    """Under 5 KB, so its length alone would not get it measured: only its cells do."""
    columns = 200
    return "|" + "a|" * columns + "\n|" + "-|" * columns + "\n" + "x\n" * 80


AMPLIFIERS = {"reference used 1,400 times": _reference_bomb(), "table with empty cells": _table_bomb(),
              "small table with empty cells": _small_table_bomb(),
              "small table in a blockquote": "> " + _small_table_bomb().replace("\n", "\n>"),
              "reference in a blockquote": "> " + _reference_bomb().replace("\n\n", "\n>\n> ")}


@pytest.mark.parametrize("value", AMPLIFIERS.values(), ids=AMPLIFIERS.keys())
def test_markdown_that_renders_far_larger_than_it_is_is_refused(value):
    assert len(value) <= DESCRIPTION_MAX  # within the schema's limit: only its rendering is too large
    assert markdown.rendered_size(value) > text.MAX_HTML_BYTES
    assert problems_of(description=value) == [("too-long", "description")]


def test_the_amplification_problem_says_where_and_how_much(base_repo):
    path = base_repo / "proposals" / "second-session.yaml"
    body = "  " + _reference_bomb(uses=600).replace("\n", "\n  ")
    text_ = path.read_text().replace("  A conference on how journalists", body + "\n  A conference on how journalists")
    path.write_text(text_)
    (problem,) = check_repository(base_repo, jobs=1).problems
    assert (problem.rule, problem.line, problem.column) == ("too-long", 7, 14)
    assert "bytes of HTML on the site" in problem.message and f"{text.MAX_HTML_BYTES:,}" in problem.message


def test_long_honest_markdown_at_the_schemas_limit_passes():
    paragraph = ("Les **budgets** des communes sont publics ; [voici comment](https://example.org/budgets) "
                 "les lire, avec `csvkit` et un tableur.\n\n- une liste ;\n- deux éléments.\n\n"
                 "| commune | budget |\n|:--|--:|\n| Paris | 8 Md€ |\n\n> Une citation.\n\n")
    value = (paragraph * (DESCRIPTION_MAX // len(paragraph)))[:DESCRIPTION_MAX]
    assert text.may_amplify(value)  # long, with tables: it is measured...
    assert problems_of(description=value) == []  # ...and it is fine


def test_ordinary_descriptions_are_not_rendered_by_the_check(monkeypatch, tmp_path):
    """The check renders only what cheap indicators cannot clear: the repository's own
    proposals are never rendered (a 10,000-proposal check stays as fast)."""
    def refuse(_text):
        raise AssertionError("rendered")

    monkeypatch.setattr(markdown, "rendered_size", refuse)
    report = check_repository(ROOT, jobs=1)
    assert [p for p in report.problems if p.is_error] == []


# The bound that lets the check skip rendering: from counts only, at least the real size.
HEAVY_UNITS = [">", "> ", ">\n", ">" * 20 + "\n\n", ">" * 30 + "x\n\n", "- ", "-\n", "1. ", "1.\n", "#\n",
               "* ", "> - ", ">1.", "*a*", "**a**", "`a`", "<a@b>", "<http://a>", "[]()", "![]()",
               "![](&&&&&&&&)", "***\n", "a  \n", "    a\n\n", "```\n```\n", "~~a~~", "\"", "{", "&",
               "<", "* * * * * * * * a\n\n", ">" * 20 + "- " * 10 + "\n\n", "1) " * 30 + "\n\n",
               "- > " * 15 + "\n\n", "\\\n", "a\n=\n", "[a](<>)", "![](<&>)", "[](<\u00e9>)",
               "|", "|\n", "a|b\n-|-\n", "|a|\n|-|\n", "x\n", "| a |\n|---|\n" + "x\n" * 5,
               "> |a|b|c|\n> |-|-|-|\n>\n", "- a|b\n  -|-\n  x\n"]
PIECES = list("*_`~[]()<>!#>-+:\\&;\"'=/{}%| \n\t@.") + [
    "javascript:", "&#106;", "&colon;", "http://", "https://x.example", "mailto:", "<script>", "```",
    "    ", "1. ", "- ", "> ", "---\n", "![", "](", "{{", "\u00e9", "\U0001f600", "&amp;", "<a@b.c>", "\n\n",
    "| a | b |\n", "|---|:-:|\n", "-|-\n", "|||||\n", "x\n"]


def _within_bound(text_):
    bound = text.html_bound(text_)
    return bound is None or markdown.rendered_size(text_) <= bound


@pytest.mark.parametrize("unit", HEAVY_UNITS)
def test_heavy_markup_stays_within_the_bound_the_check_relies_on(unit):
    value = (unit * (DESCRIPTION_MAX // len(unit) + 1))[:DESCRIPTION_MAX]
    assert _within_bound(value)
    assert _within_bound(unit)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES) | st.text(max_size=4), max_size=80).map("".join))
def test_any_markdown_stays_within_the_bound(value):
    assert _within_bound(value)


def test_the_indicators_see_references_and_tables_anywhere():
    for value in ("[r]: https://x.example", "> [r]:\n> https://x.example"):
        assert text.html_bound(value) is None, value
    for value in ("- | a |\n  |---|\n" + "x\n" * 3000, "> a|b\n> -|-\n" + ">\n" * 3000, "a | b\n:-: | --:\n" + "x\n" * 3000):
        assert text.may_amplify(value), value
    for value in ("A talk - with | a pipe", "Short [link](https://x.example).", "|a|b|\n|-|-|\n|1|2|\n"):
        assert not text.may_amplify(value), value


@pytest.mark.parametrize("line", ["-" * DESCRIPTION_MAX + "|x", "> " + " " * DESCRIPTION_MAX + "-|x",
                                  ("| " + " " * 40) * (DESCRIPTION_MAX // 42) + "-x"])
def test_the_bound_of_the_longest_hostile_line_is_found_in_linear_time(line):
    """Almost a table's delimiter row, as long as a description may be: a search whose two
    repeats could trade characters took 1.6 s on the first (quadratic); linear, it is
    about 0.3 ms."""
    start = time.perf_counter()
    assert text.html_bound(line) is not None
    assert time.perf_counter() - start < 0.25


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_comments_of_a_windows_file_are_read_line_by_line(base_repo, newline):
    """Notepad and Git on Windows write CRLF: the carriage return ends the line, it is not an
    invisible character in each comment (it was, in a file with an accent anywhere). A hidden
    character in a comment is still found, on its line."""
    source = base_repo / "proposals" / "second-session.yaml"
    lines = ["# Proposée par l'équipe", "# Relue"] + source.read_text(encoding="utf-8").splitlines()
    source.write_bytes(newline.join(lines).encode("utf-8") + newline.encode())
    assert check_repository(base_repo, jobs=1).problems == []
    lines[1] = "# Relue\u200b par Awa"
    source.write_bytes(newline.join(lines).encode("utf-8") + newline.encode())
    problems = check_repository(base_repo, jobs=1).problems
    assert [(p.file, p.rule, p.line, p.column) for p in problems] == [
        ("proposals/second-session.yaml", "control-character", 2, 8)]
