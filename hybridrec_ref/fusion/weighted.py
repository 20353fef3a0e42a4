"""Weighted hybrid: blend per-user-normalised scores of several recommenders (chapters 1 and 6).

Raw scores of different models live on different scales (co-occurrence
counts, cosine similarities, logits), so each model's scores are first
normalised per user over all items, then mixed with fixed weights::

    score(u, i) = sum_m w_m * normalise(score_m(u, :))[i]

``normalise="zscore"`` (default) centres and scales each user's row;
``"minmax"`` maps it to [0, 1]; ``"rank"`` uses the item's rank percentile
(robust to outliers). Burke (2002) calls this the *weighted* hybrid.

A collaborative model knows nothing about an item without training
interactions and scores it at its floor (zero co-occurrence, zero count).
After normalisation that floor becomes a large *negative* vote, and a
content score can rarely lift a cold item into the top k: chapter 1 measures
exactly that. Naming such components in ``abstain_on_cold`` makes them
abstain instead: their scores are normalised over warm items only and cold
items get the neutral value (the row mean of the warm items, 0 for z-scores).
"""

from __future__ import annotations

import numpy as np
import torch

from ..base import Recommender, clone
from ..data.interactions import Interactions
from ..validation import check_choice, check_nonnegative

NORMALISERS = ("zscore", "minmax", "rank")


def normalise_rows(scores: torch.Tensor, how: str = "zscore") -> torch.Tensor:
    """Normalise each row of a score matrix (finite entries) as described in the module docstring."""
    s = scores.float()
    if how == "zscore":
        std = s.std(dim=1, keepdim=True)
        return (s - s.mean(dim=1, keepdim=True)) / torch.where(std > 0, std, torch.ones_like(std))
    if how == "minmax":
        lo, hi = s.min(dim=1, keepdim=True).values, s.max(dim=1, keepdim=True).values
        span = hi - lo
        return (s - lo) / torch.where(span > 0, span, torch.ones_like(span))
    if how == "rank":
        return s.argsort(dim=1).argsort(dim=1).float() / max(s.shape[1] - 1, 1)
    raise ValueError(f"normalise must be one of {NORMALISERS}, got {how!r}")


class WeightedHybrid(Recommender):
    """Blend of several recommenders' normalised scores with fixed weights.

    ``components`` maps a name to an (unfitted) recommender; ``weights`` maps
    the same names to non-negative weights (default: equal). ``fit`` fits a
    clone of each component and keeps them in ``components_``.
    """

    def __init__(self, components: dict, weights: dict | None = None, normalise: str = "zscore",
                 abstain_on_cold: tuple = ()):
        if not components:
            raise ValueError("WeightedHybrid needs at least one component")
        if weights is not None:
            if set(weights) != set(components):
                raise ValueError(f"weights name {sorted(weights)} but components are {sorted(components)}")
            if sum(check_nonnegative(f"weights[{name!r}]", w) for name, w in weights.items()) == 0:
                raise ValueError("weights must not all be zero")
        check_choice("normalise", normalise, NORMALISERS)
        unknown = set(abstain_on_cold) - set(components)
        if unknown:
            raise ValueError(f"abstain_on_cold names unknown components {sorted(unknown)}")
        self.components, self.weights, self.normalise = components, weights, normalise
        self.abstain_on_cold = abstain_on_cold

    def _fit(self, train: Interactions) -> None:
        self.components_ = {name: clone(model).fit(train) for name, model in self.components.items()}
        self.weights_ = self.weights or {name: 1.0 for name in self.components}
        self.warm_items_ = torch.as_tensor(train.item_counts() > 0)

    def _score(self, users: np.ndarray) -> torch.Tensor:
        total = None
        for name, model in self.components_.items():
            part = self.weights_[name] * normalised_scores(model, users, self.normalise,
                                                          self.warm_items_ if name in self.abstain_on_cold else None)
            total = part if total is None else total + part
        return total


def normalised_scores(model: Recommender, users: np.ndarray, how: str = "zscore",
                      warm_items: torch.Tensor | None = None) -> torch.Tensor:
    """A fitted model's scores for ``users``, normalised per row (on the CPU).

    With ``warm_items`` (a boolean mask) the model *abstains* on the other
    items: rows are normalised over warm items only and cold items get the
    row mean of the normalised warm scores (the neutral value).
    """
    raw = model.score(users).float().cpu()
    if warm_items is None:
        return normalise_rows(raw, how)
    out = torch.empty(raw.shape)
    warm = normalise_rows(raw[:, warm_items], how)
    out[:, warm_items] = warm
    out[:, ~warm_items] = warm.mean(dim=1, keepdim=True)
    return out
