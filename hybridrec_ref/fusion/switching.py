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

from ..base import Recommender
from ..data.interactions import Interactions


class SwitchingHybrid(Recommender):
    """``primary`` for users with at least ``min_history`` training interactions, else ``fallback``."""

    def __init__(self, primary: Recommender, fallback: Recommender, min_history: int = 10):
        if isinstance(min_history, bool) or not isinstance(min_history, (int, np.integer)) or min_history < 0:
            raise ValueError(f"min_history must be a non-negative integer, got {min_history!r}")
        self.primary, self.fallback, self.min_history = primary, fallback, int(min_history)

    def _fit(self, train: Interactions) -> None:
        self.primary.fit(train)
        self.fallback.fit(train)
        self.uses_fallback_ = train.user_counts() < self.min_history

    def _score(self, users: np.ndarray) -> torch.Tensor:
        scores = self.primary.score(users).float().cpu().clone()
        low = np.flatnonzero(self.uses_fallback_[users])
        if len(low):
            scores[torch.as_tensor(low)] = self.fallback.score(users[low]).float().cpu()
        return scores
