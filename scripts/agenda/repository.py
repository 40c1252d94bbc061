"""The programme repository on disk -> loaded, validated documents and every problem.

Layout: `event.yaml`, `themes/<id>.yaml`, `proposals/<id>.yaml`. Files are loaded and checked
against their schema in parallel (both cores) when there are many; valid documents travel back
without their positions, which are recomputed only for the few files a cross-file rule reports.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import rules, schema, text
from .load import MAX_BYTES, Document, load_bytes
from .problems import ERROR, Problem, sort_problems

EVENT_FILE = "event.yaml"
FOLDERS = {"themes": "theme", "proposals": "proposal"}
PARALLEL_FROM = 400  # below this, starting worker processes costs more than it saves
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")


@dataclass
class Report:
    """Everything a check found, and the valid documents for the model to use."""

    problems: list = field(default_factory=list)
    files: int = 0
    event: Document | None = None
    themes: dict = field(default_factory=dict)
    proposals: dict = field(default_factory=dict)

    @property
    def errors(self):
        return [p for p in self.problems if p.is_error]


def _file_problem(rel, rule, message, hint):
    return Problem(rel, 1, 1, ERROR, rule, message, "", hint)


def discover(root: Path):
    """(kind, id, relative path, absolute path) of every data file, and layout problems."""
    found, problems = [], []
    event = root / EVENT_FILE
    if event.is_file() and not event.is_symlink():
        found.append(("event", "event", EVENT_FILE, str(event)))
    else:
        problems.append(_file_problem(EVENT_FILE, "missing-file", "event.yaml is missing",
                                      "create it from the example in the README"))
    for folder, kind in FOLDERS.items():
        directory = root / folder
        if not directory.is_dir():
            continue
        seen = {}
        for entry in sorted(os.scandir(directory), key=lambda e: e.name):
            rel = f"{folder}/{entry.name}"
            stem, dot, ext = entry.name.rpartition(".")
            if entry.name.startswith("."):
                continue  # .gitkeep and editor files
            if entry.is_symlink() or not entry.is_file():
                problems.append(_file_problem(rel, "stray-file",
                                              f"{rel} is not a regular file",
                                              f"put only <id>.yaml files in {folder}/, no folders or links"))
                continue
            if ext != "yaml" or not dot:
                hint = (f"rename it to {folder}/{stem}.yaml" if ext == "yml"
                        else f"{folder}/ holds only .yaml files; move this file elsewhere")
                problems.append(_file_problem(rel, "stray-file", f"{rel} is not a .yaml file, so it is not read", hint))
                continue
            if not _SLUG.match(stem) or len(stem) > 64:
                suggestion = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-") or "my-session"
                problems.append(_file_problem(rel, "bad-file-name",
                                              "the file name (the id) must use only lower-case letters a-z, digits and hyphens",
                                              f"rename it, for example to {folder}/{suggestion[:64]}.yaml"))
            folded = stem.casefold()
            if folded in seen:
                problems.append(_file_problem(rel, "duplicate-id", f"the id {stem!r} is already used by {seen[folded]}",
                                              "choose another file name"))
            seen.setdefault(folded, rel)
            found.append((kind, stem, rel, str(entry.path)))
    return found, problems


def check_file(kind: str, rel: str, source: str):
    """Load one file, check it against its schema and the text rules."""
    try:
        with open(source, "rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        return None, [_file_problem(rel, "unreadable-file", f"the file cannot be read ({exc.strerror})", "")]
    doc, problems = load_bytes(rel, raw)
    if doc is None:
        return None, problems
    doc.source = source
    problems = schema.check(kind, doc)
    valid = not problems
    markdown, urls = schema.field_kinds(kind)
    problems += text.check_text(doc, markdown, urls)
    return (doc if valid else None), problems


def _check_chunk(chunk):
    out = []
    for kind, ident, rel, source in chunk:
        doc, problems = check_file(kind, rel, source)
        if doc is not None and not problems:
            doc.drop_positions()
        out.append((kind, ident, doc, problems))
    return out


def _check_all(found, jobs):
    if jobs <= 1 or len(found) < PARALLEL_FROM:
        return _check_chunk(found)
    import multiprocessing

    size = max(64, len(found) // (jobs * 8))
    chunks = [found[i:i + size] for i in range(0, len(found), size)]
    context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    with context.Pool(jobs) as pool:
        return [item for part in pool.map(_check_chunk, chunks) for item in part]


def check_repository(root, jobs: int | None = None) -> Report:
    """Load, validate and cross-check the whole repository."""
    root = Path(root)
    jobs = jobs if jobs is not None else (os.cpu_count() or 1)
    found, problems = discover(root)
    report = Report(files=len(found))
    for kind, ident, doc, file_problems in _check_all(found, jobs):
        problems.extend(file_problems)
        if doc is None:
            continue
        if kind == "event":
            report.event = doc
        elif kind == "theme":
            report.themes[ident] = doc
        else:
            report.proposals[ident] = doc
    ctx = rules.Context(report.event, report.themes, report.proposals)
    problems.extend(rules.run_rules(ctx))
    report.problems = sort_problems(problems)
    return report
