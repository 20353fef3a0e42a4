"""Hyper-parameter search, cross-validation and model selection (chapters 6 and 13: ``ch-hybrid``, ``ch-tuning``)."""

from .cv import cross_validate, fold_score, nested_cv, selection_leakage
from .objectives import (blend_objective, bpr_epoch_objective, kcore, model_objective, preprocessing_objective,
                         validation_ndcg)
from .search import grid_search
from .study import STRATEGIES, Choice, Float, Int, best_so_far_curves, grid_points, search

__all__ = ["grid_search", "search", "Int", "Float", "Choice", "STRATEGIES", "grid_points", "best_so_far_curves",
           "model_objective", "preprocessing_objective", "blend_objective", "bpr_epoch_objective", "kcore",
           "validation_ndcg", "cross_validate", "fold_score", "nested_cv", "selection_leakage"]
