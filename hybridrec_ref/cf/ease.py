"""EASE: an item-item model with a closed-form solution (Steck 2019; chapter 3, section 3.2).

EASE learns an item-item weight matrix ``B`` with a zero diagonal that
reconstructs the binary user-item matrix ``X`` from itself:

    min_B |X - X B|_F^2 + lam |B|_F^2   subject to diag(B) = 0

The solution is closed form: with ``P = (X^T X + lam I)^{-1}``,
``B = I - P diag(1 / diag(P))`` (so ``B_ij = -P_ij / P_jj`` off the
diagonal). Scores are ``X_u B``. One ``n_items x n_items`` inverse: seconds
for thousands of items, the model of choice when the catalogue is small.
"""

from __future__ import annotations

import numpy as np
import torch

from ..base import Recommender
from ..data.interactions import Interactions
from ..perf.device import resolve_device


class EASE(Recommender):
    """Embarrassingly shallow autoencoder; ``lam`` is the L2 strength (tune it on validation data)."""

    def __init__(self, lam: float = 500.0, device: str = "auto"):
        if isinstance(lam, bool) or not isinstance(lam, (int, float, np.integer, np.floating)) or lam <= 0:
            raise ValueError(f"lam must be a positive number (it keeps X^T X + lam I invertible), got {lam!r}")
        self.lam, self.device = float(lam), device

    def _fit(self, train: Interactions) -> None:
        dev = self.device_ = resolve_device(self.device)
        Xs = train.to_csr("ones", dtype=np.float64)
        G = torch.as_tensor((Xs.T @ Xs).toarray(), device=dev)   # sparse product: X is ~95% empty
        X = torch.as_tensor(Xs.toarray(), device=dev)
        G.diagonal().add_(self.lam)
        P = torch.linalg.inv(G)
        B = -P / P.diagonal()[None, :]
        B.fill_diagonal_(0.0)
        self.B_ = B.float()
        self.X_ = X.float()

    def _score(self, users: np.ndarray) -> torch.Tensor:
        return self.X_[torch.as_tensor(users, device=self.device_)] @ self.B_
