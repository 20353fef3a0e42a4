"""Meta-level hybrid: collaboration via content (Pazzani 1999; chapter 6).

In Burke's *meta-level* design the model learned by one recommender is the
input of another. Here the content model's *user profiles* (the average text
embedding of what each user liked) define who is similar to whom, and a
user-based CF step recommends what those neighbours interacted with. Two
users who never rated the same movie can still be neighbours if they like the
same kind of movie, which helps exactly where the rating matrix is sparsest.
"""

from __future__ import annotations

import numpy as np
import torch

from ..base import Recommender
from ..content.profile import ContentRecommender
from ..data.interactions import Interactions
from ..validation import check_int


class MetaLevelHybrid(Recommender):
    """User-kNN whose user similarities come from content profiles.

    ``item_features`` are passed to a :class:`ContentRecommender` (any
    ``weighting``); the ``k`` users with the most similar profiles vote with
    their interactions, weighted by similarity.
    """

    def __init__(self, item_features, k: int = 50, weighting: str = "mean", device: str = "auto"):
        self.item_features, self.k = item_features, check_int("k", k)
        self.weighting, self.device = weighting, device

    def _fit(self, train: Interactions) -> None:
        content = ContentRecommender(self.item_features, weighting=self.weighting, device=self.device).fit(train)
        profiles = torch.nn.functional.normalize(content.profiles_.float(), dim=1)
        sim = profiles @ profiles.T
        sim.fill_diagonal_(-torch.inf)
        k = min(self.k, train.n_users - 1)
        top = torch.topk(sim, k, dim=1)
        weights = torch.zeros_like(sim).scatter_(1, top.indices, top.values.clamp_min(0))
        self.neighbour_weights_ = weights
        self.device_ = profiles.device
        self.interactions_ = torch.as_tensor(train.to_csr("ones").toarray(), device=self.device_)

    def _score(self, users: np.ndarray) -> torch.Tensor:
        return self.neighbour_weights_[torch.as_tensor(users, device=self.device_)] @ self.interactions_
