#!/usr/bin/env python3
"""How fast and how heavy is the site the `agenda` MkDocs plugin builds, next to a plain build?

    python benchmarks/site_speed.py [--counts 1000 10000] [--repeat 3] [--seed 0] [--keep] [--note TEXT]

For each count N, generates a valid programme repository with N proposals (benchmarks/generate.py)
in a temporary folder, adds a copy of this repository's mkdocs.yml, docs/ and overrides/, and
builds, each run a fresh `python -m mkdocs build --strict -q` subprocess (NO_MKDOCS_2_WARNING=1):

* **plugin**: the real site (`plugins: - agenda`), Pagefind index included (the plugin runs
  `python -m pagefind` in on_post_build);
* **plugin, search: false**: the same with `agenda: {search: false}`, then, timed on its own,
  the Pagefind step (`agenda.site.search.build_index(SITE)`, what the plugin runs: Pagefind for
  each language, in groups of pages), so the Pagefind share of the build is known;
* **floor + Material search**: "a plain mkdocs build of the same pages written as static
  Markdown files": every page `agenda.site.pages.render_site(agenda, lang)` returns, for each of
  the site's languages (event.yaml's site_languages, default fr and en), is written to
  docs/<key> (docs/<lang>/<key> for a language after the first) (front matter with the page's title and description, which the plugin hands to
  the templates, then the page's HTML as-is: Python-Markdown passes block HTML through); the
  `agenda` plugin is removed, Material's `search` plugin is enabled (what a plain build has);
  same theme, nav, extra_css, custom_dir;
* **floor, no search**: the same with `plugins: []`, for a like-for-like comparison.

Each variant first runs once untimed *without* `-q` (with `-q` MkDocs drops warnings, so
`--strict` cannot fail on them; the warm-up is the real strict check and its warnings are
reported). Then `--repeat` rounds, the variants in turn (the order rotates each round); the site
folder is removed before each run (untimed). Measured per run: wall time, peak resident memory
(GNU time `%M`: the largest single process of the tree, i.e. ru_maxrss of the children), the
peak of *every* process of the tree (its VmHWM, read from /proc every 50 ms: the kernel keeps
it, so a sample after the peak still sees it; a process living less than 50 ms can be missed)
with what it is (mkdocs, pagefind, a forked worker…), and the sampled peak of the whole tree
(sum of the RSS of mkdocs and its children). Measured on the site: total bytes, number of HTML
files, search index bytes and bundles (site/pagefind/, <lang>/pagefind/ and the bundles inside
them, or site/search/search_index.json).

Then the **first-search transfer**: each site is served on 127.0.0.1 (http.server, no
compression) and opened in headless Chromium (Playwright, /usr/bin/chromium); every response
body is counted. Plugin site, in each language: its search page (/search/, /en/search/) is
opened, the search assets fetched at load are counted,
then a distinctive word of one proposal title is typed and every byte fetched from the first
keystroke until the results are shown (and the network is quiet) is counted. Floor site: the
home page is opened (Material's search box is in the header of every page), the same word is
typed into it. The floor's computed figure (search_index.json + Material's search worker and
lunr language files) is reported too.

Results: Markdown tables on stdout, JSON in benchmarks/results/site_speed.json.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import functools
import http.server
import importlib.metadata as md
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
import generate  # benchmarks/generate.py

RESULTS = HERE / "results" / "site_speed.json"
LANG = "fr"
PLUGIN, PLUGIN_NOSEARCH, PAGEFIND, FLOOR, FLOOR_NOSEARCH = (
    "plugin (agenda + Pagefind)",
    "plugin, search: false",
    "Pagefind step alone",
    "floor + Material search",
    "floor, no search",
)
BUILDS = [PLUGIN, PLUGIN_NOSEARCH, FLOOR, FLOOR_NOSEARCH]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
GNU_TIME = "/usr/bin/time"


def log(message=""):
    print(message, flush=True)


def nproc():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _tail(text, lines=15):
    return "\n".join((text or "").strip().splitlines()[-lines:])


def build_env():
    env = dict(os.environ)
    env["NO_MKDOCS_2_WARNING"] = "1"
    return env


# --- measuring one process tree -------------------------------------------------------------


def _children_map():
    """ppid -> [pid] for every process visible in /proc."""
    children = collections.defaultdict(list)
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read().decode("ascii", "replace")
        except OSError:
            continue
        # "pid (comm) state ppid ..." ; comm may hold spaces and parentheses
        rest = stat[stat.rfind(")") + 2:].split()
        children[int(rest[1])].append(int(entry.name))
    return children


def _status_kb(pid, fields=("VmRSS", "VmHWM")):
    """{field: kB} from /proc/<pid>/status (VmRSS: resident now; VmHWM: the process's own peak
    resident size so far, kept by the kernel, so a sample after the peak still sees it)."""
    out = dict.fromkeys(fields, 0)
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                name = line.split(":", 1)[0]
                if name in out:
                    out[name] = int(line.split()[1])
    except OSError:
        pass
    return out


def process_label(pid, parent_label=None):
    """What a process of the tree is: 'pagefind', 'python -m mkdocs', 'python -c', 'time'; a
    forked child with its parent's command line is '<parent> (forked)'."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            argv = [a.decode("utf-8", "replace") for a in f.read().split(b"\0") if a]
    except OSError:
        return "?"
    if not argv:
        return "?"
    name = os.path.basename(argv[0])
    if name.startswith("python"):
        name = "python"
        if "-m" in argv[1:]:
            name += " -m " + argv[argv.index("-m") + 1]
        elif any("multiprocessing" in a for a in argv[1:]):
            name += " (multiprocessing worker)"
        elif "-c" in argv[1:]:
            name += " -c"
    if parent_label is not None and name == parent_label.removesuffix(" (forked)"):
        name += " (forked)"
    return name


def tree_rss_kb(root_pid, processes=None):
    """Sum of the resident memory of `root_pid` and its descendants now. With `processes` (a
    dict), records each one's peak there: pid -> {"label", "peak_kb"}.

    A child caught between fork and exec (subprocess starting pagefind) still has its parent's
    command line and all of its memory, shared: it is left out of this sample, else the parent
    would be counted twice. A process that exec()s (python -m pagefind becomes the pagefind
    binary, with the same pid) starts a new record: its memory is new."""
    children = _children_map()
    total, stack = 0, [(root_pid, None, 0)]
    while stack:
        pid, parent, parent_rss = stack.pop()
        mem = _status_kb(pid)
        label = process_label(pid, parent)
        if label.endswith(" (forked)") and mem["VmRSS"] >= 0.9 * parent_rss > 0:
            stack.extend((child, parent, parent_rss) for child in children.get(pid, ()))
            continue
        total += mem["VmRSS"]
        if processes is not None and mem["VmHWM"]:
            seen = processes.get(pid)
            if seen is None or seen["label"] != label:
                seen = processes[pid] = {"label": label, "peak_kb": 0}
            seen["peak_kb"] = max(seen["peak_kb"], mem["VmHWM"])
        stack.extend((child, label, mem["VmRSS"]) for child in children.get(pid, ()))
    return total


def measure(cmd, cwd, timeout=3600):
    """Run `cmd` under GNU time; -> dict(seconds, rc, maxrss_kb, tree_peak_kb, processes, stdout,
    stderr). `processes`: every process of the tree seen by the sampler (every 50 ms), in the
    order they started, with its own peak resident memory (VmHWM)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time", delete=False) as tf:
        time_file = tf.name
    argv = [GNU_TIME, "-f", "%M %U %S", "-o", time_file, *cmd] if os.access(GNU_TIME, os.X_OK) else list(cmd)
    peak = 0
    processes = {}
    load = os.getloadavg()[0]
    with tempfile.TemporaryFile("w+") as out_f, tempfile.TemporaryFile("w+") as err_f:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, env=build_env(), stdout=out_f, stderr=err_f, text=True)
        while True:
            try:
                proc.wait(timeout=0.05)
                break
            except subprocess.TimeoutExpired:
                peak = max(peak, tree_rss_kb(proc.pid, processes))
                if time.perf_counter() - start > timeout:
                    proc.kill()
                    proc.wait()
                    break
        seconds = time.perf_counter() - start
        out_f.seek(0)
        err_f.seek(0)
        stdout, stderr = out_f.read(), err_f.read()
    maxrss = cpu = None
    try:
        text = Path(time_file).read_text().strip()
        if text:
            fields = text.splitlines()[-1].split()
            maxrss = int(fields[0])
            cpu = round(float(fields[1]) + float(fields[2]), 2)
    except (OSError, ValueError, IndexError):
        pass
    finally:
        Path(time_file).unlink(missing_ok=True)
    return {"seconds": round(seconds, 3), "rc": proc.returncode, "maxrss_kb": maxrss,
            "cpu_s": cpu, "tree_peak_kb": peak,
            "processes": list(processes.values()),
            "loadavg_1min_before": round(load, 2), "stdout": stdout, "stderr": stderr}


# --- preparing the repositories ---------------------------------------------------------------


def load_mkdocs_yml():
    # mkdocs.yml here uses no !ENV / !relative tags, so safe_load is enough (checked).
    return yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))


def write_mkdocs_yml(path: Path, config: dict):
    path.write_text("# written by benchmarks/site_speed.py\n"
                    + yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")


def agenda_options(config):
    for entry in config.get("plugins") or []:
        if isinstance(entry, dict) and "agenda" in entry:
            return dict(entry["agenda"] or {})
        if entry == "agenda":
            return {}
    raise SystemExit("mkdocs.yml does not enable the agenda plugin")


def copy_site_sources(dest: Path):
    shutil.copy2(REPO / "mkdocs.yml", dest / "mkdocs.yml")
    for folder in ("docs", "overrides"):
        if (REPO / folder).is_dir():
            shutil.copytree(REPO / folder, dest / folder)
        else:
            (dest / folder).mkdir()


def prepare(n: int, seed: int, work: Path) -> dict:
    """-> {variant: folder}, plus the corpus summary and the query word."""
    corpus = work / "plugin"
    summary = generate.generate(n, corpus, seed=seed)
    copy_site_sources(corpus)
    options = agenda_options(load_mkdocs_yml())

    # plugin, search: false: the same repository (hard links would do; a copy keeps it simple)
    nosearch = work / "plugin-nosearch"
    shutil.copytree(corpus, nosearch, ignore=shutil.ignore_patterns("site"))
    config = load_mkdocs_yml()
    config["plugins"] = [{"agenda": {**options, "search": False}}]
    write_mkdocs_yml(nosearch / "mkdocs.yml", config)

    # the floor: every generated page of every language as a static Markdown file, where the
    # plugin writes it (the first language at the root, the others under <lang>/)
    from agenda.site.markdown import escape
    from agenda.model import build_agenda
    from agenda.site.pages import render_site
    from agenda.site.plugin import DEFAULT_LANGUAGES
    from agenda.check.repository import check_repository

    report = check_repository(corpus)
    errors = [p for p in report.problems if p.is_error]
    if errors:
        raise SystemExit(f"the generated corpus has {len(errors)} errors; first: {errors[0]}")
    agenda = build_agenda(report.event, report.themes, report.proposals)
    languages = tuple(report.event.data.get("site_languages", DEFAULT_LANGUAGES))
    floor = work / "floor"
    floor.mkdir()
    copy_site_sources(floor)
    generated, first_pages = 0, None
    for lang in languages:
        prefix = "" if lang == languages[0] else f"{lang}/"
        pages = render_site(agenda, lang, prefix=prefix)
        first_pages = first_pages or pages
        generated += len(pages)
        for key, page in pages.items():
            target = floor / "docs" / prefix / key
            if target.exists():
                raise SystemExit(f"docs/{prefix}{key} exists and would be replaced by a generated page")
            target.parent.mkdir(parents=True, exist_ok=True)
            front = {"title": escape(page.title)}
            if page.description:
                front["description"] = escape(page.description)
            target.write_text("---\n" + yaml.safe_dump(front, allow_unicode=True, width=10**6)
                              + "---\n\n" + page.html + "\n", encoding="utf-8")
    floor_nosearch = work / "floor-nosearch"
    shutil.copytree(floor, floor_nosearch)
    config = load_mkdocs_yml()
    config["plugins"] = ["search"]
    write_mkdocs_yml(floor / "mkdocs.yml", config)
    config["plugins"] = []
    write_mkdocs_yml(floor_nosearch / "mkdocs.yml", config)

    return {
        "dirs": {PLUGIN: corpus, PLUGIN_NOSEARCH: nosearch, FLOOR: floor, FLOOR_NOSEARCH: floor_nosearch},
        "summary": {k: (str(v) if isinstance(v, Path) else v) for k, v in summary.items()},
        "generated_pages": generated,
        "languages": languages,
        "lang": languages[0],
        "query": pick_query(first_pages, agenda),
    }


def in_language(query, lang, languages):
    """The first search of `query` on the search page of `lang` (under /<lang>/ after the first)."""
    if lang == languages[0]:
        return dict(query)
    return {**query, "search": f"/{lang}/search/", "url": f"/{lang}{query['url']}"}


def pick_query(pages, agenda):
    """A word found in exactly one proposal title (the generator's coined word), long enough to
    be typed, with the proposal page that must come out of the search."""
    token = re.compile(r"[^\W\d_]{6,}", re.UNICODE)
    counts = collections.Counter()
    titles = {}
    for key, page in pages.items():
        words = {w.casefold() for w in token.findall(page.title)}
        counts.update(words)
        if key.startswith("proposals/"):
            titles[key] = (page.title, words)
    # words anywhere in the site's other text should not be chosen: use the words of all titles
    for key in sorted(titles):
        title, words = titles[key]
        unique = sorted(w for w in words if counts[w] == 1 and w.isascii())
        if unique:
            return {"word": unique[0], "key": key, "title": title,
                    "url": "/" + key[: -len(".md")] + "/"}
    raise SystemExit("no distinctive title word found")


# --- building -----------------------------------------------------------------------------------


def mkdocs_cmd(quiet=True):
    cmd = [sys.executable, "-m", "mkdocs", "build", "--strict"]
    return cmd + (["-q"] if quiet else [])


def pagefind_cmd(site: Path, lang: str | None = None):
    """The plugin's search step on its own: Pagefind once per language of the site."""
    return [sys.executable, "-c", "import sys; from agenda.site.search import build_index; build_index(sys.argv[1])", str(site)]


def dir_bytes(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            total += os.path.getsize(os.path.join(root, name))
    return total


def html_files(site: Path):
    return sorted(str(p.relative_to(site)) for p in site.rglob("*.html"))


def bundles(site: Path) -> list:
    """The search bundles of a site: pagefind/ and, for each other language, <lang>/pagefind/."""
    return sorted(p for p in [site / "pagefind", *site.glob("*/pagefind")] if p.is_dir())


def site_measures(variant: str, site: Path) -> dict:
    out = {"output_bytes": dir_bytes(site), "html_pages": len(html_files(site))}
    if variant in (PLUGIN, PAGEFIND):
        found = bundles(site)
        out["search_index_bytes"] = sum(dir_bytes(b) for b in found) if found else None
        out["search_index_files"] = sum(1 for b in found for p in b.rglob("*") if p.is_file())
        out["search_bundles"] = sum(1 for b in found for _ in b.rglob("pagefind-entry.json"))
    elif variant == FLOOR:
        index = site / "search" / "search_index.json"
        out["search_index_bytes"] = index.stat().st_size if index.exists() else None
    else:
        out["search_index_bytes"] = None
    return out


def warnings_in(text: str):
    return [line for line in (text or "").splitlines()
            if re.match(r"\s*(WARNING|ERROR)\b", line) or "Aborted with" in line]


def run_build(variant, folder: Path, quiet=True):
    site = folder / "site"
    if site.exists():
        shutil.rmtree(site)
    result = measure(mkdocs_cmd(quiet), folder)
    result["warnings"] = warnings_in(result["stderr"] + result["stdout"])
    if result["rc"] != 0:
        log(f"  !! {variant}: mkdocs exited {result['rc']}:\n{_tail(result['stderr'] or result['stdout'])}")
    return result


def run_pagefind(folder: Path, lang: str):
    site = folder / "site"
    for bundle in bundles(site):
        shutil.rmtree(bundle)
    result = measure(pagefind_cmd(site, lang), folder)
    result["warnings"] = []
    if result["rc"] != 0:
        log(f"  !! pagefind exited {result['rc']}:\n{_tail(result['stderr'] or result['stdout'])}")
    return result


def strip_run(result):
    return {k: v for k, v in result.items() if k not in ("stdout", "stderr")}


def summarise(runs):
    ok = [r for r in runs if r["rc"] == 0]
    times = [r["seconds"] for r in ok]
    maxrss = [r["maxrss_kb"] for r in ok if r["maxrss_kb"]]
    tree = [r["tree_peak_kb"] for r in ok if r["tree_peak_kb"]]
    cpu = [r["cpu_s"] for r in ok if r.get("cpu_s") is not None]
    loads = [r["loadavg_1min_before"] for r in runs]
    return {
        "ok_runs": len(ok),
        "failed_runs": len(runs) - len(ok),
        "median_s": round(statistics.median(times), 3) if times else None,
        "min_s": round(min(times), 3) if times else None,
        "cpu_median_s": round(statistics.median(cpu), 2) if cpu else None,
        "loadavg_range": [min(loads), max(loads)] if loads else None,
        "peak_mb": round(max(maxrss) / 1024, 1) if maxrss else None,
        "tree_peak_mb": round(max(tree) / 1024, 1) if tree else None,
        **process_peaks(ok),
    }


def process_peaks(runs):
    """The sampled peak of every process of the runs: the largest, and by kind of process
    (its label) the largest and how many there were in a run."""
    by_label = collections.defaultdict(list)
    counts = collections.defaultdict(int)
    for run in runs:
        seen = collections.Counter()
        for proc in run.get("processes") or []:
            by_label[proc["label"]].append(proc["peak_kb"])
            seen[proc["label"]] += 1
        for label, n in seen.items():
            counts[label] = max(counts[label], n)
    peaks = [kb for kbs in by_label.values() for kb in kbs]
    return {
        "largest_process_mb": round(max(peaks) / 1024, 1) if peaks else None,
        "processes": {label: {"peak_mb": round(max(kbs) / 1024, 1), "per_run": counts[label]}
                      for label, kbs in sorted(by_label.items(), key=lambda item: -max(item[1]))},
    }


# --- first search in a browser ----------------------------------------------------------------


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # silence
        pass


class Server:
    def __init__(self, directory: Path):
        handler = functools.partial(QuietHandler, directory=str(directory))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def is_search_asset(url: str, kind: str) -> bool:
    if kind == "pagefind":
        return "/pagefind/" in url or url.endswith("/assets/search.js")
    return ("search_index.json" in url or "/workers/search" in url or "/lunr/" in url)


def first_search(site: Path, kind: str, query: dict, timeout_s=60) -> dict:
    """Open the site in headless Chromium, type the query, and count the bytes of every response
    (body sizes; http.server does not compress)."""
    from playwright.sync_api import sync_playwright

    records = []  # (phase, url, bytes, status)
    phase = {"now": "load"}
    pending = {"n": 0, "last": time.monotonic()}
    lock = threading.Lock()
    errors = []
    failed = []

    def on_request(_req):
        with lock:
            pending["n"] += 1
            pending["last"] = time.monotonic()

    def on_done(_req):
        with lock:
            pending["n"] -= 1
            pending["last"] = time.monotonic()

    def on_failed(req):
        failed.append(f"{req.url} ({req.failure})")
        on_done(req)

    def on_response(resp):
        try:
            size = len(resp.body())
        except Exception as exc:  # noqa: BLE001 - redirects, aborted requests
            size = 0
            errors.append(f"{resp.url}: {exc}")
        records.append((phase["now"], resp.url, size, resp.status))

    def settle(page, quiet_ms=700, limit_s=30):
        end = time.monotonic() + limit_s
        while time.monotonic() < end:
            page.wait_for_timeout(100)
            with lock:
                if pending["n"] <= 0 and (time.monotonic() - pending["last"]) * 1000 >= quiet_ms:
                    return True
        return False

    with Server(site) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context()
            page = context.new_page()
            console = []
            page.on("console", lambda m: console.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
            page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
            page.on("request", on_request)
            page.on("requestfinished", on_done)
            page.on("requestfailed", on_failed)
            page.on("response", on_response)
            if kind == "pagefind":
                url = base + query.get("search", "/search/")
                page.goto(url, wait_until="load")
                settle(page)
                box = page.locator("#agenda-search input").first
                box.wait_for(state="visible", timeout=timeout_s * 1000)
                result_sel = ".pagefind-ui__result"
            else:
                url = base + "/"
                page.goto(url, wait_until="load")
                settle(page)
                box = page.locator("input.md-search__input").first
                if not box.is_visible():  # narrow viewport: the search opens from a header button
                    page.locator("label.md-header__button[for='__search']").first.click()
                box.wait_for(state="visible", timeout=timeout_s * 1000)
                result_sel = ".md-search-result__item"
            phase["now"] = "query"
            t0 = time.perf_counter()
            box.click()
            box.press_sequentially(query["word"], delay=80)
            page.locator(result_sel).first.wait_for(state="visible", timeout=timeout_s * 1000)
            shown_s = time.perf_counter() - t0
            settle(page)
            # which result links are shown; the proposal of the word must be among them
            links = page.eval_on_selector_all(
                f"{result_sel} a", "els => els.map(e => e.getAttribute('href'))")
            results_count = page.locator(result_sel).count()
            phase["now"] = "after"
            context.close()
        finally:
            browser.close()

    def total(ph, only_search=None):
        return sum(b for (p_, u, b, _s) in records if p_ == ph and (only_search is None or is_search_asset(u, kind) == only_search))

    target = query["url"].rstrip("/")
    found = any(target in (h or "") for h in links)
    return {
        "url": url,
        "query": query["word"],
        "expected": query["url"],
        "expected_found": found,
        "results_shown": results_count,
        "seconds_to_results": round(shown_s, 3),
        "load_total_bytes": total("load"),
        "load_search_bytes": total("load", True),
        "query_bytes": total("query"),
        "first_search_bytes": total("load", True) + total("query"),
        "responses": [{"phase": ph, "url": u.split("127.0.0.1:", 1)[-1].split("/", 1)[-1], "bytes": b,
                       "status": s} for (ph, u, b, s) in records if ph != "after"],
        "console": console[:20],
        "failed_requests": failed[:20],
        "body_errors": errors[:10],
    }


def floor_computed_transfer(site: Path) -> dict:
    """What Material's search fetches: search_index.json + the worker + lunr for the language."""
    index = site / "search" / "search_index.json"
    workers = sorted((site / "assets" / "javascripts" / "workers").glob("search.*.js"))
    lunr = site / "assets" / "javascripts" / "lunr" / "min"
    lunr_files = [lunr / "lunr.stemmer.support.min.js", lunr / f"lunr.{LANG}.min.js"]
    parts = {str(p.relative_to(site)): p.stat().st_size for p in [index, *workers, *lunr_files] if p.exists()}
    return {"files": parts, "bytes": sum(parts.values())}


# --- one count ----------------------------------------------------------------------------------


def bench_count(n, repeat, seed, keep):
    work = Path(tempfile.mkdtemp(prefix=f"site-speed-{n}-"))
    log(f"\n== N = {n}: preparing in {work}")
    t = time.perf_counter()
    prep = prepare(n, seed, work)
    log(f"   generated {prep['summary']['proposals']} proposals ({prep['summary']['scheduled']} scheduled), "
        f"{prep['generated_pages']} generated pages, in {time.perf_counter() - t:.1f} s; "
        f"query word: {prep['query']['word']!r} ({prep['query']['key']})")
    dirs, lang = prep["dirs"], prep["lang"]
    runs = {v: [] for v in BUILDS + [PAGEFIND]}
    warmup = {}
    surprises = []

    # warm-up: untimed, without -q, so that --strict sees warnings
    for variant in BUILDS:
        r = run_build(variant, dirs[variant], quiet=False)
        warmup[variant] = {"seconds": r["seconds"], "rc": r["rc"], "warnings": r["warnings"][:50],
                           "stderr_tail": _tail(r["stderr"], 30)}
        log(f"   warm-up {variant}: {r['seconds']:.1f} s, rc {r['rc']}, {len(r['warnings'])} warning lines")
        if r["rc"] != 0 or r["warnings"]:
            surprises.append(f"warm-up (strict, not quiet) {variant}: rc {r['rc']}; "
                             + "; ".join(r["warnings"][:5] or [_tail(r['stderr'], 5)]))

    for round_ in range(repeat):
        order = BUILDS[round_ % len(BUILDS):] + BUILDS[: round_ % len(BUILDS)]
        for variant in order:
            r = run_build(variant, dirs[variant])
            runs[variant].append(strip_run(r))
            log(f"   round {round_ + 1} {variant}: {r['seconds']:.2f} s, rc {r['rc']}, "
                f"peak {((r['maxrss_kb'] or 0) / 1024):.0f} MB (tree {r['tree_peak_kb'] / 1024:.0f} MB)")
            if r["warnings"]:
                surprises.append(f"{variant} round {round_ + 1}: " + "; ".join(r["warnings"][:5]))
            if variant == PLUGIN_NOSEARCH and r["rc"] == 0:
                pf = run_pagefind(dirs[variant], lang)
                runs[PAGEFIND].append(strip_run(pf))
                log(f"   round {round_ + 1} {PAGEFIND}: {pf['seconds']:.2f} s, rc {pf['rc']}, "
                    f"peak {((pf['maxrss_kb'] or 0) / 1024):.0f} MB")

    # sites as left by the last round (every variant's site is intact: each has its own folder)
    rows = {}
    for variant in BUILDS + [PAGEFIND]:
        folder = dirs[PLUGIN_NOSEARCH if variant == PAGEFIND else variant]
        site = folder / "site"
        row = summarise(runs[variant])
        if site.exists():
            measures = site_measures(variant, site)
            if variant == PAGEFIND:
                measures = {k: measures[k] for k in ("search_index_bytes", "search_index_files", "search_bundles")}
            elif variant == PLUGIN_NOSEARCH:  # its site now also holds the Pagefind output
                measures["output_bytes"] -= sum(dir_bytes(b) for b in bundles(site))
            row.update(measures)
        rows[variant] = row

    # pages: the plugin's and the floor's HTML files should be the same set
    # (each language's build writes its own 404.html; the floor, one build, writes one)
    plugin_html = {p for p in html_files(dirs[PLUGIN] / "site") if not re.fullmatch(r"[a-z-]+/404\.html", str(p))}
    floor_html = set(html_files(dirs[FLOOR] / "site"))
    pages_check = {
        "plugin_html": len(plugin_html),
        "floor_html": len(floor_html),
        "only_in_plugin": sorted(plugin_html - floor_html)[:20],
        "only_in_floor": sorted(floor_html - plugin_html)[:20],
        "generated_pages": prep["generated_pages"],
    }
    if plugin_html != floor_html:
        surprises.append(f"HTML files differ: {len(plugin_html - floor_html)} only in the plugin site, "
                         f"{len(floor_html - plugin_html)} only in the floor site")
    pf_a = dirs[PLUGIN] / "site" / "pagefind"
    pf_b = dirs[PLUGIN_NOSEARCH] / "site" / "pagefind"
    if pf_a.exists() and pf_b.exists() and dir_bytes(pf_a) != dir_bytes(pf_b):
        surprises.append(f"Pagefind index of the plugin build ({dir_bytes(pf_a)} B) differs in size from "
                         f"the separate Pagefind step's ({dir_bytes(pf_b)} B)")
    # a proposal page, plugin vs floor: same main content?
    key = prep["query"]["key"]
    sample = {}
    for variant in (PLUGIN, FLOOR):
        html_path = dirs[variant] / "site" / (key[: -len(".md")] + "/index.html")
        if html_path.exists():
            text = html_path.read_text(encoding="utf-8")
            m = re.search(r"<article[^>]*>(.*?)</article>", text, re.DOTALL)
            title = re.search(r"<title>(.*?)</title>", text, re.DOTALL)
            sample[variant] = {"bytes": len(text.encode()), "article_bytes": len(m.group(1).encode()) if m else None,
                               "title": title.group(1).strip() if title else None}
    pages_check["sample_page"] = {"key": key, **sample}

    # first search: the plugin's search page of every language, the floor's header search
    transfer = {}
    searches = [(f"{PLUGIN} [{lang}]" if lang != prep["lang"] else PLUGIN, PLUGIN, "pagefind",
                 in_language(prep["query"], lang, prep["languages"])) for lang in prep["languages"]]
    searches.append((FLOOR, FLOOR, "material", prep["query"]))
    for name, variant, kind, query in searches:
        try:
            t = time.perf_counter()
            transfer[name] = first_search(dirs[variant] / "site", kind, query)
            tr = transfer[name]
            log(f"   first search {name}: load {tr['load_search_bytes'] / 1024:.0f} KB search assets "
                f"({tr['load_total_bytes'] / 1024:.0f} KB page load), query {tr['query_bytes'] / 1024:.0f} KB, "
                f"{tr['results_shown']} results, expected found: {tr['expected_found']} "
                f"({time.perf_counter() - t:.1f} s)")
            if not tr["expected_found"]:
                surprises.append(f"first search {name}: the proposal {tr['expected']} is not among the results")
            if tr["failed_requests"]:
                surprises.append(f"first search {name}: failed requests (not counted): "
                                 + "; ".join(tr["failed_requests"][:5]))
            elif tr["console"]:
                surprises.append(f"first search {name}: browser console: " + "; ".join(tr["console"][:5]))
        except Exception as exc:  # noqa: BLE001 - report and go on
            transfer[name] = {"error": f"{type(exc).__name__}: {exc}"}
            surprises.append(f"first search {name} failed: {type(exc).__name__}: {exc}")
            log(f"   !! first search {name} failed: {exc}")
    transfer_computed = floor_computed_transfer(dirs[FLOOR] / "site")

    result = {
        "count": n,
        "languages": list(prep["languages"]),
        "corpus": prep["summary"],
        "query": prep["query"],
        "rows": rows,
        "runs": runs,
        "warmup": warmup,
        "pages": pages_check,
        "first_search": transfer,
        "floor_first_search_computed": transfer_computed,
        "surprises": surprises,
        "workdir": str(work) if keep else None,
    }
    pl, fl, fl0, pl0 = (rows[v]["median_s"] for v in (PLUGIN, FLOOR, FLOOR_NOSEARCH, PLUGIN_NOSEARCH))
    result["ratios"] = {
        "plugin / floor + Material search": round(pl / fl, 2) if pl and fl else None,
        "plugin / floor, no search": round(pl / fl0, 2) if pl and fl0 else None,
        "plugin search: false / floor, no search": round(pl0 / fl0, 2) if pl0 and fl0 else None,
    }
    if not keep:
        shutil.rmtree(work, ignore_errors=True)
    return result


# --- report -------------------------------------------------------------------------------------


def mb(b):
    return f"{b / 1e6:.1f}" if b is not None else "–"


def kb(b):
    return f"{b / 1024:,.0f}" if b is not None else "–"


def table(result, repeat):
    rows, tr = result["rows"], result["first_search"]
    n = result["count"]
    lines = [(f"### N = {n:,} proposals ({result['pages']['generated_pages']:,} generated pages), "
              f"{repeat} timed run(s) each"),
             "",
             "| variant | median s | min s | CPU s | peak MB | largest process MB | tree peak MB | output MB | HTML pages | search index MB | first-search transfer KB |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]

    def fmt(x, spec):
        return format(x, spec) if x is not None else "–"

    for variant in BUILDS[:2] + [PAGEFIND] + BUILDS[2:]:
        r = rows[variant]
        fs = "–"
        if variant == PLUGIN:
            fs = "; ".join(f"{name.removeprefix(PLUGIN).strip(' []') or result.get('languages', ['?'])[0]}: "
                           f"{kb(t['first_search_bytes'])} ({kb(t['load_search_bytes'])} at load + {kb(t['query_bytes'])} query)"
                           for name, t in tr.items() if name.startswith(PLUGIN) and "first_search_bytes" in t) or "–"
        elif variant == FLOOR:
            comp = result["floor_first_search_computed"]["bytes"]
            t = tr.get(FLOOR, {})
            fs = f"{kb(comp)} computed"
            if "first_search_bytes" in t:
                fs += f"; {kb(t['first_search_bytes'])} measured ({kb(t['load_search_bytes'])} at load + {kb(t['query_bytes'])} query)"
        html = r.get("html_pages")
        lines.append(
            f"| {variant} | {fmt(r['median_s'], '.2f')} | {fmt(r['min_s'], '.2f')} | {fmt(r['cpu_median_s'], '.2f')} | "
            f"{fmt(r['peak_mb'], '.0f')} | {fmt(r.get('largest_process_mb'), '.0f')} | "
            f"{fmt(r['tree_peak_mb'], '.0f')} | {mb(r.get('output_bytes')) if variant != PAGEFIND else '–'} | "
            f"{fmt(html, ',') if variant != PAGEFIND else '–'} | {mb(r.get('search_index_bytes'))} | {fs} |")
    loads = [x for v in BUILDS + [PAGEFIND] for x in (rows[v].get("loadavg_range") or [])]
    lines.append("")
    if loads:
        lines.append(f"1-minute load average before the timed runs: {min(loads):.1f}–{max(loads):.1f} (nproc {nproc()}).")
    ratios = result["ratios"]
    lines.append("Build-time ratios (medians): " + "; ".join(f"{k} = {v}×" if v else f"{k} = –" for k, v in ratios.items()))
    lines.append("Peak memory of each kind of process (sampled VmHWM; × the number in a run):")
    for variant in BUILDS[:2] + [PAGEFIND] + BUILDS[2:]:
        procs = rows[variant].get("processes") or {}
        lines.append(f"- {variant}: " + ", ".join(f"{label} {p['peak_mb']:.0f} MB" + (f" (×{p['per_run']})" if p["per_run"] > 1 else "")
                                                   for label, p in procs.items() if p["peak_mb"] >= 5))
    q = result["query"]
    lines.append(f"First search: typed {q['word']!r} (from the title of {q['key']}).")
    for variant in [name for name in tr if name.startswith(PLUGIN)] + [FLOOR]:
        t = tr.get(variant, {})
        if "error" in t:
            lines.append(f"- {variant}: failed: {t['error']}")
        elif t:
            lines.append(f"- {variant}: {t['url'].split('127.0.0.1:')[-1].split('/', 1)[-1] or '/'} page load "
                         f"{kb(t['load_total_bytes'])} KB in all, of which search assets {kb(t['load_search_bytes'])} KB; "
                         f"query {kb(t['query_bytes'])} KB in {sum(1 for x in t['responses'] if x['phase'] == 'query')} "
                         f"responses; results shown after {t['seconds_to_results']:.2f} s "
                         f"({t['results_shown']} results, expected proposal found: {t['expected_found']})")
    if result["surprises"]:
        lines.append("")
        lines.append("Surprises:")
        lines.extend(f"- {s}" for s in result["surprises"])
    return "\n".join(lines)


def versions():
    out = {"python": platform.python_version(), "nproc": nproc(), "machine": platform.machine(),
           "cpu": _cpu_model()}
    for dist in ("mkdocs", "mkdocs-material", "pagefind", "pagefind_bin", "playwright", "Markdown"):
        try:
            out[dist] = md.version(dist)
        except md.PackageNotFoundError:
            out[dist] = None
    try:
        out["pagefind --version"] = subprocess.run([sys.executable, "-m", "pagefind", "--version"],
                                                   check=False, capture_output=True, text=True, timeout=60).stdout.strip()
    except Exception:  # noqa: BLE001
        out["pagefind --version"] = None
    try:
        text = subprocess.run([CHROMIUM, "--version"], check=False, capture_output=True, text=True, timeout=60).stdout
        out["chromium"] = text.strip().splitlines()[-1] if text.strip() else None
    except Exception:  # noqa: BLE001
        out["chromium"] = None
    return out


def _cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folders")
    parser.add_argument("--note", default=None, help="a sentence on the conditions, kept in the results")
    args = parser.parse_args(argv)

    env = versions()
    log(f"site_speed: nproc {env['nproc']} ({env['cpu']}), Python {env['python']}, mkdocs {env['mkdocs']}, "
        f"mkdocs-material {env['mkdocs-material']}, pagefind {env['pagefind']}, {env['chromium']}")
    started = dt.datetime.now(dt.timezone.utc)
    results = []
    for n in args.counts:
        results.append(bench_count(n, args.repeat, args.seed, args.keep))

    log("\n## Site build: the agenda plugin next to a plain MkDocs build of the same pages\n")
    log(f"Machine: nproc {env['nproc']} ({env['cpu']}); Python {env['python']}; mkdocs {env['mkdocs']}; "
        f"mkdocs-material {env['mkdocs-material']}; pagefind {env['pagefind']} (`{env.get('pagefind --version')}`); "
        f"Markdown {env['Markdown']}; {env['chromium']}.")
    log("Each build: `python -m mkdocs build --strict -q`, a fresh process, site/ removed first. "
        "CPU s = user + system time of the tree (median); peak MB = GNU time %M (the largest single process); "
        "largest process MB = the largest peak (VmHWM) among every process of the tree, sampled every 50 ms; "
        "tree peak MB = sampled sum over the process tree. The floor + Material search indexes every "
        "page (MkDocs' default `search` plugin); the plugin's Pagefind index holds proposals and themes only.")
    if args.note:
        log(f"Note: {args.note}")
    for result in results:
        log("")
        log(table(result, args.repeat))

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    payload = {"started": started.isoformat(timespec="seconds"),
               "finished": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
               "command": [Path(sys.argv[0]).name, *(argv if argv is not None else sys.argv[1:])],
               "repeat": args.repeat, "seed": args.seed, "note": args.note, "environment": env, "results": results}
    RESULTS.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    log(f"\nwritten to {RESULTS.relative_to(REPO)}")
    failed = any(r["rows"][v]["failed_runs"] for r in results for v in BUILDS + [PAGEFIND])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
