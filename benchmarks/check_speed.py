#!/usr/bin/env python3
"""How fast is `agenda check` next to plain JSON Schema validators, on a generated corpus?

    python benchmarks/check_speed.py [--counts 1000 10000] [--repeat 3] [--seed 0] [--keep] [--titles shared-words]

For each count N, generates a valid programme repository with N proposals (benchmarks/generate.py)
in a temporary folder, then times, side by side, each run a fresh subprocess:

* `agenda check --root DIR`: the whole repository (event.yaml, themes/, proposals/): strict
  YAML loading, JSON Schema (jsonschema-rs), text rules and cross-file rules, in parallel;
* `ajv validate --spec=draft2020 -c ajv-formats -s schema/proposal.schema.json -d "proposals/*.yaml"`
  (ajv-cli, Node): the proposals against their schema only; installed with npm into a
  temporary folder (skipped with a message when npm is missing);
* `check-jsonschema --schemafile schema/proposal.schema.json proposals/*.yaml`: the proposals
  against their schema only (pure-Python jsonschema).

With `--titles shared-words`, every title is rewritten as 7 words out of a vocabulary of 300
(the near-duplicate rule's hard case; results to benchmarks/results/check_speed_shared_titles.json).

Each tool first runs once untimed (warm-up and check that it accepts the valid corpus), and is
checked once on a corpus with one invalid file (it must reject it); then the tools run in turn,
`--repeat` rounds, and the table shows the median and the minimum wall-clock time. The results go
to benchmarks/results/check_speed.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import generate  # noqa: E402  (benchmarks/generate.py)

RESULTS = HERE / "results" / "check_speed.json"
SHARED_RESULTS = HERE / "results" / "check_speed_shared_titles.json"
SCHEMA = "schema/proposal.schema.json"
AGENDA, AJV, CHECK_JSONSCHEMA = "agenda check", "ajv-cli", "check-jsonschema"


def log(message=""):
    print(message, flush=True)


def run(cmd, cwd=None, timeout=3600):
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    return time.perf_counter() - start, proc


def nproc():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _tail(text, lines=8):
    return "\n".join(text.strip().splitlines()[-lines:])


# --- the tools ------------------------------------------------------------------------------------


class Tool:
    """A command to time: `command(corpus)` -> argv (run in the corpus), `accepts(n, proc)`."""

    name = ""
    version = ""
    note = ""

    def command(self, corpus: Path):
        raise NotImplementedError

    def display(self) -> str:
        """The command as run in the corpus folder DIR, for the results file."""
        cmd = self.command(Path("DIR"))
        return " ".join([Path(cmd[0]).name, *map(str, cmd[1:])])

    def prepare(self, corpus: Path):
        """Untimed work on a fresh corpus (e.g. conversion); returns nothing."""

    def accepted(self, n, proc) -> bool:
        return proc.returncode == 0

    def rejected(self, proc) -> bool:
        return proc.returncode != 0


def _next_to_python(name):
    candidate = Path(sys.executable).parent / name
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return str(candidate)
    return shutil.which(name)


class AgendaTool(Tool):
    name = AGENDA

    def __init__(self):
        self.exe = _next_to_python("agenda")
        if not self.exe:
            raise RuntimeError("`agenda` is not installed: run this script with the project's venv "
                               "(.venv/bin/python benchmarks/check_speed.py)")
        self.version = run([self.exe, "--version"])[1].stdout.strip()
        self._compile_bytecode()
        try:
            from importlib.metadata import version
            self.version += f" (jsonschema-rs {version('jsonschema-rs')}, PyYAML {version('PyYAML')})"
        except Exception:  # pragma: no cover
            pass

    def _compile_bytecode(self):
        """Compile the package's modules, as `pip install` does for a regular install. An
        editable install run with PYTHONDONTWRITEBYTECODE set (as on some CI machines) would
        otherwise compile every module from source on each run, about 20 ms of each check."""
        import compileall

        import agenda

        folder = Path(agenda.__file__).parent
        if not compileall.compile_dir(str(folder), quiet=1):
            raise RuntimeError(f"could not compile the modules of {folder}")
        self.note = "modules compiled to bytecode first, as pip install does"

    def command(self, corpus):
        return [self.exe, "check", "--root", str(corpus)]

    def accepted(self, n, proc):
        return proc.returncode == 0 and "no problems" in proc.stderr

    def rejected(self, proc):
        return proc.returncode == 1


class CheckJsonschemaTool(Tool):
    name = CHECK_JSONSCHEMA

    def __init__(self, workdir: Path):
        self.exe = _next_to_python("check-jsonschema")
        if not self.exe:
            log("check-jsonschema is not installed next to this Python: installing it into a temporary venv…")
            venv = workdir / "cj-venv"
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", "check-jsonschema"], check=True)
            self.exe = str(venv / "bin" / "check-jsonschema")
        self.version = run([self.exe, "--version"])[1].stdout.strip()

    def command(self, corpus):
        files = sorted(f"proposals/{p.name}" for p in (corpus / "proposals").glob("*.yaml"))
        return [self.exe, "--schemafile", SCHEMA, *files]

    def display(self):
        return f"check-jsonschema --schemafile {SCHEMA} proposals/*.yaml  (files listed by name)"

    def accepted(self, n, proc):
        return proc.returncode == 0 and "validation done" in proc.stdout


class AjvTool(Tool):
    name = AJV

    def __init__(self, workdir: Path):
        npm = shutil.which("npm")
        if not npm:
            raise RuntimeError("npm is not installed, so ajv-cli (Node) cannot be installed: skipping it. "
                               "Install Node.js and npm to include it.")
        self.prefix = workdir / "npm"
        log(f"installing ajv-cli and ajv-formats with npm into {self.prefix} …")
        proc = subprocess.run([npm, "install", "--prefix", str(self.prefix), "--no-audit", "--no-fund",
                               "--no-save", "--loglevel=error", "ajv-cli", "ajv-formats"],
                              capture_output=True, text=True)
        self.exe = self.prefix / "node_modules" / ".bin" / "ajv"
        if proc.returncode != 0 or not self.exe.exists():
            raise RuntimeError(f"npm install ajv-cli failed, skipping it:\n{_tail(proc.stderr)}")
        self.exe = str(self.exe)

        def pkg(name):
            meta = self.prefix / "node_modules" / name / "package.json"
            return json.loads(meta.read_text())["version"]

        node = run(["node", "--version"])[1].stdout.strip()
        self.version = f"ajv-cli {pkg('ajv-cli')} (ajv {pkg('ajv')}, ajv-formats {pkg('ajv-formats')}, node {node})"
        self.yaml_ok = None  # decided on the first corpus
        self.ext = "yaml"

    def command(self, corpus):
        return [self.exe, "validate", "--spec=draft2020", "-c", "ajv-formats", "-s", SCHEMA,
                "-d", f"proposals/*.{self.ext}"]  # ajv-cli expands the quoted glob itself

    def prepare(self, corpus):
        if self.yaml_ok is None:
            # ajv-cli 5 reads .yaml data files with js-yaml; check it really does on one file.
            sample = sorted((corpus / "proposals").glob("*.yaml"))[:1]
            if sample:
                _, proc = run([self.exe, "validate", "--spec=draft2020", "-c", "ajv-formats", "-s", SCHEMA,
                               "-d", f"proposals/{sample[0].name}"], cwd=corpus)
                self.yaml_ok = proc.returncode == 0 and proc.stdout.strip().endswith(" valid")
                if not self.yaml_ok:
                    log(f"ajv-cli cannot read the YAML files:\n{_tail(proc.stdout + proc.stderr)}")
        if self.yaml_ok is False:
            self.ext = "json"
            self.note = ("ajv-cli could not read YAML: the proposals were converted to JSON first "
                         "(conversion not timed)")
            import yaml

            for path in (corpus / "proposals").glob("*.yaml"):
                data = yaml.safe_load(path.read_text(encoding="utf-8"))
                path.with_suffix(".json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        elif self.yaml_ok:
            self.note = "ajv-cli reads the .yaml files itself (js-yaml); no conversion"

    def accepted(self, n, proc):
        valid = sum(1 for line in proc.stdout.splitlines() if line.endswith(" valid"))
        return proc.returncode == 0 and valid == n

    def rejected(self, proc):
        return proc.returncode != 0 and " invalid" in proc.stderr


# --- sanity check on an invalid corpus ----------------------------------------------------------


def invalid_corpus(workdir: Path) -> Path:
    """A small generated repository in which one proposal breaks the schema itself, which every
    validator reads (a status outside its enum; a duration of 7 minutes no longer would: the
    durations allowed are the event's limits, a rule of `agenda check`, not of the schema)."""
    corpus = workdir / "invalid-corpus"
    generate.generate(3, corpus, seed=0)
    victim = sorted((corpus / "proposals").glob("*.yaml"))[1]
    text = victim.read_text(encoding="utf-8")
    broken = re.sub(r"^status: [a-z]+$", "status: maybe-later", text, count=1, flags=re.M)
    assert broken != text
    victim.write_text(broken, encoding="utf-8")
    return corpus


def share_title_words(corpus: Path, seed: int):
    """Rewrite every title as 7 distinct words out of one vocabulary of 300: no word is rare, so
    the near-duplicate rule cannot rely on rare words to keep its candidates few (with 10,000
    proposals each word is in about 230 titles). Two such titles are almost never 80% alike, so
    the corpus stays valid."""
    rnd = random.Random(seed)
    syllables = ["ba", "ce", "di", "fo", "gu", "la", "me", "ni", "po", "ru", "sa", "te", "vi", "zo", "ka", "lu"]
    vocabulary = sorted({"".join(rnd.choice(syllables) for _ in range(3)) for _ in range(2000)})[:300]
    assert len(vocabulary) == 300
    for path in sorted((corpus / "proposals").glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        title = " ".join(rnd.sample(vocabulary, 7)).capitalize()
        path.write_text(re.sub(r"^title: .*$", f'title: "{title}"', text, count=1, flags=re.M), encoding="utf-8")


# --- main -------------------------------------------------------------------------------------


def fmt_s(x):
    return f"{x:.2f}" if x is not None else "–"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[1000, 10000], metavar="N",
                        help="corpus sizes (default: 1000 10000)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per tool and size (default 3)")
    parser.add_argument("--seed", type=int, default=0, help="generator seed (default 0)")
    parser.add_argument("--keep", action="store_true", help="keep the generated corpora (path printed)")
    parser.add_argument("--titles", choices=("generated", "shared-words"), default="generated",
                        help="shared-words: every title becomes 7 words out of a vocabulary of 300, each word "
                             "in about 230 titles of 10,000 (the near-duplicate rule's hard case)")
    parser.add_argument("--json", default=None, metavar="FILE",
                        help=f"results file (default {RESULTS}, or {SHARED_RESULTS.name} beside it with --titles shared-words)")
    args = parser.parse_args(argv)
    args.json = args.json or str(SHARED_RESULTS if args.titles == "shared-words" else RESULTS)
    if args.repeat < 1 or any(n < 1 for n in args.counts):
        parser.error("--repeat and --counts must be at least 1")

    workdir = Path(tempfile.mkdtemp(prefix="agenda-check-speed-"))
    notes = []
    try:
        tools = [AgendaTool()]
        try:
            tools.append(AjvTool(workdir))
        except RuntimeError as exc:
            log(f"NOTE: {exc}")
            notes.append(str(exc))
        tools.append(CheckJsonschemaTool(workdir))

        machine = {
            "nproc": nproc(), "cpu_count": os.cpu_count(), "platform": platform.platform(),
            "machine": platform.machine(), "processor": _cpu_model(),
            "python": platform.python_version(),
        }
        log(f"machine: nproc={machine['nproc']}, {machine['processor'] or machine['machine']}, "
            f"{machine['platform']}, Python {machine['python']}")
        for tool in tools:
            log(f"  {tool.name}: {tool.version}")

        # Each validator must reject a corpus with one invalid proposal, once.
        bad = invalid_corpus(workdir)
        sanity = {}
        for tool in tools:
            tool.prepare(bad)
            _, proc = run(tool.command(bad), cwd=bad)
            sanity[tool.name] = tool.rejected(proc)
            log(f"sanity: {tool.name} {'rejects' if sanity[tool.name] else 'DOES NOT REJECT'} "
                f"a corpus with one invalid file (exit {proc.returncode})")
            if not sanity[tool.name]:
                log(_tail(proc.stdout + proc.stderr))
        for tool in tools:
            tool.note and notes.append(f"{tool.name}: {tool.note}")

        results = []
        for n in args.counts:
            corpus = workdir / f"corpus-{n}"
            start = time.perf_counter()
            info = generate.generate(n, corpus, seed=args.seed)
            if args.titles == "shared-words":
                share_title_words(corpus, args.seed)
            gen_seconds = time.perf_counter() - start
            log(f"\nN={n}: generated {info['proposals']} proposals ({info['scheduled']} scheduled, "
                f"{info['bytes'] / 1e6:.1f} MB) in {gen_seconds:.1f} s at {corpus}")
            runs = {tool.name: [] for tool in tools}
            codes = {tool.name: [] for tool in tools}
            ok = {}
            for tool in tools:  # warm-up, untimed: also checks the tool accepts the valid corpus
                tool.prepare(corpus)
                seconds, proc = run(tool.command(corpus), cwd=corpus)
                ok[tool.name] = tool.accepted(n, proc)
                log(f"  warm-up {tool.name}: exit {proc.returncode} in {seconds:.2f} s"
                    + ("" if ok[tool.name] else f"  <-- DID NOT ACCEPT THE VALID CORPUS\n{_tail(proc.stdout + proc.stderr, 20)}"))
            for r in range(args.repeat):
                order = tools[r % len(tools):] + tools[:r % len(tools)]  # rotate to spread drift
                for tool in order:
                    seconds, proc = run(tool.command(corpus), cwd=corpus)
                    runs[tool.name].append(seconds)
                    codes[tool.name].append(proc.returncode)
                    if not tool.accepted(n, proc):
                        ok[tool.name] = False
                        log(f"  run {r + 1} {tool.name}: exit {proc.returncode}  <-- FAILED\n{_tail(proc.stdout + proc.stderr)}")
            ajv_median = statistics.median(runs[AJV]) if runs.get(AJV) else None
            for tool in tools:
                median = statistics.median(runs[tool.name])
                results.append({
                    "tool": tool.name, "n": n, "median_s": round(median, 4),
                    "min_s": round(min(runs[tool.name]), 4), "runs_s": [round(x, 4) for x in runs[tool.name]],
                    "exit_codes": codes[tool.name], "ok": ok[tool.name],
                    "ratio_vs_ajv": round(median / ajv_median, 3) if ajv_median else None,
                    "rejects_invalid": sanity[tool.name],
                })
            if not args.keep:
                shutil.rmtree(corpus, ignore_errors=True)

        log("\n| tool | N | median (s) | min (s) | ratio vs ajv-cli |")
        log("|---|---:|---:|---:|---:|")
        for row in results:
            ratio = f"{row['ratio_vs_ajv']:.2f}" if row["ratio_vs_ajv"] is not None else "n/a"
            flag = "" if row["ok"] else " (FAILED)"
            log(f"| {row['tool']}{flag} | {row['n']:,} | {fmt_s(row['median_s'])} | {fmt_s(row['min_s'])} | {ratio} |")
        log(f"\nmachine: nproc={machine['nproc']}; wall-clock seconds, median and min of {args.repeat} "
            "run(s), each a fresh subprocess; ratio = median / ajv-cli median for the same N.")
        for note in notes:
            log(f"note: {note}")

        out = Path(args.json)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps({
            "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "machine": machine,
            "settings": {"counts": args.counts, "repeat": args.repeat, "seed": args.seed, "titles": args.titles},
            "tools": {tool.name: {"version": tool.version, "command": tool.display()} for tool in tools},
            "notes": notes,
            "results": results,
        }, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        log(f"results written to {out}")
        return 0 if all(r["ok"] for r in results) and all(sanity.values()) else 1
    finally:
        if args.keep:
            log(f"corpora kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def _cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


if __name__ == "__main__":
    sys.exit(main())
