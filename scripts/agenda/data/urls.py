"""Addresses on the published site, for files read outside it (exports, calendars, feeds).
One place decides what a valid site address is, and what a file links to without one.

A site may be built without an address (no site_url in mkdocs.yml or event.yaml): the pages
work, since MkDocs links them relatively, and so do the open-data files, which then link
relatively where their format allows it and leave out what must be absolute (`Site`).
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

_URL_CHARS = re.compile(r"[!-~]+\Z")  # printable ASCII, no space: nothing to escape anywhere

# Said once per build (mkdocs build) or export (agenda export) when the site has no address.
NO_ADDRESS_NOTE = ("the site has no absolute http(s) address (site_url in mkdocs.yml or event.yaml): calendars and "
                   "feeds lack absolute links, and the other data files link relatively, until site_url is set")


def site_base(base_url: str) -> str:
    """The site's absolute http(s) address, without query or fragment, ending with one slash.
    urlsplit quietly drops tabs and line breaks, so anything but printable ASCII is refused first."""
    ok = isinstance(base_url, str) and bool(_URL_CHARS.match(base_url)) and "?" not in base_url \
        and "#" not in base_url
    if ok:
        parts = urlsplit(base_url)
        ok = parts.scheme in ("http", "https") and bool(parts.hostname)
    if not ok:
        raise ValueError(f"base_url must be an absolute http(s) address in ASCII, without query or fragment, "
                         f"not {base_url!r}")
    return base_url if base_url.endswith("/") else base_url + "/"


def usable_base(base_url) -> str | None:
    """`site_base(base_url)`, or None when it is missing or not an absolute http(s) address."""
    try:
        return site_base(base_url) if base_url else None
    except ValueError:
        return None


def proposal_path(proposal_id: str) -> str:
    """The page of a proposal, from the site's root: "proposals/<id>/"."""
    return f"proposals/{quote(proposal_id, safe='')}/"


def proposal_url(base_url: str, proposal_id: str) -> str:
    """The page of a proposal on the site: base_url + "proposals/<id>/"."""
    return site_base(base_url) + proposal_path(proposal_id)


class Site:
    """Links from one published file (`here`, a path from the site's root such as
    "data/proposals.json") to the site's pages.

    With an address (`base_url`, refused with ValueError unless absolute http(s)), every
    link is absolute. Without one (None), `link` is relative to `here` (RFC 3986: a reader
    resolves it against the file's own address) and `absolute` is None: formats that need
    an absolute address leave the field out."""

    __slots__ = ("base", "here")

    def __init__(self, base_url: str | None, here: str):
        self.base = None if base_url is None else site_base(base_url)
        self.here = here

    @property
    def host(self) -> str | None:
        return urlsplit(self.base).hostname if self.base else None

    def absolute(self, path: str = "") -> str | None:
        """The absolute address of a page (path from the site's root), or None."""
        return self.base + path if self.base else None

    def link(self, path: str = "") -> str:
        """The address of a page: absolute, or relative to this file."""
        if self.base:
            return self.base + path
        return "../" * self.here.count("/") + path or "./"

    def proposal(self, proposal_id: str) -> str:
        return self.link(proposal_path(proposal_id))
