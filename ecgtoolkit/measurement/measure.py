"""Global ECG measurements: rate, intervals, QTc, axes and per-lead amplitudes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..core.ecg import ECG
from ..core.validation import validate_record
from .batch import measure_rows
from .events import record_beat_events
from .intervals import (
    AMPLITUDE_WAVES,
    BEAT_LEADS,
    CONVENTIONS,
    PHYSIOLOGY_COLUMNS,
    check_convention,
)
from .record import (
    BEAT_FS,
    BEAT_WINDOW_S,
    GLOBAL_COLUMNS,
    LEAD_COLUMNS,
    analyse_record,
    measure_record,
    row_columns,
)

__all__ = [
    "AMPLITUDE_WAVES",
    "BEAT_FS",
    "BEAT_LEADS",
    "BEAT_WINDOW_S",
    "CONVENTIONS",
    "GLOBAL_COLUMNS",
    "LEAD_COLUMNS",
    "PHYSIOLOGY_COLUMNS",
    "amplitudes",
    "classify_beats",
    "measure",
    "measure_leads",
]


def measure(
    ecg: ECG,
    *,
    n_jobs: int | None = None,
    progress: bool = True,
    physiology: bool = False,
    return_beats: bool = False,
    convention: str = "consistent-leads",
) -> pd.Series | pd.DataFrame | tuple[pd.Series | pd.DataFrame, np.ndarray]:
    """Measure heart rate, global intervals, QTc, axes and amplitudes.

    How. The leads that carry a usable ECG are found first
    (:func:`ecgtoolkit.signal_quality`); the others are left out of everything below
    and listed in ``unusable_leads``. R peaks are detected on the usable leads together
    and every beat is delineated (:func:`ecgtoolkit.delineate`). Pacemaker stimuli are
    then looked for before the QRS complexes and P waves in every usable lead
    (:func:`ecgtoolkit.signal.pacing.find_pacing`, records of 500 Hz and up); in a paced
    record they are bridged and the record delineated again, so that the QRS onset is the
    heart's, not the stimulus. Heart rate and RR come
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
    that lead's intervals; :func:`measure_leads` gives them for every lead. This is the
    default ``convention="consistent-leads"``. ``convention="median-beat"`` takes the
    boundaries of the median beat over all usable leads at once, as interpretation
    programs measure their median beats
    (:func:`ecgtoolkit.measurement.intervals.spatial_fiducials`): QRS boundaries where
    the spatial velocity (the length of the vector of the leads' slopes) crosses 5% of
    the way from its isoelectric level to its peak, the P onset as by default, T end by
    the tangent method
    (Lepeschkin and Surawicz 1952, doi:10.1161/01.CIR.6.3.378) on the spatial magnitude
    (RMS over the leads). On LUDB its QRS is about 15 ms and its QT about 18 ms shorter
    than the default's, both further from LUDB's experts (who mark each lead on its own
    and take the union), nearer to what 12SL-style programs report
    (``benchmarks/bench_conventions.py``); the table's ``attrs["convention"]`` says which
    was used.

    QT correction with RR = mean RR interval in seconds and HR in bpm:

    * Bazett (1920): QT / RR^(1/2) — Heart 7:353; reprint doi:10.1111/j.1542-474X.1997.tb00325.x
    * Fridericia (1920): QT / RR^(1/3) — reprint doi:10.1046/j.1542-474X.2003.08413.x
    * Framingham, Sagie et al. (1992): QT + 154 ms × (1 − RR) — doi:10.1016/0002-9149(92)90562-D
    * Hodges et al. (1983): QT + 1.75 ms × (HR − 60) — J Am Coll Cardiol 1:694 (abstract)

    Frontal axes (P, QRS, T) come from the net areas of the wave on the median beat
    in two usable limb leads (I and II, or any two of I, II, III, aVL, aVF converted by
    Einthoven's and Goldberger's laws): ``axis = atan2((2·II − I)/√3, I)`` in degrees,
    −180 to 180. Without two limb leads the axes are NaN and ``reason`` says so.
    ``qrs_t_angle_deg``, the spatial angle (0–180°) between the mean QRS and T vectors of
    the vectorcardiogram (the same areas in I, II and V1–V6 through Kors's matrix,
    :func:`ecgtoolkit.vcg`), needs the six chest leads too, else it is NaN; so do
    ``qrs_azimuth_deg`` (the mean QRS vector's angle in the horizontal plane from the
    patient's left, positive posterior) and ``qrs_elevation_deg`` (its angle from the
    horizontal plane, positive inferior; see
    :func:`ecgtoolkit.measurement.intervals.axes`).

    Beat by beat (:func:`classify_beats`, which documents the rules): the number of
    premature atrial and premature ventricular beats (an RR below 80% of the local median,
    a longer one after it, the QRS like or unlike the dominant one), of pauses (an RR
    above 160% of the local median) and ``pause_pr_change_ms``, the PR before a pause minus
    the PR after it (median over the pauses): clearly positive in Wenckebach block.

    Amplitudes per lead (mV, relative to the level just before QRS onset, on the
    median beat): ``p`` and ``t`` at their peaks (signed), ``q`` the most negative
    value before the R wave, ``r`` the most positive value in the QRS, ``s`` the most
    negative value after the R wave, ``j`` the level at the J point (the lead's QRS
    offset) and ``st60`` the level 60 ms after it.

    Parameters
    ----------
    ecg : ECG
        One record, or a batch ``(n_records, n_leads, n_samples)``.
    n_jobs : int, optional
        CPU cores for a batch (default None: all). A batch of fewer than 48 records, or
        ``n_jobs=1``, runs in this process on one core; a larger one also in
        ``n_jobs - 1`` worker processes of a reusable loky pool, which needs no
        ``if __name__ == "__main__":`` guard in scripts. The result does not depend
        on ``n_jobs``.
    progress : bool
        Show a progress bar (records per second, time left) for a batch that takes
        more than a second.
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
    convention : {"consistent-leads", "median-beat"}
        How the global PR, QRS and QT are taken (see above; :data:`CONVENTIONS`). The
        per-lead values, rhythm, axes and amplitudes do not depend on it.
    return_beats : bool
        Also return the median beats: ``(n_records, 8, n_times)`` (or ``(8, n_times)``
        for one record) in mV, leads :data:`BEAT_LEADS`, at :data:`BEAT_FS` Hz, from
        0.3 s before to 0.6 s after the R peak, relative to the level just before the
        QRS; NaN for a lead that is missing or unusable and for records not measured.

    Returns
    -------
    pandas.Series or pandas.DataFrame
        For one record a Series (named after ``meta["record_name"]``), for a batch a
        DataFrame with one row per record, indexed by ``record_id`` (the batch's
        ``record_ids``: ``meta["record_ids"]``, else positions). Columns: :data:`GLOBAL_COLUMNS` (``heart_rate`` in bpm, ``*_ms`` in ms,
        ``*_deg`` in degrees; rhythm: ``rr_range_ms`` longest − shortest RR,
        ``rr_irregularity`` the RMS of successive RR differences over the mean RR
        (normalised RMSSD, Dash et al. 2009, doi:10.1007/s10439-009-9740-z; NaN with
        fewer than 3 RR intervals), ``p_wave_share`` the share of beats with a P wave
        found in at least a third of the usable leads, ``pr_variability_ms`` the
        interquartile range over those beats of their PR interval, which is small
        when the P waves conduct to the ventricles and large when "P waves" are
        fibrillation waves; ``atrial_rate_bpm``, ``atrial_amplitude_mv`` and
        ``atrial_organisation``: the dominant rate, the RMS at 3.5–12 Hz and the
        organisation index of what is left in II, III, aVF or V1 once every beat's
        average QRS–T is subtracted, :func:`ecgtoolkit.signal.atrial.atrial_activity`:
        fibrillation and flutter waves, which are not locked to the QRS, stay), then
        ``{wave}_amp_mv_{lead}`` for every wave in
        :data:`AMPLITUDE_WAVES` and lead, then ``unusable_leads`` (comma-separated
        names), ``pacing`` ("" when no pacemaker stimuli were found; "paced
        (ventricular|atrial|dual chamber): stimuli before N% of the beats in LEAD"; a
        note when the sampling rate is too low to see them), ``status`` (``"ok"``;
        ``"unusable"`` when no lead carries a usable ECG
        or fewer than two beats are found: no values at all; ``"error"`` for a record
        of a batch that cannot be analysed) and ``reason`` (empty, or why values are
        NaN).

    Raises
    ------
    TypeError
        If ``ecg`` is not an :class:`~ecgtoolkit.ECG`.
    ValueError
        For one record shorter than 2 s or sampled below 100 Hz (in a batch such a
        record gets NaN values, ``status="error"`` and the reason instead), or an
        unknown ``convention``.

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
    check_convention(convention)
    if not ecg.is_batch:
        x, fs, leads = validate_record(ecg)
        row, _ = measure_record(x, fs, leads, physiology, convention)
        beat = row.pop("_beat")
        series = pd.Series(row, name=ecg.meta.get("record_name"))[row_columns(leads, physiology)]
        series.attrs["convention"] = convention
        return (series, beat) if return_beats else series
    results = measure_rows(
        ecg, n_jobs=n_jobs, progress=progress, physiology=physiology, convention=convention
    )
    rows = [row for row, _ in results]
    beats = np.stack([row.pop("_beat") for row in rows])
    table = pd.DataFrame(
        rows,
        columns=row_columns(ecg.leads, physiology),
        index=pd.Index(ecg.record_ids, name="record_id"),
    )
    table.attrs["convention"] = convention
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
        One row per lead (record and lead for a batch, with a ``record_id`` column):
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
        _, per_lead = measure_record(x, fs, leads)
        return pd.DataFrame(per_lead, columns=["lead", *LEAD_COLUMNS])
    results = measure_rows(ecg, n_jobs=n_jobs, progress=progress)
    frames = []
    for record_id, (_, rows) in zip(ecg.record_ids, results, strict=True):
        frame = pd.DataFrame(rows, columns=["lead", *LEAD_COLUMNS])
        frame.insert(0, "record_id", record_id)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def classify_beats(ecg: ECG) -> pd.DataFrame:
    """Every beat of a record, labelled: normal, premature atrial or ventricular, unlike.

    Parameters
    ----------
    ecg : ECG
        One record (for a batch, pass its records one at a time).

    Returns
    -------
    pandas.DataFrame
        One row per detected beat: ``beat`` (0, 1, ...), ``time_s`` (its R peak),
        ``rr_before_ms`` (the RR interval ending at it), ``pr_ms`` and ``qrs_ms``
        (median over the usable leads that mark them), ``premature``,
        ``pause_before`` (bool) and ``label``, one of
        :data:`ecgtoolkit.measurement.events.BEAT_LABELS`. Empty when fewer than two
        beats or no dominant morphology are found.

    Notes
    -----
    The beats, their marks and the dominant morphology are those of :func:`measure`.
    A beat is premature when its RR interval is below 80% of the median of the 11 RR
    intervals around it and the next is longer (Kamath & Fallen 1995); it is "premature
    atrial" when its QRS slopes correlate with the median beat's by r > 0.9 (conducted
    normally) or its QRS is narrower than 120 ms, and "premature ventricular" when both
    fail: wide and unlike (Surawicz & Knilans 2008). An RR above 160% of the local median
    is a pause. Every beat whose QRS lies wholly inside the record is classified, however
    long the record. :mod:`ecgtoolkit.measurement.events` gives the details and limits
    (aberrantly conducted atrial beats count as ventricular).

    Examples
    --------
    >>> import ecgtoolkit as et
    >>> beats = et.classify_beats(et.generate(1, seed=5, progress=False)[0])
    >>> beats.label.value_counts().to_dict()
    {'normal': 12}
    """
    if not isinstance(ecg, ECG):
        raise TypeError(f"expected an ecgtoolkit.ECG, got {type(ecg).__name__}")
    if ecg.is_batch:
        raise ValueError(f"classify_beats takes one record, got a batch of {len(ecg)}: pass ecg[i]")
    x, fs, leads = validate_record(ecg)
    analysis = analyse_record(x, fs, leads)
    columns = ["beat", "time_s", "rr_before_ms", "pr_ms", "qrs_ms", "premature",
               "pause_before", "label"]  # fmt: skip
    if analysis.beat is None:
        return pd.DataFrame(columns=columns)
    events = record_beat_events(
        analysis.quality.signal, fs, analysis.peaks, analysis.marks, analysis.beat
    )
    return pd.DataFrame(
        {
            "beat": np.arange(analysis.peaks.size),
            "time_s": analysis.peaks / fs,
            "rr_before_ms": events.rr_before_ms,
            "pr_ms": events.pr_ms,
            "qrs_ms": events.qrs_ms,
            "premature": events.premature,
            "pause_before": events.pause_before,
            "label": events.label.astype(str),
        },
        columns=columns,
    )


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
        Columns ``record_id`` (the Series name or the batch's index), ``lead`` (in the
        ECG's order), ``wave`` (one of :data:`AMPLITUDE_WAVES`: ``p``, ``q``, ``r``,
        ``s``, ``t``, ``st60``) and ``amplitude_mv`` (mV; NaN where not measured).

    Raises
    ------
    ValueError
        If there are no amplitude columns (``{wave}_amp_mv_{lead}``).

    Examples
    --------
    >>> import numpy as np
    >>> from ecgtoolkit import ECG, amplitudes, measure
    >>> fs = 500
    >>> t = np.arange(10 * fs) / fs
    >>> x = sum(1.2 * np.exp(-0.5 * ((t - b) / 0.012) ** 2) for b in np.arange(0.6, 9.6, 0.8))
    >>> table = amplitudes(measure(ECG(np.stack([x, 0.5 * x]), fs=fs, leads=["I", "II"])))
    >>> table.columns.tolist()
    ['record_id', 'lead', 'wave', 'amplitude_mv']
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
            "record_id": np.repeat(records, len(columns)),
            "lead": np.tile(np.array(lead, dtype=object), n),
            "wave": np.tile(np.array(wave, dtype=object), n),
            "amplitude_mv": frame[columns].to_numpy(dtype=np.float64).reshape(-1),
        }
    )
    table["lead"] = pd.Categorical(table["lead"], categories=lead_order, ordered=True)
    table["wave"] = pd.Categorical(table["wave"], categories=list(AMPLITUDE_WAVES), ordered=True)
    table = table.sort_values(["record_id", "lead", "wave"], kind="stable", ignore_index=True)
    table["lead"] = table["lead"].astype(object)
    table["wave"] = table["wave"].astype(object)
    return table
