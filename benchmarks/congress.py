#!/usr/bin/env python3
"""Generate a valid programme shaped like a large community congress, for the site's scale.

    python benchmarks/congress.py --out /tmp/congress [--sessions 1500] [--rooms 90] [--days 4] [--seed 0] [--build]

With --build, the site is built too (the real `mkdocs build`, both languages) and the size of
each day's page is printed: bytes and elements, against the budget of 300 KB and 5,000
elements (tests/test_scale.py checks the same budget quickly, without MkDocs).

Real congress programmes (about 1,350 sessions in 90 rooms over 4 days, see
/work/shared/design.md) are not a summit's: this writes what they hold, on top of
benchmarks/generate.py's proposals (titles, descriptions, people):

* `event.yaml`: the repository's, with `--days` days, opening hours 10:00–04:00 (the event day
  changes at 04:00), `--rooms` rooms of which one in nine is a shared space (assembly areas),
  and limits that accept a 5-minute lightning talk and a three-day installation;
* `--sessions` sessions (slots), packed room by room and day by day: lightning talks of 5 and
  10 minutes, talks and workshops of 15 minutes to 3 hours, night sessions that start after
  midnight (they belong to the evening's day), parallel sessions in the shared spaces, about
  one proposal in twelve held twice (on two days), and installations over two to four days;
* some proposals, as in real programmes, have no summary, no organisation and no country.

Every file passes `agenda check` without errors (tests/test_scale.py checks it). Deterministic
for the arguments and the repository's settings. Importable: `generate_congress(out, ...)`.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import generate as base  # noqa: E402  (benchmarks/generate.py)

FIRST_DAY = "2016-12-27"
OPEN, CLOSE = 10 * 60, 28 * 60  # 10:00 to 04:00 the next morning, in minutes after midnight
NIGHT_END = 27 * 60 + 30  # no session after 03:30
SHARED_EVERY = 9  # one room in nine is a shared space
TALKS = [15, 30, 30, 45, 60, 60, 60, 90, 120, 180]
LIGHTNING = [5, 5, 10]


class _Dumper(yaml.SafeDumper):
    """Every value written out: agenda check refuses YAML anchors and aliases."""

    def ignore_aliases(self, data):
        return True


def _event(root: Path, rooms: int, days: int) -> dict:
    event = yaml.safe_load((root / "event.yaml").read_text(encoding="utf-8"))
    import datetime as dt

    first = dt.date.fromisoformat(FIRST_DAY)
    event["dates"] = {"start": FIRST_DAY, "end": (first + dt.timedelta(days=days - 1)).isoformat()}
    event.pop("venue_dates", None)
    event["hours"] = {"start": "10:00", "end": "04:00"}
    event.pop("days", None)
    event["rooms"] = []
    for i in range(1, rooms + 1):
        shared = i % SHARED_EVERY == 0
        room = {"id": f"{'assembly' if shared else 'room'}-{i:02d}",
                "name": f"{'Assembly area' if shared else 'Room'} {i:02d}",
                "capacity": 40 if shared else 20 + (i * 37) % 800, "step_free": True}
        if shared:
            room["shared"] = True
        event["rooms"].append(room)
    event["limits"] = {"summary": {"min": 0, "max": 1000}, "description": {"min": 0, "max": 20000},
                       "proposers": {"min": 1, "max": 12}, "duration": {"min": 5, "max": 10080, "step": 5}}
    return event


def _room_slots(rng, day, room, shared):
    """(day, room, start, duration) slots of one room on one day."""
    slots, cursor = [], OPEN + rng.choice([0, 30, 60, 120])
    lightning = room.endswith("-01")  # one room of lightning talks
    while True:
        duration = rng.choice(LIGHTNING if lightning else TALKS)
        if cursor + duration > NIGHT_END:
            break
        slots.append((day, room, cursor, duration))
        if shared and rng.random() < 0.5:  # a parallel session beside it, on purpose
            slots.append((day, room, cursor + 15, max(15, duration - 15)))
        cursor += duration + rng.choice([0, 15, 30, 60, 120, 240])
    return slots


def generate_congress(out_dir, sessions: int = 1500, rooms: int = 90, days: int = 4, seed: int = 0,
                      root: Path = base.REPO_ROOT) -> dict:
    """Write the congress into `out_dir` (which must not exist or be empty)."""
    import datetime as dt

    out = Path(out_dir)
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty")
    out.mkdir(parents=True, exist_ok=True)
    event = _event(Path(root), rooms, days)
    (out / "event.yaml").write_text(yaml.safe_dump(event, allow_unicode=True, sort_keys=False), encoding="utf-8")
    shutil.copytree(Path(root) / "themes", out / "themes")
    shutil.copytree(Path(root) / "schema", out / "schema")
    (out / "proposals").mkdir()

    rng = random.Random(f"agenda-congress:{seed}")
    day_list = [(dt.date.fromisoformat(FIRST_DAY) + dt.timedelta(days=i)).isoformat() for i in range(days)]
    room_ids = [(r["id"], bool(r.get("shared"))) for r in event["rooms"]]
    pool = [s for day in day_list for room, shared in room_ids for s in _room_slots(rng, day, room, shared)]
    rng.shuffle(pool)

    # Installations over several days, in the shared spaces (they never conflict there).
    shared_rooms = [r for r, shared in room_ids if shared]
    long_items = [(day_list[0], shared_rooms[i % len(shared_rooms)], 12 * 60, (n_days - 1) * 1440 + 6 * 60)
                  for i, n_days in enumerate([2, 3, 4, 2, 3, 4, 2, 3]) if n_days <= days]

    settings = base.Settings(out)
    people = base.People(random.Random(f"agenda-congress-people:{seed}"))
    total = max(sessions, 1)
    proposals, used = [], 0
    coiner = base._Coiner(total, random.Random(f"agenda-congress-names:{seed}"))
    i = 0
    while used < sessions and (pool or long_items):
        if long_items and i % 150 == 0:
            day, room, start, duration = long_items.pop()
            slots = [(day, room, start, duration)]
        else:
            first = pool.pop()
            slots = [first]
            if rng.random() < 1 / 12:  # held twice: the same duration, another day, another room
                again = next((s for s in pool if s[0] != first[0] and s[3] == first[3]), None)
                if again is not None:
                    pool.remove(again)
                    slots.append(again)
        day, room, start, duration = slots[0]
        data = base.build_proposal(rng, settings, people, coiner.word(i), (day, room, True, start, duration))
        data["duration"] = duration
        data["schedule"] = [{"day": d, "start": base._hhmm(s % 1440), "room": r} for d, r, s, _ in slots]
        if len(slots) == 1:
            data["schedule"] = data["schedule"][0]
        if rng.random() < 0.25:
            data.pop("summary", None)
        for person in data["proposers"]:
            if rng.random() < 0.4:
                person.pop("organisation", None)
                person.pop("country", None)
        if rng.random() < 0.3:
            data["recording"] = rng.choice(["allowed", "not-allowed"])
        proposals.append((f"c{i + 1:05d}-{base.slugify(data['title'], 50)}", data))
        used += len(slots)
        i += 1

    size = 0
    header = f"# Generated by benchmarks/congress.py (seed {seed}): fictitious people and organisations."
    for ident, data in proposals:
        text = header + "\n" + yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
        (out / "proposals" / f"{ident}.yaml").write_text(text, encoding="utf-8")
        size += len(text.encode("utf-8"))
    return {"proposals": len(proposals), "sessions": used, "rooms": rooms, "days": days, "bytes": size,
            "out": str(out)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, metavar="DIR")
    parser.add_argument("--sessions", type=int, default=1500)
    parser.add_argument("--rooms", type=int, default=90)
    parser.add_argument("--days", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--build", action="store_true", help="build the site and measure each day's page")
    args = parser.parse_args(argv)
    info = generate_congress(args.out, args.sessions, args.rooms, args.days, args.seed)
    print(f"{info['proposals']} proposals, {info['sessions']} sessions in {info['rooms']} rooms over "
          f"{info['days']} days, written to {info['out']}")
    return build_and_measure(Path(args.out)) if args.build else 0


def build_and_measure(out: Path) -> int:
    """The real build of the congress, then each day page's bytes and elements."""
    import os
    import subprocess
    import time
    from html.parser import HTMLParser

    for name in ("mkdocs.yml", "docs", "overrides"):
        source = HERE.parent / name
        if source.is_dir():
            shutil.copytree(source, out / name, dirs_exist_ok=True)
        else:
            shutil.copy(source, out / name)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(out / "mkdocs.yml"), "-d",
                    str(out / "site")], check=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    print(f"built in {time.perf_counter() - started:.1f} s")

    class Count(HTMLParser):
        found = 0

        def handle_starttag(self, tag, attrs):
            self.found += 1

    worst = 0
    for page in sorted((out / "site").glob("**/programme/2*/index.html")):
        text = page.read_text(encoding="utf-8")
        count = Count()
        count.feed(text)
        size = len(text.encode("utf-8"))
        worst = max(worst, size)
        print(f"{page.relative_to(out / 'site')}: {size / 1000:.0f} KB, {count.found} elements")
    return 0 if worst <= 300_000 else 1


if __name__ == "__main__":
    raise SystemExit(main())
