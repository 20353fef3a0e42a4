"""GRU4Rec: a recurrent network over the session (chapter 5, ``ch-deep``, "Sequential recommendation").

Hidasi et al. (2016) read a user's items one at a time with a GRU; the hidden
state after item ``t`` scores the next item. Here it is trained, like SASRec,
with full softmax cross-entropy at every position of the history windows
(batching and training: :mod:`.sequential`).
"""

from __future__ import annotations

import torch
from torch import nn

from ..validation import check_int
from .sequential import SequenceNet, SequentialRecommender


class GRUNet(SequenceNet):
    def __init__(self, n_items: int, dim: int, n_layers: int, dropout: float):
        super().__init__(n_items, dim)
        self.drop = nn.Dropout(dropout)
        self.gru = nn.GRU(dim, dim, num_layers=n_layers, batch_first=True,
                          dropout=dropout if n_layers > 1 else 0.0)

    def forward(self, seq: torch.Tensor, users: torch.Tensor) -> torch.Tensor:
        states, _ = self.gru(self.drop(self.item_emb(seq)))  # a GRU is causal by construction
        return self.drop(states)


class GRU4Rec(SequentialRecommender):
    """GRU over each user's time-ordered items; see :class:`~.sequential.SequentialRecommender` for the shared parameters.

    n_layers : stacked GRU layers.
    """

    def __init__(self, n_layers: int = 1, max_len: int = 50, n_factors: int = 64, dropout: float = 0.2,
                 n_epochs: int = 20, batch_size: int = 128, lr: float = 1e-3, weight_decay: float = 0.0,
                 patience: int | None = None, device: str = "auto", seed: int = 42, verbose: bool = False):
        self.n_layers = check_int("n_layers", n_layers)
        super().__init__(max_len=max_len, n_factors=n_factors, dropout=dropout, n_epochs=n_epochs,
                         batch_size=batch_size, lr=lr, weight_decay=weight_decay, patience=patience, device=device,
                         seed=seed, verbose=verbose)

    def _build(self, n_users: int, n_items: int) -> GRUNet:
        return GRUNet(n_items, self.n_factors, self.n_layers, self.dropout)
