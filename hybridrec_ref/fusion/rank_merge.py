"""Merge warm and cold items by calibrated probability of relevance (chapter 6).

A CF model ranks items that have interactions; a text model (or a text ->
factor map) ranks items that have none. Their *scores* live on different
scales, and a per-user affine calibration of one against the other
(:class:`~hybridrec_ref.fusion.ColdStartHybrid`) has to guess how a cold
item's score compares with a warm one's. Their *ranks* need no guessing: on
validation data we can count how often the warm item at rank ``r`` among warm
items, and the cold item at rank ``r`` among cold items, turn out to be
relevant. That turns each group's rank into an estimated probability of
relevance, and one list is the items sorted by that probability::

    score(u, i) = p_warm(rank of i among u's warm candidates)    if i has interactions
                = p_cold(rank of i among u's cold candidates)    otherwise

with ``p_warm`` and ``p_cold`` non-increasing in the rank (isotonic regression,
pool-adjacent-violators, weighted by the number of users at each rank;
Zadrozny and Elkan 2002 calibrate classifier scores the same way). A cold item
enters a user's top-k exactly where its estimated hit rate beats that of the
warm item it displaces, so the list gains cold recall without paying for it in
overall precision when the cold ranker is good enough, and keeps cold items out
when it is not.

The curves are estimated on cold-start splits made *inside* the training data
(some warm items made cold, part of the rest held out), with both models fitted
on the inner training part; items with no interaction in ``train`` at all have
no label there and are left out of the inner rankings. With ``n_splits > 1``
the hit counts of several such splits are pooled (the top cold ranks are held
by a handful of items, so one split gives a noisy curve). Then the models are
refitted on all of ``train``. The test set is never looked at.

One correction is needed when ``train`` is itself the training part of an
offline split that hid a share ``h`` (``hidden_frac``) of every user's
interactions with warm items. Those hidden interactions are invisible inside
``train``, so on the inner split they count as misses: positive but unlabelled.
Held-out and hidden interactions are exchangeable to the inner models, so the
share of true hits that carry a label is the same at every rank: with inner
held-out share ``t``, ``t (1 - h) / (t (1 - h) + h)`` for warm items (both the
inner and the outer split took from them) and ``1 - h`` for cold ones (only the
outer split did). Dividing each curve by its share undoes the bias; without it
the warm curve is deflated about twice as much as the cold one and cold items
are let in too often. A deployed model, with nothing hidden, uses ``h = 0``.

The inner held-out share ``t`` defaults to a small 0.05: then the inner models
are trained on nearly as much as the final ones and face nearly the same
ranking problem (few extra unseen positives among the warm candidates), so the
curves transfer; the price is fewer labelled hits per split, which pooling
``n_splits`` splits buys back. (With ``t = 0.2`` the inner warm candidates hold
about twice the outer's unseen positives and the corrected warm curve comes out
too high at deeper ranks.)
"""

from __future__ import annotations

import copy

import numpy as np
import torch

from ..base import Recommender, mask_seen
from ..data.interactions import Interactions
from ..data.splits import cold_start_split, inner_seed
from ..eval.protocol import relevant_matrix


def isotonic_decreasing(y, weights=None) -> np.ndarray:
    """Weighted least-squares fit of a non-increasing sequence to ``y`` (pool-adjacent-violators)."""
    y = np.asarray(y, dtype=np.float64).ravel()
    w = np.ones_like(y) if weights is None else np.asarray(weights, dtype=np.float64).ravel()
    if y.shape != w.shape:
        raise ValueError(f"y and weights differ in length: {y.size} and {w.size}")
    if (w < 0).any() or np.isnan(y).any():
        raise ValueError("weights must be non-negative and y free of NaN")
    values, totals, sizes = [], [], []
    for v, wt in zip(y, w):
        values.append(v), totals.append(wt), sizes.append(1)
        while len(values) > 1 and values[-2] < values[-1]:    # a violation: pool the last two blocks
            v2, w2, n2 = values.pop(), totals.pop(), sizes.pop()
            pooled = totals[-1] + w2
            values[-1] = (values[-1] * totals[-1] + v2 * w2) / pooled if pooled > 0 else (values[-1] + v2) / 2
            totals[-1], sizes[-1] = pooled, sizes[-1] + n2
    return np.repeat(values, sizes)


def ranks_within(scores: torch.Tensor, group: torch.Tensor) -> torch.Tensor:
    """0-based rank of every item among the items of ``group`` (boolean item mask), per row.

    Items outside the group, and items scored ``-inf``, come after every finite group item.
    """
    s = scores.masked_fill(~group[None, :], -torch.inf)
    order = torch.argsort(s, dim=1, descending=True, stable=True)
    ranks = torch.empty_like(order)
    ranks.scatter_(1, order, torch.arange(s.shape[1], device=s.device).expand_as(order))
    return ranks


def rank_hit_rates(scores: torch.Tensor, group: torch.Tensor, truth, users: np.ndarray, max_rank: int):
    """Hit rate (and number of users) at ranks ``0 .. max_rank-1`` of ``group`` items.

    ``scores`` are the users' scores with unusable items at ``-inf``; ``truth`` is the
    sparse relevance matrix over all users.
    """
    s = scores.masked_fill(~group[None, :], -torch.inf)
    k = min(max_rank, int(group.sum()))
    top = torch.topk(s, k, dim=1)
    valid = torch.isfinite(top.values).cpu().numpy()
    items = top.indices.cpu().numpy()
    hits = np.take_along_axis(truth[users].toarray() > 0, items, axis=1) & valid
    counts = valid.sum(0)
    rates = np.divide(hits.sum(0), counts, out=np.zeros(k), where=counts > 0)
    return rates, counts


class RankCalibratedHybrid(Recommender):
    """Warm items ranked by one model, cold items by another, merged by calibrated hit rate.

    Parameters
    ----------
    warm_model : unfitted recommender for items with interactions (ALS, EASE, ...).
    cold_model : unfitted recommender that can score items without interactions (a
        :class:`~hybridrec_ref.fusion.ColdStartHybrid`, a content model). ``None``: ``warm_model``
        scores both groups (e.g. a ColdStartHybrid, whose cold items get text-predicted factors).
    max_rank : ranks with their own calibrated value; deeper items share the last one.
    valid_cold_frac, valid_test_frac, seed : the cold-start splits made inside ``train``.
    n_splits : inner splits (seeds derived from ``seed``) whose hit counts are pooled.
    hidden_frac : share of each user's warm interactions that an outer split hid from ``train``
        (its ``test_frac``; 0 for a model trained on everything). See the module docstring.

    After ``fit``: ``warm_curve_`` and ``cold_curve_`` (estimated hit rate by rank, non-increasing),
    ``cold_items_`` (items without training interactions), ``warm_model_`` and ``cold_model_``.
    Scores are those estimated probabilities (a tiny rank term breaks ties); a user's training
    items score ``-inf``: the calibration is about items they have not met yet.
    """

    def __init__(self, warm_model: Recommender, cold_model: Recommender | None = None, max_rank: int = 100,
                 valid_cold_frac: float = 0.2, valid_test_frac: float = 0.05, n_splits: int = 4,
                 hidden_frac: float = 0.0, seed: int = 42):
        for name, m in (("warm_model", warm_model), ("cold_model", cold_model)):
            if m is not None and not isinstance(m, Recommender):
                raise TypeError(f"{name} must be a Recommender, got {type(m).__name__}")
        if isinstance(max_rank, bool) or not isinstance(max_rank, (int, np.integer)) or max_rank < 1:
            raise ValueError(f"max_rank must be a positive integer, got {max_rank!r}")
        if isinstance(n_splits, bool) or not isinstance(n_splits, (int, np.integer)) or n_splits < 1:
            raise ValueError(f"n_splits must be a positive integer, got {n_splits!r}")
        if not 0 <= hidden_frac < 1:
            raise ValueError(f"hidden_frac must lie in [0, 1), got {hidden_frac}")
        self.warm_model, self.cold_model, self.max_rank = warm_model, cold_model, int(max_rank)
        self.valid_cold_frac, self.valid_test_frac, self.seed = valid_cold_frac, valid_test_frac, seed
        self.n_splits, self.hidden_frac = int(n_splits), float(hidden_frac)

    def labelled_shares(self) -> tuple[float, float]:
        """Share of true hits that carry a label on the inner split: ``(warm, cold)``."""
        t, h = self.valid_test_frac, self.hidden_frac
        return t * (1 - h) / (t * (1 - h) + h), 1 - h

    def _fit_models(self, train: Interactions):
        warm = copy.deepcopy(self.warm_model).fit(train)
        cold = warm if self.cold_model is None else copy.deepcopy(self.cold_model).fit(train)
        return warm, cold

    def _group_scores(self, warm, cold, seen, users):
        sw = mask_seen(warm.score(users).float(), seen, users)
        sc = sw if cold is warm else mask_seen(cold.score(users).float().to(sw.device), seen, users)
        return sw, sc

    def _fit(self, train: Interactions) -> None:
        known = train.item_counts() > 0
        if known.all():
            raise ValueError("every item has training interactions: there is nothing cold to merge "
                             "(use the warm model alone)")
        hits = {"warm": 0.0, "cold": 0.0}
        counts = {"warm": 0.0, "cold": 0.0}
        for i in range(self.n_splits):
            inner = cold_start_split(train, self.valid_cold_frac, self.valid_test_frac, seed=inner_seed(self.seed, i))
            warm, cold = self._fit_models(inner.train)
            truth = relevant_matrix(inner.test).tocsr()
            users = np.flatnonzero(np.diff(truth.indptr))
            sw, sc = self._group_scores(warm, cold, inner.train.to_csr("ones"), users)
            inner_warm = inner.train.item_counts() > 0
            for name, scores, group in (("warm", sw, inner_warm), ("cold", sc, ~inner_warm & known)):
                rates, n = rank_hit_rates(scores, torch.as_tensor(group, device=scores.device), truth, users,
                                          self.max_rank)
                k = min(len(rates), self.max_rank)
                hits[name] = hits[name] + np.pad(rates * n, (0, self.max_rank - k))
                counts[name] = counts[name] + np.pad(n, (0, self.max_rank - k)).astype(float)
        shares = dict(zip(("warm", "cold"), self.labelled_shares()))
        curves = {name: isotonic_decreasing(np.divide(hits[name], counts[name], out=np.zeros(self.max_rank),
                                                      where=counts[name] > 0) / shares[name], counts[name])
                  for name in hits}
        self.warm_curve_, self.cold_curve_ = curves["warm"], curves["cold"]
        self.cold_items_ = ~known
        self.warm_model_, self.cold_model_ = self._fit_models(train)

    def _score(self, users: np.ndarray) -> torch.Tensor:
        sw, sc = self._group_scores(self.warm_model_, self.cold_model_, self.seen_, users)
        cold = torch.as_tensor(self.cold_items_, device=sw.device)
        out = torch.empty_like(sw, dtype=torch.float64)   # float64: the rank tie-break must survive rounding
        for group, scores, curve in ((~cold, sw, self.warm_curve_), (cold, sc, self.cold_curve_)):
            ranks = ranks_within(scores, group)
            table = torch.as_tensor(curve, dtype=out.dtype, device=out.device)
            value = table[ranks.clamp_max(len(curve) - 1)] - 1e-9 * ranks.to(out.dtype)
            out = torch.where(group[None, :], value, out)
        return mask_seen(out, self.seen_, users)
