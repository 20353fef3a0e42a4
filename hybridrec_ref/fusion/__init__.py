"""Fusion of language-model and collaborative signals (Part IV; the weighted blend appears in chapter 1).

Burke's hybrid designs (chapter 6): :class:`WeightedHybrid`, :class:`SwitchingHybrid`,
:class:`CascadeHybrid`, :class:`FeatureAugmentationHybrid` (feature augmentation: text -> CF factors),
:class:`MetaLevelHybrid` (collaboration via content), :class:`MixedHybrid` (warm and cold
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
from .feature_augmentation import FeatureAugmentationHybrid, FactorMap, NeighbourMap, factor_targets
from .meta import MetaLevelHybrid
from .demographic import DemographicPopularity
from .feature_mf import FeatureMF
from .shared_fit import FitCache, SharedFit
from .mixed import MixedHybrid, isotonic_decreasing
from .pipeline import HybridRecommender
from .switching import SwitchingHybrid
from .training import TwoTowerHybrid, active_groups
from .weighted import WeightedHybrid, normalise_rows

__all__ = ["WeightedHybrid", "normalise_rows", "SwitchingHybrid", "CascadeHybrid", "FeatureAugmentationHybrid", "FactorMap", "NeighbourMap",
           "MixedHybrid", "isotonic_decreasing",
           "factor_targets", "MetaLevelHybrid", "HybridRecommender", "TwoTowerHybrid", "active_groups", "GatedFusion",
           "FeatureMF", "DemographicPopularity", "SharedFit", "FitCache", "replay_stream", "weights_by_history"]
