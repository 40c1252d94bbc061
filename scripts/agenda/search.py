"""Static search with Pagefind: a chunked index, so a visitor's first search downloads a few
hundred kilobytes whatever the size of the programme (Material's built-in index is one file
of about 4 MB per 1,000 proposals, all fetched on the first search).

Pagefind's binary ships inside the `pagefind[bin]` wheel and runs offline. It runs once on
the whole site, every language included, and makes one index per language, from each page's
<html lang>; the search box loads the index of its page's language. Only the parts of pages
marked `data-pagefind-body` are indexed: proposals and themes.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from mkdocs.exceptions import PluginError


def build_index(site_dir: str) -> None:
    command = [sys.executable, "-m", "pagefind", "--site", str(site_dir), "--silent"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PluginError(f"the search index could not be built: {exc}") from exc
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()[-2000:]
        raise PluginError(f"the search index could not be built (pagefind exit {result.returncode}):\n{detail}\n"
                          "Try: pip install 'pagefind[bin]'")
    _sort_languages(Path(site_dir) / "pagefind" / "pagefind-entry.json")


def _sort_languages(entry: Path) -> None:
    """Pagefind lists the languages of its entry file in no set order: sorted, so that two
    builds are byte-identical."""
    data = json.loads(entry.read_text(encoding="utf-8"))
    data["languages"] = dict(sorted(data.get("languages", {}).items()))
    entry.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
