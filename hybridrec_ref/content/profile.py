"""Content-based recommendation from item vectors (chapter 4).

A user's *profile* is a weighted average of the (unit-length) vectors of the items they
interacted with; an item's score is the cosine between the profile and the
item's vector. Nothing about an item but its content is needed, so items no
one has rated yet ("cold" items) are scored like any other: the point of
content models, and what the fusion chapters build on.

Three weightings of a user's history:

- ``"mean"``: every item counts the same;
- ``"rating"``: weight ``r_ui - mean_u`` (liked items pull the profile
  towards them, disliked ones push it away); users whose ratings are all
  equal fall back to the mean profile;
- ``"recency"``: weight ``0.5 ** (age / half_life)`` where ``age`` is the
  time between the interaction and the user's latest one (tastes drift).

Profiles are one sparse-times-dense product, scores one dense product: no
per-user loop.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import torch

from ..base import Recommender
from ..data.interactions import Interactions
from ..perf.device import resolve_device
from ..validation import check_choice, check_features, check_positive

WEIGHTINGS = ("mean", "rating", "recency")
_DAY = 86_400.0


def l2_normalize(x: torch.Tensor) -> torch.Tensor:
    """Rows scaled to unit length (zero rows stay zero)."""
    return x / x.norm(dim=1, keepdim=True).clamp_min(1e-12)


def nearest_items(item_features, items, k: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` items most cosine-similar to each of ``items`` (the item itself left out).

    Returns ``(indices, similarities)``, each of shape ``(len(items), k)``.
    """
    x = l2_normalize(torch.as_tensor(check_features(item_features)))
    items = np.atleast_1d(np.asarray(items, dtype=np.int64))
    if len(items) and (items.min() < 0 or items.max() >= len(x)):
        raise ValueError(f"item indices must lie in [0, {len(x)})")
    if not 0 < k < len(x):
        raise ValueError(f"k must lie in [1, {len(x) - 1}], got {k}")
    sim = x[items] @ x.T
    sim[torch.arange(len(items)), torch.as_tensor(items)] = -torch.inf
    top = torch.topk(sim, k, dim=1)
    return top.indices.numpy(), top.values.numpy()


class ContentRecommender(Recommender):
    """Score items by cosine similarity between a user profile and item vectors.

    Parameters
    ----------
    item_features : ``(n_items, dim)`` dense array or scipy sparse matrix
        (TF-IDF rows, text embeddings, genre one-hots...), in item-index order.
    weighting : ``"mean"``, ``"rating"`` or ``"recency"`` (see the module docstring).
    half_life_days : half-life of the recency weighting, in days.
    device : ``"auto"``, ``"cpu"``, ``"cuda"``...
    """

    def __init__(self, item_features, weighting: str = "mean", half_life_days: float = 30.0, device: str = "auto"):
        self.item_features = item_features
        self.weighting = check_choice("weighting", weighting, WEIGHTINGS)
        self.half_life_days, self.device = check_positive("half_life_days", half_life_days), device

    def _weights(self, train: Interactions) -> np.ndarray:
        if self.weighting == "mean":
            return np.ones(len(train), dtype=np.float64)
        if self.weighting == "rating":
            if train.ratings is None:
                raise ValueError("weighting='rating' needs explicit ratings; use 'mean' for implicit feedback")
            r = train.ratings.astype(np.float64)
            n = np.maximum(train.user_counts(), 1)
            mean_u = np.bincount(train.users, weights=r, minlength=train.n_users) / n
            return r - mean_u[train.users]
        if train.timestamps is None:
            raise ValueError("weighting='recency' needs timestamps; these interactions have none")
        t = train.timestamps.astype(np.float64)
        last = np.full(train.n_users, -np.inf)
        np.maximum.at(last, train.users, t)
        age_days = (last[train.users] - t) / _DAY
        return 0.5 ** (age_days / self.half_life_days)

    def _fit(self, train: Interactions) -> None:
        x = check_features(self.item_features)
        if x.shape[0] != train.n_items:
            raise ValueError(f"item_features has {x.shape[0]} rows but the data has {train.n_items} items; "
                             "pass one row per item index")
        dev = self.device_ = resolve_device(self.device)
        x = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)  # profiles average unit vectors
        w = sp.csr_matrix((self._weights(train), (train.users, train.items)), shape=(train.n_users, train.n_items))
        profiles = np.asarray(w @ x, dtype=np.float32)
        if self.weighting == "rating":  # users with all-equal ratings: fall back to the mean profile
            flat = np.linalg.norm(profiles, axis=1) < 1e-8
            if flat.any():
                ones = sp.csr_matrix(train.to_csr("ones")[flat])
                profiles[flat] = np.asarray(ones @ x, dtype=np.float32)
        self.item_vectors_ = l2_normalize(torch.as_tensor(x, device=dev))
        self.profiles_ = l2_normalize(torch.as_tensor(profiles, device=dev))

    def _score(self, users: np.ndarray) -> torch.Tensor:
        return self.profiles_[torch.as_tensor(users, device=self.device_)] @ self.item_vectors_.T
