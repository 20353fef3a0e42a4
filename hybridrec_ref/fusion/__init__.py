"""Fusion of language-model and collaborative signals (Part IV; the weighted blend appears in chapter 1).

Burke's hybrid designs (chapter 6): :class:`WeightedHybrid`, :class:`SwitchingHybrid`,
:class:`CascadeHybrid`, :class:`ColdStartHybrid` (feature augmentation: text -> CF factors),
:class:`MetaLevelHybrid` (collaboration via content), :class:`RankCalibratedHybrid` (warm and cold
items merged by validated hit rate per rank), and :class:`HybridRecommender`, the
outline's five steps in one object. Training strategies (chapter 7): :class:`TwoTowerHybrid`
(co-training vs alternating). Multimodal fusion and dynamic adjustment (chapter 8): early fusion
:class:`FeatureMF` (free embeddings plus user and item features), the demographic expert
:class:`DemographicPopularity`, gated fusion with history-dependent weights :class:`GatedFusion`
(:class:`SharedFit` lets several fusion models share their experts' fits), and the prequential
stream replay :func:`replay_stream` with :func:`weights_by_history`.
"""

from .cascade import CascadeHybrid
from .dynamic import replay_stream, weights_by_history
from .gated import GatedFusion
from .cold_map import ColdStartHybrid, FactorMap, NeighbourMap, factor_targets
from .meta import MetaLevelHybrid
from .multimodal import DemographicPopularity, FeatureMF, SharedFit
from .rank_merge import RankCalibratedHybrid, isotonic_decreasing
from .pipeline import HybridRecommender, genre_matrix
from .switching import SwitchingHybrid
from .training import TwoTowerHybrid, active_groups
from .weighted import WeightedHybrid, normalise_rows

__all__ = ["WeightedHybrid", "normalise_rows", "SwitchingHybrid", "CascadeHybrid", "ColdStartHybrid", "FactorMap", "NeighbourMap",
           "RankCalibratedHybrid", "isotonic_decreasing",
           "factor_targets", "MetaLevelHybrid", "HybridRecommender", "genre_matrix", "TwoTowerHybrid", "active_groups", "GatedFusion",
           "FeatureMF", "DemographicPopularity", "SharedFit", "replay_stream", "weights_by_history"]
