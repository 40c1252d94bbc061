"""Contributor Markdown: faithful for honest text, inert for hostile text, total on any input."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agenda.site import markdown
from agenda.site.markdown import escape, plain_text, render_markdown
from conftest import ROOT

REL = 'rel="nofollow noopener ugc"'
# The longest description the schema accepts: limit tests go that far, not further.
MAX = json.loads((ROOT / "schema" / "proposal.schema.json").read_text(encoding="utf-8"))[
    "properties"]["description"]["maxLength"]


# --- what the output may contain, checked by a real HTML parser --------------------------

ALLOWED_TAGS = {"p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "s", "code",
                "pre", "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td"}
DIRECTIONAL = {"p", "li", "blockquote", "h2", "h3", "h4", "h5", "h6", "th", "td"}
ALIGN = {"align-left", "align-center", "align-right"}


def attribute_allowed(tag, name, value):
    if name == "dir":
        return tag in DIRECTIONAL and value == "auto"
    if tag == "a":
        return name in ("href", "title") or (name == "rel" and value == "nofollow noopener ugc")
    if tag in ("th", "td") and name == "class":
        return value in ALIGN
    if tag == "code" and name == "class":
        return re.fullmatch(r"language-[a-z0-9+#-]{1,30}", value) is not None
    return tag == "ol" and name == "start" and value.isdigit()


def url_is_dangerous(url):
    """What a browser would do with the URL: strip, drop tabs and newlines, read the scheme."""
    url = re.sub(r"[\t\n\r]", "", url.strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\t\n\x0b\x0c\r"
                                            "\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19"
                                            "\x1a\x1b\x1c\x1d\x1e\x1f ")).lower()
    scheme = re.match(r"([a-z][a-z0-9+.\-]*):", url)
    if scheme:
        return scheme.group(1) not in ("http", "https", "mailto")
    return re.match(r"[/\\]{2}", url) is not None


class Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements, self.other = [], []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))

    handle_startendtag = handle_starttag

    def handle_comment(self, data):
        self.other.append(("comment", data))

    def handle_decl(self, decl):
        self.other.append(("decl", decl))

    def handle_pi(self, data):
        self.other.append(("pi", data))

    def unknown_decl(self, data):
        self.other.append(("unknown", data))


def parse(html):
    collector = Collector()
    collector.feed(html)
    collector.close()
    return collector


def assert_safe(html):
    doc = parse(html)
    assert doc.other == []
    for tag, attrs in doc.elements:
        assert tag in ALLOWED_TAGS, (tag, html)
        for name, value in attrs:
            assert attribute_allowed(tag, name, value or ""), (tag, name, value, html)
            if name in ("href", "src"):
                assert not url_is_dangerous(value), (value, html)
    for tag in re.findall(r"<[^>]*>?", html):  # as serialised: nothing hides in odd quoting
        assert re.fullmatch(r'</?[a-z0-9]+(?: [a-z]+="[^"<>]*")*>', tag), (tag, html)
        assert not re.search(r' on[a-z]+="', tag), (tag, html)
    lowered = html.lower()
    for raw in ("<script", "<iframe", "<style", "<svg", "<img", "<object", "<embed", "<form", "<!--"):
        assert raw not in lowered
    return doc


def hrefs(html):
    return [dict(attrs).get("href") for tag, attrs in parse(html).elements if tag == "a"]


# --- honest content, rendered faithfully ------------------------------------------------


def test_headings_move_down_one_level_by_default():
    html = render_markdown("# Why\n\n## How\n\n###### Deep")
    assert '<h2 dir="auto">Why</h2>' in html
    assert '<h3 dir="auto">How</h3>' in html
    assert '<h6 dir="auto">Deep</h6>' in html  # capped, not an invalid h7
    assert "<h1" not in html


def test_heading_offset_is_configurable_and_never_produces_h1():
    assert '<h4 dir="auto">Why</h4>' in render_markdown("# Why", heading_offset=3)
    assert '<h6 dir="auto">Why</h6>' in render_markdown("## Why", heading_offset=10)
    assert '<h2 dir="auto">Why</h2>' in render_markdown("# Why", heading_offset=0)
    assert '<h3 dir="auto">Why</h3>' in render_markdown("### Why", heading_offset=-4)


def test_emphasis_strong_strikethrough_and_inline_code():
    html = render_markdown("Some *em*, **strong**, ~~gone~~ and `a <b> & c`.")
    assert html == ('<p dir="auto">Some <em>em</em>, <strong>strong</strong>, <s>gone</s> and '
                    '<code>a &lt;b&gt; &amp; c</code>.</p>\n')


def test_lists_and_ordered_list_start():
    html = render_markdown("- one\n- two\n\n3. three\n4. four")
    assert '<ul>\n<li dir="auto">one</li>\n<li dir="auto">two</li>\n</ul>' in html
    assert '<ol start="3">\n<li dir="auto">three</li>\n<li dir="auto">four</li>\n</ol>' in html


def test_links_get_rel_and_keep_their_title():
    html = render_markdown('[the site](https://example.org/a?b=1&c=2 "Home") and <https://x.example> '
                           "and <someone@example.org>")
    assert (f'<a href="https://example.org/a?b=1&amp;c=2" title="Home" {REL}>the site</a>') in html
    assert f'<a href="https://x.example" {REL}>https://x.example</a>' in html
    assert f'<a href="mailto:someone@example.org" {REL}>someone@example.org</a>' in html


def test_fenced_code_keeps_a_language_class_and_escapes_its_content():
    html = render_markdown('```Python\nprint("<script>alert(1)</script>")\n```')
    assert html == ('<pre><code class="language-python">print("&lt;script&gt;alert(1)&lt;/script&gt;")\n'
                    "</code></pre>\n")


def test_code_language_outside_the_pattern_is_dropped_not_the_code():
    html = render_markdown('```x" onmouseover="alert(1)\nbody\n```\n\n```c++\nint\n```\n\n```' + "a" * 31 + "\nz\n```")
    assert "<pre><code>body\n</code></pre>" in html
    assert '<code class="language-c++">int' in html
    assert "<pre><code>z\n</code></pre>" in html
    assert_safe(html)


def test_table_alignment_becomes_a_class():
    html = render_markdown("| Left | Centre | Right | None |\n|:--|:--:|--:|---|\n| 1 | 2 | 3 | 4 |")
    assert '<th class="align-left" dir="auto">Left</th>' in html
    assert '<th class="align-center" dir="auto">Centre</th>' in html
    assert '<td class="align-right" dir="auto">3</td>' in html
    assert '<td dir="auto">4</td>' in html
    assert "style" not in html


def test_blockquote_hr_and_hard_break():
    html = render_markdown("> quoted\n> text\n\n---\n\nline  \nnext")
    assert '<blockquote dir="auto">\n<p dir="auto">quoted\ntext</p>\n</blockquote>' in html
    assert "<hr>" in html
    assert '<p dir="auto">line<br>\nnext</p>' in html


def test_right_to_left_paragraphs_get_dir_auto():
    html = render_markdown("English first.\n\nمرحبا بكم في الورشة\n\nשלום לכולם\n\n- گفتگو")
    assert '<p dir="auto">مرحبا بكم في الورشة</p>' in html
    assert '<p dir="auto">שלום לכולם</p>' in html
    assert '<li dir="auto">گفتگو</li>' in html


@pytest.mark.parametrize("text", [
    "👩\u200d👩\u200d👧\u200d👦 family, 🏳\ufe0f\u200d🌈 flag, 👋🏽 wave",
    "\U0001F3F4\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F Scotland",
    "می\u200cخواهم و نمی\u200cتوانم",  # Persian: the ZWNJ is spelling, not noise
    "e\u0301 (decomposed) and é (composed) stay as written",
])
def test_complex_scripts_and_emoji_are_kept_byte_for_byte(text):
    assert render_markdown(text) == f'<p dir="auto">{text}</p>\n'


def test_images_become_links_to_the_image():
    html = render_markdown('![A *poster*](https://img.example/p.png "Poster") ![](https://img.example/q.png)')
    assert f'<a href="https://img.example/p.png" title="Poster" {REL}>A poster</a>' in html
    assert f'<a href="https://img.example/q.png" {REL}>https://img.example/q.png</a>' in html
    assert "<img" not in html


def test_an_image_inside_a_link_becomes_its_alt_text_not_a_nested_link():
    html = render_markdown("[![badge](https://img.example/b.svg)](https://ci.example)")
    assert html == f'<p dir="auto"><a href="https://ci.example" {REL}>badge</a></p>\n'


# --- hostile content, neutralised ----------------------------------------------------------

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;avascript&#58;alert(1))",
    "[x](<java\tscript:alert(1)>)",
    "[x](< \x01javascript:alert(1)>)",
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "[x](vbscript:msgbox)",
    "[x](file:///etc/passwd)",
    "[x](//evil.example)",
    "[x](</\\evil.example>)",
    "[x](\\\\evil.example)",
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2Zz4=)",
    "![x](//evil.example/pixel.gif)",
    "[x][r]\n\n[r]: javascript:alert(1)",
    "<iframe src=https://evil.example></iframe>",
    "<style>body{display:none}</style>",
    "<svg onload=alert(1)>",
    '<div onclick="alert(1)">x</div>',
    "<!-- hidden -->",
    "<javascript:alert(1)>",
    "<JAVASCRIPT:alert(1)>",
    '[x](https://example.org "a\\" onmouseover=\\"alert(1)\\" >")',
    "[x](https://example.org 'q\" > <script>alert(1)</script>')",
    '# Title {: onclick="alert(1)" }',
    'Paragraph\n{: onclick="x" }',
    '{: .class onclick="x" style="position:fixed" }',
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_markdown_is_neutralised(text):
    html = render_markdown(text)
    doc = assert_safe(html)
    names = [name for _, attrs in doc.elements for name, _ in attrs]
    assert not [n for n in names if n.startswith("on") or n in ("style", "src", "id")]


def test_raw_html_is_shown_as_text():
    html = render_markdown("<script>alert(1)</script> and <b onclick=x>bold</b>")
    assert html == ('<p dir="auto">&lt;script&gt;alert(1)&lt;/script&gt; and '
                    "&lt;b onclick=x&gt;bold&lt;/b&gt;</p>\n")


@pytest.mark.parametrize("text", [
    "[x](javascript:alert(1))", "[x](JaVaScRiPt:alert(1))", "[x](&#106;avascript:alert(1))",
    "[x](vbscript:msgbox)", "[x](file:///etc/passwd)", "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "[x](//evil.example)", "![x](javascript:alert(1))",
])
def test_refused_links_stay_visible_as_text(text):
    html = render_markdown(text)
    assert "<a" not in html
    assert html.startswith('<p dir="auto">') and "[x](" in html


def test_a_title_with_quotes_and_angle_brackets_stays_in_the_attribute():
    html = render_markdown('[x](https://example.org "a\\" onmouseover=\\"alert(1)\\" > <b>")')
    (attrs,) = [attrs for tag, attrs in parse(html).elements if tag == "a"]
    assert dict(attrs) == {"href": "https://example.org", "title": 'a" onmouseover="alert(1)" > <b>',
                           "rel": "nofollow noopener ugc"}


def test_attr_list_syntax_is_inert_text():
    html = render_markdown('# Title {: onclick="x" }\n\nText\n{: #id .cls onclick="x" }')
    assert '<h2 dir="auto">Title &#123;: onclick="x" &#125;</h2>' in html
    assert all(attrs in ([("dir", "auto")], []) for _, attrs in parse(html).elements)


def test_snippet_lines_never_include_files(tmp_path, monkeypatch):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-MARKER\n")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text("[core]\n\trepositoryformatversion = 0\n")
    monkeypatch.chdir(tmp_path)
    text = f'--8<-- ".git/config"\n\n;--8<-- "secret.txt"\n\n--8<-- "{secret}"\n\n--8<--\nsecret.txt\n--8<--'
    html = render_markdown(text)
    assert "TOP-SECRET-MARKER" not in html and "repositoryformatversion" not in html
    assert '<p dir="auto">--8&lt;-- ".git/config"</p>' in html
    assert '<p dir="auto">;--8&lt;-- "secret.txt"</p>' in html
    assert "--8<--" not in html  # the marker cannot reach a later snippets pass either


def test_template_syntax_is_inert_text():
    html = render_markdown("{{ config }} {% include 'x' %} {# c #}\n\n```\n{{ config.extra }}\n```")
    assert "{" not in html and "}" not in html  # entities: same text for a browser, none for Jinja
    assert '<p dir="auto">&#123;&#123; config &#125;&#125; &#123;% include \'x\' %&#125;' in html
    assert parse_text(html) == "{{ config }} {% include 'x' %} {# c #}\n{{ config.extra }}\n"


def parse_text(html):
    parts = []
    parser = HTMLParser(convert_charrefs=True)
    parser.handle_data = parts.append
    parser.feed(html)
    parser.close()
    return "".join(parts).replace("\n\n", "\n")


def test_sanitiser_is_a_second_layer_on_its_own():
    """If markdown-it (or our rules) ever let HTML through, nh3 still removes it."""
    html = markdown._clean(
        '<h1>t</h1><p onclick="x" dir="rtl" style="color:red">p</p><img src="https://x/y.png">'
        '<script>alert(1)</script><style>*{}</style><iframe src="https://x"></iframe>'
        '<a href=" &#106;ava&#x09;script:alert(1)">j</a><a href="//evil">n</a><a href="/\\evil">b</a>'
        '<a href="data:text/html,x">d</a><a href="vbscript:x">v</a><a href="file:///etc/passwd">f</a>'
        '<a href="https://ok.example" rel="opener" target="_blank">ok</a><!-- c -->'
        '<td class="align-left evil" style="text-align:left">c</td><code class="language-py x">k</code>'
        '<code class="Language-PY">u</code><ol start="2" type="a"><li dir="ltr">l</li></ol>'
    )
    assert_safe(html)
    assert "alert" not in html and "*{}" not in html  # script and style lose their content too
    assert '<p dir="auto">p</p>' in html
    assert hrefs(html) == [None] * 6 + ["https://ok.example"]
    assert f'<a href="https://ok.example" {REL}>ok</a>' in html
    assert '<code>k</code>' in html and "<code>u</code>" in html
    assert '<ol start="2"><li dir="auto">l</li></ol>' in html


# --- total on any input --------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "", " ", "\n" * 1000, "\x00", "a\x00b", "\ud800", "x\udfffy\ud83d", "\ufeff# BOM", "\r\n\r",
    "\u202e evil \u202c", "\U0010ffff", "&#0; &#xD800; &#x110000; &nosuchentity;",
])
def test_odd_inputs_render(text):
    assert_safe(render_markdown(text))
    assert isinstance(plain_text(text, 50), str)


def test_nul_and_lone_surrogates_become_replacement_characters():
    assert render_markdown("a\x00b\ud800c") == '<p dir="auto">a\ufffdb\ufffdc</p>\n'


def nested(opening, middle="x", closing=""):
    """`opening` n times, `middle`, `closing` n times: the deepest nesting within MAX characters."""
    n = (MAX - len(middle)) // (len(opening) + len(closing))
    return opening * n + middle + closing * n


def staircase(item):
    """Lines of `item`, each indented two spaces more, as many as fit within MAX characters."""
    lines, size = [], 0
    while size + len(lines) * 2 + len(item) + 1 <= MAX:
        lines.append("  " * len(lines) + item + "\n")
        size += len(lines[-1])
    return "".join(lines)


DEEP = {
    "blockquotes": nested(">", " x"),
    "spaced blockquotes": nested("> "),
    "brackets": nested("[", ""),
    "links": nested("[", "x", "](https://e.example)"),
    "images": nested("![", "x", "](https://e.example)"),
    "images in links": nested("[![", "x", "](https://i.example)](https://l.example)"),
    "lists": nested("- "),
    "indented lists": staircase("- x"),
    "ordered lists": nested("1. "),
    "mixed containers": nested("> - 1. "),
    "emphasis": nested("*", "x", "*"),
    "strong and em": nested("***x ", ""),
    "strikethrough": nested("~~", "x", "~~"),
    "parentheses": "[x](" + nested("(", "", ")")[: MAX - 5] + ")",
    "backticks": nested("`"),
    "angle brackets": nested("<", "", ">"),
}


def current_depth():
    frame, depth = sys._getframe(), 0
    while frame:
        frame, depth = frame.f_back, depth + 1
    return depth


@pytest.mark.parametrize("text", DEEP.values(), ids=DEEP.keys())
def test_deep_nesting_needs_a_bounded_stack(text):
    """Nesting thousands deep must not recurse thousands deep: 150 frames are enough for anything."""
    assert len(text) <= MAX
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(current_depth() + 150)
    try:
        start = time.perf_counter()
        html = render_markdown(text)
        excerpt = plain_text(text, 160)
        elapsed = time.perf_counter() - start
    finally:
        sys.setrecursionlimit(limit)
    assert_safe(html)
    assert len(excerpt) <= 160
    assert elapsed < 10


@pytest.mark.parametrize("unit", ["[", "![", "*a", "_a ", "`", "<", "> [", "- [", "[`", "*_", "|",
                                  "| a |\n|---|\n", "a\n|-|\n", "[a](", "&#", "\\", "مرحبا 👩\u200d👩 ",
                                  "Lorem *ipsum* [dolor](https://x.example) sit `amet`.\n\n"])
def test_the_longest_descriptions_render_in_reasonable_time(unit):
    text = (unit * (MAX // len(unit) + 1))[:MAX]
    start = time.perf_counter()
    html = render_markdown(text)
    excerpt = plain_text(text, 300)
    assert time.perf_counter() - start < 5
    assert_safe(html)
    assert len(excerpt) <= 300


def test_a_very_wide_table_renders():
    text = "|" + "a|" * 2000 + "\n|" + "-|" * 2000 + "\n" + "|x\n" * 2000
    assert len(text) <= MAX
    start = time.perf_counter()
    assert_safe(render_markdown(text))
    assert time.perf_counter() - start < 10


# --- properties ------------------------------------------------------------------------------

PIECES = list("*_`~[]()<>!#>-+|:\\&;\"'=/{}% \n\t\x00") + [
    "javascript:", "JaVaScRiPt:", "&#106;", "&#x6A;", "&colon;", "data:", "vbscript:", "file:",
    "//", "\\\\", "http://", "https://x.example", "mailto:", "<script>", "</script>", "<img src=x ",
    "onerror=", "onclick=", "<a href=", "<svg", "<iframe", "<style>", "<!--", "-->", "<![CDATA[",
    "```", "```py", "    ", "1. ", "- ", "> ", "| a |\n|:-|\n", "---\n", "![", "](", "[x]: ",
    "{: ", "--8<--", "{{", "{%", "\u202e", "\u200d", "\u200c", "مرحبا", "\ud800", "&amp;", "&lt;",
]
markdownish = st.lists(st.sampled_from(PIECES) | st.text(max_size=5), max_size=60).map("".join)
anything = st.text(alphabet=st.characters(exclude_categories=()), max_size=300)
PROPERTY = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(markdownish | anything)
def test_any_text_gives_safe_html(text):
    assert_safe(render_markdown(text))


@PROPERTY
@given(markdownish | anything, st.integers(min_value=0, max_value=200))
def test_plain_text_is_bounded_and_has_no_markup_of_its_own(text, limit):
    excerpt = plain_text(text, limit)
    assert len(excerpt) <= limit
    assert excerpt == excerpt.strip() and "  " not in excerpt and "\n" not in excerpt


def test_rendering_does_not_depend_on_the_process():
    """Sets and hash seeds differ between processes; the published page must not. Every
    hostile and odd input above, and random ones, rendered in two processes."""
    rng = __import__("random").Random(11)
    texts = HOSTILE + [
        "# T\n\n| a | b |\n|:-|-:|\n| 1 | 2 |\n\n```py\nx\n```\n\n[l](https://e.example \"t\") ![i](https://i.example)\n\n3. x\n",
        "[a][r] [b][R]\n\n[r]: https://e.example/ \"t\"\n", "{{ config }} {% x %}", "مرحبا 👩\u200d👩\n\n> - 1. x",
    ] + ["".join(rng.choice(PIECES) for _ in range(40)) for _ in range(200)]
    code = ("import json, sys\nfrom agenda.site.markdown import render_markdown, plain_text\n"
            "texts = json.load(sys.stdin)\n"
            "print(json.dumps([[render_markdown(t, o), plain_text(t, 80)] for t in texts for o in (0, 1)]))")
    payload = json.dumps(texts)
    outputs = [subprocess.run([sys.executable, "-c", code], input=payload, capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")]
    assert outputs[0] == outputs[1]
    assert json.loads(outputs[0])[0][0] == render_markdown(texts[0], 0)


# --- plain text and escaping ------------------------------------------------------------


def test_plain_text_keeps_only_words():
    text = "# Title\n\nSome *em* and [a link](https://x.example), `code` & ![alt](https://i.example).\n\n```\nskipped()\n```\n\n- one\n- two"
    assert plain_text(text, 200) == "Title Some em and a link, code & alt. one two"


def test_plain_text_is_not_escaped():
    assert plain_text("<script> &amp; \"q\"", 100) == '<script> & "q"'


def test_plain_text_cuts_at_a_word_boundary_with_an_ellipsis():
    assert plain_text("The quick brown fox jumps", 25) == "The quick brown fox jumps"
    assert plain_text("The quick brown fox jumps", 24) == "The quick brown fox…"
    assert plain_text("The quick brown fox jumps", 20) == "The quick brown fox…"
    assert plain_text("The quick brown fox jumps", 19) == "The quick brown…"
    assert plain_text("Supercalifragilistic", 10) == "Supercali…"  # one long word: cut inside it
    assert plain_text("abc", 0) == ""


def test_plain_text_keeps_joiners():
    assert plain_text("می\u200cخواهم 👩\u200d👩\u200d👧", 50) == "می\u200cخواهم 👩\u200d👩\u200d👧"


def test_escape_is_safe_in_text_and_attributes():
    assert escape("<a href=\"x\" title='y'>&</a>") == "&lt;a href=&quot;x&quot; title=&#x27;y&#x27;&gt;&amp;&lt;/a&gt;"
    assert escape("مرحبا 👩\u200d👩") == "مرحبا 👩\u200d👩"


def test_top_level_makes_the_highest_heading_that_level():
    assert '<h3 dir="auto">A</h3>' in render_markdown("# A\n\n## B", top_level=3)
    assert '<h4 dir="auto">B</h4>' in render_markdown("# A\n\n## B", top_level=3)
    assert '<h3 dir="auto">A</h3>' in render_markdown("## A\n\n### B", top_level=3)
    assert '<h3 dir="auto">A</h3>' in render_markdown("#### A", top_level=3)
    assert "<h" not in render_markdown("no heading at all", top_level=3)
