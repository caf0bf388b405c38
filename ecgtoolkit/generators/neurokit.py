"""NeuroKit2's ECG simulator as a baseline generator.

NeuroKit2 (Makowski et al. 2021, Behav Res Methods 53:1689, doi:10.3758/s13428-020-01516-y)
simulates 12-lead ECGs with ``neurokit2.ecg_simulate(method="multileads")``, a dynamical
model in the manner of ECGSYN (McSharry et al. 2003, IEEE Trans Biomed Eng 50:289) with
one set of wave parameters per lead. It is the simplest generator a realism benchmark
should beat, and the leaderboard's ``generator:neurokit``.

>>> from ecgtoolkit.generators.neurokit import simulate_neurokit
>>> batch = simulate_neurokit(1, seed=0, progress=False)  # about 1-3 s per record
>>> batch
<ECG batch | 1 records × 12 leads × 5000 samples (10 s at 500 Hz), mV>
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..core import validation
from ..core.ecg import ECG
from ..core.leads import STANDARD_LEADS
from ..core.progress import progress_bar
from ..core.version import __version__

__all__ = ["simulate_neurokit", "HEART_RATE_BPM"]

#: Heart rates of the simulated records: drawn per record, uniform within this range
#: (NeuroKit2's own default is 70 bpm for every record, a population of one rate).
HEART_RATE_BPM = (55.0, 95.0)


def simulate_neurokit(
    n: int,
    *,
    seed: int = 0,
    fs: float = 500.0,
    duration_s: float = 10.0,
    start_id: int = 0,
    progress: bool = True,
) -> ECG:
    """Simulate ``n`` 12-lead ECGs with NeuroKit2's multi-lead model.

    Parameters
    ----------
    n : int
        Number of records (> 0).
    seed : int
        Record ``i`` depends only on ``(seed, start_id + i)``: its heart rate, drawn
        uniformly from :data:`HEART_RATE_BPM`, and NeuroKit2's ``random_state``.
    fs : float
        Sampling rate, Hz.
    duration_s : float
        Length of each record, s.
    start_id : int
        Id of the first record.
    progress : bool
        Show a progress bar (once the work has taken a second).

    Returns
    -------
    ECG
        A batch ``(n, 12, round(duration_s * fs))`` in mV, float32, leads I, II, III,
        aVR, aVL, aVF, V1–V6. ``meta`` holds ``seed``, ``record_ids``, ``heart_rate_bpm``
        (the rate asked of each record) and ``generator``.

    Raises
    ------
    TypeError
        For a non-integer ``n``, ``seed`` or ``start_id``.
    ValueError
        For ``n`` ≤ 0, a negative seed, or a rate or duration out of range.

    Notes
    -----
    NeuroKit2 simulates each lead with its own wave parameters, so its limb leads do not
    obey Einthoven's law exactly; that is part of what the leaderboard measures. The
    simulator takes about 1 s per 12-lead record on one core: cache its output (write
    the batch with :func:`ecgtoolkit.write` or :func:`ecgtoolkit.generate_to`) when you
    need it again.
    """
    n = validation.count(n)
    seed = validation.check_int(seed, "seed", minimum=0)
    start_id = validation.record_id(start_id)
    fs = validation.check_positive(fs, "fs")
    if not validation.MIN_FS <= fs <= 10_000:
        raise ValueError(f"fs must be within {validation.MIN_FS:g}-10000 Hz, got {fs:g}")
    duration_s = float(duration_s)
    if not np.isfinite(duration_s) or not 1.0 <= duration_s <= 600.0:
        raise ValueError(f"duration_s must be within 1-600 s, got {duration_s}")
    import neurokit2 as nk

    n_samples = int(round(duration_s * fs))
    out = np.empty((n, len(STANDARD_LEADS), n_samples), dtype=np.float32)
    ids = np.arange(start_id, start_id + n, dtype=np.int64)
    rates = np.empty(n)
    with progress_bar(total=n, desc="simulating (NeuroKit2)", unit="ECG", enabled=progress) as bar:
        for i, record_id in enumerate(ids):
            rng = np.random.default_rng([seed, int(record_id)])
            rates[i] = rng.uniform(*HEART_RATE_BPM)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # NeuroKit2's own deprecation chatter
                table = nk.ecg_simulate(
                    duration=duration_s, sampling_rate=fs, method="multileads",
                    heart_rate=rates[i], random_state=int(rng.integers(2**31)),
                )  # fmt: skip
            out[i] = table[list(STANDARD_LEADS)].to_numpy(dtype=np.float32).T[:, :n_samples]
            bar.update(1)
    meta: dict[str, Any] = {
        "seed": seed,
        "record_ids": ids,
        "heart_rate_bpm": rates,
        "generator": {
            "model": f"NeuroKit2 {nk.__version__} ecg_simulate(method='multileads')",
            "ecgtoolkit": __version__,
        },
    }
    return ECG(out, fs=fs, leads=STANDARD_LEADS, units="mV", meta=meta)
