"""Static search with Pagefind: a chunked index, so a visitor's first search downloads a few
hundred kilobytes whatever the size of the programme (Material's built-in index is one file
of about 4 MB per 1,000 proposals, all fetched on the first search).

Pagefind's binary ships inside the `pagefind[bin]` wheel and runs offline. It runs once per
language of the site, on that language's pages only (the first language's at the root, the
others' under <lang>/), and writes that language's bundle beside them (pagefind/,
<lang>/pagefind/): one process indexing every language at once held the pages of all of
them in memory (2.2 GB at 10,000 proposals in two languages), one at a time holds half.
Only the parts of pages marked `data-pagefind-body` are indexed: proposals and themes.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from mkdocs.exceptions import PluginError

SEARCHED = "{proposals,themes}/**/*.html"  # the only pages with data-pagefind-body
_LANG = re.compile(rb'<html lang="([a-zA-Z-]+)"')


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


def build_index(site_dir: str) -> None:
    for lang, root in languages(site_dir):
        _run([sys.executable, "-m", "pagefind", "--site", str(root), "--glob", SEARCHED, "--force-language", lang,
              "--silent"])
        _sort_languages(root / "pagefind" / "pagefind-entry.json")


def _run(command):
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PluginError(f"the search index could not be built: {exc}") from exc
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()[-2000:]
        raise PluginError(f"the search index could not be built (pagefind exit {result.returncode}):\n{detail}\n"
                          "Try: pip install 'pagefind[bin]'")


def _sort_languages(entry: Path) -> None:
    """Pagefind lists the languages of its entry file in no set order: sorted, so that two
    builds are byte-identical."""
    data = json.loads(entry.read_text(encoding="utf-8"))
    data["languages"] = dict(sorted(data.get("languages", {}).items()))
    entry.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
