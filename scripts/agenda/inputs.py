"""What the command line reads from outside the repository, decoded without surprises.

Files and standard input given to `agenda from-issue` and `agenda new --description-file` are
read as bytes and decoded as UTF-8 here, whatever the machine's locale says, with a message
that names the first bad byte (a Latin-1 file must not end in a traceback, nor be read as
mojibake). Text options typed on the command line (a title, a summary…) must be valid UTF-8
too: the operating system hands Python undecodable bytes as lone surrogates, which could not
be written to a proposal. Paths may hold any bytes: they are names of files, not text to
publish. And the standard streams never fail on a character the terminal cannot show: it is
written as an escape instead (`PYTHONIOENCODING=ascii`, a Latin-1 locale).
"""

from __future__ import annotations

import re
import sys

from .check.load import MAX_BYTES
from .check.problems import show

MAX_INPUT = MAX_BYTES  # nothing longer can fit in a proposal file anyway
_SURROGATE = re.compile("[\ud800-\udfff]")


class InputError(Exception):
    """Input the command cannot use: a message naming it, and a next step."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message = message
        self.hint = hint


def safe_streams() -> None:
    """Never fail on output (unencodable characters are escaped); read standard input with
    its encoding, keeping bytes it cannot decode as lone surrogates, which are refused later
    with a message instead of an exception in the middle of a question."""
    for stream, errors in ((sys.stdout, "backslashreplace"), (sys.stderr, "backslashreplace"),
                           (sys.stdin, "surrogateescape")):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors=errors)
            except (ValueError, OSError):  # a closed or detached stream: nothing to protect
                pass


def read_utf8(name: str, what: str = "the file") -> str:
    """The text of file `name` (or standard input for "-"), which must be UTF-8 (a BOM is
    dropped) and at most MAX_INPUT bytes. Raises InputError, never UnicodeDecodeError."""
    label = "standard input" if name == "-" else show(name, 80)
    try:
        if name == "-":
            stream = getattr(sys.stdin, "buffer", None)
            raw = stream.read(MAX_INPUT + 1) if stream is not None else sys.stdin.read().encode("utf-8", "surrogateescape")
        else:
            with open(name, "rb") as fh:
                raw = fh.read(MAX_INPUT + 1)
    except OSError as exc:
        raise InputError(f"{label} cannot be read ({exc.strerror or exc})",
                         f"check the name of {what} and that you may read it") from None
    if len(raw) > MAX_INPUT:
        raise InputError(f"{label} is larger than {MAX_INPUT:,} bytes, the size limit of a proposal",
                         "shorten it, or link to a longer document")
    return decode_utf8(raw, label)


def decode_utf8(raw: bytes, label: str) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(f"{label} is not UTF-8 text: byte 0x{raw[exc.start]:02x} at line {line}, column {column}",
                         "save it again with the UTF-8 encoding (for example: iconv -f latin1 -t utf-8 FILE)") from None


# How `argparse` names the options whose destination differs from the option.
_OPTION_NAMES = {"format_id": "format", "themes": "theme", "languages": "language", "proposers": "proposer",
                 "links": "link"}


def check_text_arguments(args, paths=()) -> None:
    """Refuse a text option that holds bytes the locale could not decode (lone surrogates).
    Options named in `paths` are file or folder names and may hold any bytes."""
    for name, values in sorted(vars(args).items()):
        if name in paths:
            continue
        for value in values if isinstance(values, list) else [values]:
            match = _SURROGATE.search(value) if isinstance(value, str) else None
            if match is None:
                continue
            code = ord(match.group())
            byte = f" (byte 0x{code - 0xDC00:02x})" if 0xDC80 <= code <= 0xDCFF else ""
            option = "--" + _OPTION_NAMES.get(name, name).replace("_", "-")
            raise InputError(f"{option} is not valid UTF-8 text{byte}: {show(value, 60)}",
                             "type it again in a terminal that uses UTF-8, or put it in a UTF-8 file")
