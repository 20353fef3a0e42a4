"""Synthetic implicit feedback of any size, for scale curves (chapter 14, ``ch-scale``).

Real catalogues are long-tailed: a few items take most interactions. Items are
drawn from a Zipf-like law (``p_i ~ 1 / (i + 1)^exponent``) and users
uniformly, duplicates removed, so the set has about ``n_interactions`` distinct
pairs. Used where no real data set of the wanted size exists offline.
"""

from __future__ import annotations

import numpy as np

from ..data.interactions import Interactions
from ..validation import check_int, check_positive


def synthetic_interactions(n_interactions: int, n_users: int | None = None, n_items: int | None = None,
                           exponent: float = 0.8, seed: int = 0) -> Interactions:
    """About ``n_interactions`` distinct (user, item) pairs; defaults scale users/items with the size.

    Default shape: ``n_users = n / 20`` (20 interactions per user on average) and
    ``n_items = n / 100`` capped at 100,000.
    """
    n = check_int("n_interactions", n_interactions)
    n_users = check_int("n_users", n_users if n_users is not None else max(n // 20, 10))
    n_items = check_int("n_items", n_items if n_items is not None else min(max(n // 100, 10), 100_000))
    check_positive("exponent", exponent)
    if n > 0.5 * n_users * n_items:
        raise ValueError(f"{n} interactions do not fit sparsely in {n_users} x {n_items}; use more users or items")
    rng = np.random.default_rng(seed)
    p = 1.0 / np.arange(1, n_items + 1) ** exponent
    p /= p.sum()
    perm = rng.permutation(n_items)   # popular items get scattered indices, as in real data
    keys = np.empty(0, dtype=np.int64)
    while len(keys) < n:
        m = int((n - len(keys)) * 1.15) + 16
        u = rng.integers(0, n_users, m)
        i = perm[rng.choice(n_items, m, p=p)]
        keys = np.unique(np.concatenate([keys, u.astype(np.int64) * n_items + i]))
    keys = rng.permutation(keys)[:n]
    return Interactions(keys // n_items, keys % n_items, n_users, n_items)
