"""Improve the generator: fine-tune Pulse2Pulse on your own ECGs.

- :mod:`.data`: real records as training windows (500 Hz, 10 s, the 8 generated leads,
  the generator's scale), split into training and held-out records by record;
- :mod:`.critic`: the WaveGAN critic of Pulse2Pulse, at the published size or a small
  one for CPU;
- :mod:`.wgan`: the WGAN-GP losses and optimisers of the published recipe;
- :mod:`.watch`: held-out realism and the copy audit (copies, membership inference),
  scored every few steps;
- :mod:`.loop`: :func:`train_generator` with checkpoints, ``best.pt`` and exact resume;
- :mod:`.runs`: :func:`load_run`, a run read back from its folder, and its evaluated
  steps and best step judged by the loop's own rules.

This layer sits above :mod:`ecgtoolkit.comparison` (it scores training with its
metrics) and imports torch.
"""

from .loop import TrainingRun, TrainSettings, train_generator
from .runs import best_step, evaluated_steps, load_run

__all__ = [
    "TrainSettings",
    "TrainingRun",
    "best_step",
    "evaluated_steps",
    "load_run",
    "train_generator",
]
