"""What `mkdocs serve` shows while the programme has problems: the problems, in the browser.

`mkdocs build` refuses an invalid programme (plugin.on_config raises). Raising during
`mkdocs serve` is worse than useless: the first build ends the command, and a failed rebuild
leaves the development server waiting for a good build, so the browser's request hangs and
the problem is only in the terminal. So while serving, the plugin publishes this small site
instead: every page the navigation names (the home page first) holds the same list of
problems, the lines `agenda check` prints, escaped. The live-reload script MkDocs adds to
every page reloads it when a file is saved, and the real site comes back once it is valid.
The problems are in the language of the person running the command (as `agenda check`).
"""

from __future__ import annotations

import os

from .pages import Page
from ..check.problems import format_text
from .templating import environment


def nav_pages(nav) -> list:
    """Every Markdown page named in a MkDocs `nav` (nested lists and mappings), in order."""
    found = []
    if isinstance(nav, str):
        if nav.endswith(".md"):
            found.append(nav)
    elif isinstance(nav, dict):
        for value in nav.values():
            found += nav_pages(value)
    elif isinstance(nav, list):
        for item in nav:
            found += nav_pages(item)
    return found


def error_pages(problems, config, translator) -> dict:
    """key -> Page: the home page and every page of the navigation that docs/ does not hold,
    each listing `problems` in the translator's language (so that no link of the navigation is
    broken). From the template agenda/problems.html, which a site owner may override too."""
    env = environment(translator, config.theme.custom_dir if hasattr(config, "theme") else None)
    title = translator.gettext("The programme has problems")
    body = env.get_template("agenda/problems.html").render(
        errors=sum(1 for p in problems if p.is_error), report=format_text(problems, translator))
    keys = ["index.md"] + nav_pages(config.get("nav") or [])
    docs = config.get("docs_dir") or ""
    pages = {}
    for key in keys:
        if key not in pages and not os.path.isfile(os.path.join(docs, key)):
            pages[key] = Page(key, title, body, title)
    return pages
