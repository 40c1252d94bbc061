"""The model -> the site's pages in one language, rendered from the Jinja templates in
templates/agenda/ (see templating.py), keyed by their source path.

Knows nothing of MkDocs: the plugin turns each Page into a generated file, and
`render_site` can be called from anywhere (tests, benchmarks). Never reads the clock; reads
no file but the templates. The templates decide what a page shows and in which words; this
module decides which pages exist, where they link, and hands the templates the model.
"""

from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass
from html import unescape

from markupsafe import Markup

from . import attend
from ..data import exports, opendata
from ..i18n import N_, translator
from .markdown import plain_text, render_markdown
from ..model import Agenda
from .programme import Programme
from .propose import Contribute
from .templating import environment

FACETS = ("theme", "format", "language")
FACET_LABELS = {"theme": N_("Theme"), "format": N_("Format"), "language": N_("Language")}
FILTER_LABELS = {"theme": N_("By theme:"), "format": N_("By format:"), "language": N_("By language:")}
# Up to this many sessions, the programme page lists every day's sessions; above, each day's
# page alone does (with its grid), so that no page grows with the whole programme.
LIST_ON_PROGRAMME_PAGE = 150

# The titles of the pages in the navigation (mkdocs.yml lists their paths).
NAV_TITLES = {
    "index.md": N_("Home"),
    "programme/index.md": N_("Programme"),
    "themes/index.md": N_("Themes"),
    "formats.md": N_("Formats"),
    "organisations.md": N_("Organisations"),
    "search.md": N_("Search"),
    "data.md": N_("Open data"),
    "propose.md": N_("Propose"),
    "under-review.md": N_("Under review"),
    "looking-for/index.md": N_("Looking for"),
}

# opendata.FILES names each file's description by a key: its words, here.
DATA_DESCRIPTIONS = {
    "data.json": N_("Every proposal with all its public fields, the themes and the event's settings."),
    "data.json_schema": N_("The JSON Schema (Draft 2020-12) describing proposals.json, field by field."),
    "data.csv": N_("One row per proposal, for spreadsheets (UTF-8, comma-separated)."),
    "data.ics": N_("Every scheduled session, to import or subscribe to in a calendar."),
    "data.ics_theme": N_("The scheduled sessions of one theme (one file per theme)."),
    "data.ics_proposal": N_("One scheduled session (\u201cadd to my calendar\u201d on its page)."),
    "data.atom": N_("The latest proposals and status changes (accepted, scheduled), for a feed reader."),
    "data.frab": N_("The programme in the frab / C3VOC format read by conference schedule apps."),
    "data.frab_xml": N_("The same programme as frab XML, read by schedule apps and recording pipelines."),
    "data.sessions": N_("Every session's times, room or place and title, small enough for a phone: what the "
                        "\u201chappening now\u201d and \u201cmy agenda\u201d pages read."),
}

_HEADING = re.compile(r'<h([1-6]) id="([^"]+)"[^>]*>(.*?)</h\1>', re.S)
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Page:
    key: str  # source path, for example "proposals/open-budgets.md"
    title: str  # plain text; the plugin escapes it for the templates
    html: str
    description: str = ""  # plain text, for <meta name="description">
    search: bool = False  # indexed by the search engine (proposals and themes)

    def headings(self):
        """(level, id, plain text) of every heading of the page that has an id: the
        page's table of contents."""
        return [(int(level), ident, " ".join(unescape(_TAG.sub("", inner)).split()))
                for level, ident, inner in _HEADING.findall(self.html)]


@dataclass(frozen=True)
class Text:
    """A piece of contributor text and the language it is written in (None: unknown)."""

    text: str
    lang: str | None


def url_of(key: str) -> str:
    """The URL (relative to the site root) MkDocs gives a page with directory URLs."""
    if key == "index.md":
        return ""
    stem = key[: -len(".md")]
    if stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/"


def proposal_key(pid):
    return f"proposals/{pid}.md"


def theme_key(tid):
    return f"themes/{tid}.md"


def filter_key(facet, value):
    return f"programme/{facet}/{value}.md"


def day_key(day):
    return f"programme/{day}.md"


class Site:
    """Renders every page of one language.

    `prefix` is where this language's pages live from the site's root ("" or "en/"): links
    to files shared by every language (data/, pagefind/) climb out of it. `custom_dir` is
    the theme's folder of overrides, searched first for templates."""

    def __init__(self, agenda: Agenda, lang: str = "fr", url=url_of, template: str | None = None,
                 custom_dir=None, prefix: str = "", base_url: str | None = None, review=None):
        self.agenda = agenda
        self.lang = lang
        self.t = translator(lang)
        self.url = url
        self.template = template  # the proposal template, for "propose in your browser"
        self.prefix = prefix
        self.programme = Programme(agenda)
        self.env = environment(self.t, custom_dir)
        self.env.globals.update(
            site=self, agenda=agenda, event=agenda.event, lang=lang, dir=self.t.direction, facets=FACETS,
            filter_labels=FILTER_LABELS, href=_bound(self.href), asset=_bound(self.asset), static=_bound(self.static),
            proposal_key=proposal_key, theme_key=theme_key,
            filter_key=filter_key, day_key=day_key,
        )
        # Attending (attend.py): `base_url` is the site's absolute address (QR codes), or None.
        self.base_url = base_url
        self.attending = attend.setup(self)
        # Taking part (contribute.py): `review` is the GitHub snapshot's lane, or None offline.
        self.review = review
        self.contribute = Contribute(self, review)
        self.env.globals.update(review=review, contribute=self.contribute, board_key=self.contribute.board_key)

    # --- links ----------------------------------------------------------------------------

    def _directory(self, here: str) -> str:
        base = self.url(here)
        return base if base.endswith("/") or not base else posixpath.dirname(base) + "/"

    def href(self, here: str, there: str) -> str:
        """A relative link from page `here` to page `there` (directory URLs, as MkDocs
        writes them), so the site works under any path, GitHub Pages' /<repo>/ included."""
        return posixpath.relpath(self.url(there) or ".", self._directory(here) or ".") + "/"

    def asset(self, here: str, path: str) -> str:
        """A relative link from page `here` to a file at the root of the site, shared by
        every language (data/, pagefind/)."""
        return posixpath.relpath(path, posixpath.join(self.prefix, self._directory(here)) or ".")

    def static(self, here: str, path: str) -> str:
        """A relative link from page `here` to a file of docs/, which every language's
        build copies (assets/agenda.css, proposal-template.yaml)."""
        return posixpath.relpath(path, self._directory(here) or ".")

    # --- the model, in this language --------------------------------------------------------

    def name(self, names) -> str:
        return self.t.name(names)

    def format_name(self, format_id) -> str:
        return self.name(self.agenda.format(format_id).name)

    def theme_name(self, theme_id) -> str:
        return self.name(self.agenda.theme(theme_id).name)

    def room_name(self, room_id) -> str:
        return self.name(self.agenda.room(room_id).name)

    def language_name(self, code) -> str:
        lang = self.agenda.language(code)
        if lang and self.t.has_name(lang.name):
            return self.name(lang.name)
        return self.t.language_name(code) or (self.name(lang.name) if lang else code)

    def facet_values(self, facet):
        if facet == "theme":
            return [t.id for t in self.agenda.themes]
        if facet == "format":
            return [f.id for f in self.agenda.event.formats]
        return [lang.id for lang in self.agenda.event.languages]

    def facet_label(self, facet, value) -> str:
        return {"theme": self.theme_name, "format": self.format_name, "language": self.language_name}[facet](value)

    def facet_proposals(self, facet, value):
        a = self.agenda
        return {"theme": a.with_theme, "format": a.with_format, "language": a.with_language}[facet](value)

    def title_of(self, p) -> Text:
        """The proposal's title on this language's pages: its translation, if it has one."""
        for lang, title, _ in p.translations:
            if lang == self.lang:
                return Text(title, lang)
        return Text(p.title, p.languages[0] if p.languages else None)

    def summary_of(self, p) -> Text:
        for lang, _, summary in p.translations:
            if lang == self.lang and summary:
                return Text(summary, lang)
        return Text(p.summary, p.languages[0] if p.languages else None)

    def original_of(self, p) -> Text | None:
        """The original title, when the page shows a translation."""
        shown = self.title_of(p)
        return Text(p.title, p.languages[0] if p.languages else None) if shown.text != p.title else None

    def lang_attr(self, code) -> Markup:
        """` lang="…"` for text in another language than the page's (nothing otherwise)."""
        return Markup(' lang="%s"') % code if code and code != self.lang else Markup("")

    def description_html(self, markdown: str, top_level: int) -> Markup:
        """Contributor Markdown, rendered and sanitised by markdown.py: the only markup of a
        page that the templates print as it is."""
        return Markup(render_markdown(markdown, top_level=top_level))

    def slot_end_differs(self, slot) -> bool:
        return slot.ends.date() != slot.starts.date() and slot.ends.time().isoformat() != "00:00:00"

    def calendar(self, p) -> str:
        return opendata.proposal_calendar_path(p.id)

    def theme_calendar(self, theme_id) -> str:
        return opendata.theme_calendar_path(theme_id)

    def excerpt(self, markdown: str, limit: int) -> str:
        return plain_text(markdown, limit)

    def browser_url(self) -> str | None:
        """GitHub's web editor on a new proposals/ file, pre-filled with a short skeleton
        (contribute.py): a proposal without Git on one's computer."""
        return self.contribute.browser_url()

    def organisations(self):
        """[(organisation or None, people, proposals)]: organisations alphabetically, then
        the people who named none, so that every proposer appears."""
        groups = [(org, people, proposals) for org, (people, proposals) in self.agenda.organisations().items()]
        people, proposals = {}, {}
        for p in self.agenda.proposals:
            for person in p.proposers:
                if not person.organisation:
                    people[person.name] = person
                    proposals[p.id] = p
        if people:
            groups.append((None, sorted(people.values(), key=lambda x: x.name.casefold()),
                           sorted(proposals.values(), key=lambda x: (x.title.casefold(), x.id))))
        return groups

    def data_tables(self):
        """(files, JSON fields, CSV columns) of the Data page."""
        files = [(path, kind, DATA_DESCRIPTIONS.get(key, key)) for path, kind, key in opendata.FILES]
        schema = json.loads(exports.export_schema_text())
        item = schema.get("$defs", {}).get("proposal", {})
        fields = [(name, spec.get("description", "")) for name, spec in item.get("properties", {}).items()]
        return files, fields, list(exports.CSV_COLUMNS)

    # --- pages --------------------------------------------------------------------------------

    def render(self, template: str, here: str, **context) -> str:
        return self.env.get_template(f"agenda/{template}").render(here=here, **context)

    def pages(self):
        """Every page: home, programme, its days and filters, themes, formats,
        organisations, search, data, propose, and one page per proposal."""
        yield self.home()
        yield self.programme_page()
        for day in self.programme.days:
            yield self.day_page(day)
        for facet in FACETS:
            for value in self.facet_values(facet):
                yield self.programme_page(facet, value)
        yield self.themes_index()
        for theme in self.agenda.themes:
            yield self.theme_page(theme)
        yield self.simple("formats.md", "formats.html", self.t.gettext("Formats"))
        yield self.simple("organisations.md", "organisations.html", self.t.gettext("Organisations and proposers"))
        yield self.simple("search.md", "search.html", self.t.gettext("Search"),
                          self.t.gettext("Search the programme: a word of a title, a summary, a theme or a proposer."))
        yield self.simple("data.md", "data.html", self.t.gettext("Open data"),
                          self.t.gettext("The programme as open data: JSON, CSV, iCalendar, Atom, frab."))
        yield self.simple("propose.md", "propose.html", self.t.gettext("Propose a session"))
        yield from self.contribute.pages()  # under review, the "looking for" board
        yield from self.attending.pages()  # now, my agenda, elsewhere, accessibility, door sheets
        for p in self.agenda.proposals:
            yield self.proposal_page(p)

    def description(self) -> str:
        return self.t.gettext("The programme, co-built in the open: proposals, themes and times.")

    def simple(self, key, template, title, description=None):
        return Page(key, title, self.render(template, key, title=title), description or self.description())

    def home(self):
        title = self.name(self.agenda.event.name)
        return Page("index.md", title, self.render("home.html", "index.md", title=title), self.description())

    def programme_page(self, facet=None, value=None):
        here = filter_key(facet, value) if facet else "programme/index.md"
        proposals = self.facet_proposals(facet, value) if facet else list(self.agenda.proposals)
        if facet:
            title = self.t.gettext("Programme — %(facet)s: %(value)s", facet=self.t.gettext(FACET_LABELS[facet]),
                                   value=self.facet_label(facet, value))
        else:
            title = self.t.gettext("Programme")
        chosen = {p.id for p in proposals}
        days = [(day, [s for s in day.sessions if s.proposal.id in chosen]) for day in self.programme.days]
        unscheduled = self.agenda.by_status([p for p in proposals if not p.slots])
        listed = bool(facet) or len(self.agenda.sessions()) <= LIST_ON_PROGRAMME_PAGE
        html = self.render("programme.html", here, title=title, facet=facet, value=value, days=days,
                           unscheduled=unscheduled, listed=listed)
        return Page(here, title, html, self.description())

    def day_page(self, day):
        here = day_key(day.day)
        title = self.t.gettext("Programme of %(day)s", day=self.t.date(day.day))
        return Page(here, title, self.render("day.html", here, title=title, day=day), self.description())

    def themes_index(self):
        title = self.t.gettext("Themes")
        return Page("themes/index.md", title, self.render("themes.html", "themes/index.md", title=title),
                    self.description())

    def theme_page(self, theme):
        here = theme_key(theme.id)
        title = self.name(theme.name)
        proposals = self.agenda.with_theme(theme.id)
        html = self.render("theme.html", here, title=title, theme=theme, groups=self.agenda.by_status(proposals),
                           count=len(proposals))
        description = plain_text(self.name(theme.description), 160) if theme.description else self.description()
        return Page(here, title, html, description, search=True)

    def proposal_page(self, p):
        here = proposal_key(p.id)
        title = self.title_of(p)
        html = self.render("proposal.html", here, p=p, title=title, summary=self.summary_of(p),
                           original=self.original_of(p))
        return Page(here, title.text, html, self.summary_of(p).text or self.description(), search=True)


def _bound(method):
    """A template function that knows the page being rendered (its `here`)."""
    from jinja2 import pass_context

    @pass_context
    def call(context, *args):
        return method(context["here"], *args)

    return call


def render_site(agenda: Agenda, lang: str = "fr", url=url_of, template: str | None = None, custom_dir=None,
                prefix: str = "", base_url: str | None = None, review=None) -> dict:
    """key -> Page for every page of the site in one language; `review`: underreview.load_review's."""
    site = Site(agenda, lang, url, template, custom_dir, prefix, base_url=base_url, review=review)
    return {page.key: page for page in site.pages()}


