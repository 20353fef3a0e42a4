"""Performance and scale (chapter 14, ``ch-scale``): devices, measurement, distributed training, compression, retrieval.

Every model imports :mod:`.device`, so the modules that import models themselves
(compression, distributed, spark) load lazily on first use of their names.
"""

from importlib import import_module

from .ann import ANNIndex, exact_topk, recall_of_exact
from .caching import lru_hit_rate
from .device import resolve_device, seed_everything
from .profile import measure, peak_so_far, process_tree_peak, profile_fit
from .synthetic import synthetic_interactions

_LAZY = {"DistributedMF": "distributed", "SparkALS": "spark", "spark_session": "spark", "stop_spark": "spark",
         "CompressedTextEncoder": "compression", "FactorScores": "compression", "ProductQuantizer": "compression",
         "low_rank_factors": "compression", "module_bytes": "compression", "compress_lm": "compression",
         "compress_module": "compression"}

__all__ = ["resolve_device", "seed_everything", "measure", "peak_so_far", "process_tree_peak", "profile_fit",
           "synthetic_interactions", "ANNIndex", "exact_topk", "recall_of_exact", "lru_hit_rate", *_LAZY]


def __getattr__(name):
    if name in _LAZY:
        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
