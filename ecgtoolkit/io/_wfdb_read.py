"""Reading WFDB records: one file set, or a multi-segment record of either layout.

The header is parsed and checked here (:mod:`._wfdb_header`); ``wfdb`` only decodes the
samples of the channels kept, one segment at a time, and every exception it raises
becomes an error that names the record and says what to do.

Multi-segment records (WFDB header(5), "multi-segment records") are assembled segment by
segment: in a *fixed* layout every segment holds the same signals in the same order; in
a *variable* layout (MIMIC's) a first segment of 0 samples (``*_layout``) lists every
signal, each segment holds some of them under the same names, with gains of its own,
and ``~`` marks a gap. The record holds the union of the signals, NaN where a segment
lacks one and over gaps, each segment converted to mV with its own gain and baseline.

Frames (``16x4``: 4 samples of that signal per frame) are read at the signal's own rate,
``fs × samples per frame``, when every lead read has the same number per frame; when
they differ, every lead is averaged to one sample per frame (as ``wfdb`` and WFDB's
``rdsamp`` do by default) and a warning says which leads to ask for to keep the full rate.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..core.ecg import ECG
from ..core.units import unit_factor
from ._channels import ecg_channels, is_voltage, no_ecg_error, warn_dropped
from ._files import check_given, file_fs, given_fs, lead_rows, unique_names
from ._wfdb_header import RATE_HINT, Header, Segment, parse_header, record_line_at

# The sample value that marks "no sample" in each storage format (WFDB signal(5));
# format 8 stores differences and has none.
INVALID = {16: -(2**15), 61: -(2**15), 160: -(2**15), 516: -(2**15), 24: -(2**23),
           524: -(2**23), 32: -(2**31), 80: -(2**7), 508: -(2**7), 212: -(2**11),
           310: -(2**9), 311: -(2**9)}  # fmt: skip


@dataclass(frozen=True)
class _Part:
    """One segment to read: its header (None for a gap), its length in frames, its start."""

    header: Header | None
    n_frames: int
    start: int


@dataclass(frozen=True)
class _Layout:
    """The header that lists a record's signals, and the segments that hold them."""

    header: Header
    parts: list[_Part]
    variable: bool  # a variable layout: channels matched by name


def read(
    stem: Path, fs: float | None, leads: Sequence[str] | None, adc_gain: float | None = None
) -> ECG:
    """Read a WFDB record (single- or multi-segment) as an ECG in mV."""
    what = f"WFDB record {stem.name!r}"
    header = parse_header(stem.with_name(stem.name + ".hea"))
    if header.n_samples == 0:
        raise ValueError(
            f"{what}: its header {header.path.name!r} states 0 samples "
            f"({header.record_line!r}); there is no ECG to read"
        )
    if header.segments is None:
        layout = _Layout(header, [_Part(header, header.n_samples or 0, 0)], variable=False)
    else:
        layout = _layout(stem, header, header.segments)
    raw = [s.description for s in layout.header.signals]
    keep, dropped = ecg_channels(raw, [s.units for s in layout.header.signals])
    if not keep:
        raise no_ecg_error(what, raw, dropped)
    warn_dropped(what, dropped, stacklevel=3)
    names, renamed = unique_names([raw[c] for c in keep])
    if renamed:
        warnings.warn(
            f"{what}: repeated channel names {', '.join(renamed)} were numbered to keep them apart",
            UserWarning,
            stacklevel=3,
        )
    rows = lead_rows(names, leads, stem)
    channels = [keep[r] for r in rows]
    names = [names[r] for r in rows]
    spf = _samples_per_frame(what, layout, channels, names)
    frame_rate = _frame_rate(what, header, fs)
    if spf is not None and spf > 1:
        where = f"{frame_rate:g} frames per second × {spf} samples per frame"
        rate = file_fs(frame_rate * spf, header.path, where, RATE_HINT)
    elif header.fs is not None:
        rate = file_fs(header.fs_text, header.path, record_line_at(header.record_line), RATE_HINT)
    else:
        rate = frame_rate  # fs= (checked by read()) or WFDB's default
    if header.fs is not None:
        check_given("fs", given_fs(fs), rate, stem)
    if header.segments is None:
        signal = _single(what, header, channels, spf, adc_gain)
    else:
        signal = _segments(what, layout, channels, spf, adc_gain)
    meta = {
        "record_name": stem.name,
        "comments": list(header.comments),
        "dropped_channels": dropped,
    }
    return ECG(signal, fs=rate, leads=names, meta=meta)


def _frame_rate(what: str, header: Header, fs: float | None) -> float:
    """The header's frames per second; if it states none, ``fs=`` or WFDB's 250 Hz."""
    if header.fs is None and fs is None:
        warnings.warn(
            f"{what}: the header states no sampling frequency; read at the WFDB default of "
            "250 Hz. If that is wrong, pass fs= (the rate in Hz)",
            UserWarning,
            stacklevel=4,
        )
    return header.frame_rate(fs)


def _single(
    what: str, header: Header, channels: list[int], spf: int | None, adc_gain: float | None
) -> np.ndarray:
    """The channels of a single-segment record in mV ``(n_channels, n_samples)``."""
    digital, gains, baselines = _decode(what, header, channels, spf)
    if adc_gain is None and len(channels) >= 3:
        span = np.ptp(digital, axis=1)
        if np.allclose(gains, span, atol=1.0):
            warnings.warn(
                f"{what}: every lead's gain equals its own digital range, so each lead was "
                "normalised to span 1 unit on its own (as in LUDB 1.0.1): amplitudes, axes "
                "and lead relationships are not physical. If the digital values share one "
                "unit, read with adc_gain (LUDB: adc_gain=1000)",
                UserWarning,
                stacklevel=4,
            )
    return _physical(digital, gains, baselines, header, channels, adc_gain)


def _physical(
    digital: np.ndarray,
    gains: np.ndarray,
    baselines: np.ndarray,
    header: Header,
    channels: list[int],
    adc_gain: float | None,
) -> np.ndarray:
    """Digital samples (NaN for invalid) in mV, in place."""
    if adc_gain is not None:
        gains, factors = np.full(len(channels), float(adc_gain)), np.ones(len(channels))
    else:
        units = [header.signals[c].units or "mV" for c in channels]
        factors = np.array([unit_factor(u) for u in units])
    digital -= baselines[:, None]
    digital /= gains[:, None]  # divided, as wfdb does: the same values to the last bit
    if np.any(factors != 1.0):
        digital *= factors[:, None]
    return digital


def _decode(
    what: str, header: Header, channels: list[int], spf: int | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Digital samples as float (NaN for invalid), gains and baselines of ``channels``.

    ``spf`` None averages every channel to one sample per frame.
    """
    import wfdb

    folder = header.path.parent
    for name in dict.fromkeys(header.signals[c].file_name for c in channels):
        if not (folder / name).is_file():
            raise FileNotFoundError(
                f"{what}: signal file {name!r}, named by {header.path.name!r}, not found in "
                f"{str(folder)!r}; a record's signal files must lie next to its header"
            )
    order = sorted(set(channels))
    framed = any(header.signals[c].samples_per_frame > 1 for c in order)
    if framed and any(header.signals[c].fmt == 61 for c in order):
        # wfdb 4 fails on the big-endian samples of format 61 when it expands frames.
        raise ValueError(
            f"{what}: {header.path.name!r} stores signals of format 61 with several samples "
            "per frame, which the wfdb package cannot decode; convert the record to format "
            "16 (WFDB's xform) or read other leads (leads=[...])"
        )
    try:
        record = wfdb.rdrecord(
            str(header.path.with_suffix("")),
            physical=False,
            channels=order,
            smooth_frames=not framed,
        )
    except MemoryError:
        raise
    except Exception as err:  # whatever wfdb raises on a file it cannot decode
        raise ValueError(
            f"{what}: the signal file of {header.path.name!r} does not match its header (a "
            f"truncated or damaged .dat file?): restore it from its source. wfdb said: "
            f"{type(err).__name__}: {err}"
        ) from err
    rows = []
    for channel in channels:
        column = order.index(channel)
        expanded = record.e_d_signal[column] if framed else record.d_signal[:, column]
        samples = np.asarray(expanded, dtype=np.float64)
        invalid = INVALID.get(header.signals[channel].fmt)
        if invalid is not None:
            samples[samples == invalid] = np.nan
        per_frame = header.signals[channel].samples_per_frame
        if spf is None and per_frame > 1:
            samples = samples[: samples.size - samples.size % per_frame]
            samples = samples.reshape(-1, per_frame).mean(axis=1)
        rows.append(samples)
    lengths = {row.size for row in rows}
    if len(lengths) > 1:
        raise ValueError(
            f"{what}: the signals of {header.path.name!r} differ in length; the signal file "
            "is truncated or damaged: restore it from its source"
        )
    digital = np.stack(rows) if rows else np.empty((0, 0))
    gains = np.asarray(record.adc_gain, dtype=np.float64)[[order.index(c) for c in channels]]
    baselines = np.asarray(record.baseline, dtype=np.float64)[[order.index(c) for c in channels]]
    if not np.all(np.isfinite(gains) & (gains != 0)):
        raise ValueError(f"{what}: {header.path.name!r} states a gain of 0 or not a number")
    return digital, gains, baselines


def _samples_per_frame(
    what: str, layout: _Layout, channels: list[int], names: list[str]
) -> int | None:
    """The samples per frame shared by the channels read, or None (warned) if they differ."""
    per_channel: dict[str, set[int]] = {name: set() for name in names}
    for part in layout.parts:
        if part.header is None:
            continue
        matched = _matching(what, layout, part.header, channels)
        for name, channel in zip(names, matched, strict=True):
            if channel is not None:
                per_channel[name].add(part.header.signals[channel].samples_per_frame)
    found = set().union(*per_channel.values())
    if len(found) <= 1:
        return found.pop() if found else 1
    rates = ", ".join(f"{n}: {'/'.join(map(str, sorted(s)))}" for n, s in per_channel.items())
    warnings.warn(
        f"{what}: the leads have different numbers of samples per frame ({rates}); every "
        "lead was averaged to one sample per frame. Read leads of one rate (leads=[...]) "
        "to keep their full rate",
        UserWarning,
        stacklevel=4,
    )
    return None


# -- multi-segment records ---------------------------------------------------------------
def _layout(stem: Path, header: Header, segments: tuple[Segment, ...]) -> _Layout:
    """The header that lists a multi-segment record's signals, and its segments."""
    folder = stem.parent
    what = f"WFDB record {stem.name!r}"
    parts: list[_Part] = []
    start = 0
    variable = segments[0].n_samples == 0 and segments[0].name != "~"
    for segment in segments[1:] if variable else segments:
        part = None
        if segment.name != "~":
            part = parse_header(folder / f"{segment.name}.hea", of=what)
            if part.segments is not None:
                raise ValueError(
                    f"{what}: its segment {segment.name!r} is itself a multi-segment record; "
                    "nested multi-segment records are not WFDB records"
                )
            if part.fs is not None and header.fs is not None and part.fs != header.fs:
                raise ValueError(
                    f"{what}: segment {segment.name!r} is sampled at {part.fs:g} Hz but the "
                    f"record at {header.fs:g} Hz; the segments of a record share one rate"
                )
        parts.append(_Part(part, segment.n_samples, start))
        start += segment.n_samples
    if header.n_samples is not None and start != header.n_samples:
        raise ValueError(
            f"{what}: its segments hold {start} samples but its record line states "
            f"{header.n_samples}; the header is damaged: restore it from its source"
        )
    if variable:
        layout = parse_header(folder / f"{segments[0].name}.hea", of=what)
    else:
        present = [part.header for part in parts if part.header is not None]
        if not present:
            raise ValueError(f"{what}: every segment is a gap ('~'); there is no signal")
        layout = present[0]
    if layout.n_signals != header.n_signals:
        raise ValueError(
            f"{what}: its record line states {header.n_signals} signals but its "
            f"{'layout' if variable else 'first'} segment {layout.path.stem!r} has "
            f"{layout.n_signals}; the header is damaged: restore it from its source"
        )
    return _Layout(layout, parts, variable)


def _matching(what: str, layout: _Layout, segment: Header, channels: list[int]) -> list[int | None]:
    """Each layout channel's index in ``segment`` (None where the segment lacks it).

    In a fixed layout every segment holds the layout's signals in its order; in a
    variable layout the channels are matched by name (the k-th of a repeated name to the
    k-th).
    """
    if segment is layout.header:
        return list(channels)
    if not layout.variable:
        if segment.n_signals != layout.header.n_signals:
            raise ValueError(
                f"{what}: segment {segment.path.stem!r} has {segment.n_signals} signals but "
                f"the first has {layout.header.n_signals}; in a fixed-layout record every "
                "segment holds the same signals"
            )
        return list(channels)
    keys = _occurrences([s.description for s in segment.signals])
    wanted = _occurrences([s.description for s in layout.header.signals])
    return [keys.index(wanted[c]) if wanted[c] in keys else None for c in channels]


def _occurrences(names: list[str]) -> list[tuple[str, int]]:
    seen: dict[str, int] = {}
    keys = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        keys.append((name, seen[name]))
    return keys


def _segments(
    what: str, layout: _Layout, channels: list[int], spf: int | None, adc_gain: float | None
) -> np.ndarray:
    """The channels of a multi-segment record in mV, NaN where a segment lacks one."""
    per_frame = spf or 1
    total = sum(part.n_frames for part in layout.parts)
    signal = np.full((len(channels), total * per_frame), np.nan)
    for part in layout.parts:
        if part.header is None or part.n_frames == 0:
            continue
        matched = _matching(what, layout, part.header, channels)
        present = [i for i, c in enumerate(matched) if c is not None]
        columns = [c for c in matched if c is not None]
        if not columns:
            continue
        for c in columns:
            units = part.header.signals[c].units
            if adc_gain is None and not is_voltage(units):
                raise ValueError(
                    f"{what}: segment {part.header.path.stem!r} stores "
                    f"{part.header.signals[c].description} in {units!r}, not a voltage; "
                    "the segment's header is damaged"
                )
        digital, gains, baselines = _decode(what, part.header, columns, spf)
        values = _physical(digital, gains, baselines, part.header, columns, adc_gain)
        expected = part.n_frames * per_frame
        if values.shape[1] != expected:
            raise ValueError(
                f"{what}: segment {part.header.path.stem!r} holds {values.shape[1] // per_frame} "
                f"samples but the record's header gives it {part.n_frames}; the record is "
                "damaged or incomplete: restore it from its source"
            )
        start = part.start * per_frame
        signal[present, start : start + expected] = values
    return signal
