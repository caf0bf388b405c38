"""The :class:`ECG` data model: one record or a batch of records, with fs, leads and units."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .display import (
    format_count,
    format_share,
    format_value,
    is_missing,
    summary_html,
    training_sentence,
)
from .leads import derive_limb_leads, missing_leads, normalize_lead_names, order_leads
from .units import unit_factor

__all__ = ["ECG", "metadata_rows"]


class ECG:
    """An electrocardiogram: one record or a batch of records of equal shape.

    The signal is held in millivolts; other units are converted once, here.

    Parameters
    ----------
    signal : array_like
        ``(n_leads, n_samples)`` for one record or ``(n_records, n_leads, n_samples)``
        for a batch. Integer input is converted to float64; float32 stays float32.
    fs : float
        Sampling rate in Hz. Required: there is no default.
    leads : sequence of str
        Lead or channel names, one per row. Any name is accepted (``"ECG"``, ``"CM5"``,
        ``"MLII"``); the 12 standard leads are recognised in their usual spellings
        (``"avr"``, ``"lead II"``) and stored as ``"aVR"``, ``"II"`` (see
        :func:`ecgtoolkit.core.leads.normalize_lead_name`).
    units : {"mV", "uV", "µV", "V"}
        Unit of ``signal``. The stored signal is always in mV.
    meta : mapping, optional
        Free-form metadata (record name, seed, source database, ...). In a batch, the
        entries ``record_ids`` and ``record_names`` and any entry whose key ends in
        ``_per_record`` hold one value per record: ``batch[i].meta`` has that record's
        value under the singular key (``record_id``, ``record_name``, ``x`` for
        ``x_per_record``), and slices of the batch keep the matching values.

    Attributes
    ----------
    signal : numpy.ndarray
        The samples in mV.
    fs : float
        Sampling rate in Hz.
    leads : tuple of str
        Lead names.
    meta : dict
        Metadata.

    Raises
    ------
    ValueError
        On a wrong shape, a lead count that does not match the signal, an empty or
        repeated lead name, a non-positive sampling rate or an unknown unit.

    Examples
    --------
    >>> import numpy as np
    >>> import ecgtoolkit as et
    >>> ecg = et.ECG(np.zeros((2, 5000)), fs=500, leads=["i", "ii"])
    >>> ecg
    <ECG | 2 leads × 5000 samples (10 s at 500 Hz), mV>
    >>> ecg.to_12_lead().leads
    ('I', 'II', 'III', 'aVR', 'aVL', 'aVF')
    """

    def __init__(
        self,
        signal: Any,
        fs: float,
        leads: Sequence[str],
        units: str = "mV",
        meta: Mapping[str, Any] | None = None,
    ) -> None:
        if isinstance(signal, ECG):
            raise TypeError("signal is already an ECG; use it directly or ECG.copy()")
        arr = np.asarray(signal)
        if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
            raise TypeError(f"signal must be numeric, got dtype {arr.dtype}")
        if np.iscomplexobj(arr):
            raise TypeError("signal must be real-valued, got a complex array")
        if arr.ndim not in (2, 3):
            raise ValueError(
                f"signal has {arr.ndim} dimension{'s' if arr.ndim != 1 else ''}, expected "
                "(n_leads, n_samples) or (n_records, n_leads, n_samples); "
                "for one lead use signal[np.newaxis, :]"
            )
        if not np.issubdtype(arr.dtype, np.floating):
            arr = arr.astype(np.float64)
        factor = unit_factor(units)
        if factor != 1.0:
            arr = arr * arr.dtype.type(factor)
        try:
            fs = float(fs)
        except (TypeError, ValueError):
            raise TypeError(f"fs must be a number in Hz, got {fs!r}") from None
        if not np.isfinite(fs) or fs <= 0:
            raise ValueError(f"fs must be a positive sampling rate in Hz, got {fs}")
        names = normalize_lead_names(leads)
        if len(names) != arr.shape[-2]:
            raise ValueError(
                f"{len(names)} lead names given for a signal with {arr.shape[-2]} leads "
                f"(shape {arr.shape}, leads on axis -2); if the signal is "
                "(n_samples, n_leads), pass signal.T"
            )
        if arr.shape[-1] < 1:
            raise ValueError("signal has no samples")
        self.signal: np.ndarray = arr
        self.fs: float = fs
        self.leads: tuple[str, ...] = names
        self.meta: dict[str, Any] = dict(meta or {})

    # -- shape -------------------------------------------------------------------------
    @property
    def units(self) -> str:
        """Unit of :attr:`signal`: always ``"mV"``."""
        return "mV"

    @property
    def is_batch(self) -> bool:
        """Whether this ECG holds a batch ``(n_records, n_leads, n_samples)``."""
        return self.signal.ndim == 3

    @property
    def n_records(self) -> int:
        """Number of records (1 for a single record)."""
        return self.signal.shape[0] if self.is_batch else 1

    @property
    def n_leads(self) -> int:
        """Number of leads."""
        return self.signal.shape[-2]

    @property
    def n_samples(self) -> int:
        """Number of samples per lead."""
        return self.signal.shape[-1]

    @property
    def record_ids(self) -> list[Any]:
        """Ids of a batch's records: ``meta["record_ids"]`` when it holds one per record,
        else their positions ``0 … n − 1``.

        Examples
        --------
        >>> import numpy as np, ecgtoolkit as et
        >>> et.ECG(np.zeros((2, 1, 10)), fs=500, leads=["II"], meta={"record_ids": [7, 9]}).record_ids
        [7, 9]
        """
        if not self.is_batch:
            raise TypeError("record_ids belong to a batch; one record has meta['record_id']")
        n = self.signal.shape[0]
        ids = self.meta.get("record_ids")
        if ids is None or len(ids) != n:
            return list(range(n))
        return [i.item() if isinstance(i, np.generic) else i for i in ids]

    @property
    def duration_s(self) -> float:
        """Duration in seconds."""
        return self.n_samples / self.fs

    @property
    def times(self) -> np.ndarray:
        """Time of each sample in seconds, starting at 0."""
        return np.arange(self.n_samples) / self.fs

    def as_units(self, units: str) -> np.ndarray:
        """Return the signal converted to ``units`` (``"mV"``, ``"uV"``/``"µV"``, ``"V"``).

        Examples
        --------
        >>> import numpy as np, ecgtoolkit as et
        >>> et.ECG(np.ones((1, 3)), fs=500, leads=["II"]).as_units("uV")
        array([[1000., 1000., 1000.]])
        """
        factor = 1.0 / unit_factor(units)
        return self.signal * self.signal.dtype.type(factor)

    def copy(self) -> ECG:
        """Return a deep copy."""
        return self.replace(self.signal.copy())

    def replace(
        self,
        signal: np.ndarray,
        leads: Sequence[str] | None = None,
        *,
        fs: float | None = None,
        meta: Mapping[str, Any] | None = None,
    ) -> ECG:
        """A new ECG with these samples (in mV) and, where given, leads, fs and metadata.

        The rest is taken from this one; the new ECG shares nothing mutable with it but
        the samples. For code that transforms an ECG's signal (a filter, an artefact):
        the samples must keep the shape's lead axis, or come with their ``leads``.

        Examples
        --------
        >>> import numpy as np, ecgtoolkit as et
        >>> ecg = et.ECG(np.ones((1, 5)), fs=500, leads=["II"], meta={"seed": 1})
        >>> doubled = ecg.replace(2 * ecg.signal)
        >>> doubled.signal.max(), doubled.meta
        (np.float64(2.0), {'seed': 1})
        """
        names = tuple(leads) if leads is not None else self.leads
        if signal.shape[-2] != len(names):
            raise ValueError(
                f"{len(names)} lead names for a signal of shape {signal.shape}; pass leads="
            )
        new = object.__new__(ECG)
        new.signal = signal
        new.fs = float(fs) if fs is not None else self.fs
        new.leads = names
        new.meta = copy.deepcopy(dict(meta) if meta is not None else self.meta)
        return new

    # -- indexing ----------------------------------------------------------------------
    def __len__(self) -> int:
        if not self.is_batch:
            raise TypeError(
                "len() is defined for a batch of records; this ECG is one record "
                "(use .n_leads or .n_samples)"
            )
        return self.signal.shape[0]

    def __iter__(self):
        if not self.is_batch:
            raise TypeError("only a batch ECG can be iterated over (record by record)")
        return (self[i] for i in range(len(self)))

    def lead_index(self, lead: str) -> int:
        """Return the row of ``lead`` (any common spelling)."""
        (name,) = normalize_lead_names([lead])
        try:
            return self.leads.index(name)
        except ValueError:
            raise KeyError(
                f"lead {name!r} is not in this ECG (leads: {', '.join(self.leads)})"
            ) from None

    def __getitem__(self, key: Any) -> Any:
        """Select by lead name, list of lead names, or (for a batch) record index.

        ``ecg["II"]`` returns that lead's samples as an array; ``ecg[["I", "II"]]``
        an ECG with those leads; ``batch[i]`` one record; ``batch[2:5]`` a smaller batch.
        """
        if isinstance(key, str):
            return self.signal[..., self.lead_index(key), :]
        if isinstance(key, (list, tuple)) and key and all(isinstance(k, str) for k in key):
            rows = [self.lead_index(k) for k in key]
            return self.replace(self.signal[..., rows, :], leads=[self.leads[r] for r in rows])
        if not self.is_batch:
            raise TypeError(
                "a single-record ECG is indexed by lead name (ecg['II']); "
                "use .crop(tmin, tmax) to select time"
            )
        if isinstance(key, (int, np.integer)):
            n = len(self)
            if not -n <= key < n:
                raise IndexError(f"record {key} out of range for a batch of {n}")
            meta = _meta_for_record(self.meta, int(key) % n, n)
            return self.replace(self.signal[key], meta=meta)
        if isinstance(key, slice) or (
            isinstance(key, (list, np.ndarray)) and np.asarray(key).dtype.kind in "iub"
        ):
            sub = self.signal[key]
            if sub.ndim != 3:
                raise IndexError("record selection must keep the batch dimension")
            chosen = np.arange(len(self))[key]
            return self.replace(sub, meta=_meta_for_records(self.meta, chosen, len(self)))
        raise TypeError(f"cannot index an ECG with {type(key).__name__}")

    def crop(self, tmin: float = 0.0, tmax: float | None = None) -> ECG:
        """Return the part between ``tmin`` and ``tmax`` seconds (``tmax`` excluded).

        Examples
        --------
        >>> import numpy as np, ecgtoolkit as et
        >>> et.ECG(np.zeros((1, 5000)), fs=500, leads=["II"]).crop(1.0, 3.0).n_samples
        1000
        """
        start = int(round(tmin * self.fs))
        stop = self.n_samples if tmax is None else int(round(tmax * self.fs))
        if not 0 <= start < stop <= self.n_samples:
            raise ValueError(
                f"crop({tmin}, {tmax}) is outside the record (0 to {self.duration_s:g} s) or empty"
            )
        return self.replace(self.signal[..., start:stop])

    # -- derivations -------------------------------------------------------------------
    def to_12_lead(self) -> ECG:
        """Add the limb leads III, aVR, aVL, aVF derived from I and II, in standard order.

        Leads already present are kept as recorded (a recorded lead is better than a
        derived one); only missing limb leads are derived.

        Returns
        -------
        ECG
            The leads of this ECG plus the derived ones, in the order I, II, III, aVR,
            aVL, aVF, V1–V6.

        Raises
        ------
        KeyError
            If lead I or II is missing (the message names the leads there are).
        """
        problem = missing_leads(self.leads, ("I", "II"), "deriving the limb leads")
        if problem:
            raise KeyError(problem)
        derived = derive_limb_leads(self["I"], self["II"])
        rows = {name: self.signal[..., i, :] for i, name in enumerate(self.leads)}
        for name, values in derived.items():
            rows.setdefault(name, values.astype(self.signal.dtype, copy=False))
        names = order_leads(list(rows))
        return self.replace(np.stack([rows[n] for n in names], axis=-2), leads=names)

    def to_dataframe(self, long: bool = False):
        """Return the samples as a pandas DataFrame (values in mV).

        Parameters
        ----------
        long : bool
            ``False`` (default): one row per sample, a ``time_s`` column and one column
            per lead (plus ``record_id`` for a batch). ``True``: tidy long form with
            columns ``record_id, lead, time_s, value_mv``.

        Returns
        -------
        pandas.DataFrame
        """
        import pandas as pd

        t = self.times
        sig = self.signal if self.is_batch else self.signal[None]
        n_rec = sig.shape[0]
        ids = np.asarray(self.record_ids if self.is_batch else [0])
        if long:
            return pd.DataFrame(
                {
                    "record_id": np.repeat(ids, self.n_leads * self.n_samples),
                    "lead": pd.Categorical(
                        np.tile(np.repeat(np.array(self.leads), self.n_samples), n_rec),
                        categories=list(self.leads),
                    ),
                    "time_s": np.tile(t, n_rec * self.n_leads),
                    "value_mv": sig.reshape(-1),
                }
            )
        data: dict[str, Any] = {}
        if self.is_batch:
            data["record_id"] = np.repeat(ids, self.n_samples)
        data["time_s"] = np.tile(t, n_rec)
        for i, name in enumerate(self.leads):
            data[name] = sig[:, i, :].reshape(-1)
        return pd.DataFrame(data)

    # -- signal processing (the work is in ecgtoolkit.signal.filters) ------------------
    def resample(self, fs: float) -> ECG:
        """Return the ECG resampled to ``fs`` Hz (see :func:`ecgtoolkit.resample`).

        Examples
        --------
        >>> import numpy as np, ecgtoolkit as et
        >>> et.ECG(np.zeros((1, 5000)), fs=500, leads=["II"]).resample(250).n_samples
        2500
        """
        from ..signal.filters import resample

        return resample(self, target_fs=fs)

    def filter(self, low_hz: float | None = None, high_hz: float | None = None) -> ECG:
        """Return the ECG band-, high- or low-pass filtered (see :func:`ecgtoolkit.bandpass`).

        ``low_hz`` alone is a high-pass, ``high_hz`` alone a low-pass, both a band-pass;
        zero-phase Butterworth of order 2.
        """
        from ..signal.filters import bandpass, highpass, lowpass

        if low_hz is None and high_hz is None:
            raise ValueError("give low_hz, high_hz or both (Hz)")
        if high_hz is None:
            return highpass(self, cutoff_hz=low_hz)
        if low_hz is None:
            return lowpass(self, cutoff_hz=high_hz)
        return bandpass(self, low_hz=low_hz, high_hz=high_hz)

    def notch(self, frequencies_hz: Sequence[float] = (50.0, 60.0)) -> ECG:
        """Return the ECG with mains hum removed (see :func:`ecgtoolkit.notch`)."""
        from ..signal.filters import notch

        return notch(self, frequencies_hz=frequencies_hz)

    def remove_baseline(self, cutoff_hz: float = 0.5) -> ECG:
        """Return the ECG without baseline wander (see :func:`ecgtoolkit.remove_baseline`)."""
        from ..signal.filters import remove_baseline

        return remove_baseline(self, cutoff_hz=cutoff_hz)

    # -- display -----------------------------------------------------------------------
    def _summary(self) -> str:
        rate = f"{self.fs:g} Hz"
        shape = f"{self.n_leads} lead{'s' if self.n_leads != 1 else ''} × {self.n_samples} samples"
        span = f"({self.duration_s:g} s at {rate}), mV"
        if self.is_batch:
            return f"ECG batch | {self.n_records} records × {shape} {span}"
        return f"ECG | {shape} {span}"

    def __repr__(self) -> str:
        return f"<{self._summary()}>"

    def _display_rows(self) -> list[tuple[str, str]]:
        """Key facts for :meth:`_repr_html_`: shape, rate, range, then the metadata."""
        finite = self.signal[np.isfinite(self.signal)]
        if finite.size:
            span = f"{finite.min():.2f} to {finite.max():.2f} mV"
            if finite.size < self.signal.size:
                missing = 1 - finite.size / self.signal.size
                span += f" ({format_share(missing)} of samples missing)"
        else:
            span = "no finite samples"
        shown = ", ".join(self.leads[:_LEADS_SHOWN])
        more = f", … ({self.n_leads} in all)" if self.n_leads > _LEADS_SHOWN else ""
        rows = [("records", format_count(self.n_records))] if self.is_batch else []
        rows += [
            ("leads", f"{self.n_leads}: {shown}{more}"),
            ("duration", f"{self.duration_s:g} s ({format_count(self.n_samples)} samples)"),
            ("sampling rate", f"{self.fs:g} Hz"),
            ("units", self.units),
            ("range", span),
        ]
        return rows + metadata_rows(self.meta)

    def _repr_html_(self) -> str:
        """A Jupyter display: key facts and metadata over a thumbnail of the first seconds."""
        from ..plot.ecg import thumbnail_png

        record = self[0] if self.is_batch else self
        image = (
            f'<img src="data:image/png;base64,{thumbnail_png(record)}" alt="ECG thumbnail" '
            'style="max-width:100%"/>'
        )
        return summary_html(
            self._summary(),
            self._display_rows(),
            notes=["first record shown"] if self.is_batch else (),
            extra_html=image,
        )


#: Leads named in an ECG's display before "… (n in all)".
_LEADS_SHOWN = 12
#: Characters of one metadata value in an ECG's display.
_META_CHARS = 120


def metadata_rows(meta: Mapping[str, Any]) -> list[tuple[str, str]]:
    """An ECG's metadata as display rows: labels and short, readable values.

    The rows of an ECG's Jupyter display (and of results that hold an ECG's
    metadata), for :func:`ecgtoolkit.core.display.summary_html`.

    Parameters
    ----------
    meta : mapping
        :attr:`ECG.meta`, or part of it.

    Returns
    -------
    list of (str, str)
        One row per entry, its key with spaces for underscores, in order. The
        ``generator`` entry gives rows "generator" (the model), "weights" (with the
        first 12 digits of its sha256) and "generated with" (the other settings); the
        ``acceptance`` entry of ``generate(accept=...)`` gives "acceptance" (the share
        of candidates that passed) and "accepted by" (the check). Floats read with 3
        significant digits, missing values "n/a", long sequences by their first and
        last values and their count; each value is cut to 120 characters.

    Examples
    --------
    >>> meta = {"seed": 3, "acceptance": {"check": "is_normal(NormalCriteria())",
    ...         "candidates": 60, "passed": 55, "rate": 0.9167}}
    >>> for label, value in metadata_rows(meta):
    ...     print(f"{label}: {value}")
    seed: 3
    acceptance: 91.7% (55 of 60 tried)
    accepted by: is_normal(NormalCriteria())
    """
    rows: list[tuple[str, str]] = []
    for key, value in meta.items():
        if key == "generator" and isinstance(value, Mapping):
            rows += _generator_rows(value)
        elif key == "acceptance" and isinstance(value, Mapping):
            rows += _acceptance_rows(value)
        else:
            rows.append((key.replace("_", " "), _meta_text(value)))
    return rows


def _generator_rows(generator: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``meta["generator"]``: the model, its weights, and the other settings on one row."""
    rest = dict(generator)
    rows = []
    if "model" in rest:
        rows.append(("generator", _meta_text(rest.pop("model"))))
    weights, sha = rest.pop("weights", None), rest.pop("weights_sha256", None)
    parts = [] if weights is None else [_meta_text(weights)]
    if sha:
        parts.append(f"sha256 {str(sha)[:12]}…")
    if parts:
        rows.append(("weights", ", ".join(parts)))
    training = rest.pop("training", None)
    if training is not None:
        rows.append(("trained", training_sentence(training)))
    if rest:
        settings = ", ".join(f"{k.replace('_', ' ')} {_meta_text(v)}" for k, v in rest.items())
        rows.append(("generated with", _meta_text(settings)))
    return rows


def _acceptance_rows(acceptance: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``meta["acceptance"]``: "91.7% (55 of 60 tried)" and the check."""
    rate, passed, tried = (acceptance.get(k) for k in ("rate", "passed", "candidates"))
    if rate is None and passed is not None and tried:
        rate = passed / tried
    text = format_share(rate) if rate is not None else "n/a"
    if passed is not None and tried is not None:
        text += f" ({format_count(passed)} of {format_count(tried)} tried)"
    rows = [("acceptance", text)]
    if "check" in acceptance:
        rows.append(("accepted by", _meta_text(acceptance["check"])))
    return rows


def _meta_text(value: Any, limit: int = _META_CHARS) -> str:
    """A metadata value in one short line: numbers readable, long sequences summarised."""
    if isinstance(value, Mapping):
        text = ", ".join(f"{k}: {_meta_text(v, limit)}" for k, v in value.items())
    elif isinstance(value, (list, tuple, np.ndarray)):
        items = np.asarray(value, dtype=object) if not isinstance(value, np.ndarray) else value
        if items.ndim > 1:
            text = f"array of shape {items.shape}"
        elif items.size == 0:
            text = "none"
        elif items.size <= 6:
            text = ", ".join(_scalar_text(v) for v in items)
        else:
            text = (
                f"{_scalar_text(items[0])}, {_scalar_text(items[1])}, … "
                f"{_scalar_text(items[-1])} ({format_count(items.size)} values)"
            )
    else:
        text = _scalar_text(value)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _scalar_text(value: Any) -> str:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if is_missing(value):
        return "n/a"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else format_value(value)
    return str(value)


#: Batch metadata holding one value per record, and the key of one record's value.
_PER_RECORD = {"record_ids": "record_id", "record_names": "record_name"}


def _per_record_key(key: str, value: Any, n_records: int) -> str | None:
    """The singular key if ``meta[key]`` holds one value per record, else None."""
    if not isinstance(value, (list, tuple, np.ndarray)) or len(value) != n_records:
        return None
    if key in _PER_RECORD:
        return _PER_RECORD[key]
    if key.endswith("_per_record"):
        return key[: -len("_per_record")]
    return None


def _meta_for_record(meta: dict[str, Any], index: int, n_records: int) -> dict[str, Any]:
    """One record's metadata: per-record entries are indexed (see :class:`ECG`)."""
    out: dict[str, Any] = {}
    for key, value in meta.items():
        single = _per_record_key(key, value, n_records)
        if single is None:
            out[key] = value
        else:
            item = value[index]
            out[single] = item.item() if isinstance(item, np.generic) else item
    return out


def _meta_for_records(meta: dict[str, Any], chosen: np.ndarray, n_records: int) -> dict[str, Any]:
    """Metadata of a sub-batch: per-record entries keep the chosen records' values."""
    out: dict[str, Any] = {}
    for key, value in meta.items():
        if _per_record_key(key, value, n_records) is None:
            out[key] = value
        elif isinstance(value, np.ndarray):
            out[key] = value[chosen]
        else:
            out[key] = type(value)(value[i] for i in chosen)
    return out
