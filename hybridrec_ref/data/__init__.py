"""Datasets, the shared containers, item text and splits (chapter 1; the case-study data in chapters 11-12)."""

from .attributes import user_attribute_matrix, user_groups
from .bookcrossing import load_book_crossing
from .ciao import SocialDataset, load_ciao
from .clothing import load_clothing_reviews
from .fetch import DataUnavailableError, fetch, load_manifest
from .ibm_articles import article_text, load_ibm_articles
from .interactions import Dataset, Interactions
from .movielens import load_movielens_100k, load_movielens_1m
from .splits import (ColdStartSplit, chronological_holdout, cold_start_split, inner_seed, kfold, leave_last_out,
                     random_holdout, stratified_split, temporal_cold_split, user_folds)
from .text import genre_matrix, item_text
from .tmdb import load_tmdb

__all__ = ["inner_seed", "Interactions", "Dataset", "load_movielens_100k", "load_movielens_1m", "item_text", "genre_matrix", "fetch",
           "load_manifest", "DataUnavailableError", "random_holdout", "chronological_holdout", "leave_last_out",
           "kfold", "cold_start_split", "temporal_cold_split", "ColdStartSplit", "stratified_split", "user_folds",
           "user_attribute_matrix", "user_groups", "load_ibm_articles", "article_text", "load_ciao", "SocialDataset",
           "load_book_crossing", "load_clothing_reviews", "load_tmdb"]
