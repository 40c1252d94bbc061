"""The "looking for" board: proposals whose proposers seek co-organisers, speakers,
interpreters, note-takers… (the schema's `looking_for`), filterable by need and by theme
without JavaScript.

Every combination of a need (or any) and a theme (or any) is a static page, as the
programme's filters are: the filters are plain links, and the page a link leads to lists
exactly the proposals of its choice. Declined and withdrawn proposals look for nothing.
"""

from __future__ import annotations

from functools import cache

from ..check.schema import load_schema
from .underreview import SHOWN_ON_BOARD

ANY = "all"  # the path segment of "any need" (not a value of looking_for)
# Above this many proposals, the board's first page lists the needs only: each need's page
# lists its proposals, so that no page grows with the whole programme.
LIST_ON_BOARD_INDEX = 300


@cache
def needs() -> tuple:
    """The values of looking_for, in the schema's order: the schema is the list."""
    return tuple(load_schema("proposal")["properties"]["looking_for"]["items"]["enum"])


def board_key(need: str | None = None, theme: str | None = None) -> str:
    """looking-for/ (everything), looking-for/<need>/, looking-for/<need or all>/<theme>/."""
    if theme is None:
        return "looking-for/index.md" if need is None else f"looking-for/{need}/index.md"
    return f"looking-for/{need or ANY}/{theme}.md"


def seeking(proposals, need: str | None = None, theme: str | None = None) -> list:
    """Proposals still open (proposed, accepted, scheduled) that look for `need` (any when
    None) and have `theme` (any when None), in the order given."""
    return [p for p in proposals if p.looking_for and p.status in SHOWN_ON_BOARD
            and (need is None or need in p.looking_for) and (theme is None or theme in p.themes)]


def choices(agenda):
    """Every (need or None, theme or None) the board has a page for."""
    themes = [None] + [t.id for t in agenda.themes]
    return [(need, theme) for need in (None, *needs()) for theme in themes]
