"""Train/test splits, all seeded, deterministic and vectorised (chapters 1, 6 and 9).

Every split returns :class:`Interactions` in the *same index space* as its
input, so models fitted on ``train`` score the items ``test`` refers to.

- :func:`random_holdout`: per user, a random ``test_frac`` of their
  interactions goes to test (stratified by user; users with a single
  interaction keep it in train).
- :func:`chronological_holdout`: per user, the latest ``test_frac``.
- :func:`leave_last_out`: per user, the last ``n`` interactions (sequential
  recommendation), optionally one more for validation.
- :func:`kfold`: ``k`` random folds over all interactions (what Surprise's
  ``KFold`` does), for rating prediction.
- :func:`cold_start_split`: a fraction of items (or users) loses *all* its
  interactions to test; the rest is split by :func:`random_holdout`.
- :func:`temporal_cold_split`: everything after a cut-off time goes to test;
  the items first rated after it are the (real, not random) new items.
- :func:`stratified_split`: Microsoft Recommenders' ``python_stratified_split``
  rebuilt exactly (per-user or per-item ratio, their random stream), for
  comparisons on their published benchmark (chapter 13).
- :func:`user_folds`: ``k`` folds *per user* for ranking cross-validation
  (chapter 13).

A (user, item) pair that occurs more than once (repeated purchases, re-ratings)
can land in train and in test at once: the test then asks the model to
recommend an item the user is known to have. Every split warns
(:class:`DuplicateLeakWarning`) when that happens, with the number of pairs;
deduplicate first (e.g. keep each pair's last interaction) to silence it.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Iterator

import numpy as np

from .interactions import Interactions


class DuplicateLeakWarning(UserWarning):
    """A split put copies of the same (user, item) pair into both train and test."""


def _split(data: Interactions, test: np.ndarray) -> tuple[Interactions, Interactions]:
    """``(train, test)`` by a boolean test mask; warns if a duplicated pair leaks across."""
    if len(data) and test.any() and not test.all():
        key = data.users.astype(np.int64) * data.n_items + data.items
        leaked = np.intersect1d(key[test], key[~test]).size
        if leaked:
            warnings.warn(f"{leaked} (user, item) pair(s) occur in both train and test because the data holds "
                          "them more than once; deduplicate the interactions before splitting",
                          DuplicateLeakWarning, stacklevel=3)
    return data.subset(~test), data.subset(test)


def _check_frac(name: str, frac: float) -> None:
    if not 0.0 < frac < 1.0:
        raise ValueError(f"{name} must lie strictly between 0 and 1, got {frac}")


def _check_nonempty(data: Interactions) -> None:
    if len(data) == 0:
        raise ValueError("cannot split empty interactions")


def _rank_within_user(users: np.ndarray, order_key: np.ndarray) -> np.ndarray:
    """Position (0-based) of each interaction within its user, by ``order_key``."""
    order = np.lexsort((order_key, users))
    sorted_users = users[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_users)) + 1]
    counts = np.diff(np.r_[starts, len(users)])
    pos_sorted = np.arange(len(users)) - np.repeat(starts, counts)
    rank = np.empty(len(users), dtype=np.int64)
    rank[order] = pos_sorted
    return rank


def _tail_mask(data: Interactions, n_tail: np.ndarray, order_key: np.ndarray) -> np.ndarray:
    """True for each user's last ``n_tail[user]`` interactions by ``order_key``."""
    counts = data.user_counts()
    rank = _rank_within_user(data.users, order_key)
    return rank >= (counts - n_tail)[data.users]


def _n_test(counts: np.ndarray, frac: float) -> np.ndarray:
    """Held-out count per user: round(frac * n), at least 1, leaving at least 1 in train."""
    n = np.floor(frac * counts + 0.5).astype(np.int64)
    n = np.maximum(n, 1)
    return np.where(counts >= 2, np.minimum(n, counts - 1), 0)


def random_holdout(data: Interactions, test_frac: float = 0.2, seed: int = 42) -> tuple[Interactions, Interactions]:
    """Per-user stratified random split: ``round(test_frac * n_u)`` of each user's interactions to test."""
    _check_nonempty(data)
    _check_frac("test_frac", test_frac)
    return _split(data, _holdout_mask(data, test_frac, seed))


def _time_key(data: Interactions, seed: int) -> np.ndarray:
    if data.timestamps is None:
        raise ValueError("a chronological split needs timestamps; these interactions have none")
    # ties broken at random (seeded), not by file order
    rng = np.random.default_rng(seed)
    return data.timestamps.astype(np.float64) + rng.random(len(data)) * 0.5


def chronological_holdout(data: Interactions, test_frac: float = 0.2, seed: int = 42) -> tuple[Interactions, Interactions]:
    """Per user, the most recent ``round(test_frac * n_u)`` interactions go to test."""
    _check_nonempty(data)
    _check_frac("test_frac", test_frac)
    return _split(data, _tail_mask(data, _n_test(data.user_counts(), test_frac), _time_key(data, seed)))


def leave_last_out(data: Interactions, n: int = 1, validation: bool = False, seed: int = 42):
    """Per user, the last ``n`` interactions (by time) go to test.

    With ``validation=True`` the ``n`` before those go to a validation part and
    ``(train, valid, test)`` is returned. Users with too few interactions keep
    everything in train (at least one interaction always stays in train).
    """
    _check_nonempty(data)
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    key = _time_key(data, seed)
    counts = data.user_counts()
    parts = 2 if validation else 1
    n_tail = np.where(counts > parts * n, n, 0)
    rank = _rank_within_user(data.users, key)
    from_end = counts[data.users] - rank  # 1 for the last interaction
    test = from_end <= n_tail[data.users]
    if not validation:
        return _split(data, test)
    valid = (from_end > n_tail[data.users]) & (from_end <= 2 * n_tail[data.users])
    return data.subset(~(test | valid)), data.subset(valid), data.subset(test)


def kfold(data: Interactions, k: int = 5, seed: int = 42) -> Iterator[tuple[Interactions, Interactions]]:
    """``k`` random folds over all interactions; yields ``(train, test)`` pairs."""
    _check_nonempty(data)
    if k < 2 or k > len(data):
        raise ValueError(f"k must lie in [2, {len(data)}], got {k}")
    rng = np.random.default_rng(seed)
    fold = np.empty(len(data), dtype=np.int64)
    fold[rng.permutation(len(data))] = np.arange(len(data)) % k
    for f in range(k):
        yield _split(data, fold == f)


@dataclass(frozen=True)
class ColdStartSplit:
    """A cold-start split: ``cold`` holds the indices of the cold items (or users)."""

    train: Interactions
    test: Interactions
    cold: np.ndarray
    axis: str

    def test_is_cold(self) -> np.ndarray:
        """Boolean mask over ``test``: True where the interaction involves a cold entity."""
        ids = self.test.items if self.axis == "item" else self.test.users
        return np.isin(ids, self.cold)


def cold_start_split(data: Interactions, cold_frac: float = 0.2, test_frac: float = 0.2, axis: str = "item",
                     seed: int = 42) -> ColdStartSplit:
    """Remove a random ``cold_frac`` of items (or users) entirely from training.

    All interactions of the cold entities go to test; the remaining (warm)
    interactions are split per user with :func:`random_holdout` at
    ``test_frac``, so the test set mixes cold and warm cases and one ranking
    over all items can be scored for both.
    """
    _check_nonempty(data)
    _check_frac("cold_frac", cold_frac)
    _check_frac("test_frac", test_frac)
    if axis not in ("item", "user"):
        raise ValueError(f"axis must be 'item' or 'user', got {axis!r}")
    rng = np.random.default_rng(seed)
    ids = data.items if axis == "item" else data.users
    present = np.unique(ids)
    n_cold = int(round(cold_frac * len(present)))
    cold = np.sort(rng.choice(present, size=n_cold, replace=False))
    is_cold = np.isin(ids, cold)
    warm_idx = np.flatnonzero(~is_cold)
    warm_test = _holdout_mask(data.subset(warm_idx), test_frac, seed)
    test = np.zeros(len(data), dtype=bool)
    test[is_cold] = True
    test[warm_idx[warm_test]] = True
    return ColdStartSplit(*_split(data, test), cold, axis)


def temporal_cold_split(data: Interactions, test_frac: float = 0.2, seed: int = 42) -> ColdStartSplit:
    """Split at a cut-off time: the last ``test_frac`` of all interactions go to test.

    The items whose *first* interaction comes after the cut-off are cold: they are
    the catalogue's real new items (released late, rated by few so far), not a random
    sample of it. Users' later interactions with warm items are held out too, so one
    ranking over all items is scored on both, as in :func:`cold_start_split`. Users with
    no interaction before the cut-off are new users, another problem: their interactions
    are left out of both parts (``len(train) + len(test)`` can be below ``len(data)``).
    Ties in time are broken at random (``seed``). Chapter 6 compares it with the
    random-cold split (:ref:`sec-hybrid-temporal`).
    """
    _check_nonempty(data)
    _check_frac("test_frac", test_frac)
    key = _time_key(data, seed)
    order = np.argsort(key, kind="stable")
    n_test = int(round(test_frac * len(data)))
    if not 0 < n_test < len(data):
        raise ValueError(f"test_frac={test_frac} leaves no interaction on one side of the cut-off ({len(data)} in all)")
    test = np.zeros(len(data), dtype=bool)
    test[order[len(data) - n_test:]] = True
    known_users = np.bincount(data.users[~test], minlength=data.n_users) > 0
    keep = known_users[data.users]
    warm_items = np.bincount(data.items[~test], minlength=data.n_items) > 0
    cold = np.flatnonzero(~warm_items & (np.bincount(data.items[test & keep], minlength=data.n_items) > 0))
    train, held = _split(data.subset(keep), test[keep])
    return ColdStartSplit(train, held, cold, "item")


def inner_seed(seed: int, i: int = 0) -> int:
    """Seed for the ``i``-th validation split made inside a training set that was split with ``seed``.

    A model handed the experiment's seed must not reuse it for its inner split: numpy would draw
    the same random stream again, so which items and ratings the inner split holds out would not
    be independent of what the outer split held out. Derived seeds are independent streams
    (chapter 6 calibrates on such inner splits).
    """
    return int(np.random.SeedSequence([int(seed), 1_000_003, int(i)]).generate_state(1)[0])


def _holdout_mask(data: Interactions, test_frac: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return _tail_mask(data, _n_test(data.user_counts(), test_frac), rng.random(len(data)))


def stratified_split(data: Interactions, ratio: float = 0.75, filter_by: str = "user", seed: int = 42,
                     rounded: bool = True) -> tuple[Interactions, Interactions]:
    """Microsoft Recommenders' ``python_stratified_split`` (chapter 13, :ref:`sec-tuning-peer`).

    Their rule, rebuilt from its definition so that the same rows land in the
    same part: draw one uniform number per interaction, in input order, from
    ``numpy.random.RandomState(seed)`` (what their ``np.random.seed(seed);
    np.random.rand(n)`` draws); sort by (``filter_by`` entity, that number);
    number the rows ``r = 1..n`` within each group. With ``rounded=True``
    (the rule of the run that produced their published ML-100k table, July
    2025) row ``r`` goes to train when ``r <= round(ratio * n)``, numpy's
    round half to even: an item with one or two ratings stays wholly in
    train. With ``rounded=False`` (their later rule) the test is
    ``r / n <= ratio``: an item with one rating goes to test only.

    Both parts come back *in their sorted row order* (by entity, then the
    random number), the order of their DataFrames: models whose id maps
    depend on the order of first appearance (cornac's) see the same input.
    ``data`` must be in the order of the peer's file (MovieLens ``u.data``
    order, which :func:`~hybridrec_ref.data.load_movielens_100k` keeps).
    """
    _check_nonempty(data)
    _check_frac("ratio", ratio)
    if filter_by not in ("user", "item"):
        raise ValueError(f"filter_by must be 'user' or 'item', got {filter_by!r}")
    key = np.random.RandomState(seed).rand(len(data))
    group = data.users if filter_by == "user" else data.items
    order = np.lexsort((key, group))
    sorted_group = group[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_group)) + 1]
    counts = np.repeat(np.diff(np.r_[starts, len(order)]), np.diff(np.r_[starts, len(order)]))
    rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)])) + 1
    in_train = rank <= np.round(ratio * counts) if rounded else rank / counts.astype(np.float64) <= ratio
    return data.subset(order[in_train]), data.subset(order[~in_train])


def user_folds(data: Interactions, k: int = 5, seed: int = 42) -> Iterator[tuple[Interactions, Interactions]]:
    """``k`` folds *within each user* for ranking cross-validation (chapter 13); yields ``(train, test)``.

    Each user's interactions are shuffled and dealt round-robin into the ``k``
    folds (so every fold holds about ``1/k`` of every user, and a user with at
    least ``k`` interactions is tested in every fold); each interaction is
    tested exactly once. Rating folds over all interactions, as Surprise makes
    them, are :func:`kfold`.
    """
    _check_nonempty(data)
    if k < 2:
        raise ValueError(f"k must be at least 2, got {k}")
    rng = np.random.default_rng(seed)
    rank = _rank_within_user(data.users, rng.random(len(data)))
    # a random offset per user, so users with fewer than k interactions are not all tested in fold 0
    fold = (rank + rng.integers(0, k, data.n_users)[data.users]) % k
    for f in range(k):
        yield data.subset(fold != f), data.subset(fold == f)
