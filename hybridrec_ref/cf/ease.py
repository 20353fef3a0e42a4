"""EASE: an item-item model with a closed-form solution (Steck 2019; chapter 3, ``ch-cf``, "Top-N ranking on one split").

EASE learns an item-item weight matrix ``B`` with a zero diagonal that
reconstructs the binary user-item matrix ``X`` from itself:

    min_B |X - X B|_F^2 + lam |B|_F^2   subject to diag(B) = 0

The solution is closed form: with ``P = (X^T X + lam I)^{-1}``,
``B = I - P diag(1 / diag(P))`` (so ``B_ij = -P_ij / P_jj`` off the
diagonal). Scores are ``X_u B``. One ``n_items x n_items`` inverse: seconds
for thousands of items, the model of choice when the catalogue is small.

Memory (chapter 14, ``ch-scale``): the Gram matrix ``X^T X`` is built from the sparse ``X``
and ``X`` itself stays sparse, so the cost is the items x items matrices only:
the float64 Gram matrix and its inverse (16 bytes per cell) plus the float32
``B`` (4 bytes per cell), ``20 n_items^2`` bytes (:func:`ease_peak_bytes`): 2 GB at
10k items, 18 GB at 30k, 50 GB at 50k. That is a lower bound of the peak: the sparse
product that builds the Gram matrix and LAPACK's working copies come on top (chapter 14
measures 1.5-1.8 times the formula on MovieLens-1M).
Beyond a few tens of thousands of items use ALS, or EASE on the most popular items only.
"""

from __future__ import annotations

import numpy as np
import torch

from ..base import Recommender
from ..data.interactions import Interactions
from ..perf.device import resolve_device
from ..validation import check_positive


def ease_peak_bytes(n_items: int) -> int:
    """Bytes of :meth:`EASE.fit`'s dense matrices for ``n_items`` items (Gram + inverse in float64, ``B`` in
    float32): a lower bound of its measured peak."""
    return 20 * int(n_items) ** 2


class EASE(Recommender):
    """Embarrassingly shallow autoencoder; ``lam`` is the L2 strength (tune it on validation data)."""

    def __init__(self, lam: float = 500.0, device: str = "auto"):
        self.lam, self.device = check_positive("lam", lam), device   # lam > 0 keeps X^T X + lam I invertible

    def _fit(self, train: Interactions) -> None:
        dev = self.device_ = resolve_device(self.device)
        Xs = train.to_csr("ones", dtype=np.float64)
        G = torch.as_tensor((Xs.T @ Xs).toarray(), device=dev)   # sparse product: X is never dense
        G.diagonal().add_(float(self.lam))
        P = torch.linalg.inv(G)
        del G
        P.div_(-P.diagonal()[None, :])                            # B_ij = -P_ij / P_jj
        P.fill_diagonal_(0.0)
        self.B_ = P.float()

    def _score(self, users: np.ndarray) -> torch.Tensor:
        rows = torch.as_tensor(self.seen_[users].toarray(), device=self.device_)   # only these users, dense
        return rows @ self.B_
