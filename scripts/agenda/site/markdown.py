"""Contributor Markdown, made safe to publish.

A proposal's description is written by a stranger in a pull request and shown to every
visitor of the site, so it is treated as hostile. Python-Markdown (what MkDocs uses) passes
raw HTML through and its extensions (attr_list, snippets, macros) give text powers over the
page or the build, so descriptions are rendered here instead, in two independent layers:

1. markdown-it-py with raw HTML off: `<script>` in the text comes out as visible text, and
   a link or image whose scheme is not https, http or mailto, or which points to another
   host without a scheme (`//host`), is refused and stays visible as text.
2. nh3 (ammonia) with an allow-list of tags, attributes, classes and URL schemes, so that a
   mistake in layer 1, or in our own rendering rules, still cannot publish active content.

Images become links: an <img> would make every visitor's browser fetch a stranger's URL
(tracking), and the site must not depend on outside hosts.
"""

from __future__ import annotations

import html
import re

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import unescapeAll
from markdown_it.token import Token

_ALIGNMENTS = ("left", "center", "right")
_LANGUAGE = re.compile(r"[a-z0-9+#-]{1,30}")
_LANGUAGE_CLASS = re.compile(r"language-[a-z0-9+#-]{1,30}")
_SURROGATE = re.compile("[\ud800-\udfff]")
# What a browser ignores at the start of a URL, then two slashes in any direction: a link
# to another host that carries no scheme, so no scheme allow-list can catch it.
_NETWORK_PATH = re.compile(r"[\x00-\x20]*[/\\][\t\n\r]*[/\\]")
_SCHEME = re.compile(r"[\x00-\x20]*([A-Za-z][A-Za-z0-9+.\-]*):")

_DIRECTIONAL = ("p", "li", "blockquote", "h2", "h3", "h4", "h5", "h6", "th", "td")
TAGS = frozenset({"p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "s",
                  "code", "pre", "blockquote", "ul", "ol", "li", "a",
                  "table", "thead", "tbody", "tr", "th", "td"})
ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "code": {"class"}}
CLASSES = {cell: {f"align-{a}" for a in _ALIGNMENTS} for cell in ("th", "td")}
URL_SCHEMES = frozenset({"https", "http", "mailto"})
LINK_REL = "nofollow noopener ugc"


def escape(text: str) -> str:
    """Escape a plain field for HTML text or a quoted attribute value."""
    return html.escape(text, quote=True)


def render_markdown(text: str, heading_offset: int = 1, top_level: int | None = None) -> str:
    """Render contributor Markdown to an HTML fragment that is safe to publish.

    Headings move down `heading_offset` levels, so a description's `#` sits under the
    page's own headings, and never above h2 nor below h6: the page owns its h1. With
    `top_level`, the text's highest heading becomes h<top_level> whether its author started
    at `#` or `##`, so that the page's heading order never skips a level.
    """
    env: dict = {}
    tokens = _MD.parse(_valid_unicode(text), env)
    if top_level is not None:
        levels = [int(t.tag[1]) for t in tokens if t.type == "heading_open"]
        heading_offset = top_level - min(levels) if levels else 0
    else:
        heading_offset = max(0, heading_offset)
    env["heading_offset"] = heading_offset
    html_ = _MD.renderer.render(tokens, _MD.options, env)
    return _inert_braces(_clean(html_))


def plain_text(markdown: str, limit: int) -> str:
    """A plain-text excerpt of Markdown for meta descriptions and search snippets.

    The result is not escaped (the caller knows its context) and is at most `limit`
    characters, "…" included; code blocks are left out, they rarely summarise anything.
    """
    tokens = _MD.parse(_valid_unicode(markdown))
    words = " ".join(_inline_text(t.children or []) for t in tokens if t.type == "inline").split()
    return _shorten(" ".join(words), limit)


def _valid_unicode(text: str) -> str:
    # A lone surrogate is a valid Python str but cannot be encoded to UTF-8 for nh3.
    return _SURROGATE.sub("\ufffd", text)


def _inert_braces(fragment: str) -> str:
    # Browsers read &#123; as "{", but a template engine that later sees the page (Jinja,
    # mkdocs-macros, attr_list's "{: }") does not: "{{ config }}" stays text wherever it goes.
    return fragment.replace("{", "&#123;").replace("}", "&#125;")


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    if limit < 1:
        return ""
    cut = text[: limit - 1]
    if text[limit - 1] != " " and " " in cut:
        cut = cut.rsplit(" ", 1)[0]  # do not end in the middle of a word
    return cut.rstrip() + "…"


def _inline_text(tokens: list[Token]) -> str:
    parts = []
    for token in tokens:
        if token.type in ("text", "code_inline"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif token.children:  # an image: its alt text
            parts.append(_inline_text(token.children))
    return "".join(parts)


# --- markdown-it: parse and render --------------------------------------------------------


def _images_as_links(state) -> None:
    """Core rule: replace every image by a link to it, or by its alt text inside a link."""
    for block in state.tokens:
        if block.type == "inline" and block.children:
            block.children = _unimage(block.children, state.md)


def _unimage(tokens: list[Token], md: MarkdownIt) -> list[Token]:
    out, in_link = [], 0
    for token in tokens:
        in_link += {"link_open": 1, "link_close": -1}.get(token.type, 0)
        if token.type != "image":
            out.append(token)
            continue
        src = token.attrGet("src") or ""
        label = _inline_text(token.children or []) or md.normalizeLinkText(str(src))
        text = Token("text", "", 0, content=label)
        if in_link:  # a link inside a link is invalid HTML; the outer link wins
            out.append(text)
            continue
        attrs = {"href": src, **({"title": token.attrs["title"]} if token.attrGet("title") else {})}
        out += [Token("link_open", "a", 1, attrs=attrs), text, Token("link_close", "a", -1)]
    return out


def link_allowed(url: str) -> bool:
    """Refuse, at parse time, what nh3 would strip: the link then stays visible as text.
    `agenda check` reports the same links (text.py), with the same decision."""
    scheme = _SCHEME.match(url)
    if scheme:
        return scheme.group(1).lower() in URL_SCHEMES
    return not _NETWORK_PATH.match(url)



def _heading(self, tokens, idx, options, env):
    token = tokens[idx]
    level = int(token.tag[1]) + env["heading_offset"]
    token.tag = f"h{min(6, max(2, level))}"
    return self.renderToken(tokens, idx, options, env)


def _cell(self, tokens, idx, options, env):
    """Table alignment as a class: a style attribute is an open door to CSS injection."""
    token = tokens[idx]
    style = token.attrs.pop("style", None)
    align = str(style or "").removeprefix("text-align:")
    if align in _ALIGNMENTS:
        token.attrSet("class", f"align-{align}")
    return self.renderToken(tokens, idx, options, env)


def _fence(self, tokens, idx, options, env):
    token = tokens[idx]
    words = unescapeAll(token.info).split(maxsplit=1)
    lang = words[0].lower() if words else ""
    attr = f' class="language-{lang}"' if _LANGUAGE.fullmatch(lang) else ""
    return f"<pre><code{attr}>{escape(token.content)}</code></pre>\n"


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.validateLink = link_allowed
    md.core.ruler.push("images_as_links", _images_as_links)
    for rule in ("heading_open", "heading_close"):
        md.add_render_rule(rule, _heading)
    for rule in ("th_open", "td_open"):
        md.add_render_rule(rule, _cell)
    md.add_render_rule("fence", _fence)
    return md


_MD = _parser()


# --- what `agenda check` asks of a text: its links, and its size once rendered -----------

def rendered_size(text: str) -> int:
    """Bytes of HTML that `render_markdown` publishes for `text` (the site renders it the same
    way, only its headings' levels differ by a digit). The check's limit, and the cheap bound
    that spares most texts this rendering, are in text.py."""
    return len(render_markdown(text).encode("utf-8"))


_LINKS_MD = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_LINKS_MD.enable(["table", "strikethrough"])
_LINKS_MD.validateLink = lambda url: True  # keep every link, to judge it in `links`


def links(text: str):
    """(address, line in the text) of every link markdown-it reads in `text`: inline links,
    images, autolinks and reference definitions (used or not). Addresses as the renderer sees
    them (entities decoded); code spans and code blocks hold none. Lines count from 1."""
    env: dict = {}
    tokens = _LINKS_MD.parse(_valid_unicode(text), env)
    out = []
    for token in tokens:
        if token.type == "inline" and token.children:
            line = token.map[0] + 1 if token.map else 1
            out.extend((url, line) for url in _inline_links(token.children))
    for ref in env.get("references", {}).values():
        out.append((ref["href"], ref["map"][0] + 1 if ref.get("map") else 1))
    return sorted(out, key=lambda item: item[1])


def _inline_links(tokens: list[Token]):
    for token in tokens:
        if token.type == "link_open":
            yield str(token.attrGet("href") or "")
        elif token.type == "image":
            yield str(token.attrGet("src") or "")
        if token.children:  # an image's alt text can hold links of its own
            yield from _inline_links(token.children)


# --- nh3: the allow-list ---------------------------------------------------------------


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if tag == "code" and attribute == "class":
        return value if _LANGUAGE_CLASS.fullmatch(value) else None
    return value


def _relative_url(url: str) -> str | None:
    return None if _NETWORK_PATH.match(url) else url


def _clean(fragment: str) -> str:
    return nh3.clean(
        fragment,
        tags=set(TAGS),
        clean_content_tags={"script", "style"},
        attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
        attribute_filter=_attribute_filter,
        allowed_classes={tag: set(names) for tag, names in CLASSES.items()},
        tag_attribute_values={tag: {"dir": {"auto"}} for tag in _DIRECTIONAL},
        set_tag_attribute_values={tag: {"dir": "auto"} for tag in _DIRECTIONAL},
        url_schemes=set(URL_SCHEMES),
        url_relative=_relative_url,
        link_rel=LINK_REL,
        strip_comments=True,
        generic_attribute_prefixes=set(),
    )
