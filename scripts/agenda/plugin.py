"""MkDocs plugin `agenda`: thin glue between MkDocs and the pipeline.

on_config checks the repository (a problem stops the build with the same lines `agenda check`
prints) and renders every page and the open-data files; on_files adds them as generated files (nothing is written
into docs/); on_page_markdown/on_page_content hand MkDocs the page's title and HTML, so that
contributor text never goes through Python-Markdown or its extensions; on_serve watches the
data files. Search is Pagefind, run on the built site in on_post_build.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files

from .history import build_date, complete, status_history
from .markdown import escape
from .model import build_agenda
from .opendata import data_files
from .pages import render_site
from .problems import format_text
from .repository import EVENT_FILE, FOLDERS, check_repository
from .urls import NO_ADDRESS_NOTE, usable_base

log = logging.getLogger("mkdocs.plugins.agenda")


class AgendaConfig(base.Config):
    root = c.Optional(c.Type(str))  # the programme repository; default: mkdocs.yml's folder
    language = c.Type(str, default="fr")
    search = c.Type(bool, default=True)  # build the Pagefind index after the site
    strict = c.Type(bool, default=False)  # also stop on the programme's warnings


class AgendaPlugin(BasePlugin[AgendaConfig]):
    serving = False  # `mkdocs serve`: an invalid programme is shown in the browser (serve_errors.py)

    def on_startup(self, *, command, dirty):
        self.serving = command == "serve"

    def on_config(self, config):
        root = self.config.root or os.path.dirname(config.config_file_path)
        self.root = Path(root)
        report = check_repository(self.root)
        first_day = report.event.data["dates"]["start"] if report.event else "2000-01-01"
        self.build_date = build_date(self.root, first_day)
        # MkDocs writes the build date into sitemap.xml: the same date as everything else.
        os.environ.setdefault("SOURCE_DATE_EPOCH", str(int(self.build_date.timestamp())))
        # Errors always stop the build; warnings only with the plugin's `strict: true`. They
        # are logged at INFO, so that MkDocs' own strict mode does not turn them into failures:
        # a reviewer settles a warning by acknowledging it in the proposal.
        strict = self.config.strict
        errors = [p for p in report.problems if p.is_error or strict]
        for warning in ([] if strict else [p for p in report.problems if not p.is_error]):
            log.info("agenda " + format_text([warning]).rstrip())
        if errors and self.serving:  # a warning or an exception would stall the preview
            from .serve_errors import error_pages

            log.info("the programme has problems, shown in the browser:\n" + format_text(errors).rstrip())
            self.pages, self.data = error_pages(report.problems, config), {}
            return config
        if errors:
            raise PluginError("the programme has problems; fix them and build again:\n" + format_text(errors).rstrip())
        agenda = build_agenda(report.event, report.themes, report.proposals)
        template = Path(config.docs_dir) / "proposal-template.yaml"
        self.pages = render_site(agenda, self.config.language,
                                 template=template.read_text(encoding="utf-8") if template.is_file() else None)
        base_url = usable_base(config.site_url or agenda.event.site_url)  # None: the site has no address
        if base_url is None:
            log.info(f"agenda: {NO_ADDRESS_NOTE}")
        history = complete(status_history(self.root), agenda, self.build_date.isoformat())
        self.data = data_files(agenda, history, base_url=base_url, stamp=self.build_date, lang=self.config.language)
        return config

    def on_files(self, files: Files, *, config):
        for key in self.pages:
            if files.get_file_from_path(key) is not None:
                raise PluginError(f"docs/{key} would replace a generated page; rename or remove it")
            files.append(File.generated(config, key, content=""))
        for path, content in self.data.items():  # open data, copied as they are
            files.append(File.generated(config, path, content=content))
        return files

    def on_page_markdown(self, markdown, *, page, config, files):
        generated = self.pages.get(page.file.src_uri)
        if generated is None:
            return markdown
        # Material prints meta.title and meta.description into the page unescaped.
        page.meta["title"] = escape(generated.title)
        page.meta["description"] = escape(generated.description)
        page.meta["search"] = {"exclude": not generated.search}
        return ""  # nothing of the proposal reaches Python-Markdown

    def on_page_content(self, html, *, page, config, files):
        generated = self.pages.get(page.file.src_uri)
        if generated is None:
            return html
        if generated.search:  # what Pagefind indexes; every other page is left out
            return f"<div data-pagefind-body>\n{generated.html}\n</div>"
        return generated.html

    def on_serve(self, server, *, config, builder):
        for path in [self.root / EVENT_FILE] + [self.root / folder for folder in FOLDERS]:
            if path.exists():
                server.watch(str(path))
        return server

    def on_post_build(self, *, config):
        if self.config.search:
            from .search import build_index

            build_index(config.site_dir, self.config.language)
