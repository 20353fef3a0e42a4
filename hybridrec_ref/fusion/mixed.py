"""The mixed design (Burke): warm and cold items merged by calibrated probability of relevance (chapter 6).

A CF model ranks items that have interactions; a text model (or a text ->
factor map) ranks items that have none. Their *scores* live on different
scales, and a per-user affine calibration of one against the other
(:class:`~hybridrec_ref.fusion.FeatureAugmentationHybrid`) has to guess how a cold
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

The inner splits must be of the same kind as the evaluation (``inner_split``):
real new items are not random items. A random-cold inner split (``"random_cold"``,
:func:`~hybridrec_ref.data.splits.cold_start_split`) teaches the model how often a
*random* unseen item is a hit; the items that appear only in the test part of a per-user
split are obscure ones, and items first rated after a cut-off time are new releases,
and both are hit at other rates. So a per-user outer split is calibrated on per-user
inner splits (``"per_user"``, :func:`~hybridrec_ref.data.splits.random_holdout`: the
inner cold items are those whose every training interaction was held out), and a
temporal outer split on temporal inner splits (``"temporal_cold"``,
:func:`~hybridrec_ref.data.splits.temporal_cold_split`: split ``i`` cuts the training
data ``i`` windows of ``valid_test_frac`` before its end, a rolling-origin backtest).
If ``train`` has no cold item at all there is nothing to merge and the model is
exactly its warm model.

One correction is needed when ``train`` is itself the training part of an
offline split that hid a share ``h`` (``outer_test_frac``) of every user's
interactions with warm items. Those hidden interactions are invisible inside
``train``, so on the inner split they count as misses: positive but unlabelled.
Held-out and hidden interactions are exchangeable to the inner models, so the
share of true hits that carry a label is the same at every rank: with inner
held-out share ``t``, ``t (1 - h) / (t (1 - h) + h)`` for warm items (both the
inner and the outer split took from them) and ``1 - h`` for cold ones (only the
outer split did). Dividing each curve by its share undoes the bias; without it
the warm curve is deflated about twice as much as the cold one and cold items
are let in too often. A deployed model, with nothing hidden, uses ``h = 0``; so does a
temporal outer split, whose hidden interactions are all later than anything an inner
split labels (none of them is an unlabelled positive of the inner test windows).

The inner held-out share ``t`` defaults to a small 0.05: then the inner models
are trained on nearly as much as the final ones and face nearly the same
ranking problem (few extra unseen positives among the warm candidates), so the
curves transfer; the price is fewer labelled hits per split, which pooling
``n_splits`` splits buys back. (With ``t = 0.2`` the inner warm candidates hold
about twice the outer's unseen positives and the corrected warm curve comes out
too high at deeper ranks.)
"""

from __future__ import annotations


import numpy as np
import torch

from ..base import Recommender, mask_seen, clone
from ..data.interactions import Interactions
from ..data.splits import cold_start_split, inner_seed, random_holdout, temporal_cold_split
from ..eval.protocol import relevant_matrix
from ..validation import check_choice, check_frac, check_int

#: kinds of inner split the cold curve can be calibrated on (match the outer split)
INNER_SPLITS = ("random_cold", "per_user", "temporal_cold")


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


class MixedHybrid(Recommender):
    """Warm items ranked by one model, cold items by another, merged by calibrated hit rate.

    Parameters
    ----------
    warm_model : unfitted recommender for items with interactions (ALS, EASE, ...).
    cold_model : unfitted recommender that can score items without interactions (a
        :class:`~hybridrec_ref.fusion.FeatureAugmentationHybrid`, a content model). ``None``: ``warm_model``
        scores both groups (e.g. a FeatureAugmentationHybrid, whose cold items get text-predicted factors).
    max_rank : ranks with their own calibrated value; deeper items share the last one.
    valid_cold_frac, valid_test_frac, seed : the cold-start splits made inside ``train``.
    n_splits : inner splits (seeds derived from ``seed``) whose hit counts are pooled.
    inner_split : ``"random_cold"``, ``"per_user"`` or ``"temporal_cold"``: the kind of the inner
        splits; choose the kind of the split the model is evaluated on (module docstring).
    outer_test_frac : share of each user's warm interactions that an outer split hid from ``train``
        (its ``test_frac``; 0 for a model trained on everything). See the module docstring.

    After ``fit``: ``warm_curve_`` and ``cold_curve_`` (estimated hit rate by rank, non-increasing),
    ``cold_items_`` (items without training interactions), ``warm_model_`` and ``cold_model_``.
    Scores are those estimated probabilities (a tiny rank term breaks ties); a user's training
    items score ``-inf``: the calibration is about items they have not met yet.
    """

    def __init__(self, warm_model: Recommender, cold_model: Recommender | None = None, max_rank: int = 100,
                 valid_cold_frac: float = 0.2, valid_test_frac: float = 0.05, n_splits: int = 4,
                 outer_test_frac: float = 0.0, seed: int = 42, inner_split: str = "random_cold"):
        for name, m in (("warm_model", warm_model), ("cold_model", cold_model)):
            if m is not None and not isinstance(m, Recommender):
                raise TypeError(f"{name} must be a Recommender, got {type(m).__name__}")
        self.warm_model, self.cold_model, self.max_rank = warm_model, cold_model, check_int("max_rank", max_rank)
        self.valid_cold_frac, self.valid_test_frac, self.seed = valid_cold_frac, valid_test_frac, seed
        self.n_splits = check_int("n_splits", n_splits)
        self.outer_test_frac = check_frac("outer_test_frac", outer_test_frac, closed="left")
        self.inner_split = check_choice("inner_split", inner_split, INNER_SPLITS)
        if inner_split == "temporal_cold" and n_splits * valid_test_frac >= 1:
            raise ValueError(f"n_splits * valid_test_frac must stay below 1 for temporal inner splits, "
                             f"got {n_splits} * {valid_test_frac}")

    def labelled_shares(self) -> tuple[float, float]:
        """Share of true hits that carry a label on the inner split: ``(warm, cold)``."""
        t, h = self.valid_test_frac, self.outer_test_frac
        return t * (1 - h) / (t * (1 - h) + h), 1 - h

    def inner_splits(self, train: Interactions):
        """Yield ``(inner_train, inner_test, labelled)`` for each inner split of ``train``.

        ``labelled`` marks the items that can carry a label there (they occur in the data
        the inner split was made from).
        """
        for i in range(self.n_splits):
            seed = inner_seed(self.seed, i)
            if self.inner_split == "random_cold":
                inner = cold_start_split(train, self.valid_cold_frac, self.valid_test_frac, seed=seed)
                yield inner.train, inner.test, train.item_counts() > 0
            elif self.inner_split == "per_user":
                yield (*random_holdout(train, self.valid_test_frac, seed=seed), train.item_counts() > 0)
            else:   # rolling origin: split i ends i windows of valid_test_frac before the end of train
                part = train
                if i:
                    order = np.argsort(train.timestamps, kind="stable")
                    part = train.subset(np.sort(order[:len(train) - int(round(i * self.valid_test_frac * len(train)))]))
                frac = self.valid_test_frac / (1 - i * self.valid_test_frac)
                inner = temporal_cold_split(part, frac, seed=seed)
                yield inner.train, inner.test, part.item_counts() > 0

    def _fit_models(self, train: Interactions):
        warm = clone(self.warm_model).fit(train)
        cold = warm if self.cold_model is None else clone(self.cold_model).fit(train)
        return warm, cold

    def _group_scores(self, warm, cold, seen, users):
        sw = mask_seen(warm.score(users).float(), seen, users)
        sc = sw if cold is warm else mask_seen(cold.score(users).float().to(sw.device), seen, users)
        return sw, sc

    def _fit(self, train: Interactions) -> None:
        known = train.item_counts() > 0
        self.cold_items_ = ~known
        if known.all():  # nothing cold to merge: exactly the warm model
            self.warm_curve_ = self.cold_curve_ = None
            self.warm_model_ = self.cold_model_ = clone(self.warm_model).fit(train)
            return
        hits = {"warm": 0.0, "cold": 0.0}
        counts = {"warm": 0.0, "cold": 0.0}
        for inner_train, inner_test, labelled in self.inner_splits(train):
            warm, cold = self._fit_models(inner_train)
            truth = relevant_matrix(inner_test).tocsr()
            users = np.flatnonzero(np.diff(truth.indptr))
            sw, sc = self._group_scores(warm, cold, inner_train.to_csr("ones"), users)
            inner_warm = inner_train.item_counts() > 0
            for name, scores, group in (("warm", sw, inner_warm), ("cold", sc, ~inner_warm & labelled)):
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
        self.warm_model_, self.cold_model_ = self._fit_models(train)

    def _score(self, users: np.ndarray) -> torch.Tensor:
        if self.warm_curve_ is None:   # no cold item in training: the warm model's own scores
            return self.warm_model_.score(users)
        sw, sc = self._group_scores(self.warm_model_, self.cold_model_, self.seen_, users)
        cold = torch.as_tensor(self.cold_items_, device=sw.device)
        out = torch.empty_like(sw, dtype=torch.float64)   # float64: the rank tie-break must survive rounding
        for group, scores, curve in ((~cold, sw, self.warm_curve_), (cold, sc, self.cold_curve_)):
            ranks = ranks_within(scores, group)
            table = torch.as_tensor(curve, dtype=out.dtype, device=out.device)
            value = table[ranks.clamp_max(len(curve) - 1)] - 1e-9 * ranks.to(out.dtype)
            out = torch.where(group[None, :], value, out)
        return mask_seen(out, self.seen_, users)
