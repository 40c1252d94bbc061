"""Static search with Pagefind: a chunked index, so a visitor's first search downloads a few
hundred kilobytes whatever the size of the programme (Material's built-in index is one file
of about 4 MB per 1,000 proposals, all fetched on the first search).

Pagefind's binary ships inside the `pagefind[bin]` wheel and runs offline. Only the parts of
pages marked `data-pagefind-body` are indexed: proposals and themes.
"""

from __future__ import annotations

import subprocess
import sys

from mkdocs.exceptions import PluginError


def build_index(site_dir: str, language: str) -> None:
    command = [sys.executable, "-m", "pagefind", "--site", str(site_dir), "--silent",
               "--force-language", language]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PluginError(f"the search index could not be built: {exc}") from exc
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()[-2000:]
        raise PluginError(f"the search index could not be built (pagefind exit {result.returncode}):\n{detail}\n"
                          "Try: pip install 'pagefind[bin]'")
