"""Switching hybrid: pick one recommender per user by how much we know about them (chapter 6).

Burke's *switching* design: users with fewer than ``min_history`` training
interactions get the ``fallback`` model (content, popularity), everyone else
the ``primary`` one (CF). The two models' scores are never mixed, so no
calibration is needed, but the switch is all-or-nothing: chapter 8 replaces it
with weights that move smoothly with history length.
"""

from __future__ import annotations

import numpy as np
import torch

from ..base import Recommender, clone
from ..data.interactions import Interactions
from ..validation import check_int


class SwitchingHybrid(Recommender):
    """``primary`` for users with at least ``min_history`` training interactions, else ``fallback``."""

    def __init__(self, primary: Recommender, fallback: Recommender, min_history: int = 10):
        check_int("min_history", min_history, minimum=0)
        self.primary, self.fallback, self.min_history = primary, fallback, min_history

    def _fit(self, train: Interactions) -> None:
        self.primary_ = clone(self.primary).fit(train)
        self.fallback_ = clone(self.fallback).fit(train)
        self.uses_fallback_ = train.user_counts() < self.min_history

    def _score(self, users: np.ndarray) -> torch.Tensor:
        scores = self.primary_.score(users).float().cpu().clone()
        low = np.flatnonzero(self.uses_fallback_[users])
        if len(low):
            scores[torch.as_tensor(low)] = self.fallback_.score(users[low]).float().cpu()
        return scores
