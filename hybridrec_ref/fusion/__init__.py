"""Fusion of language-model and collaborative signals (Part IV; the weighted blend appears in chapter 1)."""

from .weighted import WeightedHybrid, normalise_rows

__all__ = ["WeightedHybrid", "normalise_rows"]
