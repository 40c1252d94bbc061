"""QR codes of the sessions' pages, as SVG files made at build time by segno (pure Python,
no dependency; https://segno.readthedocs.io/).

One file per scheduled proposal and language, `qr/<id>.svg` in that language's folder of the
site, encoding the absolute address of the proposal's page in that language: a door sheet
printed from the English site leads to the English page. Error correction level M (15%: a
printed sheet survives a fold or a smudge). The SVG has a viewBox and no size, so that a page
draws it at any size; segno's output is deterministic, so two builds are byte-identical.
"""

from __future__ import annotations

import io

import segno


def path(proposal_id: str) -> str:
    """Where a proposal's QR code is, from the root of its language's site."""
    return f"qr/{proposal_id}.svg"


def svg(url: str) -> bytes:
    """The QR code of `url` as an SVG document (black modules on white, a 4-module quiet zone)."""
    code = segno.make(url, error="m", micro=False, boost_error=False)
    out = io.BytesIO()
    code.save(out, kind="svg", xmldecl=False, svgns=True, omitsize=True, border=4, dark="#000", light="#fff",
              svgclass=None, lineclass=None, nl=True)
    return out.getvalue()
