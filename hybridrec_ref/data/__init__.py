"""Datasets, the shared containers, item text and splits (chapter 1)."""

from .attributes import user_attribute_matrix, user_groups
from .fetch import DataUnavailableError, fetch, load_manifest
from .interactions import Dataset, Interactions
from .movielens import load_movielens_100k
from .splits import (ColdStartSplit, chronological_holdout, cold_start_split, inner_seed, kfold, leave_last_out,
                     random_holdout)
from .text import item_text

__all__ = ["inner_seed", "Interactions", "Dataset", "load_movielens_100k", "item_text", "fetch", "load_manifest",
           "DataUnavailableError", "random_holdout", "chronological_holdout", "leave_last_out", "kfold",
           "cold_start_split", "ColdStartSplit", "user_attribute_matrix", "user_groups"]
