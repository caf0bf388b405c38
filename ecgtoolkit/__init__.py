"""ecgtoolkit: generate, validate, plot and compare electrocardiograms.

>>> import ecgtoolkit as et
>>> batch = et.generate(2, seed=0)
>>> batch
<ECG batch | 2 records × 12 leads × 5000 samples (10 s at 500 Hz), mV>
"""

from importlib.metadata import PackageNotFoundError, version

from .dataset import ECGStore, generate_store, generate_to, open_store
from .ecg import ECG
from .generate import generate, load_generator
from .io import read, write
from .leads import GENERATED_LEADS, STANDARD_LEADS
from .plot import plot_bland_altman, plot_ecg, plot_fiducials, plot_median_beats, plot_qt_rr

try:
    __version__ = version("ecgtoolkit")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

__all__ = [
    "ECG",
    "ECGStore",
    "GENERATED_LEADS",
    "STANDARD_LEADS",
    "amplitudes",
    "check_leads",
    "compare",
    "Comparison",
    "Dataset",
    "datasets",
    "delineate",
    "detect_rpeaks",
    "generate",
    "generate_store",
    "generate_to",
    "interpret",
    "is_normal",
    "NormalCriteria",
    "open_store",
    "load_cinc2021",
    "load_generator",
    "load_ludb",
    "load_ptbxl",
    "measure",
    "measure_dataset",
    "measure_leads",
    "plot_bland_altman",
    "plot_ecg",
    "plot_fiducials",
    "plot_median_beats",
    "plot_qt_rr",
    "read",
    "realism_report",
    "signal_quality",
    "view",
    "ECGViewer",
    "write",
    "__version__",
]

# The measurement functions need scipy.signal and pandas (about a second to import);
# they load on first use so that `ecgtoolkit generate` and `import ecgtoolkit` stay fast.
_LAZY = {
    "amplitudes": ".measurement",
    "check_leads": ".checks",
    "compare": ".compare",
    "Comparison": ".compare",
    "detect_rpeaks": ".detect",
    "Dataset": ".datasets",
    "delineate": ".delineation",
    "load_cinc2021": ".datasets",
    "load_ludb": ".datasets",
    "load_ptbxl": ".datasets",
    "interpret": ".interpretation",
    "is_normal": ".interpretation",
    "NormalCriteria": ".interpretation",
    "measure": ".measurement",
    "measure_dataset": ".bulk",
    "measure_leads": ".measurement",
    "realism_report": ".report",
    "signal_quality": ".quality",
    "view": ".viewer",
    "ECGViewer": ".viewer",
}


def __getattr__(name: str):
    if name == "datasets":
        from importlib import import_module

        return import_module(".datasets", __name__)
    if name in _LAZY:
        from importlib import import_module

        value = getattr(import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'ecgtoolkit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
