"""Generate ECGs that pass a check: rejection sampling on measured candidates.

The work behind ``ecgtoolkit.generate(n, accept="normal")``: the generator knows nothing
of measurement, so the check lives here, above both.
"""

from __future__ import annotations

import os
from dataclasses import fields
from typing import Any

import numpy as np

from ..core import validation
from ..core.ecg import ECG
from ..core.leads import GENERATED_LEADS, STANDARD_LEADS
from ..core.progress import progress_bar
from ..generators.generate import FS, GeneratorSettings, generate
from .interpretation import NormalCriteria, is_normal
from .measure import measure

__all__ = ["generate_accepted"]


def _criteria_text(criteria: NormalCriteria) -> str:
    """``NormalCriteria(...)`` naming only the criteria changed from the defaults."""
    default = NormalCriteria()
    changed = [
        f"{f.name}={getattr(criteria, f.name)!r}"
        for f in fields(NormalCriteria)
        if getattr(criteria, f.name) != getattr(default, f.name)
    ]
    return f"NormalCriteria({', '.join(changed)})"


def _acceptance_check(accept: Any):
    """A function: measurements table -> bool array, and a description of it."""
    if isinstance(accept, str):
        if accept != "normal":
            raise ValueError(
                f"accept must be 'normal', a NormalCriteria or a callable, got {accept!r}"
            )
        accept = NormalCriteria()
    if isinstance(accept, NormalCriteria):
        criteria = accept
        return (lambda table: is_normal(table, criteria)["normal"].to_numpy(bool)), (
            f"is_normal({_criteria_text(criteria)})"
        )
    if callable(accept):
        name = getattr(accept, "__name__", type(accept).__name__)

        def check(table):
            verdict = np.asarray(accept(table), dtype=bool)
            if verdict.shape != (len(table),):
                raise ValueError(
                    f"the accept callable {name} returned shape {verdict.shape}; it must "
                    f"return one bool per row of the measurements ({len(table)} rows)"
                )
            return verdict

        return check, name
    raise TypeError(
        f"accept must be 'normal', a NormalCriteria or a callable, got {type(accept).__name__}"
    )


def generate_accepted(
    n: int,
    accept: Any,
    *,
    max_candidates: int | None = None,
    seed: int | None = None,
    n_leads: int = 12,
    device: str = "auto",
    batch_size: int | None = None,
    generator: str | os.PathLike | None = None,
    start_id: int = 0,
    progress: bool = True,
) -> ECG:
    """Rejection sampling: the first ``n`` candidate records (by id) that pass ``accept``.

    The work behind ``ecgtoolkit.generate(n, accept=...)``; see there for the
    parameters. Candidates are generated in batches (12 leads, measured with
    :func:`ecgtoolkit.measure`), record ids ``start_id, start_id + 1, …`` in order, so
    record ``i`` of the result depends only on the seed and the check.

    Returns
    -------
    ECG
        The batch; ``meta["acceptance"]`` holds ``check`` (what was checked, e.g.
        ``"is_normal(NormalCriteria())"`` naming only the criteria changed from the
        defaults), ``candidates`` and ``passed`` (counts of all the candidates tried,
        which may be more than ``n``) and ``rate``, ``passed / candidates`` rounded to
        4 decimals.

    Raises
    ------
    RuntimeError
        When fewer than ``n`` of ``max_candidates`` candidates (default ``20 n + 200``)
        pass.

    Examples
    --------
    >>> batch = generate_accepted(2, "normal", seed=0, progress=False)
    >>> batch.meta["acceptance"]["check"]
    'is_normal(NormalCriteria())'
    """
    n = validation.count(n)
    settings = GeneratorSettings.resolve(
        seed=seed, n_leads=n_leads, device=device, batch_size=batch_size, generator=generator
    )
    start_id = validation.record_id(start_id)
    limit = (
        20 * n + 200
        if max_candidates is None
        else validation.count(max_candidates, "max_candidates")
    )
    check, described = _acceptance_check(accept)
    kept: list[np.ndarray] = []
    kept_ids: list[np.ndarray] = []
    tried = passed = 0
    rate = 1.0
    bar = progress_bar(total=n, desc="generating (accepted)", unit="ECG", enabled=progress)
    while sum(k.shape[0] for k in kept) < n and tried < limit:
        missing = n - sum(k.shape[0] for k in kept)
        size = min(limit - tried, max(16, int(np.ceil(1.2 * missing / max(rate, 0.05)))))
        batch = generate(
            size, seed=settings.seed, n_leads=12, device=settings.device,
            batch_size=settings.batch_size, generator=settings.generator,
            start_id=start_id + tried, progress=False,
        )  # fmt: skip
        verdict = check(measure(batch, progress=False))
        tried += size
        passed += int(verdict.sum())
        take = np.flatnonzero(verdict)[:missing]
        kept.append(batch.signal[take])
        kept_ids.append(batch.meta["record_ids"][take])
        accepted = sum(k.shape[0] for k in kept)
        rate = max(passed, 1) / tried
        bar.update(take.size)
        bar.set_postfix(acceptance=f"{passed / tried:.0%}", tried=tried)
    bar.close()
    accepted = sum(k.shape[0] for k in kept)
    if accepted < n:
        raise RuntimeError(
            f"only {accepted} of {tried} generated ECGs passed {described} (acceptance rate "
            f"{passed / tried:.1%}); {n} were asked for. Loosen the criteria or raise "
            "max_candidates"
        )
    signal = np.concatenate(kept)
    ids = np.concatenate(kept_ids)
    if settings.n_leads == 8:
        signal = signal[:, [STANDARD_LEADS.index(name) for name in GENERATED_LEADS]]
    meta = {
        "seed": settings.seed,
        "record_ids": ids,
        "generator": settings.info(),
        "acceptance": {
            "check": described,
            "candidates": int(tried),
            "passed": int(passed),
            "rate": round(passed / tried, 4),
        },
    }
    return ECG(np.ascontiguousarray(signal), fs=FS, leads=settings.leads, units="mV", meta=meta)
