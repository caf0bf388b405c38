"""Improve the generator: fine-tune Pulse2Pulse on your own ECGs.

- :mod:`.data`: real records as training windows (500 Hz, 10 s, the 8 generated leads,
  the generator's scale), split into training and held-out records by record;
- :mod:`.critic`: the WaveGAN critic of Pulse2Pulse, at the published size or a small
  one for CPU;
- :mod:`.wgan`: the WGAN-GP losses and optimisers of the published recipe;
- :mod:`.watch`: held-out realism and the copy audit (copies, membership inference),
  scored every few steps;
- :mod:`.loop`: :func:`train_generator` with checkpoints, ``best.pt`` and exact resume.

This layer sits above :mod:`ecgtoolkit.comparison` (it scores training with its
metrics) and imports torch.
"""

from .loop import TrainingRun, TrainSettings, train_generator

__all__ = ["TrainSettings", "TrainingRun", "train_generator"]
