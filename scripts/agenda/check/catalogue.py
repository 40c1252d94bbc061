"""Every rule id `agenda check` can report, with one line each. Ids are stable: CI logs,
pull-request annotations and the README refer to them. A test keeps this list, the code and
the README's rule table in step."""

RULES = {
    # files and YAML (load)
    "missing-file": "event.yaml must exist at the root of the repository.",
    "stray-file": "themes/ and proposals/ hold only regular <id>.yaml files (no .yml, folders or links).",
    "bad-file-name": "A file name (the id) uses only lower-case a-z, digits and hyphens, at most 64 characters.",
    "duplicate-id": "Ids are unique: file names (ignoring case), and room, format and language ids in event.yaml.",
    "unreadable-file": "The file can be read.",
    "file-too-large": "A file is at most 64 KiB.",
    "not-utf8": "Files are UTF-8 text (not UTF-16, not binary).",
    "empty-file": "A file is not empty.",
    "yaml-syntax": "The file is valid YAML.",
    "multiple-documents": "A file holds one YAML document (no second `---`).",
    "not-a-mapping": "A file holds `field: value` pairs, not a list or a single value.",
    "yaml-anchor": "No anchors (&name): every value is written out.",
    "yaml-alias": "No aliases (*name): every value is written out.",
    "yaml-merge-key": "No merge keys (<<).",
    "yaml-tag": "No explicit tags (!!str, !something).",
    "yaml-complex-key": "Keys are plain names, not lists or mappings.",
    "duplicate-key": "A key appears once in its mapping.",
    "too-deep": "Data is nested at most 12 levels deep.",
    # schema
    "missing-field": "A required field is present.",
    "unknown-field": "Only fields described in the schema are used (typos are caught).",
    "wrong-type": "A value has the type the schema asks for (text, number, true/false, list).",
    "not-allowed": "A value is one of the allowed values (status, looking_for…).",
    "bad-format": "A value has the expected form (ids, dates, times, country codes, GitHub names).",
    "too-short": "Text is at least as long as the schema and the event's limits ask.",
    "too-long": "Text is at most as long as the schema and the event's limits allow.",
    "too-few-items": "A list has at least the number of items the schema and the event's limits ask.",
    "too-many-items": "A list has at most the number of items the schema and the event's limits allow.",
    "out-of-range": "A number is within its bounds (a duration within the event's limits; a limit's minimum not above its maximum).",
    "duplicate-item": "A list does not repeat an item.",
    "invalid-value": "A value satisfies the rest of the schema.",
    # text
    "control-character": "Text has no control or invisible characters (tabs and line breaks only in Markdown).",
    "bidi-control": "Text has no bidirectional embedding, override or isolate controls (Trojan Source).",
    "line-break": "One-line fields (title, summary, names…) have no line break.",
    "unsafe-url": "Links use https:// or http:// (mailto: too inside Markdown), never javascript:, data: or file:.",
    # cross-file rules
    "invalid-date": "Dates are real calendar dates, the event does not end before it starts, and a start time exists on the clock (not in the hour skipped when clocks go forward).",
    "day-change-mismatch": "Each event day opens at or after the day-change hour, and hours past midnight close at or before it.",
    "unknown-timezone": "The event's time zone is a real IANA zone.",
    "unknown-theme": "A proposal's themes exist in themes/.",
    "unknown-format": "A proposal's format is one of the event's formats.",
    "unknown-language": "A proposal's languages are among the event's languages.",
    "unknown-room": "A slot's room is one of the event's rooms; a slot has a room at the venue or a place elsewhere.",
    "status-schedule-mismatch": "A proposal has a schedule exactly when its status is scheduled.",
    "schedule-outside-event": "A slot's day, and a day with its own opening hours, are within the event's dates (a room's, within the venue's), and a slot ends by the event's last day.",
    "schedule-outside-hours": "A slot starts and ends while the venue is open (it may run past midnight or over several days).",
    "schedule-duration-mismatch": "A slot's end, when written, agrees with its start and duration.",
    "step-free-room": "A session that promises step-free access is held only in rooms marked step_free.",
    "placeholder-text": "No text is left as the proposal template wrote it (\"Title of my session\", \"Your Name\").",
    "room-conflict": "No two slots use the same room at the same time, unless the room is shared.",
    "proposer-conflict": "Warning: nobody (same name, GitHub name or guid) is in two sessions at the same time, unless acknowledged (a host of parallel sessions).",
    "near-duplicate-title": "Warning: two titles share most of their words; the sessions may be the same. A proposal names at most five such titles, then says how many more it found.",
    "unused-acknowledgement": "Warning: an acknowledgement in a proposal matches a warning that no longer appears.",
    # pull requests (agenda check --base)
    "status-transition": "With --base, a status changes only by an allowed step (not withdrawn → scheduled), and a new proposal starts as proposed.",
}

# The rules that can report warnings: a reviewer may acknowledge these in the proposal
# (`acknowledged:`), never an error.
WARNING_RULES = frozenset({"near-duplicate-title", "proposer-conflict", "unused-acknowledgement"})
