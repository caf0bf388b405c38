"""ecgtoolkit: generate, validate, plot and compare electrocardiograms.

The flat public API, in the order of the work: the data model, generation, reading and
writing, generated datasets, real databases, signal processing, measurement and
judgement, comparison, plots, the viewer and reports. Each name lives in a subpackage
(``docs/architecture.md`` draws the layers) and is imported on first use, so that
``import ecgtoolkit`` stays fast.

>>> import ecgtoolkit as et
>>> batch = et.generate(2, seed=0, progress=False)
>>> batch
<ECG batch | 2 records × 12 leads × 5000 samples (10 s at 500 Hz), mV>
"""

from importlib import import_module

from .core.ecg import ECG
from .core.leads import GENERATED_LEADS, STANDARD_LEADS
from .core.version import __version__

#: Where each lazily loaded public name lives.
_LAZY = {
    # generation
    "generate": ".generators.generate",
    "load_generator": ".generators.pulse2pulse",
    "simulate_neurokit": ".generators.neurokit",
    # reading, writing, generated datasets
    "read": ".io",
    "write": ".io",
    "ECGStore": ".store",
    "generate_store": ".store",
    "generate_to": ".store",
    "open_store": ".store",
    "ECGDataset": ".store.torch_dataset",
    "verify": ".store",
    "Verification": ".store",
    "DamagedRecordError": ".store",
    # real databases
    "Database": ".databases",
    "load_cinc2021": ".databases",
    "load_ludb": ".databases",
    "load_ptbxl": ".databases",
    # signal processing
    "bandpass": ".signal.filters",
    "highpass": ".signal.filters",
    "lowpass": ".signal.filters",
    "notch": ".signal.filters",
    "remove_baseline": ".signal.filters",
    "resample": ".signal.filters",
    "signal_quality": ".signal.quality",
    "detect_rpeaks": ".signal.rpeaks",
    "delineate": ".signal.delineation",
    "swap_electrodes": ".signal.augment",
    "vcg": ".signal.vcg",
    # measurement and judgement
    "measure": ".measurement.measure",
    "measure_leads": ".measurement.measure",
    "amplitudes": ".measurement.measure",
    "classify_beats": ".measurement.measure",
    "measure_source": ".measurement.sources",
    "check_leads": ".measurement.checks",
    "interpret": ".measurement.interpretation",
    "is_normal": ".measurement.interpretation",
    "NormalCriteria": ".measurement.interpretation",
    "check_reading": ".measurement.reading",
    # comparison
    "compare": ".comparison.compare",
    "Comparison": ".comparison.result",
    "leaderboard": ".comparison.leaderboard",
    "Leaderboard": ".comparison.leaderboard",
    # training
    "prepare_training_data": ".training.data",
    "train_generator": ".training.loop",
    "load_run": ".training.runs",
    # plots, viewer, reports
    "plot_ecg": ".plot.ecg",
    "plot_fiducials": ".plot.ecg",
    "plot_beat_intervals": ".plot.teaching",
    "plot_lead_reversal": ".plot.teaching",
    "plot_vcg": ".plot.vcg",
    "plot_median_beats": ".plot.stats",
    "plot_qt_rr": ".plot.stats",
    "plot_bland_altman": ".plot.stats",
    "plot_leaderboard": ".plot.leaderboard",
    "plot_training": ".plot.training",
    "plot_forest": ".plot.comparison",
    "plot_copies": ".plot.comparison",
    "view": ".viewer.widget",
    "ECGViewer": ".viewer.model",
    "realism_report": ".report.realism",
    "training_report": ".report.training",
}

__all__ = ["ECG", "GENERATED_LEADS", "STANDARD_LEADS", "__version__", *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'ecgtoolkit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
