"""Global ECG measurements: rate, intervals, QTc, axes and per-lead amplitudes."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pandas as pd

from ._dsp import highpass, nan_median, record_problem, validate_record
from .delineation import MedianBeat, delineate_signal, median_beat
from .ecg import ECG
from .quality import assess

__all__ = [
    "measure",
    "measure_leads",
    "amplitudes",
    "GLOBAL_COLUMNS",
    "PHYSIOLOGY_COLUMNS",
    "BEAT_LEADS",
    "LEAD_COLUMNS",
    "AMPLITUDE_WAVES",
]

#: Record-level columns of :func:`measure`, in order (per-lead amplitudes follow).
GLOBAL_COLUMNS: tuple[str, ...] = (
    "heart_rate", "rr_mean_ms", "rr_sd_ms", "n_beats", "rr_range_ms", "rr_irregularity",
    "p_wave_share", "pr_variability_ms", "pr_ms", "qrs_ms", "qt_ms",
    "qtc_bazett_ms", "qtc_fridericia_ms", "qtc_framingham_ms", "qtc_hodges_ms",
    "p_axis_deg", "qrs_axis_deg", "t_axis_deg",
)  # fmt: skip

#: Columns that ``measure(..., physiology=True)`` adds after :data:`GLOBAL_COLUMNS`.
PHYSIOLOGY_COLUMNS: tuple[str, ...] = (
    "rmssd_ms", "sdnn_ms", "pnn50", "morphology_corr", "dipole_share",
)  # fmt: skip

#: Leads, sampling rate (Hz) and window around the R peak (s) of the median beats that
#: ``measure(..., return_beats=True)`` returns.
BEAT_LEADS: tuple[str, ...] = ("I", "II", "V1", "V2", "V3", "V4", "V5", "V6")
BEAT_FS = 250.0
BEAT_WINDOW_S: tuple[float, float] = (-0.3, 0.6)

#: Columns of :func:`measure_leads` after ``record`` (batches) and ``lead``.
LEAD_COLUMNS: tuple[str, ...] = ("usable", "p_ms", "pr_ms", "qrs_ms", "qt_ms")

#: Waves whose amplitude is reported per lead, as ``{wave}_amp_mv_{lead}``.
AMPLITUDE_WAVES: tuple[str, ...] = ("p", "q", "r", "s", "t", "st60")

#: A lead's mark on the median beat is trusted for the global intervals when the lead
#: has it in at least this share of the beats ...
TRUSTED_SHARE = 0.5
#: ... placed consistently: interquartile range over the beats at most this (s).
TRUSTED_SPREAD_S = 0.02
#: With three or more trusted leads, the earliest onset (latest offset) counts only when
#: another lead's mark lies within this (s): one lead's outlier does not set it.
CONFIRM_S = 0.010
# Records of at least this many: a batch runs in worker processes as well.
_PARALLEL_FROM = 48
_CHUNK = 8  # records per task sent to a worker


def measure(
    ecg: ECG,
    *,
    n_jobs: int | None = None,
    progress: bool = True,
    physiology: bool = False,
    return_beats: bool = False,
) -> pd.Series | pd.DataFrame | tuple[pd.Series | pd.DataFrame, np.ndarray]:
    """Measure heart rate, global intervals, QTc, axes and amplitudes.

    How. The leads that carry a usable ECG are found first
    (:func:`ecgtoolkit.signal_quality`); the others are left out of everything below
    and listed in ``unusable_leads``. R peaks are detected on the usable leads together
    and every beat is delineated (:func:`ecgtoolkit.delineate`). Heart rate and RR come
    from the intervals between consecutive detected beats (complete RR intervals:
    partial complexes at the record's edges are not beats). The representative beat is
    the median, sample by sample, of the beats whose QRS matches the dominant
    morphology (correlation > 0.9), as 12SL-style programs do; its marks in each lead
    are the median over those beats of the lead's own marks.

    Global intervals follow the definition for simultaneous 12-lead measurement (IEC
    60601-2-25; CSE Working Party 1985, doi:10.1093/oxfordjournals.eurheartj.a061760):
    the earliest P and QRS onset and the latest QRS and T offset over the leads whose
    marks are trustworthy (found in at least half of the beats, interquartile range over
    the beats at most 20 ms); with three or more such leads the extreme must be
    confirmed by a second lead within 10 ms. No constant is added. A wave found in
    fewer than a third of the usable leads counts as absent. PR = QRS onset − P onset,
    QRS = QRS offset − QRS onset, QT = T offset − QRS onset. With one lead these are
    that lead's intervals; :func:`measure_leads` gives them for every lead.

    QT correction with RR = mean RR interval in seconds and HR in bpm:

    * Bazett (1920): QT / RR^(1/2) — Heart 7:353; reprint doi:10.1111/j.1542-474X.1997.tb00325.x
    * Fridericia (1920): QT / RR^(1/3) — reprint doi:10.1046/j.1542-474X.2003.08413.x
    * Framingham, Sagie et al. (1992): QT + 154 ms × (1 − RR) — doi:10.1016/0002-9149(92)90562-D
    * Hodges et al. (1983): QT + 1.75 ms × (HR − 60) — J Am Coll Cardiol 1:694 (abstract)

    Frontal axes (P, QRS, T) come from the net areas of the wave on the median beat
    in two usable limb leads (I and II, or any two of I, II, III, aVL, aVF converted by
    Einthoven's and Goldberger's laws): ``axis = atan2((2·II − I)/√3, I)`` in degrees,
    −180 to 180. Without two limb leads the axes are NaN and ``reason`` says so.

    Amplitudes per lead (mV, relative to the level just before QRS onset, on the
    median beat): ``p`` and ``t`` at their peaks (signed), ``q`` the most negative
    value before the R wave, ``r`` the most positive value in the QRS, ``s`` the most
    negative value after the R wave, ``st60`` the level 60 ms after the J point
    (QRS offset).

    Parameters
    ----------
    ecg : ECG
        One record, or a batch ``(n_records, n_leads, n_samples)``.
    n_jobs : int, optional
        CPU cores for a batch (default: all). A batch of fewer than 48 records, or
        ``n_jobs=1``, runs in this process on one core; a larger one also in
        ``n_jobs - 1`` worker processes of a reusable loky pool, which needs no
        ``if __name__ == "__main__":`` guard in scripts. The result does not depend
        on ``n_jobs``.
    progress : bool
        Show a tqdm progress bar (records per second, time left) for a batch.
    physiology : bool
        Also measure :data:`PHYSIOLOGY_COLUMNS` (after the global columns): heart-rate
        variability from the detected R peaks with NeuroKit2's ``hrv_time`` (Makowski
        et al. 2021, doi:10.3758/s13428-020-01516-y): ``rmssd_ms``, ``sdnn_ms``,
        ``pnn50`` (%); ``morphology_corr``, the median over the beats of each beat's
        correlation with the median beat (QRS–T, usable leads): beat-to-beat
        consistency; ``dipole_share``, the share of the median beat's variance in three
        principal components of the independent leads I, II, V1–V6 (at least four
        usable): how dipolar, i.e. physically consistent, the leads are (near 1 for a
        heart seen as one moving dipole; Dower's and Frank's lead theory).
    return_beats : bool
        Also return the median beats: ``(n_records, 8, n_times)`` (or ``(8, n_times)``
        for one record) in mV, leads :data:`BEAT_LEADS`, at :data:`BEAT_FS` Hz, from
        0.3 s before to 0.6 s after the R peak, relative to the level just before the
        QRS; NaN for a lead that is missing or unusable and for records not measured.

    Returns
    -------
    pandas.Series or pandas.DataFrame
        For one record a Series, for a batch a DataFrame with one row per record.
        Columns: :data:`GLOBAL_COLUMNS` (``heart_rate`` in bpm, ``*_ms`` in ms,
        ``*_deg`` in degrees; rhythm: ``rr_range_ms`` longest − shortest RR,
        ``rr_irregularity`` the RMS of successive RR differences over the mean RR
        (normalised RMSSD, Dash et al. 2009, doi:10.1007/s10439-009-9740-z; NaN with
        fewer than 3 RR intervals), ``p_wave_share`` the share of beats with a P wave
        found in at least a third of the usable leads, ``pr_variability_ms`` the
        interquartile range over those beats of their PR interval, which is small
        when the P waves conduct to the ventricles and large when "P waves" are
        fibrillation waves), then ``{wave}_amp_mv_{lead}`` for every wave in
        :data:`AMPLITUDE_WAVES` and lead, then ``unusable_leads`` (comma-separated
        names), ``status`` (``"ok"``; ``"unusable"`` when no lead carries a usable ECG
        or fewer than two beats are found: no values at all; ``"error"`` for a record
        of a batch that cannot be analysed) and ``reason`` (empty, or why values are
        NaN).

    Raises
    ------
    TypeError
        If ``ecg`` is not an :class:`~ecgtoolkit.ECG`.
    ValueError
        For one record shorter than 2 s or sampled below 100 Hz. In a batch such a
        record gets NaN values, ``status="error"`` and the reason instead.

    Examples
    --------
    >>> import numpy as np
    >>> import ecgtoolkit as et
    >>> fs = 500
    >>> t = np.arange(10 * fs) / fs
    >>> def wave(centre, width, height):
    ...     return height * np.exp(-0.5 * ((t - centre) / width) ** 2)
    >>> x = sum(wave(b - 0.16, 0.02, 0.15) + wave(b, 0.012, 1.2) + wave(b + 0.3, 0.04, 0.3)
    ...         for b in np.arange(0.6, 9.6, 0.8))
    >>> m = et.measure(et.ECG(np.stack([x, 0.5 * x]), fs=fs, leads=["I", "II"]))
    >>> round(m["heart_rate"])
    75
    >>> m["status"]
    'ok'
    >>> noise = np.random.default_rng(0).normal(0, 0.5, (2, t.size))
    >>> et.measure(et.ECG(noise, fs=fs, leads=["I", "II"]))["status"]
    'unusable'
    """
    if not isinstance(ecg, ECG):
        raise TypeError(
            f"expected an ecgtoolkit.ECG, got {type(ecg).__name__}; wrap arrays with "
            "ECG(signal, fs=..., leads=[...], units='mV')"
        )
    if not ecg.is_batch:
        x, fs, leads = validate_record(ecg)
        row, _ = _measure_record(x, fs, leads, physiology)
        beat = row.pop("_beat")
        series = pd.Series(row, name=ecg.meta.get("record_name"))[_columns(leads, physiology)]
        return (series, beat) if return_beats else series
    rows, _ = _measure_batch(ecg, n_jobs=n_jobs, progress=progress, physiology=physiology)
    beats = np.stack([row.pop("_beat") for row in rows])
    table = pd.DataFrame(rows, columns=_columns(ecg.leads, physiology))
    table.index.name = "record"
    return (table, beats) if return_beats else table


def measure_leads(ecg: ECG, *, n_jobs: int | None = None, progress: bool = True) -> pd.DataFrame:
    """Intervals of every lead on its own: P duration, PR, QRS and QT per lead.

    The same analysis as :func:`measure`, reported per lead from that lead's marks on
    the median beat (the median over the beats of the lead's onsets and offsets), for
    users who measure one lead, or compare leads.

    Parameters
    ----------
    ecg : ECG
        One record or a batch.
    n_jobs, progress
        As for :func:`measure`.

    Returns
    -------
    pandas.DataFrame
        One row per lead (record and lead for a batch, with a ``record`` column):
        ``lead``, ``usable`` (see :func:`ecgtoolkit.signal_quality`), ``p_ms`` (P wave
        duration), ``pr_ms``, ``qrs_ms`` and ``qt_ms`` in ms, NaN where the lead lacks
        the wave or is unusable.

    Examples
    --------
    >>> import numpy as np
    >>> import ecgtoolkit as et
    >>> fs = 500
    >>> t = np.arange(10 * fs) / fs
    >>> x = sum(1.2 * np.exp(-0.5 * ((t - b) / 0.012) ** 2) for b in np.arange(0.6, 9.6, 0.8))
    >>> table = et.measure_leads(et.ECG(np.stack([x, -x]), fs=fs, leads=["V1", "V2"]))
    >>> table.columns.tolist()
    ['lead', 'usable', 'p_ms', 'pr_ms', 'qrs_ms', 'qt_ms']
    """
    if not isinstance(ecg, ECG):
        raise TypeError(f"expected an ecgtoolkit.ECG, got {type(ecg).__name__}")
    if not ecg.is_batch:
        x, fs, leads = validate_record(ecg)
        _, per_lead = _measure_record(x, fs, leads)
        return pd.DataFrame(per_lead, columns=["lead", *LEAD_COLUMNS])
    _, per_lead = _measure_batch(ecg, n_jobs=n_jobs, progress=progress)
    frames = []
    for i, rows in enumerate(per_lead):
        frame = pd.DataFrame(rows, columns=["lead", *LEAD_COLUMNS])
        frame.insert(0, "record", i)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def amplitudes(measurements: pd.Series | pd.DataFrame) -> pd.DataFrame:
    """Per-lead amplitudes of :func:`measure`'s result as a tidy (long) table.

    :func:`measure` gives one row per record, with one column per wave and lead
    (``r_amp_mv_V2``); this reshapes those columns to one row per record, lead and
    wave, the form that ``groupby``, seaborn and statistics want.

    Parameters
    ----------
    measurements : pandas.Series or pandas.DataFrame
        The result of :func:`measure` for one record or a batch.

    Returns
    -------
    pandas.DataFrame
        Columns ``record`` (the Series name or the batch's index), ``lead`` (in the
        ECG's order), ``wave`` (one of :data:`AMPLITUDE_WAVES`: ``p``, ``q``, ``r``,
        ``s``, ``t``, ``st60``) and ``amplitude_mv`` (mV; NaN where not measured).

    Raises
    ------
    ValueError
        If there are no amplitude columns (``{wave}_amp_mv_{lead}``).

    Examples
    --------
    >>> import numpy as np
    >>> from ecgtoolkit.ecg import ECG
    >>> from ecgtoolkit.measurement import amplitudes, measure
    >>> fs = 500
    >>> t = np.arange(10 * fs) / fs
    >>> x = sum(1.2 * np.exp(-0.5 * ((t - b) / 0.012) ** 2) for b in np.arange(0.6, 9.6, 0.8))
    >>> table = amplitudes(measure(ECG(np.stack([x, 0.5 * x]), fs=fs, leads=["I", "II"])))
    >>> table.columns.tolist()
    ['record', 'lead', 'wave', 'amplitude_mv']
    >>> r = table[table.wave == "r"].set_index("lead").amplitude_mv
    >>> bool(abs(r["I"] - 1.2) < 0.1 and abs(r["II"] - 0.6) < 0.05)
    True
    """
    frame = measurements.to_frame().T if isinstance(measurements, pd.Series) else measurements
    columns = [c for c in frame.columns if isinstance(c, str) and "_amp_mv_" in c]
    if not columns:
        raise ValueError(
            "no amplitude columns ({wave}_amp_mv_{lead}) found: pass the result of "
            "ecgtoolkit.measure"
        )
    wave, lead = zip(*(c.split("_amp_mv_", 1) for c in columns), strict=True)
    lead_order = list(dict.fromkeys(lead))
    records = frame.index.to_numpy()
    n = len(records)
    table = pd.DataFrame(
        {
            "record": np.repeat(records, len(columns)),
            "lead": np.tile(np.array(lead, dtype=object), n),
            "wave": np.tile(np.array(wave, dtype=object), n),
            "amplitude_mv": frame[columns].to_numpy(dtype=np.float64).reshape(-1),
        }
    )
    table["lead"] = pd.Categorical(table["lead"], categories=lead_order, ordered=True)
    table["wave"] = pd.Categorical(table["wave"], categories=list(AMPLITUDE_WAVES), ordered=True)
    table = table.sort_values(["record", "lead", "wave"], kind="stable", ignore_index=True)
    table["lead"] = table["lead"].astype(object)
    table["wave"] = table["wave"].astype(object)
    return table


def _columns(leads: tuple[str, ...], physiology: bool = False) -> list[str]:
    amps = [f"{w}_amp_mv_{lead}" for w in AMPLITUDE_WAVES for lead in leads]
    extra = PHYSIOLOGY_COLUMNS if physiology else ()
    return [*GLOBAL_COLUMNS, *extra, *amps, "unusable_leads", "status", "reason"]


def _beat_times() -> np.ndarray:
    """Times (s, relative to the R peak) of the returned median beats' samples."""
    start, stop = BEAT_WINDOW_S
    return start + np.arange(int(round((stop - start) * BEAT_FS))) / BEAT_FS


Result = tuple[dict[str, Any], list[dict[str, Any]]]


def _empty(
    leads: tuple[str, ...], status: str, reason: str, usable: np.ndarray | None = None
) -> Result:
    """A row without values, and per-lead rows without intervals.

    ``usable``: the leads' quality verdicts, None where the record was not judged.
    """
    judged = usable is not None
    usable = usable if judged else np.zeros(len(leads), dtype=bool)
    row: dict[str, Any] = dict.fromkeys(_columns(leads, physiology=True), np.nan)
    row["_beat"] = np.full((len(BEAT_LEADS), _beat_times().size), np.nan, dtype=np.float32)
    unusable = ", ".join(n for n, ok in zip(leads, usable, strict=True) if judged and not ok)
    row.update(status=status, reason=reason, unusable_leads=unusable)
    per_lead = [
        {"lead": lead, "usable": bool(ok), **dict.fromkeys(LEAD_COLUMNS[1:], np.nan)}
        for lead, ok in zip(leads, usable, strict=True)
    ]
    return row, per_lead


def _safe_record(
    x: np.ndarray, fs: float, leads: tuple[str, ...], physiology: bool = False
) -> Result:
    """Measure one record of a batch; any problem becomes a reason, never an exception."""
    x = np.asarray(x, dtype=np.float64)
    problem = record_problem(x.shape[-1], fs)
    if problem is not None:
        return _empty(leads, "error", problem)
    try:
        return _measure_record(x, fs, leads, physiology)
    except Exception as err:  # noqa: BLE001 - a batch must go on; the reason is kept
        return _empty(leads, "error", f"{type(err).__name__}: {err}")


def _measure_chunk(
    signals: np.ndarray, fs: float, leads: tuple[str, ...], physiology: bool = False
) -> list[Result]:
    """Measure records ``(k, n_leads, n_samples)`` on one core (worker or main process)."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return [_safe_record(x, fs, leads, physiology) for x in signals]
    finally:
        torch.set_num_threads(threads)


def _measure_batch(
    ecg: ECG, *, n_jobs: int | None, progress: bool, physiology: bool = False
) -> tuple[list[dict[str, Any]], list[list[dict[str, Any]]]]:
    """Rows and per-lead rows of every record of a batch, in order.

    The batch is cut into chunks of :data:`_CHUNK` records. With more than one core, a
    reusable loky pool of ``n_jobs - 1`` workers takes chunks from the front while this
    process takes them from the back (a chunk no worker has started yet can be
    cancelled and done here), so the workers' start-up is not lost time.
    """
    from tqdm.auto import tqdm

    n = ecg.n_records
    cores = n_jobs if n_jobs is not None else (os.cpu_count() or 1)
    if cores < 1:
        raise ValueError(f"n_jobs must be a positive number of cores, got {n_jobs}")
    starts = list(range(0, n, _CHUNK))
    results: list[list[Result] | None] = [None] * len(starts)
    bar = tqdm(total=n, disable=not progress, desc="measure", unit="record")

    def chunk(i: int) -> np.ndarray:
        return ecg.signal[starts[i] : starts[i] + _CHUNK]

    if cores == 1 or n < _PARALLEL_FROM:
        for i in range(len(starts)):
            results[i] = _measure_chunk(chunk(i), ecg.fs, ecg.leads, physiology)
            bar.update(len(results[i]))
    else:
        from concurrent.futures import as_completed

        from loky import get_reusable_executor

        pool = get_reusable_executor(max_workers=cores - 1, timeout=300)
        futures = [
            pool.submit(_measure_chunk, chunk(i), ecg.fs, ecg.leads, physiology)
            for i in range(len(starts))
        ]
        counted: set[int] = set()

        def collect(i: int) -> None:
            """Take a worker's result (or redo the chunk here if its worker died)."""
            try:
                results[i] = futures[i].result()
            except Exception:  # noqa: BLE001 - a crashed worker must not sink the batch
                results[i] = _measure_chunk(chunk(i), ecg.fs, ecg.leads, physiology)
            counted.add(i)
            bar.update(len(results[i]))

        for i in range(len(starts) - 1, -1, -1):
            if not futures[i].cancel():
                break  # the workers have reached this chunk: all before it are theirs
            results[i] = _measure_chunk(chunk(i), ecg.fs, ecg.leads, physiology)
            counted.add(i)
            bar.update(len(results[i]))
            for j, fut in enumerate(futures):
                if j not in counted and fut.done() and not fut.cancelled():
                    collect(j)
        index = {fut: j for j, fut in enumerate(futures)}
        for fut in as_completed([f for j, f in enumerate(futures) if j not in counted]):
            collect(index[fut])
    bar.close()
    flat = [item for part in results for item in part]  # type: ignore[union-attr]
    return [row for row, _ in flat], [lead_rows for _, lead_rows in flat]


def _measure_record(
    x: np.ndarray, fs: float, leads: tuple[str, ...], physiology: bool = False
) -> Result:
    """Measurements of one record ``(n_leads, n_samples)`` in mV: global row, per-lead rows."""
    quality = assess(x, fs)
    if quality.problem is not None:
        return _empty(leads, "unusable", quality.problem, quality.usable)
    peaks, marks = delineate_signal(
        quality.signal, fs, quality.peaks, quality.usable, resampled=quality.at_detect_rate
    )
    if peaks.size < 2:
        return _empty(leads, "unusable", f"only {peaks.size} beat(s) found", quality.usable)
    beat = median_beat(quality.signal, fs, peaks, marks, quality.usable)
    row, per_lead = _empty(leads, "ok", "", quality.usable)
    rr = np.diff(peaks) / fs
    rr_mean = float(rr.mean())
    heart_rate = 60.0 / rr_mean
    row.update(
        heart_rate=heart_rate,
        rr_mean_ms=1000 * rr_mean,
        rr_sd_ms=1000 * float(rr.std()),
        n_beats=int(peaks.size),
        rr_range_ms=1000 * float(rr.max() - rr.min()),
        rr_irregularity=_rr_irregularity(rr),
        p_wave_share=_p_wave_share(marks["P_on"], quality.usable),
        pr_variability_ms=_pr_variability(marks, quality.usable) * 1000.0 / fs,
    )
    if beat is None:
        row["reason"] = (
            "no dominant beat morphology (fewer than 3 similar beats): intervals not measured"
        )
        return row, per_lead
    pr, qrs, qt = _global_intervals(beat, fs)
    row.update(pr_ms=pr, qrs_ms=qrs, qt_ms=qt)
    row.update(_qtc(qt, rr_mean, heart_rate))
    row.update(_axes(beat, leads))
    usable_leads = [lead for lead, ok in zip(leads, quality.usable, strict=True) if ok]
    if _lead_i_ii(dict.fromkeys(usable_leads, 0.0)) is None:
        row["reason"] = (
            "axes need two usable limb leads (I, II, III, aVL or aVF); usable leads: "
            + ", ".join(usable_leads)
        )
    row.update(_amplitudes(beat, leads, fs))
    row["_beat"] = _beat_array(beat, leads, fs)
    if physiology:
        row.update(_physiology(quality.signal, fs, peaks, beat, leads))
    ms = 1000.0 / fs
    m = beat.marks
    for i, item in enumerate(per_lead):
        item["p_ms"] = (m["P_off"][i] - m["P_on"][i]) * ms
        item["pr_ms"] = (m["QRS_on"][i] - m["P_on"][i]) * ms
        item["qrs_ms"] = (m["QRS_off"][i] - m["QRS_on"][i]) * ms
        item["qt_ms"] = (m["T_off"][i] - m["QRS_on"][i]) * ms
    return row, per_lead


def _beat_array(beat: MedianBeat, leads: tuple[str, ...], fs: float) -> np.ndarray:
    """The median beat of :data:`BEAT_LEADS` on the :data:`BEAT_FS` grid (NaN if absent)."""
    times = _beat_times()
    out = np.full((len(BEAT_LEADS), times.size), np.nan, dtype=np.float32)
    own = (np.arange(beat.fast.shape[1]) - beat.r0) / fs
    onset = np.nanmin(np.where(beat.usable, beat.marks["QRS_on"], np.nan))
    ref = onset - 0.02 * fs if np.isfinite(onset) else beat.r0 - 0.08 * fs
    lo, hi = int(max(ref - 0.01 * fs, 0)), int(max(ref + 0.01 * fs, 1))
    for k, name in enumerate(BEAT_LEADS):
        if name in leads and beat.usable[leads.index(name)]:
            y = beat.fast[leads.index(name)]
            out[k] = np.interp(times, own, y - y[lo:hi].mean(), left=np.nan, right=np.nan)
    return out


def _physiology(
    x: np.ndarray, fs: float, peaks: np.ndarray, beat: MedianBeat, leads: tuple[str, ...]
) -> dict[str, float]:
    """:data:`PHYSIOLOGY_COLUMNS` of one record (see :func:`measure`)."""
    import warnings

    import neurokit2 as nk

    out = dict.fromkeys(PHYSIOLOGY_COLUMNS, np.nan)
    if peaks.size >= 3:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # NeuroKit2 warns on short records
            hrv = nk.hrv_time(peaks, sampling_rate=fs)
        out.update(
            rmssd_ms=float(hrv["HRV_RMSSD"].iloc[0]),
            sdnn_ms=float(hrv["HRV_SDNN"].iloc[0]),
            pnn50=float(hrv["HRV_pNN50"].iloc[0]),
        )
    usable = beat.usable
    pre, post = int(round(0.2 * fs)), int(round(0.45 * fs))
    inside = peaks[(peaks >= pre) & (peaks + post <= x.shape[1])]
    if inside.size >= 3:
        base = highpass(x[usable], fs, 0.5)
        seg = base[:, inside[:, None] + np.arange(-pre, post)[None, :]].transpose(1, 0, 2)
        flat = seg.reshape(inside.size, -1)
        flat = flat - flat.mean(axis=1, keepdims=True)
        template = np.median(flat, axis=0)
        corr = flat @ template / (np.linalg.norm(flat, axis=1) * np.linalg.norm(template) + 1e-12)
        out["morphology_corr"] = float(np.median(corr))
    independent = [leads.index(n) for n in BEAT_LEADS if n in leads and usable[leads.index(n)]]
    if len(independent) >= 4:
        lo = max(beat.r0 - int(round(0.25 * fs)), 0)
        hi = beat.r0 + int(round(0.55 * fs))
        m = beat.fast[independent, lo:hi]
        m = m - m.mean(axis=1, keepdims=True)
        s = np.linalg.svd(m, compute_uv=False) ** 2
        out["dipole_share"] = float(s[:3].sum() / s.sum()) if s.sum() > 0 else np.nan
    return out


def _rr_irregularity(rr: np.ndarray) -> float:
    """Normalised RMSSD: RMS of successive RR differences over the mean RR (NaN < 3 RR)."""
    if rr.size < 3:
        return np.nan
    return float(np.sqrt(np.mean(np.diff(rr) ** 2)) / rr.mean())


def _p_wave_share(p_onsets: np.ndarray, usable: np.ndarray) -> float:
    """Share of beats with a P wave before the QRS in at least a third of the usable leads."""
    need = max(1, int(np.ceil(usable.sum() / 3)))
    found = np.isfinite(p_onsets[:, usable]).sum(axis=1) >= need
    return float(found.mean()) if found.size else np.nan


def _pr_variability(marks: dict[str, np.ndarray], usable: np.ndarray) -> float:
    """Interquartile range over the beats of PR (samples; NaN with fewer than 3 P waves).

    Each beat's PR is the median over the usable leads of QRS onset − P onset.
    """
    pr = marks["QRS_on"][:, usable] - marks["P_on"][:, usable]
    have = np.isfinite(pr).any(axis=1)
    if have.sum() < 3:
        return np.nan
    per_beat = np.nanmedian(pr[have], axis=1)
    q1, q3 = np.percentile(per_beat, [25.0, 75.0])
    return float(q3 - q1)


def _global_intervals(beat: MedianBeat, fs: float) -> tuple[float, float, float]:
    """Global PR, QRS and QT (ms) on the median beat: extremes over trusted leads."""
    need = max(1, int(np.ceil(beat.usable.sum() / 3)))
    spread = TRUSTED_SPREAD_S * fs
    confirm = CONFIRM_S * fs

    def extreme(name: str, latest: bool) -> float:
        values = beat.marks[name]
        present = beat.usable & np.isfinite(values)
        if present.sum() < need:
            return np.nan
        trusted = present & (beat.found[name] >= TRUSTED_SHARE) & (beat.spread[name] <= spread)
        chosen = np.sort(values[trusted if trusted.any() else present])
        if latest:
            chosen = chosen[::-1]
        if chosen.size >= 3:
            gaps = np.abs(np.diff(chosen))
            first = int(np.argmax(gaps <= confirm)) if (gaps <= confirm).any() else 0
            return float(chosen[first])
        return float(chosen[0])

    qrs_on = extreme("QRS_on", latest=False)
    ms = 1000.0 / fs
    return (
        (qrs_on - extreme("P_on", latest=False)) * ms,
        (extreme("QRS_off", latest=True) - qrs_on) * ms,
        (extreme("T_off", latest=True) - qrs_on) * ms,
    )


def _qtc(qt_ms: float, rr_s: float, heart_rate: float) -> dict[str, float]:
    """The four QT corrections (see :func:`measure` for sources)."""
    return {
        "qtc_bazett_ms": qt_ms / np.sqrt(rr_s),
        "qtc_fridericia_ms": qt_ms / np.cbrt(rr_s),
        "qtc_framingham_ms": qt_ms + 154.0 * (1.0 - rr_s),
        "qtc_hodges_ms": qt_ms + 1.75 * (heart_rate - 60.0),
    }


def _lead_i_ii(values: dict[str, float]) -> tuple[float, float] | None:
    """Leads I and II from any two independent limb leads (Einthoven, Goldberger)."""
    v = values
    if "I" in v and "II" in v:
        return v["I"], v["II"]
    if "I" in v and "III" in v:
        return v["I"], v["I"] + v["III"]
    if "II" in v and "III" in v:
        return v["II"] - v["III"], v["II"]
    if "I" in v and "aVF" in v:
        return v["I"], v["aVF"] + v["I"] / 2
    if "II" in v and "aVL" in v:
        return v["aVL"] + v["II"] / 2, v["II"]
    return None


def _axes(beat: MedianBeat, leads: tuple[str, ...]) -> dict[str, float]:
    out = {"p_axis_deg": np.nan, "qrs_axis_deg": np.nan, "t_axis_deg": np.nan}
    m = beat.marks
    base = beat.fast[
        np.arange(len(leads)), np.clip(np.nan_to_num(m["QRS_on"]).astype(int) - 2, 0, None)
    ]
    spans = {
        "p_axis_deg": (beat.fast, m["P_on"], m["P_off"]),
        "qrs_axis_deg": (beat.fast, m["QRS_on"], m["QRS_off"]),
        "t_axis_deg": (beat.slow, m["T_on"], m["T_off"]),
    }
    t = np.arange(beat.fast.shape[-1])
    for key, (sig, on, off) in spans.items():
        lo, hi = nan_median(np.stack([on, off]))
        if not (np.isfinite(lo) and np.isfinite(hi) and hi > lo):
            continue
        inside = (t >= lo) & (t <= hi)
        area = ((sig - base[:, None]) * inside).sum(axis=-1)
        pair = _lead_i_ii(
            {lead: a for lead, a, ok in zip(leads, area, beat.usable, strict=True) if ok}
        )
        if pair is None:
            continue
        lead_i, lead_ii = pair
        out[key] = float(np.degrees(np.arctan2((2 * lead_ii - lead_i) / np.sqrt(3), lead_i)))
    return out


def _amplitudes(beat: MedianBeat, leads: tuple[str, ...], fs: float) -> dict[str, float]:
    m = beat.marks
    sig, slow = beat.fast, beat.slow
    n_leads, w = sig.shape
    rows = np.arange(n_leads)

    def at(values: np.ndarray, pos: np.ndarray) -> np.ndarray:
        ok = np.isfinite(pos) & (pos >= 0) & (pos < w)
        out = np.full(n_leads, np.nan)
        out[ok] = values[rows[ok], pos[ok].astype(int)]
        return out

    base = at(sig, m["QRS_on"] - round(0.01 * fs))
    t = np.arange(w)[None, :]
    on, off = m["QRS_on"][:, None], m["QRS_off"][:, None]
    qrs = np.where((t >= on) & (t <= off), sig - base[:, None], np.nan)
    valid = np.isfinite(qrs).any(axis=1)
    r_amp = np.full(n_leads, np.nan)
    q_amp = np.full(n_leads, np.nan)
    s_amp = np.full(n_leads, np.nan)
    if valid.any():
        filled = np.where(np.isfinite(qrs), qrs, -np.inf)
        r_pos = np.argmax(filled, axis=1)
        r_amp[valid] = np.maximum(filled[valid, r_pos[valid]], 0.0)
        before = np.where(t < r_pos[:, None], qrs, np.nan)
        after = np.where(t > r_pos[:, None], qrs, np.nan)
        q_amp[valid] = np.minimum(np.nan_to_num(np.fmin.reduce(before, axis=1), nan=0.0), 0.0)[
            valid
        ]
        s_amp[valid] = np.minimum(np.nan_to_num(np.fmin.reduce(after, axis=1), nan=0.0), 0.0)[valid]
    values = {
        "p": at(sig, m["P_peak"]) - base,
        "q": q_amp,
        "r": r_amp,
        "s": s_amp,
        "t": at(slow, m["T_peak"]) - base,
        "st60": at(sig, m["QRS_off"] + round(0.06 * fs)) - base,
    }
    return {
        f"{wave}_amp_mv_{lead}": float(values[wave][i])
        for wave in AMPLITUDE_WAVES
        for i, lead in enumerate(leads)
    }
