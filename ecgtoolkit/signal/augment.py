"""What real recordings do to an ECG, simulated: noise, wander, electrode motion, hum, swaps.

For training and testing methods on realistic inputs. Every function takes an array of
one record ``(n_leads, n_samples)`` or a batch of windows ``(n_windows, n_leads,
n_samples)`` in mV with its sampling rate, or an :class:`~ecgtoolkit.ECG` (``fs`` from the
object; a new ECG is returned), and a :class:`numpy.random.Generator`.

Amplitudes are relative to each window's QRS size, its robust peak-to-peak range (99th
minus 1st percentile, at least 0.05 mV; :func:`qrs_size`): ``level=0.12`` adds noise of
up to 12 % of it. Each artefact is present in a window with probability ``share``, with
an amplitude drawn uniformly between 0 and ``level`` × QRS size, so that a batch spans
clean and degraded windows. :func:`simulate_recording` applies all of them, as the
segmentation network of :func:`ecgtoolkit.delineate` was trained
(``benchmarks/train_segmenter.py``). :func:`swap_electrodes` simulates a misplaced cable.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from scipy import signal as sps

from ..core.ecg import ECG
from ..core.leads import CHEST_LEADS, ELECTRODES, LIMB_LEAD_WEIGHTS, derive_limb_leads

__all__ = [
    "add_baseline_wander",
    "add_electrode_motion",
    "add_gaussian_noise",
    "add_mains_hum",
    "add_muscle_noise",
    "invert_polarity",
    "lowpass_recording",
    "qrs_size",
    "simulate_recording",
    "swap_electrodes",
]

#: Muscle (EMG-like) noise: white noise high-passed at this frequency (Hz).
EMG_HIGHPASS_HZ = 20.0


def qrs_size(x: np.ndarray) -> np.ndarray:
    """Robust peak-to-peak range of each lead (mV, at least 0.05), shaped to broadcast.

    Examples
    --------
    >>> import numpy as np
    >>> float(qrs_size(np.linspace(0, 1, 101)[None])[0, 0])
    0.98
    """
    size = np.percentile(x, 99, axis=-1, keepdims=True) - np.percentile(
        x, 1, axis=-1, keepdims=True
    )
    return np.maximum(size, 0.05)


def _on_windows(
    x: Any, fs: float | None, work: Callable[[np.ndarray, float | None], np.ndarray]
) -> Any:
    """Apply ``work`` to windows ``(b, leads, n)``: an ECG, a record or a batch of windows."""
    if isinstance(x, ECG):
        return x.replace(_on_windows(x.signal, x.fs, work))
    arr = np.asarray(x)
    if arr.ndim not in (2, 3):
        raise ValueError(
            f"x has shape {arr.shape}; expected (n_leads, n_samples) or "
            "(n_windows, n_leads, n_samples)"
        )
    out = work(arr if arr.ndim == 3 else arr[np.newaxis], fs)
    return out if arr.ndim == 3 else out[0]


def _amplitude(
    rng: np.random.Generator, shape: tuple[int, ...], level: float, share: float, size: Any
) -> np.ndarray:
    """Per window: zero with probability ``1 − share``, else uniform up to ``level`` × size."""
    on = rng.random(shape) < share
    return on * rng.uniform(0.0, level, shape) * size


def _times(n: int, fs: float | None) -> np.ndarray:
    if fs is None:
        raise TypeError("fs (Hz) is required for an array; an ECG brings its own")
    return np.arange(n) / fs


def add_gaussian_noise(
    x: Any,
    rng: np.random.Generator,
    *,
    level: float = 0.12,
    share: float = 1.0,
    size: np.ndarray | None = None,
    noise: np.ndarray | None = None,
) -> Any:
    """White Gaussian noise of up to ``level`` × QRS size (SD).

    Parameters
    ----------
    x : numpy.ndarray or ECG
        A record, a batch of windows or an ECG, in mV.
    rng : numpy.random.Generator
        Source of randomness.
    level, share : float
        Largest amplitude relative to the QRS size, and the probability per window.
    size : numpy.ndarray, optional
        QRS sizes to scale by (default :func:`qrs_size` of ``x``).
    noise : numpy.ndarray, optional
        Standard-normal samples of ``x``'s shape to use instead of drawing them.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> x = np.zeros((2, 1000)); x[:, ::100] = 1.0
    >>> bool(np.std(add_gaussian_noise(x, rng, level=0.1) - x) > 0)
    True
    """

    def work(w: np.ndarray, fs: float | None) -> np.ndarray:
        drawn = rng.standard_normal(w.shape, dtype=np.float32) if noise is None else noise
        scale = qrs_size(w) if size is None else size
        return w + _amplitude(rng, (w.shape[0], 1, 1), level, share, scale) * drawn

    return _on_windows(x, None, work)


def add_muscle_noise(
    x: Any,
    fs: float | None = None,
    *,
    rng: np.random.Generator,
    level: float = 0.25,
    share: float = 1.0,
    size: np.ndarray | None = None,
    noise: np.ndarray | None = None,
) -> Any:
    """Muscle (EMG-like) noise: white noise high-passed at 20 Hz, in bursts of 2-10 s.

    Parameters as :func:`add_gaussian_noise`; ``fs`` in Hz is required for arrays.
    """

    def work(w: np.ndarray, rate: float | None) -> np.ndarray:
        t = _times(w.shape[-1], rate)
        drawn = rng.standard_normal(w.shape, dtype=np.float32) if noise is None else noise
        emg = sps.sosfilt(sps.butter(2, EMG_HIGHPASS_HZ, "highpass", fs=rate, output="sos"), drawn)
        b = w.shape[0]
        burst_hz = rng.uniform(0.1, 0.5, (b, 1, 1))
        burst = np.clip(np.sin(2 * np.pi * burst_hz * t + rng.uniform(0, 6.3, (b, 1, 1))), 0, None)
        scale = qrs_size(w) if size is None else size
        return w + _amplitude(rng, (b, 1, 1), level, share, scale) * emg * burst

    return _on_windows(x, fs, work)


def add_baseline_wander(
    x: Any,
    fs: float | None = None,
    *,
    rng: np.random.Generator,
    level: float = 1.0,
    share: float = 1.0,
    size: np.ndarray | None = None,
) -> Any:
    """Baseline wander (breathing, movement): a sinusoid of 0.05-0.6 Hz, its size varying by lead.

    Parameters as :func:`add_muscle_noise`.
    """

    def work(w: np.ndarray, rate: float | None) -> np.ndarray:
        t = _times(w.shape[-1], rate)
        b, leads = w.shape[:2]
        freq = rng.uniform(0.05, 0.6, (b, 1, 1))
        wave = np.sin(2 * np.pi * freq * t + rng.uniform(0, 6.3, (b, 1, 1)))
        scale = qrs_size(w) if size is None else size
        amplitude = _amplitude(rng, (b, 1, 1), level, share, scale)
        return w + amplitude * rng.uniform(-1, 1, (b, leads, 1)) * wave

    return _on_windows(x, fs, work)


def add_electrode_motion(
    x: Any,
    fs: float | None = None,
    *,
    rng: np.random.Generator,
    level: float = 0.6,
    share: float = 1.0,
    size: np.ndarray | None = None,
) -> Any:
    """Electrode motion: a baseline step and a smooth bump (0.1-0.6 s) at random times.

    Parameters as :func:`add_muscle_noise`.
    """

    def work(w: np.ndarray, rate: float | None) -> np.ndarray:
        n = w.shape[-1]
        t = _times(n, rate)
        b, leads = w.shape[:2]
        scale = qrs_size(w) if size is None else size
        step = np.arange(n) > rng.uniform(0, n, (b, 1, 1))
        out = (
            w
            + _amplitude(rng, (b, 1, 1), level, share, scale)
            * rng.uniform(-1, 1, (b, leads, 1))
            * step
        )
        centre, width = rng.uniform(0, t[-1], (b, 1, 1)), rng.uniform(0.1, 0.6, (b, 1, 1))
        bump = np.exp(-0.5 * ((t - centre) / width) ** 2)
        return (
            out
            + _amplitude(rng, (b, 1, 1), level, share, scale)
            * rng.uniform(-1, 1, (b, leads, 1))
            * bump
        )

    return _on_windows(x, fs, work)


def add_mains_hum(
    x: Any,
    fs: float | None = None,
    *,
    rng: np.random.Generator,
    level: float = 0.3,
    share: float = 1.0,
    size: np.ndarray | None = None,
    frequencies_hz: tuple[float, ...] = (50.0, 60.0),
) -> Any:
    """Mains hum at one of ``frequencies_hz`` (chosen per window), random phase.

    Parameters as :func:`add_muscle_noise`.
    """

    def work(w: np.ndarray, rate: float | None) -> np.ndarray:
        t = _times(w.shape[-1], rate)
        b = w.shape[0]
        freq = rng.choice(list(frequencies_hz), (b, 1, 1))
        scale = qrs_size(w) if size is None else size
        amplitude = _amplitude(rng, (b, 1, 1), level, share, scale)
        return w + amplitude * np.sin(2 * np.pi * freq * t + rng.uniform(0, 6.3, (b, 1, 1)))

    return _on_windows(x, fs, work)


def lowpass_recording(
    x: Any, fs: float | None = None, *, rng: np.random.Generator, share: float = 1.0
) -> Any:
    """A low-pass at 35-45 Hz (order 4, zero phase), as in filtered or 100 Hz recordings.

    One cut-off for the windows chosen (each with probability ``share``).
    """

    def work(w: np.ndarray, rate: float | None) -> np.ndarray:
        if rate is None:
            raise TypeError("fs (Hz) is required for an array; an ECG brings its own")
        out = np.array(w, dtype=np.float64, copy=True)
        chosen = rng.random(w.shape[0]) < share
        if chosen.any():
            sos = sps.butter(4, rng.uniform(35.0, 45.0), fs=rate, output="sos")
            out[chosen] = sps.sosfiltfilt(sos, out[chosen], axis=-1)
        return out

    return _on_windows(x, fs, work)


def invert_polarity(x: Any, *, rng: np.random.Generator, share: float = 0.15) -> Any:
    """Invert each lead with probability ``share`` (a reversed cable, an inverted lead)."""

    def work(w: np.ndarray, fs: float | None) -> np.ndarray:
        return w * np.where(rng.random((w.shape[0], w.shape[1], 1)) < share, -1.0, 1.0)

    return _on_windows(x, None, work)


def simulate_recording(x: Any, fs: float | None = None, *, rng: np.random.Generator) -> Any:
    """Everything above at once, each artefact in about half of the windows.

    Gaussian noise (up to 12 % of the QRS size), muscle noise (25 %), two components of
    baseline wander (100 % each), electrode motion (60 %), mains hum at 50 or 60 Hz
    (30 %), and in a fifth of the windows a low-pass at 35-45 Hz; all amplitudes relative
    to the QRS size of the input. This is the recipe of
    ``benchmarks/train_segmenter.py``: the same generator state gives the same output.

    Examples
    --------
    >>> import numpy as np
    >>> windows = np.zeros((4, 12, 1000)); windows[..., ::200] = 1.0
    >>> out = simulate_recording(windows, 250, rng=np.random.default_rng(0))
    >>> out.shape
    (4, 12, 1000)
    """

    def work(w: np.ndarray, rate: float | None) -> np.ndarray:
        size = qrs_size(w)
        noise = rng.standard_normal((2, *w.shape), dtype=np.float32)
        out = add_gaussian_noise(w, rng, level=0.12, share=0.5, size=size, noise=noise[0])
        common = {"rng": rng, "share": 0.5, "size": size}
        out = add_muscle_noise(out, rate, level=0.25, noise=noise[1], **common)
        for _ in range(2):
            out = add_baseline_wander(out, rate, level=1.0, **common)
        out = add_electrode_motion(out, rate, level=0.6, **common)
        out = add_mains_hum(out, rate, level=0.3, **common)
        return lowpass_recording(out, rate, rng=rng, share=0.2)

    return _on_windows(x, fs, work)


# -- electrode swaps ---------------------------------------------------------------------
def swap_electrodes(ecg: ECG, first: str, second: str) -> ECG:
    """Return the ECG as it would have been recorded with two electrode cables swapped.

    Limb electrodes (``"RA"``, ``"LA"``, ``"LL"``): each limb lead is recomputed from
    its definition with the two electrode potentials exchanged; Wilson's central
    terminal, and so V1-V6, are unchanged. LA/RA gives I → −I, II ↔ III, aVR ↔ aVL;
    LA/LL gives I ↔ II, III → −III, aVL ↔ aVF; RA/LL gives I → −III, II → −II,
    III → −I, aVR ↔ aVF. A limb lead the swap needs but the ECG lacks is derived from
    I and II. Chest electrodes (``"V1"`` … ``"V6"``): the two leads are exchanged.
    Swaps that involve the right-leg (ground) electrode, or a limb and a chest
    electrode, change the central terminal and are not simulated.

    Parameters
    ----------
    ecg : ECG
        One record or a batch.
    first, second : str
        The two electrodes: two of RA, LA, LL, or two of V1-V6 (any case).

    Returns
    -------
    ECG
        A new ECG with the same leads, fs and metadata plus
        ``meta["swapped_electrodes"] = (first, second)``.

    Raises
    ------
    TypeError
        If ``ecg`` is not an ECG or an electrode name is not a string.
    ValueError
        For other electrode names, a limb electrode with a chest one, or leads that
        are missing and cannot be derived.

    Examples
    --------
    >>> import numpy as np
    >>> import ecgtoolkit as et
    >>> ecg = et.ECG(np.array([[1.0], [2.0], [1.0]]), fs=500, leads=["I", "II", "III"])
    >>> swap_electrodes(ecg, "LA", "RA").signal.ravel().tolist()
    [-1.0, 1.0, 2.0]
    """
    if not isinstance(ecg, ECG):
        raise TypeError(f"expected an ecgtoolkit.ECG, got {type(ecg).__name__}")
    pair = (_electrode_name(first), _electrode_name(second))
    if pair[0] == pair[1]:
        raise ValueError(f"swapping {pair[0]} with itself changes nothing; name two electrodes")
    signal = ecg.signal.copy()
    if all(p in ELECTRODES for p in pair):
        swap = {pair[0]: pair[1], pair[1]: pair[0]}
        for row, lead in enumerate(ecg.leads):
            if lead not in LIMB_LEAD_WEIGHTS:
                continue
            # The amplifier input of electrode e now carries the potential of swap[e].
            weights = dict(zip(ELECTRODES, LIMB_LEAD_WEIGHTS[lead], strict=True))
            moved = tuple(weights[swap.get(e, e)] for e in ELECTRODES)
            signal[..., row, :] = _limb_lead(ecg, moved)
    elif all(p in CHEST_LEADS for p in pair):
        absent = [p for p in pair if p not in ecg.leads]
        if absent:
            raise ValueError(f"cannot swap {pair[0]} and {pair[1]}: {', '.join(absent)} missing")
        a, b = ecg.lead_index(pair[0]), ecg.lead_index(pair[1])
        signal[..., [a, b], :] = signal[..., [b, a], :]
    else:
        raise ValueError(
            f"cannot swap {pair[0]} with {pair[1]}: name two limb electrodes (RA, LA, LL) "
            "or two chest electrodes (V1-V6)"
        )
    meta = dict(ecg.meta, swapped_electrodes=pair)
    return ECG(signal, fs=ecg.fs, leads=ecg.leads, meta=meta)


def _electrode_name(name: str) -> str:
    if not isinstance(name, str):
        raise TypeError(f"electrode names must be strings, got {type(name).__name__}")
    key = name.strip().upper()
    if key in ELECTRODES or key in CHEST_LEADS:
        return key
    raise ValueError(
        f"unknown electrode {name!r}; use RA, LA, LL or V1-V6 (the right-leg ground "
        "electrode is not simulated)"
    )


def _limb_lead(ecg: ECG, weights: tuple[float, ...]) -> np.ndarray:
    """The limb lead with these electrode weights, from the ECG's leads (±, or derived)."""
    for name, own in LIMB_LEAD_WEIGHTS.items():
        for sign in (1.0, -1.0):
            if np.allclose(weights, [sign * w for w in own]):
                if name in ecg.leads:
                    return sign * ecg[name]
                if "I" in ecg.leads and "II" in ecg.leads:
                    return sign * derive_limb_leads(ecg["I"], ecg["II"])[name]
                raise ValueError(
                    f"this swap needs lead {name}, which is missing and cannot be derived "
                    f"without leads I and II (leads: {', '.join(ecg.leads)})"
                )
    raise AssertionError(f"no limb lead has electrode weights {weights}")
