"""ECG generators: the published Pulse2Pulse GAN, with room for more.

- :mod:`.pulse2pulse`: the network (a fast, exact form of the published one) and its
  published weights (:func:`~.pulse2pulse.load_generator`);
- :mod:`.generate`: :func:`generate` and the array layer for writers
  (:class:`GeneratorSettings`, :func:`generate_records`).
"""

from .generate import GeneratorSettings, generate, generate_records

__all__ = ["GeneratorSettings", "generate", "generate_records"]
