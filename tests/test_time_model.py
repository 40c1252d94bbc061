"""The time model real programmes need, rule by rule and edge by edge: night sessions that
belong to the evening's day, sessions ending at midnight, items over several days, several
slots per proposal, shared rooms, the day the clocks change, limits per event and format,
and warnings a reviewer acknowledges.

Each test writes a small repository (the base fixture with its event settings changed) and
runs the real check; the model is read back from the same documents.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pytest

from agenda.model import build_agenda
from agenda.check.repository import check_repository
from conftest import BASE

BASE_EVENT = {
    "name": {"fr": "Événement test", "en": "Test event"},
    "dates": {"start": "2016-12-07", "end": "2016-12-09"},
    "timezone": "Europe/Paris",
    "hours": {"start": "08:30", "end": "19:30"},
    "rooms": [{"id": "room-a", "name": "Room A"}, {"id": "room-b", "name": "Room B"},
              {"id": "open-space", "name": "Open space", "shared": True}],
    "formats": [{"id": "workshop", "name": {"fr": "Atelier", "en": "Workshop"}},
                {"id": "pitch", "name": {"fr": "Pitch", "en": "Pitch"},
                 "limits": {"duration": {"min": 5, "max": 15}}},
                {"id": "info-desk", "name": {"fr": "Accueil", "en": "Info desk"},
                 "limits": {"proposers": {"min": 0}}}],
    "languages": [{"code": "fr", "name": {"fr": "Français", "en": "French"}}],
    "repository": "https://github.com/example-org/agenda",
}


def proposal(title="A session about open data", **fields):
    data = {"title": title, "format": "workshop", "themes": ["access-to-information"], "languages": ["fr"],
            "summary": "A summary of the session, long enough for any limit.",
            "proposers": [{"name": "Camille Test"}], "duration": 60, "status": "proposed"}
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def slot(day, start, room="room-a", **extra):
    return {"day": day, "start": start, "room": room, **extra}


def scheduled(*slots, **fields):
    return proposal(status="scheduled", schedule=list(slots) if len(slots) > 1 else slots[0], **fields)


def repo(tmp_path, proposals, **event_changes):
    """The base fixture's themes, with this event and these proposals (JSON is YAML)."""
    root = tmp_path / "repo"
    shutil.copytree(BASE / "themes", root / "themes")
    (root / "proposals").mkdir()
    event = {**BASE_EVENT, **event_changes}
    (root / "event.yaml").write_text(json.dumps({k: v for k, v in event.items() if v is not None}))
    for pid, data in proposals.items():
        (root / "proposals" / f"{pid}.yaml").write_text(json.dumps(data, ensure_ascii=False))
    return root


def check(tmp_path, proposals, **event_changes):
    report = check_repository(repo(tmp_path, proposals, **event_changes), jobs=1)
    return report, {(p.file.split("/")[-1].removesuffix(".yaml"), p.rule, p.severity) for p in report.problems}


def messages(report, rule):
    return [p.message for p in report.problems if p.rule == rule]


# --- night sessions, midnight, several days ----------------------------------------------------

LATE = {"hours": {"start": "10:00", "end": "04:00"}}  # open past midnight: the day changes at 04:00


def test_a_night_session_belongs_to_the_evenings_day(tmp_path):
    report, got = check(tmp_path, {"night": scheduled(slot("2016-12-07", "01:30"), duration=90)}, **LATE)
    assert got == set()
    agenda = build_agenda(report.event, report.themes, report.proposals)
    (session,) = agenda.sessions()
    assert session.slot.day == "2016-12-07" and session.slot.starts == dt.datetime(2016, 12, 8, 1, 30)
    assert session.slot.ends == dt.datetime(2016, 12, 8, 3, 0) and session.slot.end == "03:00"
    assert [x.proposal.id for x in agenda.sessions("2016-12-07")] == ["night"]
    assert agenda.sessions("2016-12-08") == []


def test_a_night_session_without_a_day_change_is_outside_the_hours(tmp_path):
    report, got = check(tmp_path, {"night": scheduled(slot("2016-12-07", "01:30"))})
    assert got == {("night", "schedule-outside-hours", "error")}
    assert "a night session after midnight needs day_change" in report.problems[0].hint


def test_a_session_may_end_at_midnight_and_cross_it(tmp_path):
    proposals = {"to-midnight": scheduled(slot("2016-12-07", "23:00", end="00:00")),
                 "across": scheduled(slot("2016-12-07", "23:30", room="room-b", end="01:00"), duration=90,
                                     title="Another night owls' gathering", proposers=[{"name": "Dominique Test"}])}
    report, got = check(tmp_path, proposals, **LATE)
    assert got == set()
    agenda = build_agenda(report.event, report.themes, report.proposals)
    midnight = agenda.proposal("to-midnight").slots[0]
    assert midnight.ends == dt.datetime(2016, 12, 8) and not midnight.crosses_midnight
    assert midnight.days_spanned == 1
    assert agenda.proposal("across").slots[0].crosses_midnight


def test_an_end_that_disagrees_with_the_duration_is_reported_across_midnight(tmp_path):
    report, got = check(tmp_path, {"wrong-end": scheduled(slot("2016-12-07", "23:30", end="00:00"), duration=90)},
                        **LATE)
    assert got == {("wrong-end", "schedule-duration-mismatch", "error")}
    assert messages(report, "schedule-duration-mismatch") == [
        "starting at 23:30 and lasting 90 minutes, the session ends at 01:00, not 00:00"]


def test_a_session_that_ends_while_the_venue_is_closed(tmp_path):
    report, got = check(tmp_path, {"too-late": scheduled(slot("2016-12-07", "03:00"), duration=120)}, **LATE)
    assert got == {("too-late", "schedule-outside-hours", "error")}
    assert "when the venue is closed" in report.problems[0].message


def test_an_installation_over_three_days(tmp_path):
    three_days = scheduled(slot("2016-12-07", "10:00", room="room-b"), format="workshop", duration=3 * 1440 - 60 * 12)
    report, got = check(tmp_path, {"installation": three_days}, hours={"start": "08:00", "end": "22:00"})
    assert got == set()
    item = build_agenda(report.event, report.themes, report.proposals).proposal("installation").slots[0]
    assert item.ends == dt.datetime(2016, 12, 9, 22, 0) and item.days_spanned == 3
    # it holds its room on the middle day too
    talk = scheduled(slot("2016-12-08", "14:00", room="room-b"), title="A talk in the middle of it",
                     proposers=[{"name": "Dominique Test"}])
    _, got = check(tmp_path / "2", {"installation": three_days, "talk": talk}, hours={"start": "08:00", "end": "22:00"})
    assert got == {("installation", "room-conflict", "error"), ("talk", "room-conflict", "error")}


def test_an_item_that_runs_past_the_last_day(tmp_path):
    report, got = check(tmp_path, {"long": scheduled(slot("2016-12-09", "10:00"), duration=2 * 1440)})
    assert got == {("long", "schedule-outside-event", "error")}
    assert "after the event's last day (2016-12-09)" in report.problems[0].message


def test_a_slot_on_a_day_outside_the_event(tmp_path):
    _, got = check(tmp_path, {"early": scheduled(slot("2016-12-06", "10:00"))})
    assert got == {("early", "schedule-outside-event", "error")}


def test_per_day_hours_and_the_derived_day_change(tmp_path):
    days = [{"date": "2016-12-08", "start": "08:30", "end": "02:00"}]
    ok = scheduled(slot("2016-12-08", "01:00"))  # the night after 8 December, open until 02:00
    report, got = check(tmp_path, {"ok": ok}, days=days)
    assert got == set()
    assert build_agenda(report.event, report.themes, report.proposals).proposal("ok").slots[0].starts == \
        dt.datetime(2016, 12, 9, 1, 0)
    # the 9th keeps the general hours: 01:00 after it is closed
    _, got = check(tmp_path / "2", {"late": scheduled(slot("2016-12-09", "01:00"))}, days=days)
    assert got == {("late", "schedule-outside-hours", "error")}


def test_opening_hours_that_contradict_the_day_change(tmp_path):
    days = [{"date": "2016-12-08", "start": "03:00", "end": "12:00"}]
    report, got = check(tmp_path, {}, days=days, **LATE)
    assert got == {("event", "day-change-mismatch", "error")}
    assert report.problems[0].field == "days[0].start"


def test_a_start_skipped_when_the_clocks_go_forward(tmp_path):
    spring = {"dates": {"start": "2016-03-26", "end": "2016-03-27"}, "hours": {"start": "10:00", "end": "04:00"}}
    report, got = check(tmp_path, {"gap": scheduled(slot("2016-03-26", "02:30"))}, **spring)
    assert got == {("gap", "invalid-date", "error")}
    assert "2016-03-27 02:30 does not exist in Europe/Paris" in report.problems[0].message


def test_durations_are_elapsed_time_on_the_night_the_clocks_go_back(tmp_path):
    autumn = {"dates": {"start": "2016-10-29", "end": "2016-10-30"}, "hours": {"start": "10:00", "end": "04:00"}}
    report, got = check(tmp_path, {"dst": scheduled(slot("2016-10-29", "01:30"), duration=120)}, **autumn)
    assert got == set()
    s = build_agenda(report.event, report.themes, report.proposals).proposal("dst").slots[0]
    utc = dt.timezone.utc
    assert s.end == "02:30" and s.ends_at.fold == 1  # the second 02:30 of that night
    assert s.ends_at.astimezone(utc) - s.starts_at.astimezone(utc) == dt.timedelta(hours=2)


# --- several slots, shared rooms, conflicts ---------------------------------------------------


def test_a_session_held_several_times(tmp_path):
    repeats = scheduled(slot("2016-12-07", "10:00"), slot("2016-12-08", "10:00", duration=30),
                        slot("2016-12-09", "18:00", room="room-b"))
    report, got = check(tmp_path, {"repeats": repeats})
    assert got == set()
    agenda = build_agenda(report.event, report.themes, report.proposals)
    sessions = agenda.sessions()
    assert [(x.slot.day, x.slot.duration, x.key) for x in sessions] == [
        ("2016-12-07", 60, "repeats.1"), ("2016-12-08", 30, "repeats.2"), ("2016-12-09", 60, "repeats.3")]
    assert agenda.scheduled() == [agenda.proposal("repeats")]


def test_two_slots_of_one_session_in_one_room_at_once(tmp_path):
    report, got = check(tmp_path, {"twice": scheduled(slot("2016-12-07", "10:00"), slot("2016-12-07", "10:30"))})
    assert got == {("twice", "room-conflict", "error")}
    assert {p.field for p in report.problems} == {"schedule[0].room", "schedule[1].room"}
    assert "slot 2 of this proposal" in report.problems[0].message


def test_a_shared_room_holds_sessions_side_by_side(tmp_path):
    proposals = {"stand-a": scheduled(slot("2016-12-07", "10:00", room="open-space"), title="Stand of group A"),
                 "stand-b": scheduled(slot("2016-12-07", "10:15", room="open-space"), title="Stand of group B",
                                      proposers=[{"name": "Dominique Test"}])}
    _, got = check(tmp_path, proposals)
    assert got == set()


def test_a_double_booking_of_a_normal_room_stays_an_error(tmp_path):
    proposals = {"first": scheduled(slot("2016-12-07", "10:00"), title="The first session"),
                 "second": scheduled(slot("2016-12-07", "10:59"), title="A second workshop",
                                     proposers=[{"name": "Dominique Test"}])}
    report, got = check(tmp_path, proposals)
    assert got == {("first", "room-conflict", "error"), ("second", "room-conflict", "error")}
    assert "mark the room `shared: true`" in report.problems[0].hint
    # back to back is no conflict
    proposals["second"]["schedule"]["start"] = "11:00"
    _, got = check(tmp_path / "2", proposals)
    assert got == set()


def test_one_person_in_two_places_is_a_warning_that_says_whether_it_is_surely_them(tmp_path):
    by_name = {"one": scheduled(slot("2016-12-07", "10:00"), title="The first session"),
               "two": scheduled(slot("2016-12-07", "10:30", room="room-b"), title="A second workshop")}
    _, got = check(tmp_path, by_name)
    assert got == {("one", "proposer-conflict", "warning"), ("two", "proposer-conflict", "warning")}
    for data in by_name.values():
        data["proposers"] = [{"name": "Camille Test", "github": "camille-test"}]
    report, got = check(tmp_path / "2", by_name)
    assert got == {("one", "proposer-conflict", "warning"), ("two", "proposer-conflict", "warning")}
    assert all(m.endswith("(the same account)") for m in messages(report, "proposer-conflict"))
    by_guid = {pid: {**data, "proposers": [{"name": f"Name {pid}", "guid": "6a1f0c1e-8c44-4b43-a1e2-3f6f2f0b9d11"}]}
               for pid, data in by_name.items()}
    report, got = check(tmp_path / "3", by_guid)
    assert got == {("one", "proposer-conflict", "warning"), ("two", "proposer-conflict", "warning")}
    assert all(m.endswith("(the same account)") for m in messages(report, "proposer-conflict"))


def test_one_person_listed_twice_under_two_unicode_forms(tmp_path):
    composed, decomposed = "Zoé Test", "Zoe\u0301 Test"
    report, got = check(tmp_path, {"twice": proposal(proposers=[{"name": composed}, {"name": decomposed}])})
    assert got == {("twice", "duplicate-item", "error")}
    assert report.problems[0].field == "proposers[1]"


# --- limits -------------------------------------------------------------------------------------


def test_defaults_accept_a_five_minute_talk_and_a_week_long_installation(tmp_path):
    proposals = {"lightning": proposal(duration=5), "week": proposal(title="A week-long installation", duration=7 * 1440),
                 "too-long": proposal(title="Longer than a week", duration=7 * 1440 + 5)}
    report, got = check(tmp_path, proposals)
    assert got == {("too-long", "out-of-range", "error")}
    assert "the default limits" in report.problems[0].hint


def test_a_formats_limits_replace_the_events(tmp_path):
    proposals = {"short-pitch": proposal(format="pitch", duration=15),
                 "long-pitch": proposal(title="A pitch that lasts too long", format="pitch", duration=20),
                 "desk": proposal(title="Information desk", format="info-desk", proposers=None)}
    report, got = check(tmp_path, proposals)
    assert got == {("long-pitch", "out-of-range", "error")}
    assert "the format 'pitch' in event.yaml sets the durations" in report.problems[0].hint
    _, got = check(tmp_path / "2", {"no-one": proposal(proposers=None)})
    assert got == {("no-one", "missing-field", "error")}


def test_event_limits_make_fields_optional_or_required(tmp_path):
    bare = proposal(summary=None, themes=None, languages=None)
    _, got = check(tmp_path, {"bare": bare})
    assert got == {("bare", "missing-field", "error")} and len(_.problems) == 2  # themes, languages
    relaxed = {"themes": {"min": 0}, "languages": {"min": 0}, "summary": {"min": 20, "max": 40}}
    report, got = check(tmp_path / "2", {"bare": bare, "long": proposal(title="A long summary")}, limits=relaxed)
    assert got == {("bare", "missing-field", "error"), ("long", "too-long", "error")}
    assert messages(report, "missing-field") == ["the field `summary` is missing; this event asks for at least 20 characters"]


def test_a_file_with_schema_errors_still_reports_its_limits(tmp_path):
    report, got = check(tmp_path, {"both": proposal(status="maybe", duration=3)})
    assert got == {("both", "not-allowed", "error"), ("both", "out-of-range", "error")}


# --- acknowledged warnings ----------------------------------------------------------------------

TWINS = {"panel": proposal(title="Open budgets in small towns"),
         "workshop": proposal(title="Open budgets in small towns!", proposers=[{"name": "Dominique Test"}])}


def test_a_reviewer_acknowledges_a_warning_for_both_files(tmp_path):
    _, got = check(tmp_path, TWINS)
    assert got == {("panel", "near-duplicate-title", "warning"), ("workshop", "near-duplicate-title", "warning")}
    ack = [{"rule": "near-duplicate-title", "with": "panel", "reason": "A workshop after the panel, on purpose."}]
    report, got = check(tmp_path / "2", {**TWINS, "workshop": {**TWINS["workshop"], "acknowledged": ack}})
    assert got == set()
    assert {p.file for p in report.acknowledged} == {"proposals/panel.yaml", "proposals/workshop.yaml"}


def test_an_acknowledgement_names_the_other_proposal_or_every_warning_of_its_rule(tmp_path):
    wrong = [{"rule": "near-duplicate-title", "with": "someone-else", "reason": "Not about this pair at all."}]
    _, got = check(tmp_path, {**TWINS, "panel": {**TWINS["panel"], "acknowledged": wrong}})
    assert got == {("panel", "near-duplicate-title", "warning"), ("workshop", "near-duplicate-title", "warning"),
                   ("panel", "unused-acknowledgement", "warning")}
    every = [{"rule": "near-duplicate-title", "reason": "Every similar title here is a different session."}]
    _, got = check(tmp_path / "2", {**TWINS, "panel": {**TWINS["panel"], "acknowledged": every}})
    assert got == set()


def test_errors_cannot_be_acknowledged(tmp_path):
    proposals = {"first": scheduled(slot("2016-12-07", "10:00"), title="The first session",
                                    acknowledged=[{"rule": "room-conflict", "reason": "We want to share it."}]),
                 "second": scheduled(slot("2016-12-07", "10:30"), title="A second workshop",
                                     proposers=[{"name": "Dominique Test"}])}
    _, got = check(tmp_path, proposals)
    assert got == {("first", "not-allowed", "error"), ("first", "room-conflict", "error"),
                   ("second", "room-conflict", "error")}


@pytest.mark.parametrize("acknowledge", [False, True])
def test_warnings_never_fail_a_build_and_the_cli_only_with_strict(tmp_path, acknowledge):
    from conftest import run_agenda

    twins = dict(TWINS)
    if acknowledge:
        twins["panel"] = {**twins["panel"], "acknowledged": [
            {"rule": "near-duplicate-title", "reason": "Two different sessions in one series."}]}
    root = repo(tmp_path, twins)
    plain = run_agenda("check", "--root", root)
    strict = run_agenda("check", "--root", root, "--strict")
    assert plain.returncode == 0
    assert strict.returncode == (0 if acknowledge else 1)
    assert ("near-duplicate-title" in plain.stdout) is not acknowledge
    assert ("(2 acknowledged warnings not shown)" in plain.stderr) is acknowledge


@pytest.mark.parametrize("field, value", [
    ("summary", 42), ("themes", "access-to-information"), ("languages", {"fr": True}), ("proposers", "Camille"),
    ("duration", "90"), ("duration", True), ("format", 7), ("schedule", "tomorrow"), ("schedule", [1, "x", None]),
    ("schedule", {"day": 20161207, "start": "10:00", "room": "room-a", "duration": "long"}),
    ("description", ["a", "b"]), ("title", None),
])
def test_values_of_the_wrong_type_get_the_schemas_message_and_nothing_else_breaks(tmp_path, field, value):
    report, got = check(tmp_path, {"typed": {**proposal(), field: value}})
    assert got and all(rule in ("wrong-type", "not-allowed", "too-few-items", "missing-field", "out-of-range")
                       for _, rule, _ in got), got
    assert all(p.field.startswith(field) or p.rule == "missing-field" for p in report.problems)


# --- the week's external events: places instead of rooms, venue days inside the event's -------

WEEK = {"dates": {"start": "2016-12-05", "end": "2016-12-11"},
        "venue_dates": {"start": "2016-12-07", "end": "2016-12-09"}}
LYON = {"name": "Médiathèque", "city": "Lyon", "country": "FR"}


def elsewhere(day, start, place=LYON, **extra):
    return {"day": day, "start": start, "place": place, **extra}


def test_an_external_event_of_the_week_has_a_place_and_no_opening_hours(tmp_path):
    proposals = {"lyon": scheduled(elsewhere("2016-12-05", "20:00"), duration=180),
                 "online": scheduled(elsewhere("2016-12-10", "09:00", place={"online": True,
                                                                                "url": "https://meet.example.org/x"}),
                                     title="An online session on Saturday", proposers=[{"name": "Dominique Test"}]),
                 "week-long": scheduled(elsewhere("2016-12-05", "10:00"), duration=6 * 1440,
                                        title="An exhibition all week", proposers=[{"name": "Alex Test"}])}
    report, got = check(tmp_path, proposals, **WEEK)
    assert got == set()
    agenda = build_agenda(report.event, report.themes, report.proposals)
    lyon = agenda.proposal("lyon").slots[0]
    assert lyon.room is None and lyon.place.city == "Lyon" and lyon.place.country == "FR"
    assert [x.proposal.id for x in agenda.sessions("2016-12-05")] == ["week-long", "lyon"]


def test_rooms_of_the_venue_only_on_the_venues_days(tmp_path):
    report, got = check(tmp_path, {"monday": scheduled(slot("2016-12-05", "10:00"))}, **WEEK)
    assert got == {("monday", "schedule-outside-event", "error")}
    assert "outside the days the venue is open (2016-12-07 to 2016-12-09)" in report.problems[0].message


def test_an_external_event_still_ends_within_the_week(tmp_path):
    _, got = check(tmp_path, {"too-long": scheduled(elsewhere("2016-12-10", "10:00"), duration=3 * 1440)}, **WEEK)
    assert got == {("too-long", "schedule-outside-event", "error")}


@pytest.mark.parametrize("where, rule", [
    ({"room": "room-a", "place": LYON}, "invalid-value"),
    ({}, "missing-field"),
    ({"place": {"name": "Somewhere"}}, "missing-field"),
])
def test_a_slot_is_either_in_a_room_or_at_a_place(tmp_path, where, rule):
    _, got = check(tmp_path, {"where": scheduled({"day": "2016-12-07", "start": "10:00", **where})}, **WEEK)
    assert got == {("where", rule, "error")}


def test_venue_dates_are_some_of_the_events_dates(tmp_path):
    _, got = check(tmp_path, {}, venue_dates={"start": "2016-12-06", "end": "2016-12-08"})
    assert got == {("event", "schedule-outside-event", "error")}


# --- step-free access ---------------------------------------------------------------------------


def test_a_session_promising_step_free_access_is_never_in_a_room_with_stairs(tmp_path):
    rooms = [{"id": "room-a", "name": "Room A", "step_free": True}, {"id": "room-b", "name": "Room B", "step_free": False},
             {"id": "open-space", "name": "Open space", "shared": True}]
    promise = {"accessibility": {"step_free_access": True}}
    proposals = {"ok": scheduled(slot("2016-12-07", "10:00"), **promise),
                 "stairs": scheduled(slot("2016-12-07", "10:00", room="room-b"), title="Upstairs workshop",
                                     proposers=[{"name": "Dominique Test"}], **promise),
                 "unknown": scheduled(slot("2016-12-07", "10:00", room="open-space"), title="In the open space",
                                      proposers=[{"name": "Alex Test"}], **promise),
                 "no-promise": scheduled(slot("2016-12-08", "10:00", room="room-b"), title="No promise made",
                                         proposers=[{"name": "Sam Test"}])}
    report, got = check(tmp_path, proposals, rooms=rooms)
    assert got == {("stairs", "step-free-room", "error"), ("unknown", "step-free-room", "error")}
    assert "choose a step-free room: room-a" in report.problems[0].hint
