#!/usr/bin/env python3
"""Time `agenda export` (every open-data file) on generated programmes and report sizes.

    .venv/bin/python benchmarks/export_speed.py [--counts 1000 10000] [--repeat 3]

Each run is a fresh `agenda export --out DIR` subprocess on the same corpus; the table
gives the median and minimum wall time and the size of each kind of file.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate import generate  # noqa: E402


def agenda_command():
    exe = Path(sys.executable).with_name("agenda")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "agenda"]


def sizes(out: Path):
    groups = defaultdict(lambda: [0, 0])
    for path in (out / "data").rglob("*"):
        if path.is_file():
            rel = path.relative_to(out / "data").as_posix()
            key = rel if "/" not in rel else rel.split("/")[0] + "/*" + path.suffix
            groups[key][0] += 1
            groups[key][1] += path.stat().st_size
    return dict(sorted(groups.items()))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    results = []
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1481068800"}
    for count in args.counts:
        with tempfile.TemporaryDirectory(prefix=f"export-speed-{count}-") as tmp:
            corpus = Path(tmp) / "corpus"
            generate(count, corpus)
            times = []
            out = Path(tmp) / "out"
            for _ in range(args.repeat + 1):  # the first run warms the file cache, untimed
                shutil.rmtree(out, ignore_errors=True)
                start = time.perf_counter()
                result = subprocess.run(agenda_command() + ["export", "--root", str(corpus), "--out", str(out)],
                                        capture_output=True, text=True, env=env)
                times.append(time.perf_counter() - start)
                if result.returncode != 0:
                    sys.exit(f"agenda export failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
            times = times[1:]
            results.append({"count": count, "median_s": statistics.median(times), "min_s": min(times),
                            "files": sizes(out)})
    print(f"machine: nproc={os.cpu_count()}; wall-clock seconds over {args.repeat} run(s), each a fresh process\n")
    for r in results:
        print(f"N={r['count']:,}: agenda export median {r['median_s']:.2f} s (min {r['min_s']:.2f} s)\n")
        print("| file | count | total size |\n|---|---:|---:|")
        for name, (n, size) in r["files"].items():
            print(f"| {name} | {n:,} | {size / 1e6:.2f} MB |")
        print()
    target = HERE / "results" / "export_speed.json"
    target.parent.mkdir(exist_ok=True)
    target.write_text(json.dumps({"nproc": os.cpu_count(), "repeat": args.repeat, "results": results}, indent=2) + "\n")
    print(f"results written to {target}")


if __name__ == "__main__":
    main()
