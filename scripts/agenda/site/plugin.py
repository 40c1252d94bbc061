"""MkDocs plugin `agenda`: thin glue between MkDocs and the pipeline.

on_config checks the repository (a problem stops the build with the same lines `agenda check`
prints) and renders every page and the open-data files; on_files adds them as generated files (nothing is written
into docs/); on_page_markdown/on_page_content hand MkDocs the page's title, HTML and table of
contents, so that contributor text never goes through Python-Markdown or its extensions;
on_serve watches the data files and puts serve_fast.FastServe in the place of the development
server's builder: an edited proposal is shown at once, the whole site follows. Search is
Pagefind, run on the built site in on_post_build.

Languages: event.yaml's `site_languages` (default fr, en). The first is built at the root of
the site by the `mkdocs build` that was asked for; once it is done (on_post_build), the same
configuration is built again for each other language into <site>/<lang>/, by this plugin,
with the repository checked once (as mkdocs-static-i18n does, but for generated pages).
Each page links to its versions in the other languages (the header's language switch and
<link rel="alternate" hreflang>). Pagefind then indexes the whole site, one index per
language (from <html lang>).
"""

from __future__ import annotations

import logging
import os
import posixpath
import re
from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page as MkDocsPage
from mkdocs.structure.toc import get_toc

from ..contribute.github_snapshot import SnapshotError, snapshot_path
from ..data.history import build_date, complete, status_history
from ..i18n import default_language, translator
from .markdown import escape
from ..model import build_agenda
from ..data.opendata import data_files
from .pages import NAV_TITLES, Site, url_of
from . import serve_fast
from ..check.problems import format_text
from ..check.repository import check_repository, programme_paths
from .underreview import load_review
from ..data.urls import NO_ADDRESS_NOTE, usable_base

log = logging.getLogger("mkdocs.plugins.agenda")

DEFAULT_LANGUAGES = ("fr", "en")
_HTML_TAG = re.compile(r"<html\b[^>]*>")


class AgendaConfig(base.Config):
    root = c.Optional(c.Type(str))  # the programme repository; default: mkdocs.yml's folder
    search = c.Type(bool, default=True)  # build the Pagefind index after the site
    strict = c.Type(bool, default=False)  # also stop on the programme's warnings
    # The language of this build; set by the plugin for the other languages' builds.
    language = c.Optional(c.Type(str))


class AgendaPlugin(BasePlugin[AgendaConfig]):
    serving = False  # `mkdocs serve`: an invalid programme is shown in the browser (serve_errors.py)
    dirty = False
    parent = None  # the plugin of the first language's build, in the other languages' builds
    # While serving (serve_fast.py): the last complete build, the one under way, and the folder
    # the next build writes into instead of the served one (None: config.site_dir).
    served = None
    building = None
    site_dir = None
    fast = None
    _nav = None

    def on_startup(self, *, command, dirty):
        self.serving = command == "serve"
        self.dirty = dirty

    def on_shutdown(self):
        if self.fast is not None:
            self.fast.close()

    # --- configuration ----------------------------------------------------------------------

    def on_config(self, config):
        if self.parent is not None:
            self._inherit(self.parent)
        else:
            root = self.config.root or os.path.dirname(config.config_file_path)
            self.root = Path(root)
            if self.site_dir is not None:
                config.site_dir = self.site_dir
            if self.serving:  # what this build reads, before it reads it
                self.building = serve_fast.Build(serve_fast.snapshot(serve_fast.watched(self.root, config)),
                                                 config.site_dir)
            self.report = check_repository(self.root)
            self._check(config)
            if self.report_pages is not None:  # serving an invalid programme: its problems
                self.languages, self.lang, self.prefix, self.data = DEFAULT_LANGUAGES[:1], DEFAULT_LANGUAGES[0], "", {}
                self.site_url = config.site_url
                self.pages = self.report_pages
                return config
            self.agenda = build_agenda(self.report.event, self.report.themes, self.report.proposals)
            self.languages = tuple(self.report.event.data.get("site_languages", DEFAULT_LANGUAGES))
            self.site_url = config.site_url
            self.review = self._review()
        self.lang = self.config.language or self.languages[0]
        self.prefix = "" if self.lang == self.languages[0] else f"{self.lang}/"
        self._configure(config)
        agenda = self.agenda
        site = self.site(config)
        self.pages = {page.key: page for page in site.pages()}
        self.data = {}
        if self.parent is None:  # open data: once, at the root, for every language
            base_url = usable_base(config.site_url or agenda.event.site_url)  # None: the site has no address
            if base_url is None:
                log.info(f"agenda: {NO_ADDRESS_NOTE}")
            history = complete(status_history(self.root), agenda, self.build_date.isoformat())
            self.data = data_files(agenda, history, base_url=base_url, stamp=self.build_date, lang=self.lang)
        self.data.update(site.attending.files())  # this language's QR codes (attend.py), in its own folder
        return config

    report_pages = None  # the pages listing the problems, while serving an invalid programme

    def site(self, config) -> Site:
        """This language's pages of the model `self.agenda` (pages.py)."""
        template = Path(config.docs_dir) / "proposal-template.yaml"
        site = Site(self.agenda, self.lang,
                    template=template.read_text(encoding="utf-8") if template.is_file() else None,
                    custom_dir=config.theme.custom_dir, prefix=self.prefix,
                    base_url=usable_base(self.site_url or self.agenda.event.site_url), review=self.review)
        if self.serving:  # the templates compiled once for the whole process, not once a build
            site.env.bytecode_cache = serve_fast.COMPILED
        return site

    def errors(self, report) -> list:
        """The problems that stop the build: errors, and warnings with `strict: true`."""
        return [p for p in report.problems if p.is_error or self.config.strict]

    def _check(self, config):
        report = self.report
        first_day = report.event.data["dates"]["start"] if report.event else "2000-01-01"
        self.build_date = build_date(self.root, first_day)
        # MkDocs writes the build date into sitemap.xml: the same date as everything else.
        os.environ.setdefault("SOURCE_DATE_EPOCH", str(int(self.build_date.timestamp())))
        # Errors always stop the build; warnings only with the plugin's `strict: true`. They
        # are logged at INFO, so that MkDocs' own strict mode does not turn them into failures:
        # a reviewer settles a warning by acknowledging it in the proposal.
        strict = self.config.strict
        errors = self.errors(report)
        said = translator(default_language())  # the words of the person building, as agenda check's
        for warning in ([] if strict else [p for p in report.problems if not p.is_error]):
            log.info("agenda " + format_text([warning], said).rstrip())
        self.report_pages = None
        if errors and self.serving:  # a warning or an exception would stall the preview
            from .serve_errors import error_pages

            log.info("the programme has problems, shown in the browser:\n" + format_text(errors, said).rstrip())
            self.report_pages = error_pages(report.problems, config, said)
        elif errors:
            raise PluginError("the programme has problems; fix them and build again:\n"
                              + format_text(errors, said).rstrip())

    def _inherit(self, parent):
        for name in ("root", "report", "agenda", "languages", "build_date", "site_url", "serving", "dirty", "review"):
            setattr(self, name, getattr(parent, name))

    def _review(self):
        """The proposals under review and their support, from the GitHub snapshot when the build
        has one (underreview.py); None without it: the offline site, unchanged. A broken file is
        said once and the site is built without it."""
        try:
            review = load_review(self.root, self.report, self.agenda)
        except SnapshotError as exc:
            log.info(f"agenda: the site is built without the proposals under review: {exc.message}")
            return None
        if review is not None:
            log.info(f"agenda: {len(review.items)} proposals under review and the support of {len(review.support)} "
                     f"from {snapshot_path(self.root)}")
        return review

    def _configure(self, config):
        """The interface language, the event's name in the header, the site's address."""
        t = translator(self.lang)
        config.theme["language"] = self.lang
        # Material prints site_name unescaped (in <title> and the header).
        config.site_name = escape(t.name(self.agenda.event.name))
        config.site_description = t.gettext("The programme, co-built in the open: proposals, themes and times.")
        if self.site_url and self.prefix:
            config.site_url = self.site_url.rstrip("/") + "/" + self.prefix
        if len(self.languages) > 1:
            # Material shows its language switch when extra.alternate is set; the links are
            # each page's own (overrides/partials/alternate.html, from on_page_context).
            config.extra["alternate"] = True

    # --- files, navigation, pages -----------------------------------------------------------

    def on_files(self, files: Files, *, config):
        if self.report_pages is None:
            files = self._own_language(files, config)
        for key in self.pages:
            if files.get_file_from_path(key) is not None:
                raise PluginError(f"docs/{key} would replace a generated page; rename or remove it")
            files.append(File.generated(config, key, content=""))
        for path, content in self.data.items():  # open data, copied as they are
            files.append(File.generated(config, path, content=content))
        return files

    def _own_language(self, files, config):
        """docs/<name>.<lang>.md is <name>.md in that language's build only."""
        suffixes = {f".{lang}.md": lang for lang in self.languages}
        for f in list(files.documentation_pages()):
            lang = next((lang for suffix, lang in suffixes.items() if f.src_uri.endswith(suffix)), None)
            if lang is None:
                continue
            files.remove(f)
            if lang == self.lang:
                plain = f.src_uri[: -len(f".{lang}.md")] + ".md"
                if (existing := files.get_file_from_path(plain)) is not None:
                    files.remove(existing)
                files.append(File.generated(config, plain, abs_src_path=f.abs_src_path))
        return files

    def on_nav(self, nav, *, config, files):
        t = translator(self.lang)
        for page in nav.pages:
            if page.file.src_uri in NAV_TITLES and page.file.src_uri in self.pages:
                page.title = escape(t.gettext(NAV_TITLES[page.file.src_uri]))
        self._nav = nav
        return nav

    def on_env(self, env, *, config, files):
        # While serving, each language's MkDocs objects are kept for serve_fast's pages.
        first = self.parent or self
        if first.building is not None and self.report_pages is None:
            first.building.add(self, config, files, self._nav, env)
        self._nav = None
        return env

    def on_page_markdown(self, markdown, *, page, config, files):
        self._give_way()
        generated = self.pages.get(page.file.src_uri)
        if generated is None:
            return markdown
        # Material prints meta.title and meta.description into the page unescaped. The home
        # page's title is the site's name (the event's), as Material writes it without one.
        if not page.is_homepage:
            page.meta["title"] = escape(generated.title)
        page.meta["description"] = escape(generated.description)
        page.meta["search"] = {"exclude": not generated.search}
        return ""  # nothing of the proposal reaches Python-Markdown

    def on_page_content(self, html, *, page, config, files):
        generated = self.pages.get(page.file.src_uri)
        if generated is None:
            return html
        page.toc = get_toc(_toc_tokens(generated.headings()))
        if generated.search:  # what Pagefind indexes; every other page is left out
            return f"<div data-pagefind-body>\n{generated.html}\n</div>"
        return generated.html

    def on_page_context(self, context, *, page, config, nav):
        self._give_way()
        context["agenda_alternates"] = self.alternates(page)
        # Files shared by every language (the feed, data/) are at the root of the site.
        context["agenda_root"] = posixpath.relpath(".", posixpath.dirname(posixpath.join(self.prefix, page.url)) or ".")
        return context

    def alternates(self, page: MkDocsPage) -> list:
        """This page in every language: name, lang, href (relative to the page) and url
        (absolute when the site has an address)."""
        if len(self.languages) < 2:
            return []
        here = posixpath.join(self.prefix, page.url)
        directory = here if here.endswith("/") or not here else posixpath.dirname(here) + "/"
        out = []
        for lang in self.languages:
            prefix = "" if lang == self.languages[0] else f"{lang}/"
            there = posixpath.join(prefix, page.url)
            href = posixpath.relpath(there or ".", directory or ".")
            href = href + "/" if there.endswith("/") or not there else href
            url = (self.site_url.rstrip("/") + "/" + there) if self.site_url else href
            out.append({"lang": lang, "name": translator(lang).own_name(), "href": href, "url": url,
                        "current": lang == self.lang, "default": lang == self.languages[0]})
        return out

    def on_post_page(self, output, *, page, config):
        # Material writes the direction on <body> only; <html dir> tells the whole page.
        direction = translator(self.lang).direction
        return _HTML_TAG.sub(lambda m: m.group(0)[:-1] + f' dir="{direction}">' if "dir=" not in m.group(0)
                             else m.group(0), output, count=1)

    # --- after the build ----------------------------------------------------------------------

    def on_serve(self, server, *, config, builder):
        for path in programme_paths(self.root):
            if path.exists():
                server.watch(str(path))
        if self.serving and not self.dirty and self.fast is None:
            self.fast = server.builder = serve_fast.FastServe(self, server)
        return server

    def on_build_error(self, *, error):
        if self.parent is None:
            self.building = None
            if self.site_dir is None:  # the served site is half written: no fast path from it
                self.served = None

    def _give_way(self):
        """serve_fast: a full build after a fast path stops here when a file was saved since."""
        fast = (self.parent or self).fast
        if fast is not None:
            fast.give_way()

    def on_post_build(self, *, config):
        if self.parent is not None:
            return
        self.pages = {}  # the first language's pages are written: free them before the next
        if self.report_pages is None:
            for lang in self.languages[1:]:
                self._build_language(config, lang)
        self._give_way()
        if self.config.search and self.report_pages is None:  # the problems' pages: nothing to search
            from .search import build_index

            build_index(config.site_dir)

    def _build_language(self, config, lang):
        from mkdocs.commands.build import build
        from mkdocs.config import load_config

        # MkDocs keeps one instance of a plugin that has on_startup for the whole process
        # (`mkdocs serve` reuses it for every rebuild): this build needs its own.
        option = MkDocsConfig.plugins
        cache, option.plugin_cache = option.plugin_cache, {}
        try:
            other = load_config(config.config_file_path, site_dir=os.path.join(config.site_dir, lang),
                                strict=config.strict)
        finally:
            option.plugin_cache = cache
        plugin = next(p for p in other.plugins.values() if isinstance(p, AgendaPlugin))
        assert plugin is not self
        plugin.parent = self
        plugin.config["language"] = lang
        log.info(f"agenda: building the '{lang}' pages into {other.site_dir}")
        build(other, dirty=self.dirty)


def _toc_tokens(headings) -> list:
    """(level, id, text) -> MkDocs' table-of-contents tokens, nested by level; names are
    escaped, as Material prints them as HTML."""
    root: list = []
    stack = [(0, root)]
    for level, ident, text in headings:
        token = {"level": level, "id": ident, "name": escape(text), "children": []}
        while stack[-1][0] >= level:
            stack.pop()
        stack[-1][1].append(token)
        stack.append((level, token["children"]))
    return root


__all__ = ["AgendaPlugin", "url_of"]
