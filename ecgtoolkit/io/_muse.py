"""GE MUSE ``RestingECG`` XML exports (read only)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..core.ecg import ECG
from ..core.leads import GENERATED_LEADS
from ..core.units import unit_factor
from ._files import check_given, file_fs, given_fs, given_leads, select_leads, unique_names

# MUSE stores each lead as base64 of little-endian int16 samples, scaled by
# LeadAmplitudeUnitsPerBit in LeadAmplitudeUnits (GE Healthcare, MUSE XML export;
# the layout of the RestingECG document type, restecg.dtd).
_MUSE_UNITS = {"MICROVOLTS": "uV", "MILLIVOLTS": "mV", "VOLTS": "V"}


_MUSE_AGE_YEARS = {"YEARS": 1.0, "MONTHS": 1 / 12, "WEEKS": 7 / 365.25, "DAYS": 1 / 365.25,
                   "HOURS": 1 / 8766}  # fmt: skip


# The machine's measurements under the toolkit's names (units in the name, as in
# ecgtoolkit.measure); other fields keep their MUSE names.
_MUSE_MEASUREMENTS = {
    "VentricularRate": "heart_rate",
    "AtrialRate": "atrial_rate",
    "PRInterval": "pr_ms",
    "QRSDuration": "qrs_ms",
    "QTInterval": "qt_ms",
    "QTCorrected": "qtc_ms",
    "QTcFrederica": "qtc_fridericia_ms",
    "PAxis": "p_axis_deg",
    "RAxis": "qrs_axis_deg",
    "TAxis": "t_axis_deg",
    "QRSCount": "n_beats",
}


def read(path: Path, fs: float | None, leads: Sequence[str] | None) -> ECG:
    """A GE MUSE ``RestingECG`` XML export: the rhythm strip, median beats and findings."""
    import xml.etree.ElementTree as ElementTree

    try:
        root = ElementTree.parse(path).getroot()
    except ElementTree.ParseError as err:
        raise ValueError(f"{path.name!r} is not well-formed XML ({err})") from None
    if root.tag != "RestingECG":
        raise ValueError(
            f"{path.name!r} is not a GE MUSE resting ECG export: its root element is "
            f"<{root.tag}>, not <RestingECG>; read() reads MUSE XML only (export other "
            "XML formats to WFDB or CSV first)"
        )
    waveforms = {(w.findtext("WaveformType") or "").strip(): w for w in root.iter("Waveform")}
    if "Rhythm" not in waveforms:
        found = ", ".join(repr(t) for t in waveforms) or "none"
        raise ValueError(
            f"{path.name!r} holds no <Waveform> of type 'Rhythm' (found: {found}); "
            "export the ECG from MUSE with its waveforms"
        )
    found_fs, stored = _muse_waveform(waveforms["Rhythm"], path)
    check_given("fs", given_fs(fs), found_fs, path)
    derivable = {"III", "aVR", "aVL", "aVF"} if {"I", "II"} <= stored.keys() else set()
    needed = GENERATED_LEADS if leads is None else given_leads(leads)
    absent = [name for name in needed if name not in stored and name not in derivable]
    if absent:
        raise ValueError(
            f"{path.name!r}: the rhythm waveform lacks lead(s) {', '.join(absent)} (it holds "
            f"{', '.join(stored)}); a MUSE resting ECG stores I, II and V1–V6, so the file "
            "is incomplete; pass leads=[...] to read the leads it holds"
        )
    meta = _muse_findings(root)
    if "Median" in waveforms:
        median_fs, median_leads = _muse_waveform(waveforms["Median"], path)
        median = _muse_ecg(median_fs, median_leads)
        meta["median_beats"] = median.signal
        meta["median_beats_leads"] = list(median.leads)
        meta["median_beats_fs"] = median.fs
    ecg = _muse_ecg(found_fs, stored)
    ecg.meta.update(meta)
    return select_leads(ecg, leads, path)


def _muse_ecg(fs: float, stored: dict[str, np.ndarray]) -> ECG:
    """The stored leads (mV) as an ECG, with the limb leads derived where I and II exist."""
    ecg = ECG(np.stack(list(stored.values())), fs=fs, leads=list(stored))
    return ecg.to_12_lead() if {"I", "II"} <= set(ecg.leads) else ecg


def _muse_waveform(waveform: Any, path: Path) -> tuple[float, dict[str, np.ndarray]]:
    """Sampling rate (Hz) and leads (mV, by name, in file order) of one <Waveform>."""
    kind = (waveform.findtext("WaveformType") or "").strip()
    where = f"{path.name!r}, {kind} waveform"
    base = _muse_number(waveform, "SampleBase", where)
    exponent = _muse_number(waveform, "SampleExponent", where, default=0.0)
    try:
        rate = base * 10.0**exponent
    except OverflowError:
        rate = float("inf")
    fs = file_fs(rate, path, f"{kind} waveform, <SampleBase> and <SampleExponent>")
    raw_names: list[str] = []
    values: list[np.ndarray] = []
    for lead in waveform.iter("LeadData"):
        name = (lead.findtext("LeadID") or "").strip()
        at = f"{where}, lead {name or '(unnamed)'}"
        units = (lead.findtext("LeadAmplitudeUnits") or "").strip().upper()
        if units not in _MUSE_UNITS:
            raise ValueError(
                f"{at}: LeadAmplitudeUnits {units!r} is missing or unknown; expected one of "
                f"{', '.join(_MUSE_UNITS)}"
            )
        per_bit = _muse_number(lead, "LeadAmplitudeUnitsPerBit", at)
        count = int(_muse_number(lead, "LeadSampleCountTotal", at))
        text = "".join((lead.findtext("WaveFormData") or "").split())
        try:
            payload = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError) as err:
            raise ValueError(
                f"{at}: WaveFormData is not valid base64 ({err}); the file is truncated or "
                "damaged, export it again"
            ) from None
        if len(payload) != 2 * count:
            raise ValueError(
                f"{at}: WaveFormData holds {len(payload) // 2} samples but "
                f"LeadSampleCountTotal says {count}; the file is truncated or damaged, "
                "export it again"
            )
        scale_mv = per_bit * unit_factor(_MUSE_UNITS[units])
        raw_names.append(name)
        values.append(np.frombuffer(payload, dtype="<i2").astype(np.float64) * scale_mv)
    if not values:
        raise ValueError(f"{where} holds no <LeadData>; export the ECG with its waveforms")
    lengths = {len(v) for v in values}
    if len(lengths) > 1:
        raise ValueError(
            f"{where}: the leads differ in length ({', '.join(map(str, sorted(lengths)))} "
            "samples); one ECG holds leads of one length"
        )
    names, _ = unique_names(raw_names)
    return fs, dict(zip(names, values, strict=True))


def _muse_number(element: Any, tag: str, where: str, default: float | None = None) -> float:
    text = (element.findtext(tag) or "").strip()
    if not text and default is not None:
        return default
    try:
        return float(text)
    except ValueError:
        raise ValueError(
            f"{where}: <{tag}> is {'missing' if not text else repr(text)}, expected a number; "
            "the file is incomplete or not a MUSE export"
        ) from None


def _muse_findings(root: Any) -> dict[str, Any]:
    """Age, sex, the machine's measurements and statements: nothing that names the patient."""
    meta: dict[str, Any] = {}
    demographics = root.find("PatientDemographics")
    if demographics is not None:
        age = _muse_value(demographics.findtext("PatientAge"))
        units = (demographics.findtext("AgeUnits") or "YEARS").strip().upper()
        if isinstance(age, (int, float)) and units in _MUSE_AGE_YEARS:
            meta["age"] = age * _MUSE_AGE_YEARS[units]
        gender = (demographics.findtext("Gender") or "").strip().upper()
        meta["sex"] = {"MALE": "M", "FEMALE": "F"}.get(gender)
    device = root.findtext("TestDemographics/AcquisitionDevice")
    if device and device.strip():
        meta["device"] = device.strip()
    measured = root.find("RestingECGMeasurements")
    meta["measurements"] = {
        _MUSE_MEASUREMENTS.get(field.tag, field.tag): _muse_value(field.text)
        for field in (measured if measured is not None else [])
        if len(field) == 0 and field.text and field.text.strip()
    }
    for tag, key in (("Diagnosis", "diagnosis"), ("OriginalDiagnosis", "original_diagnosis")):
        block = root.find(tag)
        if block is not None:
            meta[key] = _muse_statements(block)
    return meta


def _muse_statements(block: Any) -> list[str]:
    """Statement texts joined into lines; a statement flagged ENDSLINE ends its line."""
    lines: list[str] = []
    current: list[str] = []
    for statement in block.iter("DiagnosisStatement"):
        text = (statement.findtext("StmtText") or "").strip()
        if text:
            current.append(text)
        flags = {(flag.text or "").strip().upper() for flag in statement.iter("StmtFlag")}
        if "ENDSLINE" in flags and current:
            lines.append(" ".join(current))
            current = []
    if current:
        lines.append(" ".join(current))
    return lines


def _muse_value(text: str | None) -> Any:
    """A number where the text is one (int if whole), else the stripped text."""
    text = (text or "").strip()
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() and "." not in text else number
