"""WFDB headers (``.hea``), parsed and checked before any sample is read.

The ``wfdb`` package reads a header with regular expressions that take what they can
and fill in the rest: a sampling rate of ``-1``, ``nan`` or ``abc`` becomes its default
250 Hz, ``1e9`` becomes 1 Hz, a unit it cannot spell becomes mV, and an empty header
fails with an ``IndexError``. Here the header is read as the WFDB specification writes
it (Moody G.B., *WFDB Applications Guide*, header(5): https://physionet.org/physiotools/
wag/header-5.htm), and every field that the reader relies on is checked, with an error
that names the file, the line and what is wrong; ``wfdb`` decodes the samples only.

A record line without a sampling frequency is valid: the specification gives such a
record 250 Hz, and so does the reader (with a warning, unless ``fs=`` is given).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from ._files import file_fs

#: The sampling frequency of a record whose header states none (WFDB header(5)).
DEFAULT_FS = 250.0

#: The storage formats of WFDB signal files (WFDB signal(5)); 0 is a null signal, as in
#: the layout segment of a variable-layout record.
FORMATS = frozenset({0, 8, 16, 24, 32, 61, 80, 160, 212, 310, 311, 508, 516, 524})

_RECORD_NAME = re.compile(r"(?P<name>[-\w]+)(?:/(?P<n_segments>\S*))?$", re.ASCII)
_FORMAT = re.compile(r"(?P<fmt>\d+)(?:x(?P<spf>\d+))?(?::(?P<skew>\d+))?(?:\+(?P<offset>\d+))?$")
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_GAIN = re.compile(rf"(?P<gain>{_NUMBER})(?:\((?P<baseline>[-+]?\d+)\))?(?:/(?P<units>.*))?$")
_SHOWN = 80  # characters of a line quoted in an error

#: What to do about a wrong sampling frequency in a header.
RATE_HINT = (
    "Write the true rate into the record line's third field (frames per second): the "
    "header is damaged, or was written by a tool that got the rate wrong"
)


@dataclass(frozen=True)
class Signal:
    """One signal line: what the reader needs of it."""

    file_name: str
    fmt: int
    samples_per_frame: int
    units: str | None  # None: not stated (WFDB: mV)
    description: str


@dataclass(frozen=True)
class Segment:
    """One segment line of a multi-segment record; ``name`` is ``"~"`` for a gap."""

    name: str
    n_samples: int


@dataclass(frozen=True)
class Header:
    """A parsed header: the record line's fields, the signals or the segments, comments."""

    path: Path
    record_line: str
    n_signals: int
    fs: float | None  # None: not stated
    fs_text: str  # the sampling frequency as the record line writes it ("" if not)
    n_samples: int | None  # None: not stated (the signal file's length says)
    signals: tuple[Signal, ...]
    segments: tuple[Segment, ...] | None  # None: a single-segment record
    comments: tuple[str, ...]

    def frame_rate(self, given_fs: float | None) -> float:
        """The frames per second: stated, else ``given_fs``, else :data:`DEFAULT_FS`."""
        if self.fs is not None:
            return self.fs
        return DEFAULT_FS if given_fs is None else given_fs


def parse_header(path: Path, of: str = "") -> Header:
    """Parse and check a WFDB header; ``ValueError`` naming the file and the fault.

    ``of`` names the record a segment's header belongs to, for the error if it is absent.
    """
    if not path.is_file():
        raise FileNotFoundError(
            f"{of}: the header of its segment {path.stem!r} ({str(path)!r}) is not found; "
            "a multi-segment record needs every segment next to its header"
            if of
            else f"WFDB header {str(path)!r} not found"
        )
    text = path.read_bytes().decode("utf-8", errors="replace")
    lines: list[str] = []
    comments: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            comments.append(stripped.strip(" \t#"))
        elif stripped:
            lines.append(stripped)
    if not lines:
        raise ValueError(
            f"WFDB header {path.name!r} holds {'only comments' if comments else 'nothing'}, "
            "no record line; a header starts with "
            "'RECORD_NAME N_SIGNALS FS N_SAMPLES' (e.g. '100 2 360 650000') followed by "
            "one line per signal: the file is empty or damaged, restore it from its source"
        )
    record_line, rest = lines[0], lines[1:]
    fields = record_line.split()
    name = _RECORD_NAME.match(fields[0])
    if name is None or len(fields) < 2:
        _bad_record_line(path, record_line, "it does not start with a record name and a count")
    n_signals = _count(fields[1], "number of signals", path, record_line)
    # FS[/COUNTER_FREQUENCY[(BASE_COUNTER)]]: the frames per second come first.
    fs_text = re.split(r"[/(]", fields[2])[0] if len(fields) > 2 else ""
    fs = _frequency(fs_text, path, record_line) if len(fields) > 2 else None
    n_samples = None
    if len(fields) > 3:
        n_samples = _count(fields[3], "number of samples", path, record_line)
    if name["n_segments"] is not None:
        n_segments = _count(name["n_segments"], "number of segments", path, record_line)
        if n_segments == 0:
            _bad_record_line(path, record_line, "it states 0 segments")
        lines = _expect(rest, n_segments, "segment", path)
        segments = tuple(_segment(line, path) for line in lines)
        return Header(
            path, record_line, n_signals, fs, fs_text, n_samples, (), segments, tuple(comments)
        )
    if n_signals == 0:
        raise ValueError(
            f"WFDB header {path.name!r} states 0 signals ({_quote(record_line)}): the record "
            "holds no samples (annotations only?); there is no ECG to read"
        )
    signals = tuple(_signal(line, path) for line in _expect(rest, n_signals, "signal", path))
    return Header(
        path, record_line, n_signals, fs, fs_text, n_samples, signals, None, tuple(comments)
    )


def _quote(line: str) -> str:
    return repr(line if len(line) <= _SHOWN else line[: _SHOWN - 3] + "...")


def _bad_record_line(path: Path, line: str, problem: str) -> NoReturn:
    raise ValueError(
        f"WFDB header {path.name!r}: the record line {_quote(line)} cannot be read: {problem}. "
        "It must read 'RECORD_NAME[/N_SEGMENTS] N_SIGNALS [FS [N_SAMPLES ...]]'; the file "
        "is damaged or not a WFDB header"
    )


def _count(token: str, what: str, path: Path, line: str) -> int:
    if not token.isdigit():
        _bad_record_line(path, line, f"the {what} {token!r} is not a whole number")
    return int(token)


def _frequency(text: str, path: Path, line: str) -> float:
    """The sampling frequency from the record line's third field, up to a ``/`` or ``(``."""
    return file_fs(text, path, record_line_at(line), RATE_HINT, in_range=False)


def record_line_at(line: str) -> str:
    """Where a value of the record line is, for an error message."""
    return f"the record line {_quote(line)}"


def _expect(lines: list[str], count: int, kind: str, path: Path) -> list[str]:
    if len(lines) != count:
        raise ValueError(
            f"WFDB header {path.name!r} states {_plural(count, kind)} but has "
            f"{_plural(len(lines), kind + ' line')}; the header is truncated or damaged: "
            "restore it from its source"
        )
    return lines


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _segment(line: str, path: Path) -> Segment:
    fields = line.split()
    if len(fields) < 2 or not fields[1].isdigit():
        raise ValueError(
            f"WFDB header {path.name!r}: the segment line {_quote(line)} should read "
            "'SEGMENT_NAME N_SAMPLES' (or '~ N_SAMPLES' for a gap); the header is damaged"
        )
    return Segment(fields[0], int(fields[1]))


def _signal(line: str, path: Path) -> Signal:
    fields = line.split(maxsplit=8)
    fmt = _FORMAT.match(fields[1]) if len(fields) > 1 else None
    problem = None
    if fmt is None:
        problem = "its second field, the storage format, is missing or unreadable"
    elif int(fmt["fmt"]) not in FORMATS:
        known = ", ".join(map(str, sorted(FORMATS)))
        problem = f"{fmt['fmt']} is not a WFDB storage format ({known})"
    elif fmt["spf"] is not None and int(fmt["spf"]) < 1:
        problem = "it states 0 samples per frame"
    gain = _GAIN.match(fields[2]) if len(fields) > 2 else None
    if problem is None and len(fields) > 2 and gain is None:
        problem = f"its gain field {fields[2]!r} is not 'GAIN[(BASELINE)][/UNITS]'"
    if problem is not None or fmt is None:
        raise ValueError(
            f"WFDB header {path.name!r}: the signal line {_quote(line)} cannot be read: "
            f"{problem}; the header is damaged: restore it from its source"
        )
    units = gain["units"] if gain is not None and gain["units"] else None
    return Signal(
        file_name=fields[0],
        fmt=int(fmt["fmt"]),
        samples_per_frame=int(fmt["spf"] or 1),
        units=units.strip() if units else None,
        description=fields[8].strip() if len(fields) > 8 else "",
    )
