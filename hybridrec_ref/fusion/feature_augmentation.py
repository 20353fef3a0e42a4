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
the mean item points at whatever is popular. :class:`FeatureAugmentationHybrid`
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


import numpy as np
import torch

from ..base import Recommender, clone
from ..data.interactions import Interactions
from ..data.splits import cold_start_split, inner_seed
from ..eval.protocol import per_user_metrics
from ..validation import check_features, check_int, check_positive


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


class NeighbourMap:
    """Predict a cold item's factors as the similarity-weighted mean of its ``k`` nearest warm items.

    Neighbours are found by cosine similarity of the features (e.g. MiniLM text embeddings);
    weights are ``softmax(similarity / temperature)`` over the ``k`` neighbours. Unlike ridge
    regression it cannot extrapolate: a predicted factor is a convex combination of real ones,
    so no cold item gets a direction or norm that no warm item has (a ridge map on ML-100k
    sends one cold movie to the top of two thirds of all users' cold lists; chapter 6).
    """

    def __init__(self, k: int = 10, temperature: float = 0.1):
        self.k, self.temperature = check_int("k", k), check_positive("temperature", temperature)

    @staticmethod
    def _unit(features) -> np.ndarray:
        f = np.asarray(features, dtype=np.float64)
        norms = np.linalg.norm(f, axis=1, keepdims=True)
        if (norms == 0).any():
            raise ValueError("a feature row is all zeros: cosine similarity is undefined for it")
        return f / norms

    def fit(self, features: np.ndarray, targets: np.ndarray) -> "NeighbourMap":
        if len(features) != len(targets):
            raise ValueError(f"{len(features)} feature rows for {len(targets)} target rows")
        self.features_, self.targets_ = self._unit(features), np.asarray(targets, dtype=np.float64)
        return self

    def predict(self, features: np.ndarray) -> np.ndarray:
        sim = self._unit(features) @ self.features_.T
        k = min(self.k, sim.shape[1])
        idx = np.argpartition(-sim, k - 1, axis=1)[:, :k]
        s = np.take_along_axis(sim, idx, 1)
        w = np.exp((s - s.max(1, keepdims=True)) / self.temperature)
        w /= w.sum(1, keepdims=True)
        return np.einsum("nk,nkd->nd", w, self.targets_[idx])


class FeatureAugmentationHybrid(Recommender):
    """A factor model for warm items, text-predicted factors for cold items, calibrated on validation.

    Parameters
    ----------
    factor_model : an *unfitted* factor recommender (copied for the validation fit).
    item_features : ``(n_items, d)`` array: e.g. MiniLM embeddings of item text beside genre one-hots.
    reg : ridge strength of the :class:`FactorMap` (the default item map).
    item_map : an unfitted map with ``fit(features, targets)`` and ``predict(features)``
        (:class:`FactorMap`, :class:`NeighbourMap`); ``None`` means ``FactorMap(reg)``.
    calibrate : choose ``scale`` and ``shift`` on validation data (``False``: keep the predicted
        factors' scores as they are, ``scale = 1, shift = 0``, and skip the validation fit).
    cold_scales, cold_shifts : candidate ``scale`` and ``shift`` values of the calibration; the best
        pair on validation is ``cold_scale_``, ``cold_shift_`` (a single pair skips the validation fit).
    valid_cold_frac, valid_test_frac, k : the validation split made from ``train`` and the NDCG cut-off.
    """

    def __init__(self, factor_model: Recommender, item_features, reg: float = 1.0,
                 cold_scales=(1.0, 1.5, 2.0, 3.0), cold_shifts=(-1.0, -0.5, 0.0, 0.5), valid_cold_frac: float = 0.2,
                 valid_test_frac: float = 0.2, k: int = 10, seed: int = 42, item_map=None, calibrate: bool = True):
        if len(cold_scales) == 0 or min(cold_scales) <= 0:
            raise ValueError("cold_scales must hold positive factors")
        if len(cold_shifts) == 0:
            raise ValueError("cold_shifts must hold at least one value")
        self.factor_model, self.item_features, self.reg = factor_model, item_features, reg
        self.item_map = FactorMap(reg) if item_map is None else item_map
        if not (hasattr(self.item_map, "fit") and hasattr(self.item_map, "predict")):
            raise TypeError("item_map needs fit(features, targets) and predict(features), like FactorMap")
        self.cold_scales, self.cold_shifts = tuple(cold_scales), tuple(cold_shifts)
        self.valid_cold_frac, self.valid_test_frac = valid_cold_frac, valid_test_frac
        self.k, self.seed, self.calibrate = k, seed, calibrate

    def _fit_parts(self, train: Interactions):
        check_features(self.item_features, "item_features", n_rows=train.n_items)  # NaN rows, shape: clear errors
        features = np.asarray(self.item_features, dtype=np.float64)
        model = clone(self.factor_model).fit(train)
        users, items = factor_targets(model)
        warm = train.item_counts() > 0
        fmap = clone(self.item_map).fit(features[warm],
                                                items[torch.as_tensor(warm, device=items.device)].cpu().numpy())
        items = items.clone()
        cold = torch.as_tensor(~warm, device=items.device)
        items[cold] = torch.as_tensor(fmap.predict(features[~warm]), dtype=items.dtype, device=items.device)
        return model, users, items, cold

    def _fit(self, train: Interactions) -> None:
        pairs = [(a, b) for a in self.cold_scales for b in self.cold_shifts] if self.calibrate else [(1.0, 0.0)]
        if len(pairs) == 1:
            self.cold_scale_, self.cold_shift_ = pairs[0]
        else:
            self.validation_ = self._validate(train, pairs)
            self.cold_scale_, self.cold_shift_ = max(self.validation_, key=self.validation_.get)
        self.model_, self.user_side_, self.item_side_, self.cold_ = self._fit_parts(train)

    def _validate(self, train: Interactions, pairs) -> dict:
        """NDCG@k on a cold-start split of ``train`` for each candidate (scale, shift).

        Items with no interaction in ``train`` at all (the outer split's cold items) have no
        label in the inner split either: they are left out of the inner rankings rather than
        counted as items nobody wanted (which would teach the calibration to distrust cold items).
        """
        inner = cold_start_split(train, self.valid_cold_frac, self.valid_test_frac, seed=inner_seed(self.seed))
        _, users, items, cold = self._fit_parts(inner.train)
        unknown = torch.as_tensor(train.item_counts() == 0, device=cold.device)
        results = {}
        for scale, shift in pairs:
            probe = CalibratedFactors(users, items, cold & ~unknown, scale, shift, exclude=unknown).fit(inner.train)
            table = per_user_metrics(probe, inner.train, inner.test, ks=(self.k,))
            results[(scale, shift)] = float(table[f"NDCG@{self.k}"].mean())
        return results

    def calibrated(self, scale: float, shift: float) -> "CalibratedFactors":
        """The fitted model with another calibration (for trade-off curves; fit it on the same train)."""
        return CalibratedFactors(self.user_side_, self.item_side_, self.cold_, scale, shift)

    def _score(self, users: np.ndarray) -> torch.Tensor:
        return _scores(self.user_side_, self.item_side_, self.cold_, self.cold_scale_, self.cold_shift_, users)


def _scores(user_side, item_side, cold, scale, shift, users, exclude=None) -> torch.Tensor:
    s = user_side[torch.as_tensor(users, device=user_side.device)] @ item_side.T
    warm = ~cold if exclude is None else ~cold & ~exclude
    spread = s[:, warm].std(dim=1, keepdim=True) if warm.sum() > 1 else torch.ones(len(s), 1, device=s.device)
    s[:, cold] = scale * s[:, cold] + shift * spread
    if exclude is not None:
        s[:, exclude] = -torch.inf
    return s


class CalibratedFactors(Recommender):
    """Scores from given factor matrices with a (scale, shift) calibration of cold items.

    ``exclude`` (a boolean item mask) scores those items ``-inf``: never recommended.
    """

    def __init__(self, user_side, item_side, cold, scale: float = 1.0, shift: float = 0.0, exclude=None):
        self.user_side, self.item_side, self.cold, self.scale, self.shift = user_side, item_side, cold, scale, shift
        self.exclude = exclude

    def _fit(self, train: Interactions) -> None:
        pass

    def _score(self, users: np.ndarray) -> torch.Tensor:
        return _scores(self.user_side, self.item_side, self.cold, self.scale, self.shift, users, self.exclude)
