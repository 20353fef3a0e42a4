"""The two baselines every chapter compares against (chapter 1).

- :class:`MostPopular`: rank items by how many training users interacted
  with them. Non-personalised, and a surprisingly strong bar on MovieLens.
- :class:`BiasBaseline`: ``r_ui = mu + b_u + b_i`` with regularised biases
  fitted by alternating least squares, the model Surprise calls
  ``BaselineOnly`` (Koren 2010, section 2.1).
"""

from __future__ import annotations

import numpy as np
import torch

from ..base import Recommender
from ..data.interactions import Interactions
from ..perf.device import resolve_device
from ..validation import check_int, check_nonnegative


class MostPopular(Recommender):
    """Score = number of training interactions of the item (same list for everyone)."""

    def __init__(self, device: str = "auto"):
        self.device = device

    def _fit(self, train: Interactions) -> None:
        self.device_ = resolve_device(self.device)
        self.popularity_ = torch.as_tensor(train.item_counts(), dtype=torch.float32, device=self.device_)

    def _score(self, users: np.ndarray) -> torch.Tensor:
        return self.popularity_.expand(len(users), -1)


class BiasBaseline(Recommender):
    """Global mean plus regularised user and item biases, fitted by ALS.

    Each epoch solves, in closed form, ``b_i = sum_u (r_ui - mu - b_u) / (reg_item + n_i)``
    then ``b_u = sum_i (r_ui - mu - b_i) / (reg_user + n_u)``: the same
    updates and defaults (10 epochs, ``reg_item=10``, ``reg_user=15``) as
    Surprise's ``BaselineOnly``. Predictions are clipped to the training
    rating range. Ranking by score orders items by ``b_i``.
    """

    predicts_ratings = True

    def __init__(self, n_epochs: int = 10, reg_user: float = 15.0, reg_item: float = 10.0, device: str = "auto"):
        self.n_epochs = check_int("n_epochs", n_epochs)
        self.reg_user, self.reg_item = check_nonnegative("reg_user", reg_user), check_nonnegative("reg_item", reg_item)
        self.device = device

    def _fit(self, train: Interactions) -> None:
        if train.ratings is None:
            raise ValueError("BiasBaseline needs explicit ratings; these interactions have none")
        dev = self.device_ = resolve_device(self.device)
        u = torch.as_tensor(train.users, device=dev)
        i = torch.as_tensor(train.items, device=dev)
        r = torch.as_tensor(train.ratings, dtype=torch.float64, device=dev)
        n_u = torch.bincount(u, minlength=train.n_users).double()
        n_i = torch.bincount(i, minlength=train.n_items).double()
        self.mu_ = float(r.mean())
        bu = torch.zeros(train.n_users, dtype=torch.float64, device=dev)
        bi = torch.zeros(train.n_items, dtype=torch.float64, device=dev)
        den_i, den_u = (self.reg_item + n_i).clamp_min(1e-12), (self.reg_user + n_u).clamp_min(1e-12)
        for _ in range(self.n_epochs):  # an item or user with no rating keeps bias 0
            bi = torch.zeros_like(bi).index_add_(0, i, r - self.mu_ - bu[u]) / den_i
            bu = torch.zeros_like(bu).index_add_(0, u, r - self.mu_ - bi[i]) / den_u
        self.user_bias_, self.item_bias_ = bu.float(), bi.float()
        self.rating_range_ = (float(train.ratings.min()), float(train.ratings.max()))

    def _score(self, users: np.ndarray) -> torch.Tensor:
        ub = self.user_bias_[torch.as_tensor(users, device=self.device_)]
        return self.mu_ + ub[:, None] + self.item_bias_[None, :]

    def _predict(self, users: np.ndarray, items: np.ndarray) -> np.ndarray:
        u = torch.as_tensor(users, device=self.device_)
        i = torch.as_tensor(items, device=self.device_)
        pred = self.mu_ + self.user_bias_[u] + self.item_bias_[i]
        return pred.clamp(*self.rating_range_).cpu().numpy()
