"""The GitHub issue form "Propose a session", read back into a proposal (`agenda from-issue`).

Labels are mapped to fields through the form file itself (`.github/ISSUE_TEMPLATE/
propose-session.yml`, our own file), so labels can be reworded freely; the field ids are the
contract. Malformed bodies raise `ScaffoldError` naming the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..check import rules, schema, suggest
from ..i18n import ACCESSIBILITY, bilingual
from ..check.load import MAX_BYTES
from ..check.problems import show
from .scaffold import FORM_FILE, ISSUE_COMMENT, NO_RESPONSE, ScaffoldError, build_fields, check_proposal_text, load_context, parse_duration, proposers_from_text, raise_problems, render_proposal, slugify, unique_id

# --- GitHub issue form ----------------------------------------------------------------------

# The accessibility checkboxes of the form: field -> option label (the site's own words).
ACCESSIBILITY_OPTIONS = {key: bilingual(ACCESSIBILITY[key]) for key in ("captions", "step_free_access", "materials_in_advance")}
FORM_IDS = ("contact_language", "title", "subtitle", "format", "themes", "languages", "summary", "description",
            "proposers", "duration", "recording", "looking_for", "accessibility", "interpretation", "sign_language",
            "accessibility_notes", "links", "consent")
# The answer to "Language of our replies": the language the bot answers in (not a proposal field).
CONTACT_LANGUAGES = {"English": "en", "Français": "fr"}
_CHECKBOX = re.compile(r"- \[([ xX])\] (.*)\Z")
RECORDING = tuple(schema.subschema("proposal", ("recording",))["enum"])


@dataclass(frozen=True)
class FormField:
    id: str
    type: str
    label: str
    required: bool
    options: tuple = ()


def read_form(root) -> list:
    """The fields of our issue form, in order (markdown blocks left out)."""
    path = Path(root) / FORM_FILE
    try:
        form = yaml.safe_load(path.read_text(encoding="utf-8"))  # our own file, not a stranger's
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ScaffoldError(f"the issue form {FORM_FILE} cannot be read ({type(exc).__name__})",
                            "restore it from the agenda repository") from None
    fields = []
    for item in (form or {}).get("body", []) if isinstance(form, dict) else []:
        if not isinstance(item, dict) or item.get("type") == "markdown":
            continue
        attrs = item.get("attributes") or {}
        options = tuple(o["label"] if isinstance(o, dict) else o for o in attrs.get("options", []))
        required = bool((item.get("validations") or {}).get("required")) or any(
            isinstance(o, dict) and o.get("required") for o in attrs.get("options", []))
        fields.append(FormField(str(item.get("id", "")), str(item.get("type")), str(attrs.get("label", "")),
                                required, options))
    missing = [i for i in FORM_IDS if i not in {f.id for f in fields}]
    if missing:
        raise ScaffoldError(f"the issue form {FORM_FILE} has no field with id {', '.join(missing)}",
                            "restore the form from the agenda repository")
    return fields


def parse_issue_body(body: str, form) -> dict:
    """The issue body GitHub writes (`### <label>`, a blank line, the answer) -> form id ->
    answer text, or None for "_No response_". Each heading appears at most once, in the
    form's order; a required field's heading must be there, an optional one may be missing (an
    issue opened before the form gained that field). A value that holds one of the form's
    headings is refused."""
    if not isinstance(body, str):
        raise ScaffoldError("the issue has no text", "open the issue with the form “Propose a session”")
    size = len(body.encode("utf-8", errors="surrogatepass"))
    if size > MAX_BYTES:
        raise ScaffoldError(f"the issue is {size:,} bytes long; the limit is {MAX_BYTES:,}",
                            "shorten the description, or link to a longer document")
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    headings = {f"### {f.label}": f for f in form}
    lines = body.split("\n")
    present = {headings[line.rstrip()].id for line in lines if line.rstrip() in headings}
    for f in form:
        if f.required and f.id not in present:
            raise ScaffoldError(f"{f.id}: the section '### {f.label}' is missing from the issue",
                                "open a new issue with the form “Propose a session”, or put the section back", f.id)
    order = {f.id: i for i, f in enumerate(form)}
    starts = []
    for n, line in enumerate(lines):
        field = headings.get(line.rstrip())
        if field is None:
            continue
        following = order[starts[-1][0].id] + 1 if starts else 0
        if order[field.id] >= following and not any(f.required for f in form[following:order[field.id]]):
            starts.append((field, n))  # the next section, past optional ones an older issue lacks
            continue
        current = starts[-1][0] if starts else None
        if current is None:
            raise ScaffoldError(f"the issue must start with the section '### {form[0].label}'",
                                "open a new issue with the form “Propose a session”", form[0].id)
        if field is current and len(starts) >= 2:  # its own heading again: typed here or just before
            before = starts[-2][0]
            raise ScaffoldError(f"{before.id}: the answer to '{before.label}' or '{current.label}' contains the line "
                                f"{show(line.rstrip(), 80)}, which is a heading of the form itself",
                                "remove that line or change its words, for example with a ## heading", before.id)
        raise ScaffoldError(f"{current.id}: the answer to '{current.label}' contains the line "
                            f"{show(line.rstrip(), 80)}, which is a heading of the form itself",
                            "remove that line or change its words, for example with a ## heading", current.id)
    values = {}
    for i, (field, start) in enumerate(starts):
        end = starts[i + 1][1] if i + 1 < len(starts) else len(lines)
        text = "\n".join(lines[start + 1:end]).strip("\n").rstrip()
        values[field.id] = None if text.strip() in ("", NO_RESPONSE) else text
    return values


def _one_line(fid, value):
    if "\n" in value:
        raise ScaffoldError(f"{fid}: the answer must be on one line", "write it on a single line", fid)
    return value.strip()


def _choice_list(fid, value, known, what):
    items = [v.strip() for v in value.split(",") if v.strip()] if value else []
    for item in items:
        if item not in known:
            raise ScaffoldError(f"{fid}: {show(item)} is not one of the {what}",
                                suggest.closest(item, known), fid)  # the same hint as `agenda check`
    return items


def issue_answers(values: dict, ctx: rules.Context) -> dict:
    """Form answers (from `parse_issue_body`) -> answers for `build_fields`."""
    form_required = ("title", "format", "themes", "languages", "summary", "description", "proposers", "duration")
    for fid in form_required:
        if values.get(fid) is None:
            raise ScaffoldError(f"{fid}: this answer is required but the issue has none",
                                "edit the issue and fill it in", fid)
    answers = {
        "title": _one_line("title", values["title"]),
        "subtitle": _one_line("subtitle", values["subtitle"]) if values.get("subtitle") else None,
        "format": _choice_list("format", _one_line("format", values["format"]), ctx.formats, "event's formats"),
        "themes": _choice_list("themes", _one_line("themes", values["themes"]), ctx.themes, "programme's themes"),
        "languages": _choice_list("languages", _one_line("languages", values["languages"]), ctx.languages,
                                  "event's languages"),
        "summary": _one_line("summary", values["summary"]),
        "description": values["description"],
        "proposers": proposers_from_text(values["proposers"]),
    }
    if len(answers["format"]) != 1:
        raise ScaffoldError("format: choose exactly one format", "for example workshop", "format")
    answers["format"] = answers["format"][0]
    duration = _one_line("duration", values["duration"])
    minutes = parse_duration(duration)
    if minutes is None:
        raise ScaffoldError(f"duration: {show(duration)} is not a number of minutes",
                            "write the length in minutes, for example 90", "duration")
    answers["duration"] = minutes
    if values.get("recording"):
        recording = _choice_list("recording", _one_line("recording", values["recording"]), RECORDING, "answers")
        if len(recording) != 1:
            raise ScaffoldError("recording: choose one answer", f"choose {' or '.join(RECORDING)}", "recording")
        answers["recording"] = recording[0]
    if values.get("looking_for"):
        answers["looking_for"] = [v.strip() for v in _one_line("looking_for", values["looking_for"]).split(",")]
    access = {}
    for line in (values.get("accessibility") or "").split("\n"):
        if not line.strip():
            continue
        m = _CHECKBOX.match(line.strip())
        key = next((k for k, label in ACCESSIBILITY_OPTIONS.items() if m and m[2].strip() == label), None)
        if key is None:
            raise ScaffoldError(f"accessibility: {show(line.strip(), 80)} is not one of the form's boxes",
                                "tick or untick the boxes of the form; do not type in this section", "accessibility")
        if m[1] != " ":
            access[key] = True
    if values.get("interpretation"):
        access["interpretation"] = _choice_list("interpretation", _one_line("interpretation", values["interpretation"]),
                                                ctx.languages, "event's languages")
    if values.get("sign_language"):
        access["sign_language"] = [v.strip() for v in _one_line("sign_language", values["sign_language"]).split(",")
                                   if v.strip()]
    if values.get("accessibility_notes"):
        access["notes"] = " ".join(values["accessibility_notes"].split())
    if access:
        answers["accessibility"] = access
    if values.get("links"):
        answers["links"] = values["links"]
    consent = values.get("consent") or ""
    if not any((m := _CHECKBOX.match(line.strip())) and m[1] != " " for line in consent.split("\n")):
        raise ScaffoldError("consent: the box accepting publication under CC BY 4.0 is not ticked",
                            "tick it once the people named have agreed to appear in the programme", "consent")
    return answers


def from_issue(body: str, root, comment: str = ISSUE_COMMENT):
    """The body of an issue opened with the form -> (id, text of proposals/<id>.yaml).

    Raises ScaffoldError naming the field for a malformed body, and with the checker's
    `problems` when the proposal would not pass `agenda check`. Nothing is written."""
    root = Path(root)
    form = read_form(root)
    values = parse_issue_body(body, form)
    ctx = load_context(root)
    fields = build_fields(issue_answers(values, ctx))
    ident = unique_id(root, slugify(fields["title"]))
    text = render_proposal(fields, comment)
    raise_problems(check_proposal_text(root, ident, text, ctx))
    return ident, text
