"""Fusion of language-model and collaborative signals (Part IV; the weighted blend appears in chapter 1).

Burke's hybrid designs (chapter 6): :class:`WeightedHybrid`, :class:`SwitchingHybrid`,
:class:`CascadeHybrid`, :class:`ColdStartHybrid` (feature augmentation: text -> CF factors),
:class:`MetaLevelHybrid` (collaboration via content), and :class:`HybridRecommender`, the
outline's five steps in one object. Training strategies (chapter 7): :class:`TwoTowerHybrid`
(co-training vs alternating). Gated fusion with history-dependent weights: :class:`GatedFusion`.
"""

from .cascade import CascadeHybrid
from .gated import GatedFusion
from .cold_map import ColdStartHybrid, FactorMap, factor_targets
from .meta import MetaLevelHybrid
from .pipeline import HybridRecommender, genre_matrix
from .switching import SwitchingHybrid
from .training import TwoTowerHybrid, active_groups
from .weighted import WeightedHybrid, normalise_rows

__all__ = ["WeightedHybrid", "normalise_rows", "SwitchingHybrid", "CascadeHybrid", "ColdStartHybrid", "FactorMap",
           "factor_targets", "MetaLevelHybrid", "HybridRecommender", "genre_matrix", "TwoTowerHybrid", "active_groups", "GatedFusion"]
