"""The flat public API and the cost of importing it."""

import subprocess
import sys

import ecgtoolkit as et


def test_public_api_is_flat_and_complete():
    for name in et.__all__:
        assert hasattr(et, name), name
    assert {
        "generate",
        "generate_to",
        "read",
        "write",
        "plot_ecg",
        "detect_rpeaks",
        "delineate",
        "measure",
        "ECG",
    } <= set(dir(et))
    assert callable(et.measure) and callable(et.delineate) and callable(et.detect_rpeaks)


def test_import_stays_light():
    """`import ecgtoolkit` (and so the CLI's start-up) must not pull in torch, scipy.signal
    or pandas: they load on first use."""
    code = "import sys, ecgtoolkit; print(' '.join(m for m in ('torch', 'scipy.signal', 'pandas') if m in sys.modules))"
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert loaded == []
