#!/usr/bin/env python3
"""How soon does `mkdocs serve` show an edited proposal, and the whole site after it?

    python benchmarks/serve_speed.py [--count 1000] [--edits 5] [--seed 0] [--keep]

Generates a valid programme of --count proposals (benchmarks/generate.py) in a temporary folder,
adds a copy of this repository's mkdocs.yml, docs/ and overrides/, and starts a real
`python -m mkdocs serve -a 127.0.0.1:<free port>` in it (NO_MKDOCS_2_WARNING=1; its messages go to
serve.log in that folder). Once the first build answers, --edits times, one proposal after the
other (spread over the corpus):

* the proposal's title gets a new word, written in one write; the clock starts just before it;
* its page is fetched over HTTP, in both languages (/agenda/proposals/<id>/ and
  /agenda/en/proposals/<id>/), every 20 ms, until each holds the new word: **shown** is the time
  from the write until both do (the development server holds a request while a build runs, so a
  fetch returns as soon as the build that wrote the page ends);
* the fast path's own time is read from its log line ("agenda: showed 1 edited proposal in …");
* then the page of the proposal's first theme, which lists it, is fetched until it shows the new
  word: **whole site** is the time from the write until the full build that follows the fast
  path is served (Pagefind included); the next edit waits for it.

MkDocs' watcher polls the files every 0.5 s and waits 0.1 s more for writes to settle, so about
0.35 s of **shown** is detection, the same for any site. Results: a table on stdout and
benchmarks/results/serve_speed.json (every edit, the machine's nproc and load average, the
serve process's resident memory after the first build and after the last edit).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata as md
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
import generate  # benchmarks/generate.py

RESULTS = HERE / "results" / "serve_speed.json"
MOUNT = "/agenda/"  # site_url's path in mkdocs.yml: where `mkdocs serve` serves the site
POLL = 0.02
FAST_LINE = re.compile(r"agenda: showed (\d+) edited proposals? in ([0-9.]+) s")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            return response.read().decode("utf-8")
    except OSError:
        return ""


def wait_until(condition, timeout: float, poll: float = POLL):
    """The monotonic time at which condition() first held, or None after `timeout` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return time.monotonic()
        time.sleep(poll)
    return None


def rss_mb(pid: int):
    """The resident memory of the serve process (Linux), in MB."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    found = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
    return round(int(found.group(1)) / 1024) if found else None


def prepare(count: int, seed: int, folder: Path) -> dict:
    summary = generate.generate(count, folder, seed=seed)
    shutil.copy2(REPO / "mkdocs.yml", folder / "mkdocs.yml")
    for name in ("docs", "overrides"):
        shutil.copytree(REPO / name, folder / name)
    return summary


TITLE = re.compile(r'^title: "(.*)"$', re.M)
THEME = re.compile(r"^themes:\n  - (\S+)$", re.M)


def chosen(folder: Path, edits: int) -> list:
    """`edits` proposals spread over the corpus whose title has room for one more word."""
    files = sorted((folder / "proposals").glob("*.yaml"))
    fit = [f for f in files if len(TITLE.search(f.read_text(encoding="utf-8")).group(1)) <= 100]
    step = max(1, len(fit) // edits)
    return fit[step // 2::step][:edits]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait for a build")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="serve-speed-"))
    folder = work / "corpus"
    summary = prepare(args.count, args.seed, folder)
    port = free_port()
    base = f"http://127.0.0.1:{port}{MOUNT}"
    log_path = folder / "serve.log"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    print(f"{args.count} proposals in {folder}; mkdocs serve on {base}", flush=True)
    started = time.monotonic()
    with open(log_path, "w", encoding="utf-8") as log_file:
        server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"],
                                  cwd=folder, stdout=log_file, stderr=subprocess.STDOUT, env=env)
    edits = []
    try:
        targets = chosen(folder, args.edits)
        first = targets[0].stem
        ready = wait_until(lambda: "Serving on" in log_path.read_text(encoding="utf-8")
                           and first in fetch(f"{base}proposals/{first}/"), args.timeout, 0.5)
        if ready is None:
            raise SystemExit(f"the first build did not answer within {args.timeout} s; see {log_path}")
        first_build = ready - started
        rss_first = rss_mb(server.pid)
        print(f"first build served after {first_build:.1f} s; serve process {rss_first} MB", flush=True)
        for number, path in enumerate(targets, 1):
            pid = path.stem
            text = path.read_text(encoding="utf-8")
            title = TITLE.search(text).group(1)
            theme = THEME.search(text).group(1)
            word = f"Revisedq{number}"
            pages = {"fr": f"{base}proposals/{pid}/", "en": f"{base}en/proposals/{pid}/"}
            listing = f"{base}themes/{theme}/"
            assert all(word not in fetch(url) for url in [*pages.values(), listing])
            fast_lines = len(FAST_LINE.findall(log_path.read_text(encoding="utf-8")))
            load = os.getloadavg()[0]
            time.sleep(1)  # the watcher's last poll is behind us
            start = time.monotonic()
            path.write_text(text.replace(f'title: "{title}"', f'title: "{title} {word}"', 1), encoding="utf-8")
            seen = {}
            while len(seen) < len(pages) and time.monotonic() - start < args.timeout:
                for lang, url in pages.items():
                    if lang not in seen and word in fetch(url):
                        seen[lang] = time.monotonic() - start
                time.sleep(POLL)
            if len(seen) < len(pages):
                raise SystemExit(f"edit {number}: {pid} not shown within {args.timeout} s; see {log_path}")
            whole = wait_until(lambda: word in fetch(listing), args.timeout)
            if whole is None:
                raise SystemExit(f"edit {number}: the whole site did not follow within {args.timeout} s")
            lines = FAST_LINE.findall(log_path.read_text(encoding="utf-8"))
            fast = float(lines[-1][1]) if len(lines) > fast_lines else None
            edit = {"proposal": pid, "shown_s": round(max(seen.values()), 3),
                    "shown_fr_s": round(seen["fr"], 3), "shown_en_s": round(seen["en"], 3),
                    "fast_path_s": fast, "whole_site_s": round(whole - start, 3), "load_1min": round(load, 2),
                    "serve_rss_mb": rss_mb(server.pid)}
            edits.append(edit)
            print(f"edit {number}: shown {edit['shown_s']:.2f} s (fr {seen['fr']:.2f}, en {seen['en']:.2f}), "
                  f"fast path {fast if fast is not None else 'not used'} s, whole site {edit['whole_site_s']:.1f} s, "
                  f"load {load:.2f}, serve process {edit['serve_rss_mb']} MB", flush=True)
        rss_last = rss_mb(server.pid)
    finally:
        server.send_signal(signal.SIGINT)  # MkDocs shuts down and removes its folders
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    shown = [e["shown_s"] for e in edits]
    whole = [e["whole_site_s"] for e in edits]
    fast = [e["fast_path_s"] for e in edits if e["fast_path_s"] is not None]
    result = {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "proposals": args.count, "seed": args.seed, "scheduled": summary["scheduled"],
        "nproc": os.cpu_count(), "python": platform.python_version(),
        "versions": {name: md.version(name) for name in ("mkdocs", "mkdocs-material", "pagefind")},
        "first_build_s": round(first_build, 2),
        "serve_rss_mb": {"after_first_build": rss_first, "after_last_edit": rss_last},
        "shown_s": {"median": statistics.median(shown), "min": min(shown), "max": max(shown)},
        "fast_path_s": {"median": statistics.median(fast), "min": min(fast), "max": max(fast)} if fast else None,
        "whole_site_s": {"median": statistics.median(whole), "min": min(whole), "max": max(whole)},
        "edits": edits,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print()
    print("| N | edits | shown median s | min | max | fast path median s | whole site median s | first build s |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(f"| {args.count:,} | {len(edits)} | {result['shown_s']['median']:.2f} | {min(shown):.2f} | {max(shown):.2f} "
          f"| {result['fast_path_s']['median'] if fast else '—'} | {result['whole_site_s']['median']:.1f} "
          f"| {first_build:.1f} |")
    print(f"\nwritten to {RESULTS.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
