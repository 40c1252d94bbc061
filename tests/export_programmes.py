"""Programmes with the shapes real events have, for the open-data tests (test_exports_data.py,
test_feeds.py): a proposal held three times, a session ending at 00:00, a night session after
midnight under its evening's day, a three-day item, the night the clocks go back, recording
allowed / not allowed / not said, and a slot and a person imported with their guids and id.

Each is a copy of tests/fixtures/base with its own files, and must pass `agenda check` with no
problem: the exports only ever see checked content."""

from __future__ import annotations

import shutil
from pathlib import Path

from agenda.model import build_agenda
from agenda.check.repository import check_repository

BASE = Path(__file__).resolve().parent / "fixtures" / "base"

KEPT_SLOT_GUID = "0d6e9f4a-1c2b-4d3e-8f70-a1b2c3d4e5f6"
KEPT_SOURCE_ID = 4242
KEPT_PERSON_GUID = "5b7c2d1e-9f8a-4b6c-8d3e-2f1a0b9c8d7e"

DESCRIPTION = """description: |
  A session written for the tests of the open-data files. It is long enough for the
  limits of the fixture's event, and says nothing else of interest.
"""

TIMES = {
    # Held three times; the first slot was imported with its guid and id; the third is shorter.
    "repeated-workshop": f"""title: Repeated workshop on open budgets
subtitle: "Part of the open budgets track, held three times"
format: workshop
themes: [climate-sustainable-development]
languages: [fr, en]
summary: A workshop held three times, so that everyone can attend one of them.
{DESCRIPTION}proposers:
  - name: Imported Person
    guid: {KEPT_PERSON_GUID}
duration: 90
status: scheduled
recording: allowed
schedule:
  - day: "2016-12-07"
    start: "14:00"
    room: atelier-2
    guid: {KEPT_SLOT_GUID}
    source_id: {KEPT_SOURCE_ID}
  - day: "2016-12-08"
    start: "14:00"
    room: atelier-2
  - day: "2016-12-09"
    start: "09:00"
    duration: 45
    room: atelier-2
""",
    # Ends at midnight: 00:00 on the next calendar date.
    "midnight-party": f"""title: Evening party until midnight
format: event
themes: [access-to-information]
languages: [en]
summary: The evening party of the summit, which ends at midnight sharp.
{DESCRIPTION}proposers:
  - name: Party Organiser
    organisation: Party collective (example)
    country: FR
duration: 240
status: scheduled
recording: not-allowed
schedule:
  day: "2016-12-08"
  start: "20:00"
  room: agora
""",
    # 01:00 is before the day-change hour (02:00): the night after 8 December, on 9 December.
    "night-session": f"""title: Night session after midnight
subtitle: "For night owls"
format: conference
themes: [access-to-information]
languages: [fr]
summary: A conference in the night after the party, on the evening's event day.
{DESCRIPTION}proposers:
  - name: Night Owl
    organisation: Owls (example)
duration: 45
status: scheduled
schedule:
  day: "2016-12-08"
  start: "01:00"
  room: salle-louvre
""",
    # Three calendar days: from 7 December 10:00 to 9 December 18:00 (56 hours).
    "three-day-installation": f"""title: Installation open for three days
format: event
themes: [climate-sustainable-development, access-to-information]
languages: [fr]
summary: An installation that stays open from the first day to the last one.
{DESCRIPTION}proposers:
  - name: Artist Collective
duration: 3360
status: scheduled
recording: allowed
schedule:
  day: "2016-12-07"
  start: "10:00"
  room: salle-seine
""",
}

# The night of 30 October 2016 in Paris: at 03:00 summer time, clocks go back to 02:00.
DST_EVENT_CHANGES = {
    'start: "2016-12-07"': 'start: "2016-10-29"',
    'end: "2016-12-09"': 'end: "2016-10-31"',
    'hours:\n  start: "08:30"\n  end: "19:30"': 'hours:\n  start: "10:00"\n  end: "04:00"',
    'days:\n  - date: "2016-12-08"\n    start: "08:30"\n    end: "02:00"\n': "",
}

DST = {
    # 01:30 summer time (23:30 UTC) for 120 minutes: ends at 02:30 winter time (01:30 UTC),
    # a wall-clock time that occurs twice that night.
    "dst-night": f"""title: Session across the change of time
format: workshop
themes: [climate-sustainable-development]
languages: [en]
summary: A night workshop during which the clocks go back one hour.
{DESCRIPTION}proposers:
  - name: Clock Keeper
duration: 120
status: scheduled
schedule:
  day: "2016-10-29"
  start: "01:30"
  room: auditorium
""",
    "dst-afternoon": f"""title: Afternoon in winter time
format: conference
themes: [access-to-information]
languages: [fr]
summary: An afternoon conference on the first day of winter time.
{DESCRIPTION}proposers:
  - name: Winter Speaker
duration: 60
status: scheduled
recording: allowed
schedule:
  - day: "2016-10-29"
    start: "15:00"
    room: salle-seine
  - day: "2016-10-30"
    start: "15:00"
    room: salle-seine
""",
}


def _event(repo: Path, changes: dict) -> None:
    path = repo / "event.yaml"
    text = path.read_text(encoding="utf-8")
    for old, new in changes.items():
        assert old in text, old
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")


def write_times(repo: Path, proposals=None) -> Path:
    """The base fixture with the TIMES proposals (or `proposals`), durations up to a week."""
    shutil.copytree(BASE, repo)
    _event(repo, {"duration: {min: 15, max: 480, step: 5}": "duration: {min: 5, max: 10080, step: 5}"})
    for pid, text in (TIMES if proposals is None else proposals).items():
        (repo / "proposals" / f"{pid}.yaml").write_text(text, encoding="utf-8")
    return repo


def write_dst(repo: Path) -> Path:
    """An event of 29-31 October 2016, open 10:00 to 04:00, with the DST proposals only."""
    shutil.copytree(BASE, repo)
    _event(repo, DST_EVENT_CHANGES)
    for path in (repo / "proposals").glob("*.yaml"):
        path.unlink()
    for pid, text in DST.items():
        (repo / "proposals" / f"{pid}.yaml").write_text(text, encoding="utf-8")
    return repo


def load(repo: Path):
    report = check_repository(repo, jobs=1)
    assert report.problems == [], [str(p) for p in report.problems]
    return build_agenda(report.event, report.themes, report.proposals)
