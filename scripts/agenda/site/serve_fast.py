"""`mkdocs serve`: an edited proposal in the browser in a fraction of a second, the whole site
once it is rebuilt.

A full build renders every page of every language, then Pagefind indexes them: 15 to 25 s at
1,000 proposals on two shared cores (benchmarks/serve_speed.py). When the only files that changed since the last complete build are existing
proposals (proposals/<id>.yaml, no file added or removed), `FastServe`, which takes the place of
the development server's builder (plugin.on_serve), first shows just those proposals' pages:

1. the repository is checked by the plugin's own entry point (`check_repository`); if it has
   errors (warnings too with `strict: true`), the full builder runs instead, and the browser
   shows the problems as in any build (serve_errors.py);
2. the model is rebuilt (`build_agenda`) and each edited proposal's page is rendered by the
   plugin's own `Site` (plugin.site), in every language of the site;
3. each page goes through MkDocs' own page path (`_populate_page`, then `_build_page`: every
   plugin's page events, the theme's main.html, the navigation), with the configuration,
   files, navigation and template environment kept from the last complete build, and is
   written where the served site holds it. So the page is the one a full build writes. The
   templates are compiled once for the whole process (`COMPILED`), not for each Site;
4. the builder returns: the server tells the browsers to reload. One INFO line says so.

Then it asks the server for another build at once, which is a full build (`follow_up`): every
index, programme and theme page, the open data and the search index catch up. That build
writes into a folder beside the served one, and the served site stays whole and answers
meanwhile (MkDocs would hold every request until the build ends); once it is complete the two
folders are swapped, and the browsers reload again. A file saved while it runs stops it at the
next page (`give_way`, from the plugin's page events and between the languages; not while the
pages are rendered in on_config nor while Pagefind runs): the next build starts from the last
complete one, so it is the fast path again when only proposals changed since.

Anything else that changed (event.yaml, themes/, docs/, mkdocs.yml, the theme's overrides, a
file added or removed), a site showing problems, or a build that failed in the served folder:
the next build is MkDocs' own, as without this module. Until the follow-up build ends, other
pages (the programme, a theme's list, another proposal's page naming this one) still show the
previous text, and the fast path does not repeat the warnings a full build logs. While serving,
the MkDocs objects of every language (files, navigation, pages) stay in memory between builds.

What it relies on in MkDocs 1.6 beyond the plugin API (checked by tests/test_serve.py):
`mkdocs.commands.build._populate_page` and `_build_page`, and LiveReloadServer's `builder`,
`root`, `_rebuild_cond`/`_want_rebuild` (ask for a build; a file saved meanwhile) and
`_epoch_cond`/`_wanted_epoch`/`_visible_epoch` (let requests through while the follow-up build
runs); the messages of the logger `mkdocs.commands.build` are dropped when a build gives way.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import BytecodeCache
from mkdocs.structure.files import InclusionLevel

from ..check.repository import FOLDERS, check_repository, programme_paths
from ..model import build_agenda

log = logging.getLogger("mkdocs.plugins.agenda")

PROPOSALS = next(folder for folder, kind in FOLDERS.items() if kind == "proposal")


def watched(root: Path, config) -> list:
    """The files and folders a build reads that a person edits while serving: the programme,
    docs/, mkdocs.yml, the `watch` option's paths and the theme's overrides."""
    paths = programme_paths(root)
    paths += [config.docs_dir, config.config_file_path, *config.watch, config.theme.custom_dir]
    return sorted({os.path.abspath(p) for p in paths if p})


def snapshot(paths) -> dict:
    """path -> (modification time in ns, size) of every file under `paths`."""
    found = {}
    for top in paths:
        if os.path.isfile(top):
            found[top] = _stamp(top)
        for folder, _, names in os.walk(top):
            for name in names:
                path = os.path.join(folder, name)
                found[path] = _stamp(path)
    return found


def _stamp(path):
    try:
        st = os.stat(path)
    except OSError:  # removed meanwhile
        return None
    return st.st_mtime_ns, st.st_size


def edited_proposals(before: dict, after: dict, root: Path) -> list | None:
    """The ids of the proposals edited between two snapshots, or None when anything else
    changed (a file added or removed, another file edited) or nothing did."""
    if before.keys() != after.keys():
        return None
    folder = os.path.abspath(root / PROPOSALS)
    ids = []
    for path, stamp in after.items():
        if stamp == before[path]:
            continue
        parent, name = os.path.split(path)
        if parent != folder or not name.endswith(".yaml") or stamp is None:
            return None
        ids.append(name[: -len(".yaml")])
    return sorted(ids) or None


class GaveWay(Exception):
    """The follow-up build stops: a file was saved meanwhile."""


class CompiledTemplates(BytecodeCache):
    """Jinja's compiled templates, kept in memory for the whole `mkdocs serve` process: each
    Site makes a new environment, which would compile every template again (about 0.1 s a
    language). A template whose source changed is compiled again (Jinja compares checksums)."""

    def __init__(self):
        self.compiled = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket):
        self.compiled[bucket.key] = bucket.bytecode_to_string()


COMPILED = CompiledTemplates()


@dataclass
class Language:
    """One language of a complete build, as MkDocs left it."""

    plugin: object  # the AgendaPlugin instance of that language's build
    config: object
    files: object
    nav: object
    env: object
    folder: str  # where it is in the site: "." or "en"


@dataclass
class Build:
    """What the fast path needs of the last complete build: the files it read (`snapshot`,
    taken before reading them) and each language's MkDocs objects."""

    snapshot: dict
    site_dir: str
    languages: list = field(default_factory=list)

    def add(self, plugin, config, files, nav, env):
        folder = os.path.relpath(config.site_dir, self.site_dir)
        self.languages.append(Language(plugin, config, files, nav, env, folder))


class FastServe:
    """The development server's builder: the fast path when it applies, else MkDocs' own."""

    def __init__(self, plugin, server):
        self.plugin = plugin
        self.server = server
        self.full = server.builder  # mkdocs.commands.serve's builder
        self.follow_up = False  # the next build is the full one after a fast path
        self.following = False  # that build is running
        self.gave_way = False
        # MkDocs logs an error for the page a build stopped at: not when it gives way.
        logging.getLogger("mkdocs.commands.build").addFilter(lambda record: not self.gave_way)
        self.beside = server.root.rstrip(os.sep) + "-next"  # where that build writes
        self._built()  # the first build, which `mkdocs serve` ran before this existed

    def _built(self):
        """A build has ended without an exception: the fast path starts from it, unless it
        is the site that shows the programme's problems."""
        plugin = self.plugin
        plugin.served = plugin.building if plugin.report_pages is None else None
        plugin.building = None

    def __call__(self, config=None):
        if self.follow_up:
            self.follow_up = False
            return self._whole_site_beside(config)
        done = self.plugin.served
        if done is not None:
            ids = edited_proposals(done.snapshot, snapshot(watched(self.plugin.root, done.languages[0].config)),
                                   self.plugin.root)
            try:
                shown = ids is not None and self._show(done, ids)
            except Exception as exc:  # a bug here must not stop the preview: MkDocs' build follows
                log.warning(f"agenda: the edited proposals could not be shown alone ({exc!r}); building everything")
                shown = False
            if shown:
                self._ask_for_whole_site()
                return None
        self.full(config)
        self._built()
        return None

    # --- the fast path ------------------------------------------------------------------------

    def _show(self, done: Build, ids) -> bool:
        """Render the proposals `ids` in every language into the served site; False when the
        full builder must run instead."""
        from mkdocs.commands.build import _build_page, _populate_page

        start = time.perf_counter()
        parent = self.plugin
        report = check_repository(parent.root)
        if parent.errors(report) or any(pid not in report.proposals for pid in ids):
            return False  # the full build shows the problems
        checked = time.perf_counter()
        agenda = build_agenda(report.event, report.themes, report.proposals)
        for language in done.languages:
            plugin, config, files = language.plugin, language.config, language.files
            plugin.report, plugin.agenda = report, agenda
            site = plugin.site(config)
            plugin.pages = {page.key: page for page in (site.proposal_page(agenda.proposal(pid)) for pid in ids)}
            doc_files = files.documentation_pages(inclusion=InclusionLevel.is_in_serve)
            for key in plugin.pages:
                file = files.get_file_from_path(key)
                if file is None or file.page is None:
                    return False
                # Where the served site holds it (the last build may have written beside it).
                file.abs_dest_path = os.path.normpath(os.path.join(self.server.root, language.folder, file.dest_uri))
                _populate_page(file.page, config, files)
                _build_page(file.page, config, doc_files, language.nav, language.env)
        end = time.perf_counter()
        log.info(f"agenda: showed {len(ids)} edited proposal{'s' if len(ids) > 1 else ''} in {end - start:.2f} s; "
                 "the whole site follows")
        log.debug(f"agenda: the fast path checked the repository in {checked - start:.2f} s, "
                  f"made the pages in {end - checked:.2f} s")
        return True

    def _ask_for_whole_site(self):
        self.follow_up = True
        with self.server._rebuild_cond:
            self.server._want_rebuild = True
            self.server._rebuild_cond.notify_all()

    # --- the full build after it ----------------------------------------------------------------

    def _whole_site_beside(self, config):
        """MkDocs' build, into the folder beside the served one, while the served site answers;
        then the folders are swapped."""
        server = self.server
        with server._epoch_cond:  # MkDocs holds every request until the build ends: not this one
            server._wanted_epoch = server._visible_epoch
            server._epoch_cond.notify_all()
        os.makedirs(self.beside, exist_ok=True)
        self.plugin.site_dir, self.following = self.beside, True
        try:
            self.full(config)
        except GaveWay:
            log.info("agenda: files were saved meanwhile; they are shown first")
            return None  # the served site and the last complete build stay as they were
        finally:
            self.plugin.site_dir, self.following, self.gave_way = None, False, False
        self._built()
        with server._epoch_cond:  # requests wait for the swap; the browsers reload after it
            server._wanted_epoch = max(round(time.monotonic() * 1000), server._visible_epoch + 1)
        parked = self.beside + "-old"
        shutil.rmtree(parked, ignore_errors=True)  # left by a process that was killed meanwhile
        os.rename(server.root, parked)
        os.rename(self.beside, server.root)
        os.rename(parked, self.beside)  # the next follow-up build cleans it and writes there
        return None

    def give_way(self):
        """Called by the plugin between pages: stop the follow-up build if a file was saved."""
        if self.following and self.server._want_rebuild:
            self.gave_way = True
            raise GaveWay

    def close(self):
        shutil.rmtree(self.beside, ignore_errors=True)
