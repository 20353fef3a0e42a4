"""Feature augmentation for cold items: map item text to the CF factor space (chapter 6).

A factor model (ALS, BPR, MF) scores ``x_u . y_i``; an item nobody has
interacted with has no usable ``y_i``. :class:`FactorMap` learns, on the warm
items, a ridge regression from item features ``f_i`` (a language model's text
embedding, genres, ...) to ``y_i`` (and to the item bias, if the model has
one), and predicts ``y_i`` for cold items. The user side is untouched, so a
cold item is scored by *this user's* CF taste, not by a generic text match:
that is what lets it pick which cold item a user wants.

Cold and warm scores are not on the same footing: predicted factors are
shrunk towards the mean item (ridge regression predicts conservatively), and
the mean item points at whatever is popular. :class:`ColdStartHybrid`
therefore calibrates cold items' scores with an affine map in units of each
user's spread of warm scores::

    s'(u, i) = scale * s(u, i) + shift * std_u(warm scores)     for cold i

with ``(scale, shift)`` chosen on *validation data made from the training
set*: a share of the warm items is made cold inside ``train``, the pipeline
is fitted on the rest, and the pair that maximises NDCG@k on the held-out part
wins. The test set is never looked at. If no pair helps, the chosen one keeps
cold items out of the lists: an honest answer, not a failure.
"""

from __future__ import annotations

import copy

import numpy as np
import torch

from ..base import Recommender
from ..data.interactions import Interactions
from ..data.splits import cold_start_split
from ..eval.protocol import per_user_metrics


def factor_targets(model: Recommender) -> tuple[torch.Tensor, torch.Tensor]:
    """``(user_side, item_side)`` of a fitted factor model, bias folded in as an extra column.

    Scores are ``user_side @ item_side.T``; models need ``user_factors_`` and
    ``item_factors_`` (and optionally ``item_bias_``).
    """
    for attr in ("user_factors_", "item_factors_"):
        if not hasattr(model, attr):
            raise TypeError(f"{type(model).__name__} has no {attr}: FactorMap needs a fitted factor model "
                            "(ALS, BPR, MatrixFactorization)")
    users, items = model.user_factors_.float(), model.item_factors_.float()
    bias = getattr(model, "item_bias_", None)
    if bias is not None:
        users = torch.cat([users, torch.ones(len(users), 1, device=users.device)], 1)
        items = torch.cat([items, bias.float().reshape(-1, 1).to(items.device)], 1)
    return users, items


class FactorMap:
    """Ridge regression from item features to item factors, fitted on the rows given."""

    def __init__(self, reg: float = 1.0):
        if reg <= 0:
            raise ValueError(f"reg must be positive, got {reg}")
        self.reg = float(reg)

    def fit(self, features: np.ndarray, targets: np.ndarray) -> "FactorMap":
        f = np.asarray(features, dtype=np.float64)
        y = np.asarray(targets, dtype=np.float64)
        if len(f) != len(y):
            raise ValueError(f"{len(f)} feature rows for {len(y)} target rows")
        self.mean_f_, self.mean_y_ = f.mean(0), y.mean(0)
        fc = f - self.mean_f_
        self.coef_ = np.linalg.solve(fc.T @ fc + self.reg * np.eye(f.shape[1]), fc.T @ (y - self.mean_y_))
        return self

    def predict(self, features: np.ndarray) -> np.ndarray:
        return (np.asarray(features, dtype=np.float64) - self.mean_f_) @ self.coef_ + self.mean_y_


class ColdStartHybrid(Recommender):
    """A factor model for warm items, text-predicted factors for cold items, calibrated on validation.

    Parameters
    ----------
    factor_model : an *unfitted* factor recommender (copied for the validation fit).
    item_features : ``(n_items, d)`` array: e.g. MiniLM embeddings of item text beside genre one-hots.
    reg : ridge strength of the :class:`FactorMap`.
    cold_scales, cold_shifts : candidate ``scale`` and ``shift`` values of the calibration; the best
        pair on validation is ``cold_scale_``, ``cold_shift_`` (a single pair skips the validation fit).
    valid_cold_frac, valid_test_frac, k : the validation split made from ``train`` and the NDCG cut-off.
    """

    def __init__(self, factor_model: Recommender, item_features, reg: float = 1.0,
                 cold_scales=(1.0, 1.5, 2.0, 3.0), cold_shifts=(-1.0, -0.5, 0.0, 0.5), valid_cold_frac: float = 0.2,
                 valid_test_frac: float = 0.2, k: int = 10, seed: int = 42):
        if len(cold_scales) == 0 or min(cold_scales) <= 0:
            raise ValueError("cold_scales must hold positive factors")
        if len(cold_shifts) == 0:
            raise ValueError("cold_shifts must hold at least one value")
        self.factor_model, self.item_features, self.reg = factor_model, item_features, reg
        self.cold_scales, self.cold_shifts = tuple(cold_scales), tuple(cold_shifts)
        self.valid_cold_frac, self.valid_test_frac = valid_cold_frac, valid_test_frac
        self.k, self.seed = k, seed

    def _fit_parts(self, train: Interactions):
        features = np.asarray(self.item_features, dtype=np.float64)
        if features.shape[0] != train.n_items:
            raise ValueError(f"item_features has {features.shape[0]} rows for {train.n_items} items")
        model = copy.deepcopy(self.factor_model).fit(train)
        users, items = factor_targets(model)
        warm = train.item_counts() > 0
        fmap = FactorMap(self.reg).fit(features[warm], items[torch.as_tensor(warm, device=items.device)].cpu().numpy())
        items = items.clone()
        cold = torch.as_tensor(~warm, device=items.device)
        items[cold] = torch.as_tensor(fmap.predict(features[~warm]), dtype=items.dtype, device=items.device)
        return model, users, items, cold

    def _fit(self, train: Interactions) -> None:
        pairs = [(a, b) for a in self.cold_scales for b in self.cold_shifts]
        if len(pairs) == 1:
            self.cold_scale_, self.cold_shift_ = pairs[0]
        else:
            self.validation_ = self._validate(train, pairs)
            self.cold_scale_, self.cold_shift_ = max(self.validation_, key=self.validation_.get)
        self.model_, self.user_side_, self.item_side_, self.cold_ = self._fit_parts(train)

    def _validate(self, train: Interactions, pairs) -> dict:
        """NDCG@k on a cold-start split of ``train`` for each candidate (scale, shift)."""
        inner = cold_start_split(train, self.valid_cold_frac, self.valid_test_frac, seed=self.seed)
        _, users, items, cold = self._fit_parts(inner.train)
        results = {}
        for scale, shift in pairs:
            probe = CalibratedFactors(users, items, cold, scale, shift).fit(inner.train)
            table = per_user_metrics(probe, inner.train, inner.test, ks=(self.k,))
            results[(scale, shift)] = float(table[f"NDCG@{self.k}"].mean())
        return results

    def calibrated(self, scale: float, shift: float) -> "CalibratedFactors":
        """The fitted model with another calibration (for trade-off curves; fit it on the same train)."""
        return CalibratedFactors(self.user_side_, self.item_side_, self.cold_, scale, shift)

    def _score(self, users: np.ndarray) -> torch.Tensor:
        return _scores(self.user_side_, self.item_side_, self.cold_, self.cold_scale_, self.cold_shift_, users)


def _scores(user_side, item_side, cold, scale, shift, users) -> torch.Tensor:
    s = user_side[torch.as_tensor(users, device=user_side.device)] @ item_side.T
    spread = s[:, ~cold].std(dim=1, keepdim=True) if (~cold).sum() > 1 else torch.ones(len(s), 1, device=s.device)
    s[:, cold] = scale * s[:, cold] + shift * spread
    return s


class CalibratedFactors(Recommender):
    """Scores from given factor matrices with a (scale, shift) calibration of cold items."""

    def __init__(self, user_side, item_side, cold, scale: float = 1.0, shift: float = 0.0):
        self.user_side, self.item_side, self.cold, self.scale, self.shift = user_side, item_side, cold, scale, shift

    def _fit(self, train: Interactions) -> None:
        pass

    def _score(self, users: np.ndarray) -> torch.Tensor:
        return _scores(self.user_side, self.item_side, self.cold, self.scale, self.shift, users)
