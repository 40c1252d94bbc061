"""Static search with Pagefind: a chunked index, so a visitor's first search downloads a few
hundred kilobytes whatever the size of the programme (Material's built-in index is one file
of about 4 MB per 1,000 proposals, all fetched on the first search).

Pagefind's binary ships inside the `pagefind[bin]` wheel and runs offline. Each language of the
site has its own search bundle beside its pages (pagefind/, <lang>/pagefind/), made from that
language's pages only (the first language's at the root, the others' under <lang>/). Only the
parts of pages marked `data-pagefind-body` are indexed: proposals and themes.

Memory: Pagefind holds every page it indexes, with the positions of its words, until it has
built the whole index, and building it takes twice as much again. Its peak grows with the
number of pages, not with their HTML: about 145 KB a page, 1.4 GB for 10,000 proposals in one
language (benchmarks/README.md: given only the text of the pages, through the service its
Python API drives, or pages cut down to their indexed part, it peaks just as high; fewer
threads do not lower it; and that Python API takes an answer a tenth of a second, 1,000 s for
10,000 pages). So Pagefind indexes at most PAGES_PER_BUNDLE pages at a time (300 MB for
2,000 pages), each group a bundle that the search page merges in the browser (Pagefind's
mergeIndex, assets/search.js). The first is pagefind/, with Pagefind's scripts; the others,
pagefind/1/, pagefind/2/ …, keep only what a merged index reads, and pagefind/bundles.js lists
them. A language of at most PAGES_PER_BUNDLE pages has one bundle and searches as one index
does. Past it, a first search also fetches each other bundle's entry, its share of the page
list and an index chunk or two (about 35 KB a bundle), and a word found in one bundle only
comes with the other bundles' guesses for it, ranked below it (Pagefind, for a word it does
not have, matches its longest known prefix, such as an initial).

A group is named to Pagefind by a glob listing its pages, in a configuration file (a command
line cannot hold thousands of paths; links to the pages in a temporary folder cost seconds of
file-system work). Groups are cut from the pages sorted by path, so two builds write the same
bytes; two Pagefind processes run at a time, as one uses about a core and a half.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from mkdocs.exceptions import PluginError

SECTIONS = ("proposals", "themes")  # the only pages with data-pagefind-body
PAGES_PER_BUNDLE = 2500  # about 370 MB of Pagefind for generated proposals (benchmarks/README.md)
WORKERS = 2  # Pagefind processes at a time
GLOB_CHARS = 120_000  # Pagefind 1.5 matches nothing with a glob of about 200,000 characters
BUNDLE = "pagefind"
MANIFEST = "bundles.js"  # in the first bundle: where the others are, for assets/search.js
MERGED_KEEPS = ("pagefind-entry.json", "index", "fragment", "filter")  # and *.pf_meta
_LANG = re.compile(rb'<html lang="([a-zA-Z-]+)"')
_GLOB_META = re.compile(r"[\\?*$:<>()\[\]{},]")  # wax's meta-characters, escaped with a backslash


def languages(site_dir) -> list:
    """(language, its root folder) of the site's languages: the root's, from its home page's
    <html lang>, then every folder <lang>/ whose home page says that language."""
    site = Path(site_dir)
    found = []
    for folder in [site, *sorted(p for p in site.iterdir() if p.is_dir())]:
        home = folder / "index.html"
        if not home.is_file():
            continue
        match = _LANG.search(home.read_bytes()[:2000])
        if match and (folder == site or match.group(1).decode() == folder.name):
            found.append((match.group(1).decode(), folder))
    return found


def searched_pages(root: Path) -> list:
    """The pages Pagefind indexes in a language's folder (relative paths, sorted): those of
    SECTIONS with a data-pagefind-body element. Pagefind would index the whole <body> of
    every page of a group if none of them had one."""
    pages = []
    for section in SECTIONS:
        for path in (root / section).rglob("*.html"):
            if b"data-pagefind-body" in path.read_bytes():
                pages.append(path.relative_to(root).as_posix())
    return sorted(pages)


def groups(pages: list, per_bundle: int = PAGES_PER_BUNDLE) -> list:
    """`pages` in consecutive groups of at most `per_bundle` pages, as even as can be, each
    named by a glob of at most GLOB_CHARS characters."""
    count = max(1, math.ceil(len(pages) / per_bundle))
    while True:
        size, longer = divmod(len(pages), count)
        bounds = [i * size + min(i, longer) for i in range(count + 1)]
        parts = [pages[a:b] for a, b in zip(bounds, bounds[1:])]
        if count >= len(pages) or all(len(glob(part)) <= GLOB_CHARS for part in parts):
            return parts
        count += 1


def glob(pages: list) -> str:
    """A Pagefind (wax) glob matching exactly `pages`, with the section and the file name of
    pages in folders factored out: {proposals/{a,b}/index.html,themes/{c}/index.html}."""
    factored = {}
    for page in pages:
        section, _, rest = page.partition("/")
        folder, _, name = rest.rpartition("/")
        factored.setdefault((section, name) if folder else (page, None), []).append(folder)
    parts = [_escape(head) if name is None else f"{_escape(head)}/{{{','.join(map(_escape, folders))}}}/{_escape(name)}"
             for (head, name), folders in factored.items()]
    return parts[0] if len(parts) == 1 else "{" + ",".join(parts) + "}"  # one folder: Pagefind walks only it


def _escape(text: str) -> str:
    return _GLOB_META.sub(r"\\\g<0>", text)


def build_index(site_dir: str, per_bundle: int = PAGES_PER_BUNDLE) -> None:
    try:
        with tempfile.TemporaryDirectory(prefix="agenda-search-") as tmp:
            runs = []
            for lang, root in languages(site_dir):
                bundle = root / BUNDLE
                shutil.rmtree(bundle, ignore_errors=True)  # no bundle of an earlier build stays behind
                pages = searched_pages(root)
                if not pages:  # Pagefind refuses to index nothing: no bundle, and no search
                    continue
                parts = groups(pages, per_bundle)
                runs += [(lang, root, pages, bundle / str(number) if number else bundle, number > 0,
                          Path(tmp, f"{lang}-{number}")) for number, pages in enumerate(parts)]
                bundle.mkdir()
                _write_manifest(bundle, len(parts))
            with ThreadPoolExecutor(max_workers=WORKERS) as pool:
                futures = [pool.submit(_index, *run) for run in runs]
                try:
                    for future in futures:
                        future.result()
                except BaseException:
                    pool.shutdown(cancel_futures=True)  # a failed run stops the build now
                    raise
    except OSError as exc:
        raise PluginError(f"the search index could not be built: {exc}") from exc


def _index(lang: str, root: Path, pages: list, out: Path, merged: bool, folder: Path) -> None:
    """One Pagefind run: `pages` of `root` into the bundle `out`, checked to hold them all."""
    folder.mkdir()
    config = {"site": str(root.resolve()), "glob": glob(pages), "output_path": str(out.resolve()),
              "force_language": lang, "silent": True}
    (folder / "pagefind.json").write_text(json.dumps(config), encoding="utf-8")
    _run([sys.executable, "-m", "pagefind"], cwd=folder)
    indexed = _sort_languages(out / "pagefind-entry.json")
    if indexed != {lang: len(pages)}:
        raise PluginError(f"the search index could not be built: Pagefind put {indexed} pages in {out}, "
                          f"instead of {{'{lang}': {len(pages)}}}")
    if merged:
        _keep_merged_files(out)


def _write_manifest(bundle: Path, count: int) -> None:
    (bundle / MANIFEST).write_text(
        "// This language's other search bundles (agenda's search.py), merged by assets/search.js.\n"
        f"window.agendaSearchBundles = {json.dumps([f'{n}/' for n in range(1, count)])}.map(function (path) {{\n"
        "  return new URL(path, document.currentScript.src).pathname;\n"
        "});\n", encoding="utf-8")


def _keep_merged_files(out: Path) -> None:
    """Leaves in a merged bundle only what Pagefind's mergeIndex reads from it: the scripts,
    styles and WebAssembly come from the first bundle."""
    for path in out.iterdir():
        if path.name in MERGED_KEEPS or path.suffix == ".pf_meta":
            continue
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()


def _run(command, cwd=None):
    try:
        result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PluginError(f"the search index could not be built: {exc}") from exc
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()[-2000:]
        raise PluginError(f"the search index could not be built (pagefind exit {result.returncode}):\n{detail}\n"
                          "Try: pip install 'pagefind[bin]'")


def _sort_languages(entry: Path) -> dict:
    """Pagefind lists the languages of its entry file in no set order: sorted, so that two
    builds are byte-identical. -> {language: pages indexed}"""
    data = json.loads(entry.read_text(encoding="utf-8"))
    data["languages"] = dict(sorted(data.get("languages", {}).items()))
    entry.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return {lang: index.get("page_count") for lang, index in data["languages"].items()}
