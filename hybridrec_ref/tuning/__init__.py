"""Hyper-parameter search on validation splits (chapters 6 and 11)."""

from .search import grid_search

__all__ = ["grid_search"]
