"""The model -> the site's pages, as HTML fragments keyed by their source path.

Knows nothing of MkDocs: the plugin turns each Page into a generated file, and
`render_site` can be called from anywhere (tests, exports). Every value from a proposal
goes through `escape` or `render_markdown`; interface strings come from the catalogue of
the language asked for. Never reads the clock or the disk.
"""

from __future__ import annotations

import json
import posixpath
from dataclasses import dataclass
from urllib.parse import quote

from . import exports, opendata
from .i18n import Messages
from .markdown import escape, plain_text, render_markdown
from .model import Agenda

FACETS = ("theme", "format", "language")


@dataclass(frozen=True)
class Page:
    key: str  # source path, for example "proposals/open-budgets.md"
    title: str  # plain text; the plugin escapes it for the templates
    html: str
    description: str = ""  # plain text, for <meta name="description">
    search: bool = False  # indexed by the search engine (proposals and themes)


def url_of(key: str) -> str:
    """The URL (relative to the site root) MkDocs gives a page with directory URLs."""
    if key == "index.md":
        return ""
    stem = key[: -len(".md")]
    if stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/"


class Site:
    """Renders every page of one language."""

    def __init__(self, agenda: Agenda, lang: str, url=url_of, template: str | None = None):
        self.agenda = agenda
        self.m = Messages(lang)
        self.url = url
        self.template = template  # the proposal template, for "propose in your browser"

    # --- small helpers --------------------------------------------------------------------

    def _directory(self, here: str) -> str:
        base = self.url(here)
        return base if base.endswith("/") or not base else posixpath.dirname(base) + "/"

    def href(self, here: str, there: str) -> str:
        """A relative link from page `here` to page `there` (directory URLs, as MkDocs
        writes them), so the site works under any path, GitHub Pages' /<repo>/ included."""
        return escape(posixpath.relpath(self.url(there) or ".", self._directory(here) or ".") + "/")

    def asset(self, here: str, path: str) -> str:
        """A relative link from page `here` to a static file of the site."""
        return escape(posixpath.relpath(path, self._directory(here) or "."))

    def link(self, here, there, text):
        return f'<a href="{self.href(here, there)}">{escape(text)}</a>'

    def name(self, names):
        return self.m.name(names)

    def format_name(self, format_id):
        return self.name(self.agenda.format(format_id).name)

    def language_name(self, code):
        lang = self.agenda.language(code)
        return self.name(lang.name) if lang else code

    def status_badge(self, status):
        return f'<span class="agenda-badge agenda-badge--{status}">{escape(self.m("status." + status))}</span>'

    def facet_label(self, facet, value):
        if facet == "theme":
            return self.name(self.agenda.theme(value).name)
        if facet == "format":
            return self.format_name(value)
        return self.language_name(value)

    def facet_values(self, facet):
        if facet == "theme":
            return [t.id for t in self.agenda.themes]
        if facet == "format":
            return [f.id for f in self.agenda.event.formats]
        return [lang.id for lang in self.agenda.event.languages]

    def facet_proposals(self, facet, value):
        a = self.agenda
        return {"theme": a.with_theme, "format": a.with_format, "language": a.with_language}[facet](value)

    def when(self, slot):
        m = self.m
        return (f'<time datetime="{slot.day}T{slot.start}">{escape(m.date(slot.day))}, '
                f'{escape(m("from_to", start=slot.start, end=slot.end))}</time>')

    def proposal_item(self, here, p, show_status=False):
        """One line of a list of proposals: title, format, themes (and status)."""
        themes = ", ".join(escape(self.name(self.agenda.theme(t).name)) for t in p.themes)
        status = f" {self.status_badge(p.status)}" if show_status else ""
        return (f'<li dir="auto">{self.link(here, proposal_key(p.id), p.title)}{status}'
                f' <span class="agenda-meta">· {escape(self.format_name(p.format))} · {themes}</span></li>')

    def proposal_list(self, here, proposals, show_status=False):
        if not proposals:
            return f"<p>{escape(self.m('nothing'))}</p>"
        items = "\n".join(self.proposal_item(here, p, show_status) for p in proposals)
        return f'<ul class="agenda-list">\n{items}\n</ul>'

    # --- pages --------------------------------------------------------------------------------

    def pages(self):
        """Every page: home, programme and its filters, themes, formats, organisations,
        search, and one page per proposal."""
        yield self.home()
        yield self.programme()
        for facet in FACETS:
            for value in self.facet_values(facet):
                yield self.programme(facet, value)
        yield self.themes_index()
        for theme in self.agenda.themes:
            yield self.theme_page(theme)
        yield self.formats_index()
        yield self.organisations()
        yield self.search_page()
        yield self.data_page()
        for p in self.agenda.proposals:
            yield self.proposal_page(p)

    def home(self):
        m, a = self.m, self.agenda
        here = "index.md"
        ev = a.event
        rows = []
        for title, column, items in (
            (m("by_theme"), m("theme"), [(self.name(t.name), theme_key(t.id), len(a.with_theme(t.id))) for t in a.themes]),
            (m("by_format"), m("format"), [(self.name(f.name), filter_key("format", f.id), len(a.with_format(f.id)))
                              for f in ev.formats]),
            (m("by_status"), m("status"), [(m("status." + s), None, len(ps)) for s, ps in a.by_status().items()]),
        ):
            body = "\n".join(
                f"<tr><th scope=\"row\">{self.link(here, key, label) if key else escape(label)}</th><td>{n}</td></tr>"
                for label, key, n in items)
            rows.append(table((column, m("count")), body, caption=title, cls="agenda-counts"))
        dates = m("event_dates", first=m.date(ev.first_day), last=m.date(ev.last_day), place=ev.timezone.split("/")[-1])
        html = f"""<h1>{escape(self.name(ev.name))}</h1>
<p class="agenda-lead">{escape(dates)}</p>
<p class="agenda-cta"><a class="md-button md-button--primary" href="{self.href(here, "propose.md")}">{escape(m("propose"))}</a> {self.browser_link()}{escape(m("propose_cta"))}</p>
<p>{escape(m("proposal_count", n=len(a.proposals)))} · {self.link(here, "programme/index.md", m("programme"))} · {self.link(here, "themes/index.md", m("themes"))} · {self.link(here, "organisations.md", m("organisations"))} · {self.link(here, "data.md", m("data"))}</p>
<h2>{escape(m("counts"))}</h2>
{chr(10).join(rows)}
"""
        return Page(here, self.name(ev.name), html, m("site_description"))

    def browser_link(self):
        """GitHub's web editor on a new proposals/ file, pre-filled with the template: a
        proposal without Git on one's computer."""
        if not self.template:
            return ""
        ev = self.agenda.event
        url = (f"{ev.repository}/new/{quote(ev.branch)}/proposals?filename=nouvelle-session.yaml"
               f"&value={quote(self.template, safe='')}")
        return f'<a class="md-button" href="{escape(url)}" rel="nofollow">{escape(self.m("propose_in_browser"))}</a> '

    def programme(self, facet=None, value=None):
        m, a = self.m, self.agenda
        here = filter_key(facet, value) if facet else "programme/index.md"
        proposals = self.facet_proposals(facet, value) if facet else list(a.proposals)
        chosen = {p.id for p in proposals}
        if facet:
            label = m(facet) + m("colon") + self.facet_label(facet, value)
            title = m("filtered", label=label)
            intro = f'<p>{self.link(here, "programme/index.md", m("show_all"))}</p>'
        else:
            title, intro = m("programme"), ""
        feeds = (f'<p><a href="{self.asset(here, "data/agenda.ics")}">{escape(m("calendar_all"))}</a> · '
                 f'<a href="{self.asset(here, "data/feed.atom")}">{escape(m("feed"))}</a> · '
                 f'{self.link(here, "data.md", m("data"))}</p>')
        parts = [f"<h1>{escape(title)}</h1>", intro,
                 f'<p>{escape(m("timezone", tz=a.event.timezone))}</p>', feeds, self.filters(here, facet, value)]
        for day in a.event.days():
            sessions = [p for p in a.scheduled(day) if p.id in chosen]
            parts.append(self.day_section(here, day, sessions))
        unscheduled = [p for p in proposals if not p.schedule]
        parts.append(f'<h2 id="unscheduled">{escape(m("unscheduled"))}</h2>')
        groups = a.by_status(unscheduled)
        if not groups:
            parts.append(f"<p>{escape(m('nothing'))}</p>")
        for status, items in groups.items():
            parts.append(f'<h3 id="status-{status}">{escape(m("status." + status))} ({len(items)})</h3>')
            parts.append(self.proposal_list(here, items))
        return Page(here, title, "\n".join(x for x in parts if x), m("site_description"))

    def filters(self, here, facet, value):
        m = self.m
        blocks = []
        for f in FACETS:
            items = [f'<li>{self.link(here, "programme/index.md", m("all"))}</li>'] if f == facet else []
            for v in self.facet_values(f):
                current = ' aria-current="page"' if (f, v) == (facet, value) else ""
                items.append(f'<li><a href="{self.href(here, filter_key(f, v))}"{current}>'
                             f'{escape(self.facet_label(f, v))}</a></li>')
            blocks.append(f'<li><span class="agenda-filter-label">{escape(m("filter_by", facet=m(f).lower()))}</span>'
                          f'<ul>{"".join(items)}</ul></li>')
        return (f'<nav class="agenda-filters" aria-label="{escape(m("filter_by", facet="…"))}">'
                f'<ul>{"".join(blocks)}</ul></nav>')

    def day_section(self, here, day, sessions):
        m, a = self.m, self.agenda
        label = m.date(day)
        heading = f'<h2 id="day-{day}">{escape(label)}</h2>'
        if not sessions:
            return f"{heading}\n<p>{escape(m('no_session'))}</p>"
        rooms = [r for r in a.event.rooms if any(p.schedule.room == r.id for p in sessions)]
        starts = sorted({p.schedule.start for p in sessions})
        cells = {(p.schedule.start, p.schedule.room): [] for p in sessions}
        for p in sessions:
            cells[(p.schedule.start, p.schedule.room)].append(p)
        head = "".join(f'<th scope="col">{escape(self.name(r.name))}</th>' for r in rooms)
        body = []
        for start in starts:
            row = [f'<th scope="row">{start}</th>']
            for r in rooms:
                inside = "".join(
                    f'<div class="agenda-slot" dir="auto">{self.link(here, proposal_key(p.id), p.title)}'
                    f'<span class="agenda-meta">{p.schedule.start}–{p.schedule.end} · {escape(self.format_name(p.format))}</span></div>'
                    for p in cells.get((start, r.id), []))
                row.append(f"<td>{inside}</td>")
            body.append("<tr>" + "".join(row) + "</tr>")
        grid = (f'<div class="agenda-grid" role="region" tabindex="0" aria-label="{escape(m("grid_caption", day=label))}">'
                f'<table><caption>{escape(m("grid_caption", day=label))}</caption>'
                f'<thead><tr><th scope="col">{escape(m("time"))}</th>{head}</tr></thead>'
                f'<tbody>{"".join(body)}</tbody></table></div>')
        items = "\n".join(
            f'<li dir="auto"><span class="agenda-time">{p.schedule.start}–{p.schedule.end}</span> · '
            f'{self.link(here, proposal_key(p.id), p.title)} <span class="agenda-meta">· '
            f'{escape(self.name(a.room(p.schedule.room).name))} · {escape(self.format_name(p.format))}</span></li>'
            for p in sessions)
        listing = (f'<h3 class="agenda-list-heading" id="list-{day}">{escape(m("list_heading", day=label))}</h3>\n'
                   f'<ol class="agenda-list agenda-day-list">\n{items}\n</ol>')
        skip = f'<p class="agenda-skip"><a href="#list-{day}">{escape(m("skip_to_list"))}</a></p>'
        return "\n".join((heading, skip, grid, listing))

    def themes_index(self):
        m, a = self.m, self.agenda
        here = "themes/index.md"
        items = []
        for t in a.themes:
            proposals = a.with_theme(t.id)
            excerpt = plain_text(self.name(t.description), 240)
            items.append(f'<li>{self.link(here, theme_key(t.id), self.name(t.name))} '
                         f'<span class="agenda-meta">({escape(m("proposal_count", n=len(proposals)))})</span>'
                         f'<br><span dir="auto">{escape(excerpt)}</span></li>')
        html = f"<h1>{escape(m('themes'))}</h1>\n<ul class=\"agenda-list\">\n" + "\n".join(items) + "\n</ul>"
        return Page(here, m("themes"), html, m("site_description"))

    def theme_page(self, theme):
        m, a = self.m, self.agenda
        here = theme_key(theme.id)
        proposals = a.with_theme(theme.id)
        reviewers = ", ".join(
            f'<a href="https://github.com/{quote(r)}" rel="nofollow noopener">@{escape(r)}</a>'
            for r in theme.get("reviewers", ()))
        parts = [f'<h1 dir="auto">{escape(self.name(theme.name))}</h1>',
                 f'<div class="agenda-description">{render_markdown(self.name(theme.description), top_level=2)}</div>',
                 f'<p><strong>{escape(m("reviewers") + m("colon"))}</strong>{reviewers}</p>',
                 f'<p>{escape(m("proposal_count", n=len(proposals)))} · '
                 f'{self.link(here, filter_key("theme", theme.id), m("programme"))} · '
                 f'<a href="{self.asset(here, opendata.theme_calendar_path(theme.id))}">{escape(m("theme_calendar"))}</a></p>']
        # The lists repeat the proposals' titles: left out of the search index, so that a
        # search finds the proposal itself rather than every theme that lists it.
        parts.append("<div data-pagefind-ignore>")
        for status, items in a.by_status(proposals).items():
            parts.append(f'<h2 id="status-{status}">{escape(m("status." + status))} ({len(items)})</h2>')
            for f in a.event.formats:
                of_format = [p for p in items if p.format == f.id]
                if of_format:
                    parts.append(f'<h3>{escape(self.name(f.name))} ({len(of_format)})</h3>')
                    parts.append(self.proposal_list(here, of_format))
        parts.append("</div>")
        description = plain_text(self.name(theme.description), 160)
        return Page(here, self.name(theme.name), "\n".join(parts), description, search=True)

    def formats_index(self):
        m, a = self.m, self.agenda
        here = "formats.md"
        items = []
        for f in a.event.formats:
            n = len(a.with_format(f.id))
            about = f' — {escape(self.name(f.description))}' if f.description else ""
            items.append(f'<li>{self.link(here, filter_key("format", f.id), self.name(f.name))}{about} '
                         f'<span class="agenda-meta">({escape(m("proposal_count", n=n))})</span></li>')
        html = f"<h1>{escape(m('formats'))}</h1>\n<ul class=\"agenda-list\">\n" + "\n".join(items) + "\n</ul>"
        return Page(here, m("formats"), html, m("site_description"))

    def organisations(self):
        m = self.m
        here = "organisations.md"
        parts = [f"<h1>{escape(m('organisations'))}</h1>"]
        for i, (org, (people, proposals)) in enumerate(self.agenda.organisations().items()):
            who = ", ".join(self.person(p) for p in people)
            parts.append(f'<h2 id="org-{i}" dir="auto">{escape(org)}</h2>\n'
                         f'<p dir="auto">{escape(m("people") + m("colon"))}{who}</p>')
            parts.append(self.proposal_list(here, proposals, show_status=True))
        return Page(here, m("organisations"), "\n".join(parts), m("site_description"))

    def person(self, person):
        handle = (f' (<a href="https://github.com/{quote(person.github)}" rel="nofollow noopener">@{escape(person.github)}</a>)'
                  if person.github else "")
        return f'<span dir="auto">{escape(person.name)}</span>{handle}'

    def data_page(self):
        m = self.m
        here = "data.md"
        rows = "\n".join(
            f'<tr><td><code>{escape(path)}</code></td><td>{escape(kind)}</td><td>{escape(m(key))}</td></tr>'
            if "<" in path else
            f'<tr><td><a href="{self.asset(here, path)}"><code>{escape(path)}</code></a></td>'
            f'<td>{escape(kind)}</td><td>{escape(m(key))}</td></tr>'
            for path, kind, key in opendata.FILES)
        schema = json.loads(exports.export_schema_text())
        item = schema.get("$defs", {}).get("proposal", {})
        json_fields = "\n".join(
            f'<tr><td><code>{escape(name)}</code></td><td>{escape(spec.get("description", ""))}</td></tr>'
            for name, spec in item.get("properties", {}).items())
        csv_columns = "\n".join(f'<tr><td><code>{escape(name)}</code></td><td>{escape(about)}</td></tr>'
                                 for name, about in exports.CSV_COLUMNS)
        html = f"""<h1>{escape(m("data"))}</h1>
<p>{escape(m("data_intro"))}</p>
{table((m("file"), "Format", m("description")), rows)}
<h2>{escape(m("fields_of", file="proposals.json"))}</h2>
{table((m("field"), m("description")), json_fields)}
<h2>{escape(m("columns_of", file="proposals.csv"))}</h2>
{table((m("column"), m("description")), csv_columns)}
<h2>{escape(m("licence"))}</h2>
<p>{escape(m("licence_text"))}</p>"""
        return Page(here, m("data"), html, m("data_intro"))

    def search_page(self):
        m = self.m
        here = "search.md"
        html = f"""<h1>{escape(m("search"))}</h1>
<p>{escape(m("search_intro"))}</p>
<div id="agenda-search" role="search" aria-label="{escape(m("search_label"))}"></div>
<noscript><p>{escape(m("search_noscript"))}</p></noscript>
<link rel="stylesheet" href="{self.asset(here, "pagefind/pagefind-ui.css")}">
<script src="{self.asset(here, "pagefind/pagefind-ui.js")}"></script>
<script src="{self.asset(here, "assets/search.js")}"></script>"""
        return Page(here, m("search"), html, m("search_intro"))

    def proposal_page(self, p):
        m, a = self.m, self.agenda
        here = proposal_key(p.id)
        facts = [
            (m("status"), self.status_badge(p.status)),
            (m("format"), self.link(here, filter_key("format", p.format), self.format_name(p.format))),
            (m("themes_label"), ", ".join(self.link(here, theme_key(t), self.name(a.theme(t).name)) for t in p.themes)),
            (m("languages"), ", ".join(self.link(here, filter_key("language", c), self.language_name(c))
                                       for c in p.languages)),
            (m("duration"), escape(m("minutes", n=p.duration))),
        ]
        if p.schedule:
            room = a.room(p.schedule.room)
            calendar = self.asset(here, opendata.proposal_calendar_path(p.id))
            facts.append((m("when"), f'{self.when(p.schedule)} · <a href="{calendar}">{escape(m("add_to_calendar"))}</a>'))
            facts.append((m("room"), escape(self.name(room.name))))
        dl = "\n".join(f"<dt>{escape(k)}</dt><dd>{v}</dd>" for k, v in facts)
        parts = [
            f'<h1 dir="auto">{escape(p.title)}</h1>',
            f'<p class="agenda-status agenda-status--{p.status}"><strong>{escape(m("status." + p.status))}</strong> — '
            f'{escape(m("status_note." + p.status))}</p>',
        ]
        if p.example:
            parts.append(f'<p class="agenda-example">{escape(m("example_note"))}</p>')
        parts += [f'<p class="agenda-summary" dir="auto">{escape(p.summary)}</p>',
                  f'<dl class="agenda-facts">\n{dl}\n</dl>',
                  f'<h2>{escape(m("description"))}</h2>',
                  f'<div class="agenda-description">{render_markdown(p.description, top_level=3)}</div>',
                  f'<h2>{escape(m("proposers"))}</h2>',
                  '<ul class="agenda-list">' + "".join(
                      f'<li>{self.person(x)} — <span dir="auto">{escape(x.organisation)}</span> '
                      f'<span class="agenda-meta">({escape(x.country)})</span></li>' for x in p.proposers) + "</ul>"]
        if p.accessibility:
            parts.append(f'<h2>{escape(m("accessibility"))}</h2>')
            parts.append('<dl class="agenda-facts">' + "".join(
                f'<dt>{escape(m("access." + k))}</dt><dd dir="auto">{self.access_value(k, v)}</dd>'
                for k, v in p.accessibility) + "</dl>")
        if p.looking_for:
            parts.append(f'<h2>{escape(m("looking_for"))}</h2>')
            parts.append('<ul class="agenda-list">' + "".join(
                f'<li>{escape(m("looking." + x))}</li>' for x in p.looking_for) + "</ul>")
        if p.links:
            parts.append(f'<h2>{escape(m("links"))}</h2>')
            parts.append('<ul class="agenda-list">' + "".join(
                f'<li dir="auto"><a href="{escape(url)}" rel="nofollow noopener ugc">{escape(title)}</a></li>'
                for title, url in p.links) + "</ul>")
        repo, branch = a.event.repository, quote(a.event.branch)
        path = quote(p.path)
        parts.append(f'<h2>{escape(m("contribute"))}</h2>')
        parts.append(
            '<ul class="agenda-list agenda-source">'
            f'<li><a href="{escape(repo)}/blob/{branch}/{path}">{escape(m("view_source"))}</a></li>'
            f'<li><a href="{escape(repo)}/commits/{branch}/{path}">{escape(m("history"))}</a></li>'
            f'<li><a href="{escape(repo)}/edit/{branch}/{path}">{escape(m("edit"))}</a></li></ul>')
        return Page(here, p.title, "\n".join(parts), p.summary, search=True)

    def access_value(self, key, value):
        m = self.m
        if isinstance(value, bool):
            return escape(m("yes") if value else m("no"))
        if key == "interpretation":
            return escape(", ".join(self.language_name(c) for c in value))
        if isinstance(value, tuple):
            return escape(", ".join(value))
        return escape(value)


def table(headers, body: str, caption: str = "", cls: str = "") -> str:
    """A table with plain-text column headers (escaped here) and rows already rendered."""
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in headers)
    opening = f'<table class="{cls}">' if cls else "<table>"
    caption = f"\n<caption>{escape(caption)}</caption>" if caption else ""
    return f"{opening}{caption}\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"


def proposal_key(pid):
    return f"proposals/{pid}.md"


def theme_key(tid):
    return f"themes/{tid}.md"


def filter_key(facet, value):
    return f"programme/{facet}/{value}.md"


def render_site(agenda: Agenda, lang: str = "fr", url=url_of, template: str | None = None) -> dict:
    """key -> Page for every page of the site in one language."""
    return {page.key: page for page in Site(agenda, lang, url, template).pages()}

