"""`agenda` command line: arguments -> pipeline -> output and exit code.

Exit codes: 0 clean, 1 problems found, 2 usage or tool error. Problems go to standard
output in the chosen format; the one-line summary goes to standard error, so that
`--format json` output stays machine-readable.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

from . import __version__
from .inputs import InputError, check_text_arguments, read_utf8, safe_streams
from .check.problems import FORMATTERS, show, sort_problems, summary

EXIT_OK, EXIT_PROBLEMS, EXIT_ERROR = 0, 1, 2

CHECK_EXAMPLES = """\
examples:
  agenda check                         check the repository in the current folder
  agenda check --format github         as the pull-request workflow does
  agenda check --strict                fail on warnings too, not only on errors
  agenda check --lang fr               the messages in French
  agenda check proposals/my-session.yaml only show problems of this file
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # usage errors exit with 2 and a next step, never a traceback
        self.print_usage(sys.stderr)
        sys.stderr.write(f"agenda: error: {message}\nTry 'agenda {self.prog.split()[-1]} --help'.\n")
        sys.exit(EXIT_ERROR)


def build_parser():
    parser = _Parser(prog="agenda", description="Tools for the programme repository: check proposals, build pages.")
    parser.add_argument("--version", action="version", version=f"agenda {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    check = sub.add_parser(
        "check", help="validate event.yaml, themes/ and proposals/",
        description="Validate every file against its schema and the cross-file rules, and report "
                    "each problem with its file, line, column, rule and a hint.",
        epilog=CHECK_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument("files", nargs="*", metavar="FILE",
                       help="only report problems in these files (the whole repository is still checked)")
    check.add_argument("--root", default=".", metavar="DIR", help="the repository to check (default: current folder)")
    check.add_argument("--format", choices=sorted(FORMATTERS), default="text",
                       help="text for people, github for pull-request annotations, json for programs")
    check.add_argument("--strict", action="store_true",
                       help="fail on warnings too (warnings a reviewer acknowledged in a proposal never fail)")
    check.add_argument("--jobs", type=int, default=None, metavar="N", help="worker processes (default: one per core)")
    check.add_argument("--lang", metavar="LANG", default=None,
                       help="language of the messages: fr, en… (default: from LANGUAGE, LC_ALL or LANG; English "
                            "otherwise)")
    check.add_argument("--base", metavar="REF",
                       help="also compare with this Git ref (a pull request's base): report status changes "
                            "and reject transitions that make no sense")
    check.set_defaults(run=run_check)
    summary_cmd = sub.add_parser(
        "summary", help="Markdown summary of the proposals a pull request adds, changes or removes",
        description="Compare the working tree with a Git ref and print, in Markdown, the proposals added, "
                    "changed or removed, their themes and the reviewers to ask (the pull request's job summary).",
        epilog="example:\n  agenda summary --base origin/main >> \"$GITHUB_STEP_SUMMARY\"",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    summary_cmd.add_argument("--base", required=True, metavar="REF", help="the Git ref to compare with")
    summary_cmd.add_argument("--root", default=".", metavar="DIR", help="the repository (default: current folder)")
    summary_cmd.set_defaults(run=run_summary)
    owners = sub.add_parser(
        "codeowners", help="generate .github/CODEOWNERS from the themes' reviewers",
        description="Write .github/CODEOWNERS: each proposal owned by its themes' reviewers and the programme "
                    "committee, tooling and workflows by the maintainers. With --check, only verify it is current.",
        epilog="examples:\n  agenda codeowners\n  agenda codeowners --check\n"
               "  agenda codeowners --check --base origin/main",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    owners.add_argument("--check", action="store_true", help="fail (exit 1) if the committed file is out of date")
    owners.add_argument("--base", metavar="REF",
                        help="with --check, as on a pull request: also accept each proposal's line as the base has it "
                             "(a contributor cannot update CODEOWNERS), and fail on lines changed by hand")
    owners.add_argument("--root", default=".", metavar="DIR", help="the repository (default: current folder)")
    owners.add_argument("--committee", metavar="TEAM", help="default: @<repository owner>/programme-committee")
    owners.add_argument("--maintainers", metavar="TEAM", help="default: @<repository owner>/maintainers")
    owners.set_defaults(run=run_codeowners)
    new = sub.add_parser(
        "new", help="write a new proposal: asks the questions, or takes them as options",
        description="Create proposals/<id>.yaml (the id comes from the title). Without --title it asks "
                    "the questions one by one; with options it writes the file directly. The file is "
                    "checked before it is written, and the next steps are printed.",
        epilog="examples:\n  agenda new\n"
               "  agenda new --title \"Open budgets for small towns\" --format workshop \\\n"
               "      --theme transparency-public-life --language fr --duration 90 \\\n"
               "      --summary \"A workshop to publish a town budget as open data.\" \\\n"
               "      --description-file description.md --proposer \"Camille | Budget Ouvert | FR\"",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    new.add_argument("--root", default=".", metavar="DIR", help="the repository (default: current folder)")
    new.add_argument("--title")
    new.add_argument("--format", dest="format_id", metavar="FORMAT", help="a format id from event.yaml")
    new.add_argument("--theme", action="append", dest="themes", metavar="THEME", help="a theme id (1 to 3)")
    new.add_argument("--language", action="append", dest="languages", metavar="CODE", help="a language code")
    new.add_argument("--summary")
    new.add_argument("--description", help="the description (Markdown)")
    new.add_argument("--description-file", metavar="FILE", help="read the description from a file (- for stdin)")
    new.add_argument("--proposer", action="append", dest="proposers", metavar="'NAME | ORG | CC | GITHUB'",
                     help="a proposer: name, organisation, country code, optional GitHub handle")
    new.add_argument("--duration", help="minutes (90, or 1h30)")
    new.add_argument("--looking-for", action="append", dest="looking_for", metavar="WHAT")
    new.add_argument("--link", action="append", dest="links", metavar="'TITLE | URL'")
    new.set_defaults(run=run_new)
    issue = sub.add_parser(
        "from-issue", help="turn a 'Propose a session' issue into a proposal file",
        description="Read the body of an issue opened with the 'Propose a session' form (a file, or - for "
                    "standard input), check it, and write proposals/<id>.yaml. With --event (the issue bot's "
                    "first step), read the issue from a GitHub `issues` event file instead, and write the "
                    "answer for the issue into --reply DIR (exit 0: file written; 1: the issue's answers "
                    "have problems, listed in the reply; 2: unusable event, nothing written).",
        epilog="examples:\n  agenda from-issue issue.md\n"
               "  gh issue view 42 --json body -q .body | agenda from-issue -\n"
               "  agenda from-issue --event \"$GITHUB_EVENT_PATH\" --reply \"$RUNNER_TEMP/reply\"",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    issue.add_argument("body", nargs="?", metavar="FILE", help="the issue body (- for standard input)")
    issue.add_argument("--root", default=".", metavar="DIR", help="the repository (default: current folder)")
    issue.add_argument("--print", action="store_true", dest="print_only", help="print the file instead of writing it")
    issue.add_argument("--event", metavar="FILE",
                       help="a GitHub `issues` event file ($GITHUB_EVENT_PATH) instead of FILE")
    issue.add_argument("--reply", metavar="DIR",
                       help="with --event: the folder for reply.json (the issue bot's answer)")
    issue.set_defaults(run=run_from_issue)
    to_pr = sub.add_parser(
        "issue-to-pr", help="the issue bot's second step: open the pull request and answer on the issue",
        description="Read the reply that `agenda from-issue --event` prepared and, through the GitHub API "
                    "(`gh api`, authenticated by GH_TOKEN), create the branch proposal-from-issue-N from the "
                    "checked-out commit, add the one proposal file to it, open the pull request (\"Closes #N\") "
                    "and answer on the issue; when the proposal has problems, answer with them and remove "
                    "the label. Refuses when the working tree holds anything but that one new file. Exit "
                    "codes: 0 done, 2 it could not (said on standard error).",
        epilog="example (in .github/workflows/issue-to-pull-request.yml):\n"
               "  GH_TOKEN=… agenda issue-to-pr --reply \"$RUNNER_TEMP/reply\"",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    to_pr.add_argument("--reply", required=True, metavar="DIR", help="the folder `agenda from-issue --event` wrote")
    to_pr.add_argument("--root", default=".", metavar="DIR", help="the checkout (default: current folder)")
    to_pr.set_defaults(run=run_issue_to_pr)
    snap = sub.add_parser(
        "github-snapshot", help="read the open pull requests' proposals and their 👍 from GitHub, for the site",
        description="Ask GitHub's REST API (with GITHUB_TOKEN when set) for the open pull requests that add or "
                    "change proposals/ (each file's text at the head commit, the check status, labels, 👍) and "
                    "the 👍 of the merged pull requests that added proposals, and write them as one JSON file "
                    "(schema/github-snapshot.schema.json) dated by GitHub. A pull request labelled "
                    "hide-from-site is left out. Exit codes: 0 written; 1 GitHub unavailable (rate limit, "
                    "outage, broken answer): nothing written, the previous file kept if there is one; 2 usage "
                    "error (repository, token, output file).",
        epilog="examples:\n  agenda github-snapshot --repo example-org/agenda --out build/github-snapshot.json\n"
               "  GITHUB_TOKEN=… agenda github-snapshot --repo example-org/agenda --out snapshot.json",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    snap.add_argument("--repo", required=True, metavar="OWNER/NAME", help="the programme's GitHub repository")
    snap.add_argument("--out", required=True, metavar="FILE", help="the snapshot to write (replaced in one step)")
    snap.add_argument("--api-url", default=None, metavar="URL",
                      help="the REST API's address (default: $GITHUB_API_URL, else https://api.github.com)")
    snap.set_defaults(run=run_github_snapshot)
    export = sub.add_parser(
        "export", help="write the open-data files (JSON, CSV, iCalendar, Atom, frab) without MkDocs",
        description="Check the repository, then write the same open-data files the site publishes "
                    "under data/: proposals.json and its schema, proposals.csv, calendars, the Atom "
                    "feed and the frab/C3VOC schedule.",
        epilog="examples:\n  agenda export --out public\n"
               "  agenda export --out /tmp/data --base-url https://example.org/agenda/",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    export.add_argument("--out", required=True, metavar="DIR", help="folder to write into (data/ is created inside)")
    export.add_argument("--root", default=".", metavar="DIR", help="the repository (default: current folder)")
    export.add_argument("--base-url", metavar="URL",
                        help="the site's absolute address (default: site_url in event.yaml; without one, as in "
                             "mkdocs build, the files link relatively and calendars and the feed have no "
                             "absolute links)")
    export.add_argument("--lang", default="fr", help="language of names in the exports (default: fr)")
    export.set_defaults(run=run_export)
    imp = sub.add_parser(
        "import", help="turn a published frab / pretalx / pentabarf / OSEM schedule into a programme",
        description="Read a schedule in the frab/C3VOC JSON format or the frab/pentabarf XML format (what "
                    "pretalx, frab, pentabarf and OSEM export; the format is read from the content) and write "
                    "event.yaml, themes/ (one per track) and proposals/ (scheduled) into DIR, then run agenda "
                    "check on them. Values the programme has no place for, and every repair, are counted on "
                    "standard error and listed in the --report file. DIR must not hold a programme yet, unless "
                    "--replace. Exit codes: 0 imported and clean, 1 imported but the check found errors, 2 "
                    "nothing written.",
        epilog="examples:\n  agenda import schedule.json --root my-programme --report import-report.json\n"
               "  agenda import schedule.xml --root . --replace --timezone Europe/Brussels\n"
               "  curl -s https://…/schedule/export/schedule.json | agenda import - --root programme",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    imp.add_argument("source", metavar="SOURCE", help="schedule.json or schedule.xml (- for standard input)")
    imp.add_argument("--root", default=".", metavar="DIR", help="the folder to write into (default: current folder)")
    imp.add_argument("--timezone", metavar="ZONE",
                     help="IANA time zone of the event (Europe/Paris); needed when the source names none")
    imp.add_argument("--replace", action="store_true",
                     help="replace event.yaml, themes/ and proposals/ in DIR (and nothing else)")
    imp.add_argument("--report", dest="report_file", metavar="FILE",
                     help="write the list of everything not carried over as it was (JSON)")
    imp.add_argument("--repository", metavar="URL",
                     help="the programme's Git repository, for event.yaml (default: a placeholder to replace)")
    imp.set_defaults(run=run_import)
    return parser


def _relative(root: Path, name: str) -> str:
    """A FILE argument as problems name it: relative to the root, and a name that is not
    printable (not UTF-8, a line break…) escaped as discovery reports it."""
    path = Path(name)
    try:
        rel = (path.resolve().relative_to(root.resolve())).as_posix()
    except ValueError:
        rel = path.as_posix()
    folder, _, base = rel.rpartition("/")
    return rel if base.isprintable() else f"{folder}/{show(base)[1:-1]}".lstrip("/")


def run_check(args) -> int:
    from .check.repository import check_repository

    root = Path(args.root)
    if args.jobs is not None and args.jobs < 1:
        sys.stderr.write("agenda: error: --jobs must be at least 1\n")
        return EXIT_ERROR
    if _known_language(args.lang) is None:
        return EXIT_ERROR
    # --base needs the changed files' full data and positions; a plain check needs neither.
    # The messages' language is loaded while the worker processes finish (a tenth of the
    # serial part of a check of 10,000 proposals).
    report = check_repository(root, jobs=args.jobs, full=bool(args.base),
                              meanwhile=lambda: _translator(args.lang, quiet=True))
    translator = _translator(args.lang)
    if translator is None:
        return EXIT_ERROR
    problems = report.problems
    if args.files:
        wanted = {_relative(root, f) for f in args.files}
        problems = [p for p in problems if p.file in wanted]
    if args.base:
        from .contribute.review import ReviewError, changes, status_report, transition_problems

        try:
            changed = changes(root, args.base)
        except ReviewError as exc:
            return _review_error(exc)
        for line in status_report(changed):
            sys.stderr.write(f"agenda: {line}\n")
        problems = sort_problems(problems + transition_problems(changed, report))
    sys.stdout.write(FORMATTERS[args.format](problems, translator))
    sys.stderr.write(summary(problems, report.files, len(report.acknowledged), translator) + "\n")
    failing = [p for p in problems if p.is_error or args.strict]
    return EXIT_PROBLEMS if failing else EXIT_OK


def _translator(lang, quiet=False):
    """The messages' language: --lang, else the environment's, else English."""
    from .i18n import default_language, languages, translator

    try:
        return translator(lang or default_language())
    except ValueError:
        if not quiet:
            _unknown_language(lang, languages())
        return None


def _known_language(lang):
    """--lang (or the environment's language), if it has a catalogue; else says so, and None.
    Asked before a check starts, without loading the language."""
    from .i18n import default_language, languages

    known = languages()
    wanted = lang or default_language()
    if wanted not in known:
        _unknown_language(lang, known)
        return None
    return wanted


def _unknown_language(lang, known):
    sys.stderr.write(f"agenda: error: no messages in the language {lang!r}; known: {', '.join(known)}\n"
                     "Try 'agenda check --lang fr' or '--lang en'.\n")


def _review_error(exc) -> int:
    sys.stderr.write(f"agenda: error: {exc}\n")
    hint = getattr(exc, "hint", "")
    if hint:
        sys.stderr.write(f"Try: {hint}\n")
    return EXIT_ERROR


def run_summary(args) -> int:
    from .contribute.job_summary import pull_request_summary
    from .check.repository import check_repository
    from .contribute.review import ReviewError

    root = Path(args.root)
    try:
        text = pull_request_summary(root, args.base, check_repository(root))
    except ReviewError as exc:
        return _review_error(exc)
    sys.stdout.write(text)
    return EXIT_OK


def _owner_teams(report, args):
    from urllib.parse import urlsplit

    owner = "example-org"
    if report.event is not None:
        parts = urlsplit(report.event.data["repository"]).path.strip("/").split("/")
        owner = parts[0] or owner
    return (args.committee or f"@{owner}/programme-committee", args.maintainers or f"@{owner}/maintainers")


def run_codeowners(args) -> int:
    from .contribute.codeowners import check_with_base, codeowners, current_text
    from .check.repository import check_repository
    from .contribute.review import ReviewError

    root = Path(args.root)
    report = check_repository(root)
    if any(p.is_error for p in report.problems):
        sys.stdout.write(FORMATTERS["text"]([p for p in report.problems if p.is_error]))
        sys.stderr.write("agenda: fix these problems first: CODEOWNERS is made from valid themes.\n")
        return EXIT_PROBLEMS
    committee, maintainers = _owner_teams(report, args)
    if args.check and args.base:
        try:
            reasons = check_with_base(root, args.base, report, committee=committee, maintainers=maintainers)
        except ReviewError as exc:
            return _review_error(exc)
        for reason in reasons:
            sys.stdout.write(f".github/CODEOWNERS: {reason}\n")
        if reasons:
            sys.stderr.write("Try: git checkout <base> -- .github/CODEOWNERS (a maintainer regenerates it after "
                             "merging), or agenda codeowners.\n")
            return EXIT_PROBLEMS
        sys.stderr.write("agenda: .github/CODEOWNERS has no line changed by hand.\n")
        return EXIT_OK
    target = root / ".github" / "CODEOWNERS"
    current = current_text(root)
    if args.check and current is not None:
        # A pull request that adds a proposal cannot edit CODEOWNERS (maintainers own it): a
        # proposal not listed yet falls back to /proposals/ (the committee) and is fine.
        listed = set(re.findall(r"^/proposals/([a-z0-9-]+)\.yaml ", current, re.M))
        report.proposals = {pid: doc for pid, doc in report.proposals.items() if pid in listed}
    try:
        text = codeowners(report, committee=committee, maintainers=maintainers)
    except ReviewError as exc:
        return _review_error(exc)
    if args.check:
        if current == text:
            sys.stderr.write("agenda: .github/CODEOWNERS is up to date.\n")
            return EXIT_OK
        sys.stderr.write("agenda: .github/CODEOWNERS is out of date (a theme's reviewers or the proposals changed).\n"
                         "Try: agenda codeowners, then commit .github/CODEOWNERS.\n")
        return EXIT_PROBLEMS
    target.parent.mkdir(exist_ok=True)
    target.write_text(text, encoding="utf-8")
    sys.stderr.write(f"agenda: wrote {target}\n")
    return EXIT_OK


def run_export(args) -> int:
    from .data.history import build_date, complete, status_history
    from .i18n import LANGUAGES
    from .model import build_agenda
    from .data.opendata import data_files
    from .check.repository import check_repository
    from .data.urls import NO_ADDRESS_NOTE, usable_base

    root = Path(args.root)
    if args.lang not in LANGUAGES:
        sys.stderr.write(f"agenda: error: no language {args.lang!r}; try one of: {', '.join(LANGUAGES)}\n")
        return EXIT_ERROR
    report = check_repository(root, full=True)
    errors = [p for p in report.problems if p.is_error]
    if errors:
        sys.stdout.write(FORMATTERS["text"](errors))
        sys.stderr.write("agenda: nothing exported: fix these problems first.\n")
        return EXIT_PROBLEMS
    agenda = build_agenda(report.event, report.themes, report.proposals)
    # The same rule as mkdocs build: without an address, relative links (a note says so);
    # an address that is given but unusable is an error.
    base_url = args.base_url or agenda.event.site_url
    if base_url and usable_base(base_url) is None:
        sys.stderr.write(f"agenda: error: {base_url!r} is not an absolute http(s) address for the exports' links\n"
                         "Try 'agenda export --base-url https://…/' or set site_url in event.yaml.\n")
        return EXIT_ERROR
    if not base_url:
        sys.stderr.write(f"agenda: note: {NO_ADDRESS_NOTE}; try 'agenda export --base-url https://…/'\n")
        base_url = None
    stamp = build_date(root, agenda.event.first_day)
    history = complete(status_history(root), agenda, stamp.isoformat())
    files = data_files(agenda, history, base_url=base_url, stamp=stamp, lang=args.lang)
    out = Path(args.out)
    for path, content in sorted(files.items()):
        target = out / path
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        except OSError as exc:  # a folder we may not write in, a file where a folder should be…
            raise InputError(f"{show(str(target), 80)} cannot be written ({exc.strerror or exc})",
                             "choose another folder with --out") from None
    sys.stderr.write(f"agenda: {len(files)} files written to {out / 'data'}\n")
    return EXIT_OK


def run_import(args) -> int:
    from .imports import ImportFailure, import_schedule
    from .imports.read import MAX_BYTES as MAX_SOURCE

    try:
        if args.source == "-":
            data = sys.stdin.buffer.read(MAX_SOURCE + 1)
        else:
            with open(args.source, "rb") as fh:
                data = fh.read(MAX_SOURCE + 1)
    except OSError as exc:
        sys.stderr.write(f"agenda: error: {args.source} cannot be read ({exc.strerror or exc})\n")
        return EXIT_ERROR
    repository = args.repository
    if repository is not None and not re.match(r"https://[A-Za-z0-9.-]+/\S{1,250}\Z", repository):
        sys.stderr.write(f"agenda: error: --repository {repository!r} is not an https:// address\n")
        return EXIT_ERROR
    try:
        result = import_schedule(data, args.root, timezone=args.timezone, replace=args.replace,
                                 repository=repository)
    except ImportFailure as exc:
        sys.stderr.write(f"agenda: error: {exc.message}\n" + (f"Try: {exc.hint}\n" if exc.hint else ""))
        sys.stderr.write("agenda: nothing written.\n")
        return EXIT_ERROR
    stats, counts = result.programme.stats, result.report.counts()
    sys.stderr.write(
        f"agenda: imported {stats['sessions']} sessions as {stats['proposals']} proposals ({stats['slots']} slots; "
        f"{stats['repeated']} held several times), {stats['rooms']} rooms ({stats['shared_rooms']} shared), "
        f"{stats['themes']} themes, {stats['formats']} formats into {args.root}\n")
    reported = sum(n for kind, n in counts.items() if kind != "check")
    if reported:
        sys.stderr.write(f"agenda: {reported} values not carried over as they were, by kind:\n")
        sys.stderr.write("".join(line + "\n" for line in result.report.summary_lines() if " check:" not in line))
    if args.report_file:
        meta = {"format_version": 1, "source": args.source, "root": str(args.root), "stats": stats}
        try:
            with open(args.report_file, "w", encoding="utf-8") as out:
                out.write(result.report.to_json(meta))
        except OSError as exc:
            sys.stderr.write(f"agenda: error: the report cannot be written to {args.report_file} ({exc.strerror})\n")
            return EXIT_ERROR
        sys.stderr.write(f"agenda: the full list is in {args.report_file}\n")
    elif reported:
        sys.stderr.write("agenda: add --report FILE to get each of them listed with its value.\n")
    problems = result.check.problems
    errors = [p for p in problems if p.is_error]
    sys.stdout.write(FORMATTERS["text"](errors))
    sys.stderr.write(summary(problems, result.check.files) + "\n")
    if len(errors) < len(problems):
        sys.stderr.write(f"agenda: run `agenda check --root {args.root}` to see the warnings.\n")
    return EXIT_PROBLEMS if errors else EXIT_OK


# Options that name files or folders: any bytes the system allows (every other text option
# must be valid UTF-8, see inputs.check_text_arguments).
PATH_OPTIONS = ("root", "out", "files", "body", "description_file", "source", "report_file", "event", "reply")


def _read_text(name: str) -> str:
    return read_utf8(name)  # UTF-8 whatever the locale; InputError (exit 2) otherwise


def run_new(args) -> int:
    from .contribute import scaffold

    root = Path(args.root)
    try:
        if args.title is None:
            from .contribute import prompts

            ctx = scaffold.load_context(root)
            answers = prompts.ask(prompts.questions(root, ctx), input, print, ctx=ctx)
        else:
            answers = {"title": args.title, "format": args.format_id, "themes": args.themes,
                       "languages": args.languages, "summary": args.summary,
                       "description": _read_text(args.description_file) if args.description_file
                       else args.description,
                       "proposers": "\n".join(args.proposers or []), "duration": args.duration,
                       "looking_for": args.looking_for, "links": "\n".join(args.links or []) or None}
            answers = {k: v for k, v in answers.items() if v not in (None, "", [])}
        path, text = scaffold.new_proposal(root, answers)
        scaffold.save(path, text)
    except scaffold.ScaffoldError as exc:
        sys.stdout.write(exc.format().rstrip() + "\n")
        sys.stderr.write("agenda: nothing written.\n")
        return EXIT_PROBLEMS
    except (OSError, EOFError) as exc:
        sys.stderr.write(f"agenda: error: {exc}\n")
        return EXIT_ERROR
    sys.stdout.write(scaffold.next_steps(path) + "\n")
    return EXIT_OK


def run_from_issue(args) -> int:
    from .contribute import scaffold

    root = Path(args.root)
    if (args.body is None) == (args.event is None) or (args.event is None) != (args.reply is None):
        sys.stderr.write("agenda: error: give the issue body as FILE, or --event FILE with --reply DIR\n"
                         "Try 'agenda from-issue --help'.\n")
        return EXIT_ERROR
    if args.event is not None:
        return _from_issue_event(args, root)
    try:
        body = _read_text(args.body)
        from .contribute.issue_form import from_issue

        ident, text = from_issue(body, root)
        if args.print_only:
            sys.stdout.write(text)
            return EXIT_OK
        path = scaffold.save(root / "proposals" / f"{ident}.yaml", text)
    except scaffold.ScaffoldError as exc:
        sys.stdout.write(exc.format().rstrip() + "\n")
        sys.stderr.write("agenda: nothing written.\n")
        return EXIT_PROBLEMS
    except OSError as exc:
        sys.stderr.write(f"agenda: error: {exc}\n")
        return EXIT_ERROR
    sys.stdout.write(scaffold.next_steps(path) + "\n")
    return EXIT_OK


def _from_issue_event(args, root: Path) -> int:
    from .contribute.issue_bot import BotError, prepare

    try:
        reply = prepare(args.event, root, args.reply)
    except BotError as exc:
        return _review_error(exc)
    if reply["ok"]:
        sys.stderr.write(f"agenda: wrote {reply['file']} from issue #{reply['issue']}\n")
        return EXIT_OK
    sys.stderr.write(f"agenda: issue #{reply['issue']} has problems; nothing written. The answer is in "
                     f"{Path(args.reply) / 'reply.json'}\n")
    return EXIT_PROBLEMS


def run_issue_to_pr(args) -> int:
    from .contribute.issue_bot import BotError, publish

    try:
        done = publish(args.reply, Path(args.root))
    except BotError as exc:
        return _review_error(exc)
    sys.stderr.write(f"agenda: {done}\n")
    return EXIT_OK


def run_github_snapshot(args) -> int:
    from .contribute.github_snapshot import API_URL, run

    api_url = args.api_url or os.environ.get("GITHUB_API_URL") or API_URL
    return run(args.repo, args.out, api_url=api_url, token=os.environ.get("GITHUB_TOKEN") or None)


def main(argv=None) -> int:
    safe_streams()  # a character the terminal cannot show is escaped, never a traceback
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    root = getattr(args, "root", None)
    if root is not None and not Path(root).is_dir():  # every command works on a repository folder
        sys.stderr.write(f"agenda: error: {root!r} is not a folder\nTry 'agenda {args.command} --root PATH'.\n")
        return EXIT_ERROR
    try:
        check_text_arguments(args, PATH_OPTIONS)
        return args.run(args)
    except InputError as exc:  # input we cannot read: what and where, then a next step
        sys.stderr.write(f"agenda: error: {exc.message}\n" + (f"Try: {exc.hint}\n" if exc.hint else ""))
        return EXIT_ERROR
    except KeyboardInterrupt:
        return EXIT_ERROR
    except Exception as exc:  # a bug of ours: say so in one line, with a next step
        sys.stderr.write(f"agenda: internal error: {type(exc).__name__}: {exc}\n"
                         "This is a bug in agenda, not in your file; please report it.\n")
        return EXIT_ERROR


def run():
    """Console entry point. Exits without tearing down the interpreter's objects one by one,
    which takes a noticeable part of a check of thousands of proposals (as mypy does)."""
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader that went away (`agenda check | head`)
            code = code or EXIT_ERROR
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
