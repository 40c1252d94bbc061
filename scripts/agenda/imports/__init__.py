"""`agenda import`: a published frab/pentabarf/pretalx/OSEM schedule -> event.yaml, themes/ and
proposals/, with a report of everything that could not be carried over as it was.

    read (bytes -> neutral Schedule) -> build (-> documents, decisions reported)
    -> write (never over existing work) -> agenda check (the same check as everywhere)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .build import Builder
from .read import read_schedule
from .report import Report
from .source import ImportFailure
from .write import check_target, render, write

__all__ = ["ImportFailure", "ImportResult", "import_schedule"]


@dataclass
class ImportResult:
    programme: object
    report: Report
    files: dict
    check: object = None  # agenda.check.repository.Report


def import_schedule(data: bytes, root, *, timezone=None, replace=False, repository=None, check=True) -> ImportResult:
    """Read `data`, write the programme into `root`, and run `agenda check` on it.

    Raises ImportFailure (nothing written) for input that cannot be imported or a folder
    that already holds a programme (unless `replace`)."""
    root = Path(root)
    if root.exists():
        check_target(root, replace)  # before any work: a refusal costs nothing
    report = Report()
    try:
        schedule = read_schedule(data)
        programme = Builder(schedule, report, timezone=timezone, repository=repository).build()
    except RecursionError:  # a value nested thousands of levels deep: hostile, not a schedule
        raise ImportFailure("the schedule nests its values too deeply to be read safely",
                            "export the schedule again; real programmes nest a few levels") from None
    title = (programme.event["name"]["en"] or "")[:80]
    comment = f"Imported by agenda import from a {schedule.format} schedule ({title})."
    files = render(programme, report, comment)
    write(root, files, replace)
    result = ImportResult(programme, report, files)
    if check:
        from ..check.repository import check_repository

        result.check = check_repository(root)
        for p in result.check.problems:
            report.add("check", f"{p.file}:{p.line}:{p.column}: {p.severity} [{p.rule}] {p.message}",
                       proposal=p.file, value=p.hint or None)
    return result
