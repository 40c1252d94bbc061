"""What an import could not carry over, or changed: one entry per value, nothing silent.

The report is JSON, not Markdown: it holds the source's own text (biographies, removed
<script> elements, javascript: links) exactly, where Markdown would have to escape it and a
viewer might render it; it can be filtered (`jq '.entries[] | select(.kind=="unsafe-link")'`)
and compared between two imports. `summary_lines` gives the counts per kind for stderr.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass

MAX_VALUE = 100_000  # characters of one value kept in the report (values are bounded on input)

# Every kind, with what it means: the README of the report and the stderr summary use these.
KINDS = {
    "unmapped-field": "a source field the programme has no place for (kept here)",
    "removed-html": "HTML removed while converting a description to Markdown",
    "removed-characters": "invisible, control or bidirectional characters removed",
    "unsafe-link": "a javascript:, data: or other non-web link removed",
    "invalid-link": "a link that is not a web address, dropped",
    "link-repaired": "a link completed or repaired (relative, bare host name, swapped)",
    "image-as-link": "an image written as a link to it",
    "too-many": "items beyond what a proposal holds (links, persons), dropped",
    "text-too-long": "a text cut to the programme's limit",
    "abstract-in-description": "an abstract that is not one line, placed at the top of the description",
    "unknown-language": "a language value that is no known language",
    "missing-value": "a value the source leaves empty (title, track, type, language, persons)",
    "invalid-value": "a value that cannot be used (guid, duration, capacity, time)",
    "repeated-session": "the same session held several times, written as one proposal with several slots",
    "duplicate-listing": "a slot listed twice for one session, kept once",
    "duplicate-guid": "a guid already used by another session, replaced by a new stable one",
    "duplicate-source-id": "a numeric id shared by different sessions, kept on each",
    "repeat-differs": "a repeat of a session whose details differ from the first listing (first kept)",
    "shared-room": "a room where the source has overlapping sessions, marked shared",
    "possible-double-booking": "overlapping sessions in a room that may not be a shared space",
    "zero-duration": "a session without length, given the schedule's time slot",
    "time": "time zone, day change, days and opening hours decided from the source",
    "limit": "a limit of event.yaml set away from its default so that the programme fits",
    "format": "session types merged into one format",
    "check": "a problem agenda check found in the imported files",
}


@dataclass
class Entry:
    kind: str
    message: str
    where: str = ""  # the source place: a session, a room, the conference
    proposal: str = ""  # the file written, when there is one
    value: object = None


class Report:
    def __init__(self):
        self.entries = []

    def add(self, kind, message, where="", proposal="", value=None):
        if kind not in KINDS:
            raise ValueError(f"unknown report kind {kind!r}")
        if isinstance(value, str) and len(value) > MAX_VALUE:
            value = value[:MAX_VALUE] + f"… ({len(value) - MAX_VALUE} more characters)"
        self.entries.append(Entry(kind, message, where, proposal, value))

    def counts(self) -> Counter:
        return Counter(e.kind for e in self.entries)

    def of(self, kind):
        return [e for e in self.entries if e.kind == kind]

    def to_json(self, meta: dict) -> str:
        counts = self.counts()
        doc = {
            **meta,
            "counts": {k: counts[k] for k in KINDS if counts[k]},
            "kinds": {k: KINDS[k] for k in KINDS if counts[k]},
            "entries": [{k: v for k, v in asdict(e).items() if v not in ("", None)} for e in self.entries],
        }
        return json.dumps(doc, ensure_ascii=False, indent=1, default=str) + "\n"

    def summary_lines(self):
        counts = self.counts()
        return [f"  {counts[k]:>6}  {k}: {KINDS[k]}" for k in KINDS if counts[k]]
