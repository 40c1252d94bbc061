"""A stand-in for the GitHub CLI (`gh api` only) for the issue bot's dry runs: it records each
call (arguments, the JSON body read from standard input, whether a token was given) as one JSON
line in $FAKE_GH_LOG, and answers as GitHub would, from $FAKE_GH_ANSWERS when it names the
call ("METHOD path" -> {"code", "body"}), else with a plain success. Nothing leaves the machine.
"""

from __future__ import annotations

import json
import os
import sys

DEFAULTS = {
    "POST git/refs": {"code": 0, "body": {"ref": "refs/heads/branch", "object": {"type": "commit"}}},
    "PUT contents/": {"code": 0, "body": {"content": {"type": "file"}, "commit": {"sha": "0" * 40}}},
    "POST pulls": {"code": 0, "body": {"number": 44, "html_url": "https://github.com/example-org/agenda/pull/44"}},
    "POST issues/": {"code": 0, "body": {"id": 1}},
    "DELETE issues/": {"code": 0, "body": []},
    "GET pulls": {"code": 0, "body": []},
}


def main(argv) -> int:
    if argv[:1] != ["api"] or "--method" not in argv:
        sys.stderr.write(f"fake gh: only `gh api --method …` is expected, not {argv!r}\n")
        return 2
    method = argv[argv.index("--method") + 1]
    target = next(a for a in argv[1:] if a.startswith("repos/"))
    path = target.split("/", 3)[3]  # repos/OWNER/NAME/<path>
    body = sys.stdin.read() if "--input" in argv else None
    with open(os.environ["FAKE_GH_LOG"], "a", encoding="utf-8") as log:
        log.write(json.dumps({"argv": argv, "method": method, "repo": "/".join(target.split("/")[1:3]),
                              "path": path, "body": json.loads(body) if body else None,
                              "token": bool(os.environ.get("GH_TOKEN"))}) + "\n")
    answers = dict(DEFAULTS)
    if os.environ.get("FAKE_GH_ANSWERS"):
        with open(os.environ["FAKE_GH_ANSWERS"], encoding="utf-8") as fh:
            answers.update(json.load(fh))
    key = next((k for k in sorted(answers, key=len, reverse=True) if f"{method} {path}".startswith(k)), None)
    answer = answers.get(key, {"code": 0, "body": {}})
    sys.stdout.write(json.dumps(answer["body"]))
    if answer["code"]:
        sys.stderr.write(f"gh: {answer['body'].get('message', 'error')} (HTTP 422)\n")
    return answer["code"]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
