"""Caser: convolutional sequence embedding (chapter 5, ``ch-deep``, "Sequential recommendation").

Tang and Wang (2018) treat the embeddings of a user's ``L`` most recent items
as an ``L x d`` "image": *horizontal* filters of heights ``1..L`` (max-pooled
over time) catch union-level and point-level sequential patterns, *vertical*
filters weight the ``L`` positions; a fully connected layer mixes both, and
the user's own embedding is concatenated (long-term taste) before the output.

So that Caser trains with the same code as GRU4Rec and SASRec
(:mod:`.sequential`), the window of the ``L`` items ending at each position
is unfolded and the CNN is applied at every position at once: position
``t`` sees items ``t-L+1..t`` only (causal).
"""

from __future__ import annotations

import torch
from torch import nn

from ..validation import check_int
from .sequential import SequenceNet, SequentialRecommender


class CaserNet(SequenceNet):
    def __init__(self, n_users: int, n_items: int, dim: int, window: int, n_h: int, n_v: int, dropout: float):
        super().__init__(n_items, dim)
        self.window = window
        self.user_emb = nn.Embedding(n_users, dim)
        nn.init.normal_(self.user_emb.weight, std=dim ** -0.5)
        self.horizontal = nn.ModuleList(nn.Conv2d(1, n_h, (h, dim)) for h in range(1, window + 1))
        self.vertical = nn.Conv2d(1, n_v, (window, 1))
        self.fc = nn.Linear(n_h * window + n_v * dim, dim)
        self.out = nn.Linear(2 * dim, dim)
        self.drop = nn.Dropout(dropout)

    def forward(self, seq: torch.Tensor, users: torch.Tensor) -> torch.Tensor:
        b, length = seq.shape
        padded = nn.functional.pad(seq, (self.window - 1, 0))
        windows = padded.unfold(1, self.window, 1)  # (B, L, window): the last `window` items at each position
        e = self.item_emb(windows.reshape(b * length, self.window)).unsqueeze(1)  # (B*L, 1, window, d)
        h = [torch.relu(conv(e)).squeeze(3).amax(2) for conv in self.horizontal]  # each (B*L, n_h)
        v = self.vertical(e).reshape(b * length, -1)  # (B*L, n_v * d)
        z = torch.relu(self.fc(self.drop(torch.cat(h + [v], 1)))).reshape(b, length, -1)
        u = self.user_emb(users).unsqueeze(1).expand(-1, length, -1)
        return self.out(self.drop(torch.cat([z, u], -1)))


class Caser(SequentialRecommender):
    """CNN over the ``window`` most recent items plus a user embedding (shared parameters: :class:`~.sequential.SequentialRecommender`).

    window : how many recent items each convolution sees (``L`` in the paper).
    n_h, n_v : number of horizontal filters per height, and of vertical filters.
    """

    def __init__(self, window: int = 5, n_h: int = 16, n_v: int = 4, max_len: int = 50, n_factors: int = 64, dropout: float = 0.2,
                 n_epochs: int = 20, batch_size: int = 128, lr: float = 1e-3, weight_decay: float = 0.0,
                 patience: int | None = None, device: str = "auto", seed: int = 42, verbose: bool = False):
        self.window, self.n_h, self.n_v = check_int("window", window), check_int("n_h", n_h), check_int("n_v", n_v)
        super().__init__(max_len=max_len, n_factors=n_factors, dropout=dropout, n_epochs=n_epochs,
                         batch_size=batch_size, lr=lr, weight_decay=weight_decay, patience=patience, device=device,
                         seed=seed, verbose=verbose)
        if window > self.max_len:
            raise ValueError(f"window={window} cannot exceed max_len={self.max_len}")

    def _build(self, n_users: int, n_items: int) -> CaserNet:
        return CaserNet(n_users, n_items, self.n_factors, self.window, self.n_h, self.n_v, self.dropout)
