"""SASRec: self-attentive sequential recommendation (chapter 5, "attention").

Kang and McAuley (2018): item embeddings plus learned position embeddings
go through a stack of causal (left-to-right) Transformer blocks; the output
at position ``t`` scores the item at ``t + 1`` against the (shared) item
embeddings. Padding positions are zeroed after every block, as in the
original. Training, batching and scoring: :mod:`.sequential`.
"""

from __future__ import annotations

import torch
from torch import nn

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

    n_blocks : Transformer blocks.  n_heads : attention heads (must divide ``dim``).
    """

    def __init__(self, n_blocks: int = 2, n_heads: int = 1, **kwargs):
        for name, v in (("n_blocks", n_blocks), ("n_heads", n_heads)):
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ValueError(f"{name} must be a positive integer, got {v!r}")
        self.n_blocks, self.n_heads = n_blocks, n_heads
        super().__init__(**kwargs)
        if self.dim % n_heads:
            raise ValueError(f"dim={self.dim} must be divisible by n_heads={n_heads}")

    def _build(self, n_users: int, n_items: int) -> SASRecNet:
        return SASRecNet(n_items, self.dim, self.max_len, self.n_blocks, self.n_heads, self.dropout)
