"""Real ECGs: public databases (LUDB, PTB-XL, PhysioNet/CinC 2021) and embedded references.

- :func:`load_ludb`, :func:`load_ptbxl`, :func:`load_cinc2021` return a :class:`Database`
  (records, metadata, expert annotations) from a local copy or a download cache
  (:mod:`ecgtoolkit.databases.physionet`);
- :func:`load_reference` gives the embedded measurements of real normal ECGs that
  :func:`ecgtoolkit.compare` uses by default.
"""

from .cinc2021 import CINC2021_DIAGNOSES, load_cinc2021
from .ludb import load_ludb, ludb_labels
from .paths import cache_dir, data_dir
from .physionet import Database
from .ptbxl import load_ptbxl
from .reference import PUBLISHED, REFERENCES, Reference, load_reference, load_reference_checks

__all__ = [
    "CINC2021_DIAGNOSES",
    "Database",
    "PUBLISHED",
    "REFERENCES",
    "Reference",
    "cache_dir",
    "data_dir",
    "load_cinc2021",
    "load_ludb",
    "load_ptbxl",
    "load_reference",
    "load_reference_checks",
    "ludb_labels",
]
