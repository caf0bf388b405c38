"""ecgtoolkit: generate, validate, plot and compare electrocardiograms.

>>> import ecgtoolkit as et
>>> batch = et.generate(2, seed=0)
>>> batch
<ECG batch | 2 records × 12 leads × 5000 samples (10 s at 500 Hz), mV>
"""

from importlib.metadata import PackageNotFoundError, version

from .ecg import ECG
from .generate import generate, generate_to, load_generator
from .io import read, write
from .leads import GENERATED_LEADS, STANDARD_LEADS
from .plot import plot_ecg

try:
    __version__ = version("ecgtoolkit")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

__all__ = [
    "ECG",
    "GENERATED_LEADS",
    "STANDARD_LEADS",
    "generate",
    "generate_to",
    "load_generator",
    "plot_ecg",
    "read",
    "write",
    "__version__",
]
