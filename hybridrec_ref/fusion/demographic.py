"""The demographic expert: what is popular among users like this one (chapter 8, ``ch-multimodal``).

:class:`DemographicPopularity` is the user-attribute modality on its own:
popularity within the user's group (same age bucket and sex by default),
shrunk towards global popularity for small groups. It scores new users from
their attributes alone.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import torch

from ..base import Recommender
from ..data.interactions import Interactions
from ..perf.device import resolve_device
from ..validation import check_nonnegative


class DemographicPopularity(Recommender):
    """Popularity among users of the same demographic group, shrunk towards global popularity.

    For user ``u`` in group ``g`` with ``N_g`` training interactions, of which
    ``c_g(i)`` on item ``i``, and global popularity ``p(i) = c(i) / N``::

        score(u, i) = (c_g(i) + smoothing * p(i)) / (N_g + smoothing)

    A group with no data scores global popularity; a huge group its own
    popularity. Users without any training interaction are scored too: their
    group is all the model needs to know (the new-user case).

    Parameters
    ----------
    user_groups : integer (or any hashable) group label per user index, e.g. from
        :func:`~hybridrec_ref.data.user_groups` (age bucket x sex).
    smoothing : pseudo-count of global popularity mixed into each group (>= 0).
    device : where scores live.
    """

    def __init__(self, user_groups, smoothing: float = 50.0, device: str = "auto"):
        groups = np.asarray(user_groups)
        if groups.ndim != 1 or len(groups) == 0:
            raise ValueError(f"user_groups must be a non-empty 1-D array (one label per user), got shape {groups.shape}")
        self.user_groups, self.smoothing, self.device = groups, check_nonnegative("smoothing", smoothing), device

    def _fit(self, train: Interactions) -> None:
        if len(self.user_groups) != train.n_users:
            raise ValueError(f"user_groups has {len(self.user_groups)} labels for {train.n_users} users")
        _, codes = np.unique(self.user_groups, return_inverse=True)
        n_groups = codes.max() + 1
        member = sp.csr_matrix((np.ones(train.n_users), (codes, np.arange(train.n_users))),
                               shape=(n_groups, train.n_users))
        counts = np.asarray((member @ train.to_csr("ones")).todense(), dtype=np.float64)   # (n_groups, n_items)
        total = counts.sum(0)
        p = total / max(total.sum(), 1.0)
        table = (counts + self.smoothing * p) / np.maximum(counts.sum(1, keepdims=True) + self.smoothing, 1e-12)
        dev = self.device_ = resolve_device(self.device)
        self.group_codes_ = torch.as_tensor(codes, device=dev)
        self.group_popularity_ = torch.as_tensor(table, dtype=torch.float32, device=dev)

    def _score(self, users: np.ndarray) -> torch.Tensor:
        return self.group_popularity_[self.group_codes_[torch.as_tensor(users, device=self.device_)]]
