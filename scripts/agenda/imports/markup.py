"""Source text -> text our rules accept: one-line fields, safe Markdown and web addresses.

Descriptions come as HTML (frab, pentabarf, OSEM), Markdown (pretalx) or plain text. HTML is
parsed by BeautifulSoup (Python's own html.parser: no compiled parser, tolerant of the broken
markup real exports hold) and converted by markdownify, a maintained converter that gets
lists, emphasis, headings and escaping right; before converting, every element that cannot
become Markdown safely is taken out and reported (script, style, iframe, forms, embedded
objects, images from elsewhere, links that are not http/https/mailto, event handlers).
Markdown is kept as written, with its unsafe links taken out the same way. Every value is
then cleared of the characters `agenda check` refuses (controls, bidirectional overrides,
invisible characters); each removal is reported through `note(kind, message, value)`.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from urllib.parse import quote, urlsplit

from ..site import markdown as md
from ..check.text import first_hidden

SAFE_SCHEMES = ("http", "https")
_MARKDOWN_SCHEMES = ("http", "https", "mailto")
# How agenda.check.text finds link destinations in Markdown (inline, autolink, reference).
_MARKDOWN_LINK = re.compile(r"\]\(\s*<?([A-Za-z][A-Za-z0-9+.\-]*):|<([A-Za-z][A-Za-z0-9+.\-]*):[^\s>]*>|^\s*\[[^\]]+\]:\s*<?([A-Za-z][A-Za-z0-9+.\-]*):", re.M)
_INLINE_LINK = re.compile(r"(!?)\[((?:[^\[\]\n]|\[[^\[\]\n]*\])*)\]\(\s*<?([^\s()<>]*(?:\([^\s()<>]*\)[^\s()<>]*)*)>?(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'))?\s*\)")
_AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.\-]*):([^\s<>]*)>")
_REFERENCE = re.compile(r"^(\s*\[[^\]]+\]:\s*)<?([A-Za-z][A-Za-z0-9+.\-]*):(\S*?)>?(\s.*)?$", re.M)


def _named(ch: str) -> str:
    name = unicodedata.name(ch, "") if not ("\ud800" <= ch <= "\udfff") else "SURROGATE"
    return f"U+{ord(ch):04X}" + (f" {name}" if name else "")


def _strip_bad(value: str, multiline: bool, note, field: str) -> str:
    """Remove what agenda check refuses (text.first_hidden decides, so the two never drift)."""
    removed, out, rest = [], [], value
    while True:
        match = first_hidden(rest, multiline)
        if match is None:
            break
        removed.append(match.group())
        out.append(rest[: match.start()])
        rest = rest[match.end():]
    if not removed:
        return value
    names = sorted({_named(ch) for ch in removed})
    note("removed-characters", f"{field}: removed {len(removed)} invisible or control character(s): "
                               f"{', '.join(names[:6])}", value)
    return "".join(out) + rest


def clean_line(value, note, field: str, limit: int | None = None):
    """One-line text: line breaks and runs of spaces made one space, refused characters
    removed (reported), cut at `limit` characters at a word (reported). None when empty."""
    if value is None:
        return None
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ").replace("\n", " ")
    value = _strip_bad(value, False, note, field)
    value = " ".join(value.split())
    if limit is not None and len(value) > limit:
        note("text-too-long", f"{field} has {len(value)} characters; cut to {limit}", value)
        value = cut(value, limit)
    return value or None


def cut(value: str, limit: int) -> str:
    """At most `limit` characters, ending at a word when one ends in the last fifth, with '…'."""
    if len(value) <= limit:
        return value
    head = value[: limit - 1]
    space = head.rfind(" ")
    if space >= limit * 4 // 5:
        head = head[:space]
    return head.rstrip() + "…"


def cut_markdown(value: str, limit: int) -> str:
    """At most `limit` characters, at the end of a paragraph (or a line, or a word)."""
    if len(value) <= limit:
        return value
    marker = "\n\n…"
    head = value[: limit - len(marker)]
    for sep in ("\n\n", "\n", " "):
        at = head.rfind(sep)
        if at >= len(head) // 2:
            head = head[:at]
            break
    return head.rstrip() + marker


# --- web addresses ------------------------------------------------------------------------

_HOST_LIKE = re.compile(r"(?:www\.)?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?:[/?#]\S*)?\Z")


def is_web_url(value) -> bool:
    """What agenda check accepts as a link: http(s), a host name, no spaces, no user@host."""
    if not isinstance(value, str) or not value or len(value) > 1000:
        return False
    try:
        parts = urlsplit(value)
        return (parts.scheme.lower() in SAFE_SCHEMES and bool(parts.hostname)
                and not any(c.isspace() for c in value) and "@" not in parts.netloc
                and value.isprintable())
    except ValueError:
        return False


def scheme_of(value: str) -> str:
    m = re.match(r"\s*([A-Za-z][A-Za-z0-9+.\-]*):", value or "")
    return m.group(1).lower() if m else ""


def web_url(value, base_url, note, field: str, title=None):
    """A source address -> (url, title) our rules accept, or None (reported).

    Relative addresses are resolved against the schedule's base_url (the C3VOC convention:
    "absolute, or relative to base_url"); a bare host name (www.example.org) gets https://;
    a link whose title is the address and whose address is words is swapped back. Each
    repair is reported, so that the organiser can check it."""
    url = (value or "").strip()
    if url.endswith("/attachments/original/missing.png"):
        note("invalid-link", f"{field}: frab's placeholder for a missing file, not an attachment", value)
        return None
    if title and not is_web_url(url) and is_web_url((title or "").strip()):
        note("link-repaired", f"{field}: the address and the title were swapped in the source", f"{value} | {title}")
        url, title = title.strip(), url
    if not url:
        return None
    scheme = scheme_of(url)
    if scheme and scheme not in SAFE_SCHEMES and not url.startswith("//"):
        note("unsafe-link", f"{field}: a {scheme}: address was dropped (only http and https links are kept)", value)
        return None
    if not is_web_url(url):
        fixed = None
        if url.startswith("//"):
            fixed = "https:" + url
        elif not scheme and _HOST_LIKE.match(url):
            fixed = "https://" + url
        elif not scheme and base_url and is_web_url(base_url) and not any(c.isspace() for c in url):
            fixed = base_url.rstrip("/") + "/" + url.lstrip("/")
        elif " " in url.strip() and is_web_url(quote(url, safe=":/?#[]@!$&'()*+,;=%~")):
            fixed = quote(url, safe=":/?#[]@!$&'()*+,;=%~")
        if fixed and is_web_url(fixed):
            note("link-repaired", f"{field}: {url[:80]!r} is not a full web address; written as {fixed[:120]}", value)
            url = fixed
        else:
            note("invalid-link", f"{field}: not a web address, dropped", value)
            return None
    return url, title


# --- HTML and Markdown -> safe Markdown --------------------------------------------------

_KNOWN_TAGS = (
    "a abbr acronym address article aside audio b base big blockquote body br button canvas caption center cite "
    "code col colgroup dd del details dfn div dl dt em embed fieldset figcaption figure font footer form frame "
    "frameset h1 h2 h3 h4 h5 h6 head header hr html i iframe img input ins kbd label legend li link main mark "
    "math meta nav noscript object ol optgroup option p param picture pre q s samp script section select small "
    "source span strike strong style sub summary sup svg table tbody td template textarea tfoot th thead title tr "
    "tt u ul var video wbr applet"
).split()
_HTML_TAG = re.compile(r"</?(" + "|".join(_KNOWN_TAGS) + r")(?=[\s/>])[^<>]*>", re.I)
_NL, _SP = "\ue000", "\ue001"
_BLOCK_TAGS = {"p", "div", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "tr", "td",
               "blockquote", "pre", "hr", "dl", "dt", "dd", "section", "article"}
# Removed with their content: code, styles, frames, forms, embedded media and documents.
_DROP = {"script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "noscript", "template",
         "svg", "math", "form", "input", "button", "select", "textarea", "option", "optgroup", "fieldset", "legend",
         "label", "audio", "video", "source", "canvas", "base", "link", "meta", "head", "title", "param", "picture"}
_CONVERTED = {"a", "abbr", "acronym", "b", "big", "blockquote", "body", "br", "center", "cite", "code", "dd", "del",
              "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "font", "h1", "h2", "h3", "h4", "h5", "h6",
              "hr", "html", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small",
              "span", "strike", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "tt",
              "u", "ul", "var", "wbr", "section", "article", "aside", "header", "footer", "main", "nav", "address",
              "caption", "col", "colgroup", "details", "summary"}


def looks_like_html(text: str) -> bool:
    return bool(_HTML_TAG.search(text))


def to_markdown(text, note, field: str, base_url=None):
    """Source description (HTML, Markdown or plain text) -> Markdown that passes our rules."""
    if text is None:
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if looks_like_html(text):
        depth = _nesting(text)
        converted = None
        if depth <= MAX_NESTING:
            try:
                converted = _html_to_markdown(text, note, field, base_url)
            except RecursionError:
                converted = None
        if converted is None:  # hostile nesting: the text is kept, its markup is not
            note("removed-html", f"{field}: HTML nested {depth} elements deep; its markup was removed and its "
                                 "text kept", text)
            converted = _escape_markdown(html_text(text))
        text = converted
    text = _strip_bad(text, True, note, field)
    text = _safe_markdown_links(text, note, field)
    lines = [line.rstrip() for line in text.split("\n")]
    text = "\n".join(lines).strip("\n")
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text + "\n" if text.strip() else None


MAX_NESTING = 100  # real descriptions nest a few elements; markdownify recurses once per level
_VOID = {"br", "hr", "img", "input", "meta", "link", "wbr", "col", "source", "param", "base", "area", "embed"}
_TAGS = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)\b[^<>]*?(/?)>")


def _nesting(text: str) -> int:
    """How deep the elements of an HTML fragment nest (a bound, from the tags alone)."""
    depth = deepest = 0
    for closing, name, selfclosing in _TAGS.findall(text):
        if name.lower() in _VOID or selfclosing:
            continue
        depth = max(0, depth - 1) if closing else depth + 1
        deepest = max(deepest, depth)
    return deepest


def _escape_markdown(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", text)


def _html_to_markdown(text, note, field, base_url):
    from bs4 import BeautifulSoup, Comment, MarkupResemblesLocatorWarning
    from markdownify import MarkdownConverter

    # Markdown or plain text with a few inline tags (pretalx, hand-written frab): its line
    # breaks and indentation are structure, which HTML parsing would collapse; they travel
    # through the conversion as private-use characters and come back afterwards.
    blocky = any(m.group(1).lower() in _BLOCK_TAGS for m in _HTML_TAG.finditer(text))
    text = _AUTOLINK.sub(lambda m: f'<a href="{m.group(1)}:{m.group(2)}">{m.group(1)}:{m.group(2)}</a>', text)
    if not blocky:
        text = text.replace(_NL, "").replace(_SP, "")
        text = re.sub(r"\n( *)", lambda m: _NL + _SP * len(m.group(1)), text)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = BeautifulSoup(text, "html.parser")
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        note("removed-html", f"{field}: an HTML comment was removed", str(comment))
        comment.extract()
    for el in list(soup.find_all(True)):
        if getattr(el, "decomposed", False):  # inside an element already removed
            continue
        name = el.name.lower()
        if name in _DROP:
            note("removed-html", f"{field}: <{name}> removed with its content", str(el)[:2000])
            el.decompose()
            continue
        handlers = [a for a in el.attrs if a.lower().startswith("on")]
        if handlers:
            note("removed-html", f"{field}: event handler attribute(s) {', '.join(handlers)} removed from <{name}>",
                 " ".join(f"{a}={el.attrs[a]!r}" for a in handlers))
            for a in handlers:
                del el.attrs[a]
        if name == "a":
            href = el.get("href")
            if href is None:
                continue
            scheme = scheme_of(href)
            if scheme == "mailto":
                continue
            fixed = web_url(href, base_url, note, f"{field} link", None)
            if fixed is None:
                el.unwrap()
            else:
                el["href"] = fixed[0]
        elif name == "img":
            src = el.get("src") or ""
            alt = (el.get("alt") or el.get("title") or "image").strip() or "image"
            fixed = web_url(src, base_url, note, f"{field} image", None) if src else None
            if fixed:
                note("image-as-link", f"{field}: an image is written as a link to it (the site shows no images "
                                      "from elsewhere)", fixed[0])
                link = soup.new_tag("a", href=fixed[0])
                link.string = f"image: {alt}"
                el.replace_with(link)
            else:
                note("removed-html", f"{field}: <img> without a usable address removed", str(el)[:500])
                el.decompose()
        elif name not in _CONVERTED:
            note("removed-html", f"{field}: unknown element <{name[:40]}> removed (its text is kept)", str(el)[:500])
            el.unwrap()
    markdown = MarkdownConverter(heading_style="ATX", bullets="-", newline_style="BACKSLASH",
                                 escape_asterisks=blocky, escape_underscores=blocky,
                                 strip=None).convert_soup(soup)
    if not blocky:
        markdown = markdown.replace(_NL, "\n").replace(_SP, " ")
    return markdown


def _safe_markdown_links(text, note, field):
    """Links whose scheme is not http, https or mailto become their text (reported)."""
    def inline(m):
        bang, label, dest = m.group(1), m.group(2), m.group(3)
        scheme = scheme_of(dest)
        if dest.startswith("//"):
            note("link-repaired", f"{field}: a link without scheme ({dest[:60]}) is written with https:", dest)
            return m.group(0).replace(dest, "https:" + dest, 1)
        if scheme and scheme not in _MARKDOWN_SCHEMES:
            note("unsafe-link", f"{field}: a {scheme}: link was removed (its text is kept)", m.group(0))
            return label
        if bang:
            note("image-as-link", f"{field}: an image is written as a link to it", dest)
            return f"[image: {label or 'image'}]({dest})"
        return m.group(0)

    text = _INLINE_LINK.sub(inline, text)

    def auto(m):
        if m.group(1).lower() in _MARKDOWN_SCHEMES:
            return m.group(0)
        note("unsafe-link", f"{field}: a {m.group(1).lower()}: link was removed", m.group(0))
        return ""

    text = _AUTOLINK.sub(auto, text)

    def reference(m):
        if m.group(2).lower() in _MARKDOWN_SCHEMES:
            return m.group(0)
        note("unsafe-link", f"{field}: a {m.group(2).lower()}: link definition was removed", m.group(0))
        return ""

    text = _REFERENCE.sub(reference, text)

    def last_resort(m):  # whatever the patterns above did not take apart
        scheme = next(g for g in m.groups() if g)
        if scheme.lower() in _MARKDOWN_SCHEMES:
            return m.group(0)
        note("unsafe-link", f"{field}: a {scheme.lower()}: address was neutralised", m.group(0))
        return m.group(0).replace(scheme + ":", scheme + "-")

    text = _MARKDOWN_LINK.sub(last_resort, text)
    for _ in range(3):  # what markdown-it still reads as a refused link (as agenda check does)
        bad = {url for url, _line in md.links(text) if not md.link_allowed(url)}
        if not bad:
            break
        for url in sorted(bad, key=len, reverse=True):
            fixed = "https:" + url if url.startswith("//") else url.replace(":", "-", 1)
            note("unsafe-link", f"{field}: the link address {url[:60]!r} was neutralised", url)
            text = text.replace(url, fixed)
    return text


def html_text(text: str) -> str:
    """The text of an HTML fragment, without its markup (and without script or style)."""
    from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = BeautifulSoup(text, "html.parser")
    for el in soup.find_all(list(_DROP)):
        el.decompose()
    return soup.get_text("")


def plain_text(markdown: str) -> str:
    """Markdown -> one line of plain text, for a summary made from a description."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    text = re.sub(r"[*_`#>]+", "", text)
    return " ".join(text.split())
