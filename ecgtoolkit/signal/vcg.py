"""The heart's electrical vector: the vectorcardiogram (X, Y, Z) from the twelve leads.

Every lead of the ECG looks at one heart vector from its own direction. The Frank lead
system (Frank 1956) records that vector's three orthogonal components directly; from
the standard twelve leads it can be reconstructed as a weighted sum of the eight
independent ones (I, II, V1–V6):

* ``"kors"`` (default): the regression matrix of Kors et al., "Reconstruction of the
  Frank vectorcardiogram from standard electrocardiographic leads: diagnostic
  comparison of different methods", Eur Heart J 1990;11:1083–1092, fitted by least
  squares to simultaneously recorded Frank leads;
* ``"inverse-dower"``: the inverse of Dower's transform (Edenbrandt & Pahlm, "Vectorcardiogram
  synthesized from a 12-lead ECG: superiority of the inverse Dower matrix",
  J Electrocardiol 1988;21:361–367), derived from a torso model.

Axes as in the Frank system: X from the patient's right to left, Y from head to feet
(inferior positive), Z from front to back (posterior positive). The frontal-plane angle
``atan2(Y, X)`` is then the hexaxial angle of the limb leads (0° towards lead I, +90°
towards aVF).
"""

from __future__ import annotations

import numpy as np

from ..core.ecg import ECG
from ..core.leads import select_leads

__all__ = ["VCG_LEADS", "VCG_METHODS", "VCG_SOURCE_LEADS", "vcg", "vcg_matrix"]

#: The names of the vectorcardiogram's leads.
VCG_LEADS: tuple[str, str, str] = ("X", "Y", "Z")
#: The twelve-lead ECG's independent leads the reconstructions weigh, in this order.
VCG_SOURCE_LEADS: tuple[str, ...] = ("I", "II", "V1", "V2", "V3", "V4", "V5", "V6")

# Rows X, Y, Z; columns as VCG_SOURCE_LEADS. Published coefficients (see the module).
_MATRICES: dict[str, tuple[tuple[float, ...], ...]] = {
    "kors": (
        (0.38, -0.07, -0.13, 0.05, -0.01, 0.14, 0.06, 0.54),
        (-0.07, 0.93, 0.06, -0.02, -0.05, 0.06, -0.17, 0.13),
        (0.11, -0.23, -0.43, -0.06, -0.14, -0.20, -0.11, 0.31),
    ),
    "inverse-dower": (
        (0.156, -0.010, -0.172, -0.074, 0.122, 0.231, 0.239, 0.194),
        (-0.227, 0.887, 0.057, -0.019, -0.106, -0.022, 0.041, 0.048),
        (0.022, 0.102, -0.229, -0.310, -0.246, -0.063, 0.055, 0.108),
    ),
}
#: The reconstructions :func:`vcg` knows.
VCG_METHODS: tuple[str, ...] = tuple(_MATRICES)


def vcg_matrix(method: str = "kors") -> np.ndarray:
    """The ``(3, 8)`` matrix that turns leads I, II, V1–V6 into X, Y, Z.

    Examples
    --------
    >>> float(vcg_matrix("kors")[1, 1])  # Y is mostly lead II
    0.93
    """
    if method not in _MATRICES:
        raise ValueError(f"unknown VCG method {method!r}; use one of {', '.join(VCG_METHODS)}")
    return np.array(_MATRICES[method])


def vcg(ecg: ECG, method: str = "kors") -> ECG:
    """The vectorcardiogram (leads X, Y, Z, in mV) reconstructed from a 12-lead ECG.

    Parameters
    ----------
    ecg : ECG
        One record or a batch with leads I, II (or two limb leads they can be derived
        from) and V1–V6, in mV.
    method : {"kors", "inverse-dower"}
        The reconstruction (see the module): Kors's regression (default) or the inverse
        Dower matrix.

    Returns
    -------
    ECG
        The same record(s), sampling rate and units, with leads ``X``, ``Y``, ``Z``.

    Raises
    ------
    KeyError
        When a chest lead is missing (the reconstruction needs all six).
    ValueError
        For an unknown ``method``.

    Examples
    --------
    One deflection seen by eight leads (lead II twice lead I, the chest leads from
    negative in V1 to largest in V5), and the frontal-plane angle of its vector:

    >>> import numpy as np
    >>> import ecgtoolkit as et
    >>> fs = 500
    >>> t = np.arange(fs) / fs
    >>> wave = np.exp(-0.5 * ((t - 0.5) / 0.02) ** 2)
    >>> lead_i, lead_ii = 0.5 * wave, 1.0 * wave
    >>> chest = np.outer([-0.4, -0.1, 0.3, 0.6, 0.8, 0.7], wave)
    >>> ecg = et.ECG(np.vstack([lead_i, lead_ii, chest]), fs=fs,
    ...              leads=["I", "II", "V1", "V2", "V3", "V4", "V5", "V6"])
    >>> xyz = et.vcg(ecg)
    >>> xyz.leads
    ('X', 'Y', 'Z')
    >>> peak = xyz.signal[:, fs // 2]
    >>> round(float(np.degrees(np.arctan2(peak[1], peak[0]))))
    52
    """
    if not isinstance(ecg, ECG):
        raise TypeError(f"vcg expects an ecgtoolkit.ECG, got {type(ecg).__name__}")
    matrix = vcg_matrix(method)
    sources = select_leads(ecg.signal, ecg.leads, VCG_SOURCE_LEADS, purpose="the vectorcardiogram")
    xyz = np.einsum("ij,...jn->...in", matrix, sources)
    return ECG(xyz, fs=ecg.fs, leads=list(VCG_LEADS))
