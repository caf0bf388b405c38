"""The settings a generated dataset was made with, and the check that a later run matches.

A dataset (a folder of record files, or a Zarr store) is one run of the generator:
record ``i`` depends only on the seed, the record id, the batch size and the generator's
checkpoint (named by its sha256). Its
:class:`Manifest` is written once, when the dataset starts, and every later call that
adds to the dataset (a resume) is checked against it, so a dataset never silently mixes
records made with different settings.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..core.files import atomic_write
from ..core.version import __version__
from ..generators.checkpoints import WEIGHTS_SHA256
from ..generators.generate import FS, PUBLISHED_WEIGHTS, GeneratorSettings

__all__ = ["Manifest", "SETTINGS"]

#: The settings that make a dataset's records what they are, in the order errors name them.
SETTINGS = (
    "seed", "weights_sha256", "format", "leads", "batch_size", "first_id", "count", "version",
)  # fmt: skip


@dataclass(frozen=True)
class Manifest:
    """The settings of one generated dataset.

    Parameters
    ----------
    seed : int
        Noise seed.
    format : str
        ``"wfdb"``, ``"csv"``, ``"asc"``, ``"npy"``, ``"npz"`` for a folder of files,
        ``"zarr"`` for a store.
    leads : tuple of str
        Lead names, in order.
    batch_size : int
        ECGs per forward pass; with the seed it fixes every record bit for bit.
    first_id : int
        Id of the first record.
    count : int
        Number of records.
    version : str
        The ecgtoolkit version that wrote the dataset.
    fs : float
        Sampling rate in Hz.
    units : str
        Unit of the samples.
    generator : dict
        Model, weights (the checkpoint file and its sha256), device and batch size.
        Informative, except ``weights_sha256``: a resume must use the same generator
        file (:attr:`weights_sha256`).

    Examples
    --------
    >>> from ecgtoolkit.store import Manifest
    >>> old = Manifest(seed=1, format="wfdb", leads=("I", "II"), batch_size=8, first_id=0,
    ...                count=2, version="0.1.0")
    >>> new = Manifest(seed=1, format="csv", leads=("I", "II"), batch_size=8, first_id=0,
    ...                count=2, version="0.1.0")
    >>> old.mismatch(new, where="folder")
    'this folder was generated with seed=1, format=wfdb; you asked for seed=1, format=csv'
    """

    seed: int
    format: str
    leads: tuple[str, ...]
    batch_size: int
    first_id: int
    count: int
    version: str
    fs: float = 500.0
    units: str = "mV"
    generator: dict[str, Any] = field(default_factory=dict, compare=False)

    @classmethod
    def for_run(
        cls, settings: GeneratorSettings, *, format: str, first_id: int, count: int
    ) -> Manifest:
        """The manifest of a new dataset generated with ``settings``.

        Parameters
        ----------
        settings : ecgtoolkit.generators.generate.GeneratorSettings
            Seed, leads, device and batch size of the run.
        format : str
            A file format of :data:`ecgtoolkit.io.FORMATS`, or ``"zarr"``.
        first_id, count : int
            The record ids ``first_id … first_id + count − 1``.
        """
        return cls(
            seed=settings.seed,
            format=format,
            leads=settings.leads,
            batch_size=settings.batch_size,
            first_id=first_id,
            count=count,
            version=__version__,
            fs=FS,
            units="mV",
            generator=settings.info(),
        )

    @property
    def weights_sha256(self) -> str:
        """sha256 of the generator checkpoint that made the records.

        Manifests that do not record it are from before any other checkpoint could be
        used: the published weights made them.
        """
        return str(self.generator.get("weights_sha256", WEIGHTS_SHA256))

    @property
    def record_ids(self) -> range:
        """The record ids of the dataset, ``first_id … first_id + count − 1``."""
        return range(self.first_id, self.first_id + self.count)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (lead names as a list, the version under ``ecgtoolkit``)."""
        data = asdict(self)
        data["leads"] = list(self.leads)
        data["ecgtoolkit"] = data.pop("version")
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "the manifest") -> Manifest:
        """Read a dict written by :meth:`to_dict`.

        Raises
        ------
        ValueError
            If an entry is missing (e.g. a manifest from an older ecgtoolkit).
        """
        try:
            return cls(
                seed=int(data["seed"]),
                format=str(data["format"]),
                leads=tuple(data["leads"]),
                batch_size=int(data["batch_size"]),
                first_id=int(data["first_id"]),
                count=int(data["count"]),
                version=str(data["ecgtoolkit"]),
                fs=float(data["fs"]),
                units=str(data["units"]),
                generator=dict(data.get("generator", {})),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(
                f"{source} lacks the setting {exc} or has it in a form this ecgtoolkit does "
                "not know (written by another version?); generate into a new folder"
            ) from None

    @classmethod
    def read(cls, path: str | Path) -> Manifest | None:
        """The manifest in JSON file ``path``, or None if there is none.

        Raises
        ------
        ValueError
            If the file exists but is not a readable manifest.
        """
        path = Path(path)
        if not path.exists():
            return None
        try:
            data = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise ValueError(
                f"{path} is not a readable manifest ({exc}); move it away or use a new folder"
            ) from None
        if not isinstance(data, dict):
            raise ValueError(f"{path} is not a manifest (not a JSON object); move it away")
        return cls.from_dict(data, source=str(path))

    def write(self, path: str | Path, *, overwrite: bool) -> None:
        """Write the manifest as JSON to ``path`` atomically (temporary file and rename)."""
        atomic_write(Path(path), json.dumps(self.to_dict(), indent=2) + "\n", overwrite=overwrite)

    def differences(self, asked: Manifest, keys: tuple[str, ...] = SETTINGS) -> list[str]:
        """Names of the settings in ``keys`` whose values differ between the two."""
        return [key for key in keys if getattr(self, key) != getattr(asked, key)]

    def mismatch(
        self, asked: Manifest, keys: tuple[str, ...] = SETTINGS, *, where: str = "dataset"
    ) -> str | None:
        """Say what differs between this (existing) manifest and ``asked``; None if nothing.

        The seed is always named, so that the message identifies the dataset.
        """
        differ = self.differences(asked, keys)
        if not differ:
            return None
        named = differ if "seed" in differ else ["seed", *differ]
        return (
            f"this {where} was generated with {_settings(self, named)}; "
            f"you asked for {_settings(asked, named)}"
        )


def _settings(manifest: Manifest, keys: list[str]) -> str:
    def shown(key: str) -> str:
        value = getattr(manifest, key)
        if key == "leads":
            return f"{len(value)} leads"
        if key == "weights_sha256":
            source = manifest.generator.get("weights", PUBLISHED_WEIGHTS)
            if source == PUBLISHED_WEIGHTS:
                return f"the published generator (sha256 {value[:12]}…)"
            return f"generator {Path(str(source)).name} (sha256 {value[:12]}…)"
        return f"{key}={value}"

    return ", ".join(shown(key) for key in keys)
