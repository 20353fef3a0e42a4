"""Offline proxies for "user satisfaction" (chapter 9).

The outline measures satisfaction with a user survey. This book has no users
to ask, and it does not invent a survey. What it has is each user's
*held-out ratings*: what the user said, after the fact, about some of the
items a model recommends. Two proxies are computed from them, per user, for
one top-k list:

- **rated-hit satisfaction**: among the recommended items the user rated in
  the held-out data ("rated hits"), the mean rating (``MeanRating@k``) and the
  share rated at least ``like_threshold`` (``LikedShare@k``, default 4 of 5
  stars). It answers "when the list contains something the user went on to
  watch, did they like it?". It is undefined (NaN) for a user with no rated
  hit, so it is averaged over the users who have one, and it says nothing
  about the recommended items the user never rated.
- **liked precision**: recommended items with a held-out rating
  >= ``like_threshold``, divided by ``k`` (``LikedPrecision@k``; that is
  ``Precision@k`` with "relevant" = liked). It rewards lists that are both
  *hit* and *liked*, so it is defined for every user and penalises empty lists.

What neither measures: how satisfied a user would be with items they have
not rated (missing ratings are not dislikes: MovieLens users rate what they
chose to watch, so held-out ratings are biased towards liked items), any
effect of the list as a whole (order, variety, surprise), or anything about
users' actual experience. They are proxies computed from logged data, with
the biases of logged data; an online experiment or a survey measures
satisfaction, these do not.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..base import Recommender, check_k
from ..data.interactions import Interactions
from .metrics import relevance_at

SATISFACTION_COLUMNS = ("RatedHits", "MeanRating", "LikedShare", "LikedPrecision")


def _check(test: Interactions, like_threshold: float) -> None:
    if not isinstance(test, Interactions):
        raise TypeError(f"test must be an Interactions object, got {type(test).__name__}")
    if test.ratings is None:
        raise ValueError("satisfaction proxies need held-out ratings; these interactions have none")
    if len(test) == 0:
        raise ValueError("the test set is empty: nothing to evaluate")
    if not np.isfinite(like_threshold):
        raise ValueError(f"like_threshold must be a finite rating, got {like_threshold}")


def satisfaction_at(topk: np.ndarray, test: Interactions, users, like_threshold: float = 4.0) -> pd.DataFrame:
    """Per-user satisfaction proxies of given top-k lists (see the module docstring).

    ``topk`` is ``(len(users), k)`` item indices, best first; ``test`` holds
    the held-out ratings (ratings must be positive: 0 marks "not rated").
    Returns a DataFrame indexed by user with columns ``RatedHits@k``,
    ``MeanRating@k`` (NaN without a rated hit), ``LikedShare@k`` (NaN
    likewise) and ``LikedPrecision@k``.
    """
    _check(test, like_threshold)
    topk = np.asarray(topk)
    users = np.asarray(users, dtype=np.int64)
    if topk.ndim != 2 or topk.shape[0] != len(users):
        raise ValueError(f"topk must have shape (len(users), k) = ({len(users)}, k), got {topk.shape}")
    k = check_k(topk.shape[1])
    if (test.ratings <= 0).any():
        raise ValueError("ratings must be positive: a zero rating cannot be told apart from 'not rated'")
    rating = relevance_at(topk, test.to_csr("ratings", dtype=np.float64), users)  # 0 = not rated
    rated = rating > 0
    liked = rating >= like_threshold
    n_rated = rated.sum(1)
    n_liked = liked.sum(1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_rating = np.where(n_rated > 0, rating.sum(1) / n_rated, np.nan)
        liked_share = np.where(n_rated > 0, n_liked / n_rated, np.nan)
    return pd.DataFrame({f"RatedHits@{k}": n_rated.astype(np.float64), f"MeanRating@{k}": mean_rating,
                         f"LikedShare@{k}": liked_share, f"LikedPrecision@{k}": n_liked / k},
                        index=pd.Index(users, name="user"))


def satisfaction_proxies(model: Recommender, train: Interactions, test: Interactions, k: int = 10,
                         like_threshold: float = 4.0, batch_size: int = 1024) -> pd.DataFrame:
    """Per-user proxies of a fitted model's top-``k`` lists, for every user with a held-out rating.

    The protocol is the book's: full ranking over all items, training items excluded.
    """
    _check(test, like_threshold)
    k = check_k(k)
    if (train.n_users, train.n_items) != (test.n_users, test.n_items):
        raise ValueError("train and test live in different index spaces; split one Interactions object")
    if getattr(model, "n_items_", None) != test.n_items:
        raise ValueError("the model is not fitted on this index space; call model.fit(train) first")
    users = np.unique(test.users)
    topk = np.concatenate([model.recommend(users[s:s + batch_size], k) for s in range(0, len(users), batch_size)])
    return satisfaction_at(topk, test, users, like_threshold)


def summarise_satisfaction(table: pd.DataFrame) -> pd.Series:
    """Means of a :func:`satisfaction_at` table.

    ``MeanRating@k`` and ``LikedShare@k`` are averaged over the users with at
    least one rated hit (their share is ``users with a rated hit``); the
    others over all users.
    """
    cols = {c.split("@")[0]: c for c in table.columns}
    missing = set(SATISFACTION_COLUMNS) - set(cols)
    if missing:
        raise ValueError(f"table lacks the columns {sorted(missing)}; pass the output of satisfaction_at")
    if len(table) == 0:
        raise ValueError("the table is empty: no user to summarise")
    has_hit = table[cols["RatedHits"]] > 0
    out = {c: float(table[c].mean()) for c in table.columns}  # pandas skips NaN: means over users with a hit
    out["users with a rated hit"] = float(has_hit.mean())
    return pd.Series(out)
