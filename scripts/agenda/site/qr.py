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
import os
from concurrent.futures import ProcessPoolExecutor

import segno

PARALLEL_FROM = 200  # below this, starting worker processes costs more than it saves


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


def svgs(urls: dict) -> dict:
    """key -> the QR code of urls[key]. Choosing a code's mask (the standard asks for the one
    with the lowest penalty, out of eight) costs about 6 ms in pure Python, so a congress's
    2,500 codes are made on every core."""
    keys = list(urls)
    if len(keys) < PARALLEL_FROM or (os.cpu_count() or 1) < 2:
        return {key: svg(urls[key]) for key in keys}
    with ProcessPoolExecutor() as pool:
        return dict(zip(keys, pool.map(svg, [urls[key] for key in keys], chunksize=64)))
