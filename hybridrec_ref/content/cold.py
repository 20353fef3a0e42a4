"""Ranking among a candidate set, e.g. cold items only (chapter 4, cold start).

``RestrictedRecommender(model, candidates)`` wraps a fitted model so that
every item outside ``candidates`` scores ``-inf``: ``evaluate`` then measures
how well the model orders the candidates alone ("which of the new items will
this user like?"), separately from how cold items compete with warm ones in
one list (the calibration problem of the fusion chapters).
"""

from __future__ import annotations

import numpy as np
import torch

from ..base import Recommender
from ..data.interactions import Interactions


class RestrictedRecommender(Recommender):
    """Scores of ``model`` on ``candidates``; ``-inf`` everywhere else."""

    def __init__(self, model: Recommender, candidates):
        if not isinstance(model, Recommender):
            raise TypeError(f"model must be a Recommender, got {type(model).__name__}")
        self.model = model
        self.candidates = np.unique(np.asarray(candidates, dtype=np.int64))
        if len(self.candidates) == 0:
            raise ValueError("candidates is empty: nothing could be recommended")

    def _fit(self, train: Interactions) -> None:
        if self.candidates.min() < 0 or self.candidates.max() >= train.n_items:
            raise ValueError(f"candidate item indices must lie in [0, {train.n_items})")
        self.model.fit(train)
        self._mask_()

    def _mask_(self) -> None:
        keep = torch.zeros(self.n_items_, dtype=torch.bool)
        keep[torch.as_tensor(self.candidates)] = True
        self.keep_ = keep

    @classmethod
    def wrap_fitted(cls, model: Recommender, candidates) -> "RestrictedRecommender":
        """Wrap an already fitted ``model`` without refitting it."""
        self = cls(model, candidates)
        self.n_users_, self.n_items_, self.seen_ = model.n_users_, model.n_items_, model.seen_
        if self.candidates.max() >= self.n_items_:
            raise ValueError(f"candidate item indices must lie in [0, {self.n_items_})")
        self._mask_()
        return self

    def _score(self, users: np.ndarray) -> torch.Tensor:
        scores = self.model.score(users).float().clone()
        scores[:, ~self.keep_.to(scores.device)] = -torch.inf
        return scores
