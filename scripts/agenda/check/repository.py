"""The programme repository on disk -> loaded, validated documents and every problem.

Layout: `event.yaml`, `themes/<id>.yaml`, `proposals/<id>.yaml`. The settings and themes are
checked first; then each proposal is loaded, validated and checked against them, by this
process and worker processes when there are many (every core). Positions are kept only
for files with a problem. The cross-proposal rules run last, on all valid proposals.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import operator
import os
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from . import rules, schema, text
from .load import MAX_BYTES, Document, decode, load_text, without_bom
from .problems import ERROR, Msg, Problem, show, sort_problems

EVENT_FILE = "event.yaml"
FOLDERS = {"themes": "theme", "proposals": "proposal"}
PARALLEL_FROM = 400  # below this, starting worker processes costs more than it saves
_SLUG_CHARACTERS = re.compile(r"[a-z0-9-]+")
# Ids that are valid slugs but cannot be used. Windows reserves device names, with any
# extension and in any case: a checkout there cannot create proposals/con.yaml, nor a build the
# page's folder con/. And `index` is the page of its folder on the site (themes/index.md is the
# Themes page; proposals/index.md would be served at proposals/, not proposals/index/):
# tests/test_files.py derives this list from the pages the site generates.
WINDOWS_DEVICES = frozenset({"con", "prn", "aux", "nul"} | {f"{d}{n}" for d in ("com", "lpt") for n in range(10)})
SITE_PAGES = frozenset({"index"})
_LONGEST_RESERVED = max(map(len, WINDOWS_DEVICES | SITE_PAGES))


def is_slug(name: str) -> bool:
    """Is `name` an id: lower-case letters a-z, digits and single hyphens inside, `[a-z0-9]+(-[a-z0-9]+)*`?
    The one test of the id rule; without a repeated group (a third of the discovery of 10,000 files)."""
    return (_SLUG_CHARACTERS.fullmatch(name) is not None and name[0] != "-" and name[-1] != "-"
            and "--" not in name)


def reserved_id(ident: str, folder: str = "proposals"):
    """Why `ident` cannot name a file of `folder` (a proposal or a theme), or None."""
    if len(ident) > _LONGEST_RESERVED:
        return None
    if ident.lower() in WINDOWS_DEVICES:
        return Msg("the id %(id)s is a device name on Windows, so no file or folder can have it there", id=repr(ident))
    if ident in SITE_PAGES:
        return Msg("the id %(id)s names the page of %(folder)s/ itself on the site, so this one would have no page",
                   id=repr(ident), folder=folder)
    return None


@dataclass
class Report:
    """Everything a check found, and the valid documents for the model to use."""

    problems: list = field(default_factory=list)
    files: int = 0
    event: Document | None = None
    themes: dict = field(default_factory=dict)
    proposals: dict = field(default_factory=dict)
    acknowledged: list = field(default_factory=list)  # warnings a reviewer accepted in the proposal


def _file_problem(rel, rule, message, hint):
    return Problem(rel, 1, 1, ERROR, rule, message, "", hint)


def _outside(root: Path, directory: Path) -> bool:
    """Is this programme folder a link (or a Windows junction) to a folder elsewhere? Then
    its real path is not the repository's real path and its name."""
    return os.path.realpath(directory) != os.path.join(os.path.realpath(root), directory.name)


def _folder_problems(root: Path, folder: str):
    directory = root / folder
    if directory.is_symlink() or (directory.is_dir() and _outside(root, directory)):
        try:
            target = show(os.readlink(directory), 80)
        except OSError:
            target = "another folder"
        return [_file_problem(folder, "stray-file",
                              Msg("%(folder)s/ is a link to %(target)s, so its files are not read: they would be published from outside the repository", folder=folder, target=target),
                              Msg("replace the link with a real %(folder)s/ folder holding the files", folder=folder))]
    if os.path.lexists(directory):
        return [_file_problem(folder, "stray-file", Msg("%(folder)s is not a folder, so it is not read", folder=folder),
                              Msg("make %(folder)s/ a folder of .yaml files", folder=folder))]
    return []


_name = operator.attrgetter("name")


def programme_paths(root: Path) -> list:
    """event.yaml and the folders of themes and proposals: what a programme is made of."""
    return [root / EVENT_FILE] + [root / folder for folder in FOLDERS]


def discover(root: Path):
    """(kind, id, relative path, absolute path) of every data file, and layout problems."""
    found, problems = [], []
    event = root / EVENT_FILE
    if event.is_file() and not event.is_symlink():
        found.append(("event", "event", EVENT_FILE, str(event)))
    else:
        problems.append(_file_problem(EVENT_FILE, "missing-file", Msg("event.yaml is missing (or not a regular file)"),
                                      Msg("every programme needs its settings: see schema/event.schema.json")))
    for folder, kind in FOLDERS.items():
        directory = root / folder
        if not directory.is_dir() or _outside(root, directory):
            problems.extend(_folder_problems(root, folder))
            continue
        seen = {}
        for entry in sorted(os.scandir(directory), key=_name):
            rel = f"{folder}/{entry.name}"
            stem, dot, ext = entry.name.rpartition(".")
            if entry.name == ".gitkeep":
                continue
            if not entry.name.isprintable():  # a line break in a name would forge output lines
                utf8 = not re.search("[\ud800-\udfff]", entry.name)  # undecodable bytes arrive as surrogates
                problems.append(_file_problem(f"{folder}/{show(entry.name)[1:-1]}", "bad-file-name",
                                              "the file name contains invisible or control characters" if utf8
                                              else "the file name is not valid UTF-8",
                                              Msg("rename it with lower-case letters a-z, digits and hyphens")))
                continue
            if entry.name.startswith("."):
                problems.append(_file_problem(rel, "stray-file", Msg("%(rel)s is a hidden file, so it is not read", rel=rel),
                                              Msg("file names must not start with a dot")))
                continue
            if entry.is_symlink() or not entry.is_file():
                problems.append(_file_problem(rel, "stray-file",
                                              Msg("%(rel)s is not a regular file", rel=rel),
                                              Msg("put only <id>.yaml files in %(folder)s/, no folders or links", folder=folder)))
                continue
            if ext != "yaml" or not dot:
                hint = (Msg("rename it to %(folder)s/%(stem)s.yaml", folder=folder, stem=stem) if ext == "yml"
                        else Msg("%(folder)s/ holds only .yaml files; move this file elsewhere", folder=folder))
                problems.append(_file_problem(rel, "stray-file", Msg("%(rel)s is not a .yaml file, so it is not read", rel=rel), hint))
                continue
            if len(stem) > 64 or not is_slug(stem):
                suggestion = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-") or "my-session"
                problems.append(_file_problem(rel, "bad-file-name",
                                              Msg("the file name (the id) must use only lower-case letters a-z, digits and hyphens"),
                                              Msg("rename it, for example to %(folder)s/%(suggestion)s.yaml", folder=folder, suggestion=suggestion[:64])))
            elif reserved_id(stem, folder):
                problems.append(_file_problem(rel, "bad-file-name", reserved_id(stem, folder),
                                              Msg("rename it, for example to %(folder)s/%(stem)s-%(kind)s.yaml", folder=folder, stem=stem, kind=kind)))
            folded = stem.casefold()
            if folded in seen:
                problems.append(_file_problem(rel, "duplicate-id", Msg("the id %(stem)s is already used by %(seen)s", stem=repr(stem), seen=seen[folded]),
                                              Msg("choose another file name")))
            seen.setdefault(folded, rel)
            found.append((kind, stem, rel, str(entry.path)))
    return found, problems


def check_bytes(kind: str, rel: str, raw: bytes, ctx=None, source: str | None = None):
    """One file's bytes -> (the Document if it is valid, else None; its problems): load,
    schema, text rules and, for a proposal checked against the settings (`ctx`), the
    one-proposal rules. The one entry point for a file, used by `agenda check`, `agenda
    new`, `agenda from-issue` and `agenda import` alike. Positions are kept only when a
    problem needs them (see `Document.where`)."""
    text_, problem = decode(rel, raw)
    if problem:
        return None, [problem]
    # Without a file to read positions from again later, keep them now.
    doc, problems = load_text(rel, text_, positions=source is None, utf8=without_bom(raw))
    if doc is None:
        return None, problems
    doc.source = source
    problems = schema.check(kind, doc, (lambda: ctx.hints) if ctx is not None and kind == "proposal" else None)
    valid = not problems
    if kind == "proposal" and ctx is not None:
        problems += rules.check_proposal(ctx, doc) if valid else rules.check_invalid_proposal(ctx, doc, problems)
    markdown, urls = schema.field_kinds(kind)
    problems += text.check_text(doc, markdown, urls)
    if not text_.isascii():  # hidden characters in comments; ASCII files have none
        problems += text.check_comments(rel, text_, {p.line for p in problems})
    return (doc if valid else None), problems


def check_file(kind: str, rel: str, source: str, ctx=None):
    """`check_bytes` on a file of the repository."""
    try:
        fd = os.open(source, os.O_RDONLY)
        try:
            raw = os.read(fd, MAX_BYTES + 1)
        finally:
            os.close(fd)
    except OSError as exc:
        return None, [_file_problem(rel, "unreadable-file", Msg("the file cannot be read (%(strerror)s)", strerror=exc.strerror),
                                  Msg("check the file's permissions"))]
    return check_bytes(kind, rel, raw, ctx, source)


_CONTEXT = None  # the settings and themes, set once in each worker process
_FOUND = ()  # the proposals to check, (id, path, source): a worker checks a slice of them


def _set_context(ctx, found=()):
    global _CONTEXT, _FOUND
    _CONTEXT, _FOUND = ctx, found


def _check_slice(start, stop, full):
    """A worker's share: its slice of the proposals it inherited when it was forked (only
    the two numbers cross the pipe, not 10,000 paths)."""
    return _check_proposals(_FOUND[start:stop], full)


def _check_proposals(chunk, full=True):
    """Load, validate and apply the one-proposal rules to a chunk of proposals.

    Returns plain tuples (data or None, problems), in the chunk's order: they cross process
    boundaries faster than objects, and without the paths the caller already has. Unless
    `full`, data keeps only the fields the cross-proposal rules read."""
    with _no_collection():
        out = []
        for ident, rel, source in chunk:
            doc, problems = check_file("proposal", rel, source, _CONTEXT)
            data = None
            if doc is not None:
                data = doc.data if full else rules.cross_facts(doc.data)
            out.append((data, problems))
        return out


@contextlib.contextmanager
def _no_collection():
    """Many small objects that all live until the check ends: the garbage collector's passes
    over them only cost time (a third of reading the workers' results back). When it is on
    again, they are moved to its oldest generation at once (`freeze` then `unfreeze`), as if
    they had survived its passes: otherwise its next young pass walks every one of them
    (15 ms after a check of 10,000 proposals)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def _check_all_proposals(found, ctx, jobs, full, meanwhile=None):
    """Split the proposals between this process and jobs - 1 worker processes. The workers
    are forked (the standard library's pool, with the fork start method): they inherit the
    imported modules and the context, so nothing is imported or sent twice. `meanwhile` is
    run by this process once its own share is done, while the workers' results come back."""
    _set_context(ctx, found)
    try:
        return _check_shares(found, jobs, full, meanwhile)
    finally:
        _set_context(None)  # the repository's data is not kept beyond the check


def _check_shares(found, jobs, full, meanwhile):
    if jobs <= 1 or len(found) < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        results = _check_proposals(found, full)
        if meanwhile is not None:
            meanwhile()
        return results
    # Equal shares: the workers' results cross the pipe while this process does its
    # `meanwhile` (measured: 0.99 s at 10,000 proposals, against 1.03 s with 3% more here
    # and 1.01 s with 3% less).
    own = len(found) // jobs
    size = -(-(len(found) - own) // (jobs - 1))
    slices = [(start, min(start + size, len(found))) for start in range(own, len(found), size)]
    with ProcessPoolExecutor(max_workers=len(slices), mp_context=multiprocessing.get_context("fork")) as pool:
        futures = [pool.submit(_check_slice, start, stop, full) for start, stop in slices]
        results = _check_proposals(found[:own], full)
        if meanwhile is not None:
            meanwhile()
        for future in futures:
            results.extend(future.result())
    return results


def load_settings(found):
    """The event settings and themes among discovered files: (event Document or None,
    {id: valid theme Document}, problems). What every proposal is checked against."""
    event, themes, problems = None, {}, []
    for kind, ident, rel, source in found:
        if kind == "proposal":
            continue
        doc, file_problems = check_file(kind, rel, source)
        problems.extend(file_problems)
        if doc is not None and kind == "event":
            event = doc
        elif doc is not None:
            themes[ident] = doc
    return event, themes, problems


def check_repository(root, jobs: int | None = None, full: bool = True, meanwhile=None) -> Report:
    """Load, validate and cross-check the whole repository.

    With `full=False` (what `agenda check` needs) valid proposals keep only the fields the
    cross-proposal rules read, so that little travels back from the worker processes.
    `meanwhile`, if given, is called once, when this process would otherwise wait for the
    workers (`agenda check` loads the messages' language then)."""
    with _no_collection():
        return _check_repository(Path(root), jobs if jobs is not None else (os.cpu_count() or 1), full, meanwhile)


def _check_repository(root: Path, jobs: int, full: bool, meanwhile=None) -> Report:
    found, problems = discover(root)
    report = Report(files=len(found))
    report.event, report.themes, settings_problems = load_settings(found)
    problems.extend(settings_problems)
    proposals = [(ident, rel, source) for kind, ident, rel, source in found if kind == "proposal"]
    ctx = rules.Context(report.event, report.themes)
    for (ident, rel, source), (data, file_problems) in zip(proposals, _check_all_proposals(proposals, ctx, jobs, full, meanwhile)):
        problems.extend(file_problems)
        if data is not None:
            report.proposals[ident] = Document(rel, data, source=source)
    ctx.proposals = report.proposals
    problems.extend(rules.run_rules(ctx))
    problems, acknowledged = rules.unused_acknowledgements(ctx, problems)
    report.problems = sort_problems(problems)
    report.acknowledged = sort_problems(acknowledged)
    return report
