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

from ..base import Recommender, clone
from ..data.interactions import Interactions
from ..validation import check_index_array


class RestrictedRecommender(Recommender):
    """Scores of ``model`` on ``candidates``; ``-inf`` everywhere else."""

    def __init__(self, model: Recommender, candidates):
        if not isinstance(model, Recommender):
            raise TypeError(f"model must be a Recommender, got {type(model).__name__}")
        if len(np.atleast_1d(candidates)) == 0:
            raise ValueError("candidates is empty: nothing could be recommended")
        self.model, self.candidates = model, candidates

    def _fit(self, train: Interactions) -> None:
        self._set_candidates(train.n_items)
        self.model_ = clone(self.model).fit(train)

    def _set_candidates(self, n_items: int) -> None:
        self.candidates_ = np.unique(check_index_array("candidates", self.candidates, n_items))
        keep = torch.zeros(n_items, dtype=torch.bool)
        keep[torch.as_tensor(self.candidates_)] = True
        self.keep_ = keep

    @classmethod
    def wrap_fitted(cls, model: Recommender, candidates) -> "RestrictedRecommender":
        """Wrap an already fitted ``model`` without refitting (or copying) it."""
        self = cls(model, candidates)
        self.n_users_, self.n_items_, self.seen_ = model.n_users_, model.n_items_, model.seen_
        self._set_candidates(self.n_items_)
        self.model_ = model
        return self

    def _score(self, users: np.ndarray) -> torch.Tensor:
        scores = self.model_.score(users).float().clone()
        scores[:, ~self.keep_.to(scores.device)] = -torch.inf
        return scores
