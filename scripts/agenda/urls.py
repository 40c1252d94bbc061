"""Absolute addresses on the published site, for files read outside it (exports, calendars,
feeds). One place decides what a valid site address is."""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

_URL_CHARS = re.compile(r"[!-~]+\Z")  # printable ASCII, no space: nothing to escape anywhere


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


def proposal_url(base_url: str, proposal_id: str) -> str:
    """The page of a proposal on the site: base_url + "proposals/<id>/"."""
    return f"{site_base(base_url)}proposals/{quote(proposal_id, safe='')}/"
