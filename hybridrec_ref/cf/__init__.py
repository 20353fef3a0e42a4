"""Collaborative filtering (chapter 3); the two baselines are introduced in chapter 1."""

from .baselines import BiasBaseline, MostPopular

__all__ = ["MostPopular", "BiasBaseline"]
