"""Documents -> files, never over someone's work: event.yaml, themes/ and proposals/ are
written only where none of them holds anything, or with `replace`, which replaces exactly
those three and nothing else. Files are rendered by scaffold's writer (what the strict loader
reads back exactly), staged in a hidden folder of DIR, then moved into place."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from ..check.load import MAX_BYTES
from ..contribute.scaffold import ScaffoldError, render_document, render_proposal
from . import markup
from .source import ImportFailure

PLACES = ("event.yaml", "themes", "proposals")


def occupied(root: Path):
    """The places among event.yaml, themes/ and proposals/ that already hold something."""
    found = []
    event = root / "event.yaml"
    if event.exists() or event.is_symlink():
        found.append("event.yaml")
    for folder in ("themes", "proposals"):
        path = root / folder
        if path.is_symlink() or (path.exists() and not path.is_dir()):
            found.append(f"{folder}/")
        elif path.is_dir():
            with os.scandir(path) as entries:
                if next(entries, None) is not None:
                    found.append(f"{folder}/")
    return found


def check_target(root: Path, replace: bool):
    taken = occupied(root)
    if taken and not replace:
        raise ImportFailure(f"{root} already has {', '.join(taken)}: nothing was written",
                            "import into an empty folder (--root DIR), or add --replace to replace event.yaml, "
                            "themes/ and proposals/ (and nothing else)")


def render(programme, report, comment: str):
    """{relative path: text}. A proposal over the loader's 64 KiB gets a shorter description."""
    files = {}
    try:
        files["event.yaml"] = render_document(programme.event, comment)
        for tid, doc in programme.themes.items():
            files[f"themes/{tid}.yaml"] = render_document(doc, comment)
        for pid, fields in programme.proposals.items():
            text = render_proposal(fields, comment)
            while len(text.encode("utf-8")) > MAX_BYTES and fields.get("description"):
                size = len(fields["description"])
                report.add("text-too-long", f"the file would exceed {MAX_BYTES // 1024} KiB: description cut to "
                                            f"{size * 3 // 4} characters", proposal=pid, value=fields["description"])
                fields["description"] = markup.cut_markdown(fields["description"], size * 3 // 4)
                text = render_proposal(fields, comment)
            files[f"proposals/{pid}.yaml"] = text
    except ScaffoldError as exc:  # a value the writer cannot hold: a bug of ours, said plainly
        raise ImportFailure(f"a value could not be written: {exc.message}") from None
    return files


def write(root: Path, files: dict, replace: bool):
    root.mkdir(parents=True, exist_ok=True)
    check_target(root, replace)
    staging = Path(tempfile.mkdtemp(prefix=".agenda-import-", dir=root))
    try:
        for folder in ("themes", "proposals"):
            (staging / folder).mkdir()
        for rel, text in files.items():
            with open(staging / rel, "x", encoding="utf-8", newline="\n") as out:
                out.write(text)
        for place in PLACES:  # only now, with everything written, are the old ones removed
            target = root / place
            if target.is_symlink() or target.is_file():
                target.unlink()
            elif target.is_dir():
                shutil.rmtree(target)
            os.replace(staging / place, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
