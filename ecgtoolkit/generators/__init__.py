"""ECG generators: the published Pulse2Pulse GAN, with room for more.

- :mod:`.pulse2pulse`: the network (a fast, exact form of the published one) and its
  weights, published or any checkpoint of it (:func:`~.pulse2pulse.load_generator`);
- :mod:`.checkpoints`: checkpoint files of every known layout (published, Pulse2Pulse
  training, ECGEN / PyTorch Lightning, bare state dicts), read safely, with their sha256;
- :mod:`.generate`: :func:`generate` and the array layer for writers
  (:class:`GeneratorSettings`, :func:`generate_records`).
"""

from .generate import GeneratorSettings, generate, generate_records

__all__ = ["GeneratorSettings", "generate", "generate_records"]
