"""SASRec: self-attentive sequential recommendation (chapter 5, ``ch-deep``, "Sequential recommendation").

Kang and McAuley (2018): item embeddings plus learned position embeddings
go through a stack of causal (left-to-right) Transformer blocks; the output
at position ``t`` scores the item at ``t + 1`` against the (shared) item
embeddings. Padding positions are zeroed after every block, as in the
original. Training, batching and scoring: :mod:`.sequential`.
"""

from __future__ import annotations

import torch
from torch import nn

from ..validation import check_int
from .sequential import SequenceNet, SequentialRecommender


class SASRecNet(SequenceNet):
    def __init__(self, n_items: int, dim: int, max_len: int, n_blocks: int, n_heads: int, dropout: float):
        super().__init__(n_items, dim)
        self.pos_emb = nn.Embedding(max_len, dim)
        self.drop = nn.Dropout(dropout)
        self.blocks = nn.ModuleList(
            nn.TransformerEncoderLayer(dim, n_heads, dim_feedforward=dim, dropout=dropout, activation="gelu",
                                       batch_first=True, norm_first=True)
            for _ in range(n_blocks))
        self.norm = nn.LayerNorm(dim)
        self.register_buffer("causal", torch.triu(torch.full((max_len, max_len), float("-inf")), diagonal=1),
                             persistent=False)

    def forward(self, seq: torch.Tensor, users: torch.Tensor) -> torch.Tensor:
        length = seq.shape[1]
        keep = (seq > 0).unsqueeze(-1).to(self.item_emb.weight.dtype)
        pos = torch.arange(length, device=seq.device)
        x = self.drop(self.item_emb(seq) * self.item_emb.embedding_dim ** 0.5 + self.pos_emb(pos)) * keep
        mask = self.causal[:length, :length]
        for block in self.blocks:
            x = block(x, src_mask=mask) * keep
        return self.norm(x)


class SASRec(SequentialRecommender):
    """Causal Transformer over each user's time-ordered items (shared parameters: :class:`~.sequential.SequentialRecommender`).

    n_blocks : Transformer blocks.  n_heads : attention heads (must divide ``n_factors``).
    """

    def __init__(self, n_blocks: int = 2, n_heads: int = 1, max_len: int = 50, n_factors: int = 64, dropout: float = 0.2,
                 n_epochs: int = 20, batch_size: int = 128, lr: float = 1e-3, weight_decay: float = 0.0,
                 patience: int | None = None, device: str = "auto", seed: int = 42, verbose: bool = False):
        self.n_blocks, self.n_heads = check_int("n_blocks", n_blocks), check_int("n_heads", n_heads)
        super().__init__(max_len=max_len, n_factors=n_factors, dropout=dropout, n_epochs=n_epochs,
                         batch_size=batch_size, lr=lr, weight_decay=weight_decay, patience=patience, device=device,
                         seed=seed, verbose=verbose)
        if self.n_factors % n_heads:
            raise ValueError(f"n_factors={self.n_factors} must be divisible by n_heads={n_heads}")

    def _build(self, n_users: int, n_items: int) -> SASRecNet:
        return SASRecNet(n_items, self.n_factors, self.max_len, self.n_blocks, self.n_heads, self.dropout)
