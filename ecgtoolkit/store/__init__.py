"""Datasets of generated ECGs: a folder of record files, or a chunked Zarr store.

Both are one run of the generator, described by a :class:`Manifest` written once when
the dataset starts and checked on every later call, so that an interrupted run can be
finished with the same command and a dataset never mixes records of other settings.

- :func:`generate_to`: a folder of files (WFDB, CSV, deepfake-ecg ASCII, NumPy), one
  file set per record, with a ``manifest.json``.
- :func:`generate_store` and :func:`open_store`: a Zarr v3 store read lazily through
  :class:`ECGStore` (any record, slices, chunks, a Dask array).
- :func:`verify`: check every record of either kind against the checksums written
  with it (:mod:`~ecgtoolkit.store.integrity`); rerunning the generate command
  rewrites exactly the records it names. One writer at a time holds a dataset's lock.

(Public databases of real ECGs, such as LUDB, are loaded by :mod:`ecgtoolkit.databases`.)
"""

from .folder import MANIFEST, generate_to
from .integrity import DamagedRecordError
from .manifest import Manifest
from .verify import Verification, verify
from .zarr_reader import ECGStore, open_store
from .zarr_store import generate_store

__all__ = [
    "MANIFEST",
    "DamagedRecordError",
    "ECGStore",
    "Manifest",
    "generate_store",
    "generate_to",
    "open_store",
    "verify",
    "Verification",
]
