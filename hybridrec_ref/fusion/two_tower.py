"""A two-tower hybrid: CF embeddings plus a language-model tower over item text (chapter 7).

The item side has two parts (chapter 7, ``ch-training``, "One model, two parts"):

- the **CF part**: a learned embedding ``e_i`` per item (and ``p_u`` per user);
- the **LM part**: a small trainable *adapter* ``A`` (linear or a one-hidden-layer
  MLP) over the item's text embedding ``t_i``. By default ``t_i`` is a *frozen*
  all-MiniLM-L6-v2 vector computed once (cheap on a CPU); with an encoder
  attached, ``t_i`` is recomputed by the transformer inside the training loop so
  the encoder itself is fine-tuned (meant for GPUs).

An item's vector is ``v_i = m_i e_i + A(t_i)`` with ``m_i = 1`` for items that
have training interactions and ``0`` for items that have none (cold items):
a cold item's CF embedding was never trained, so it is left out and the text
tower alone represents it. A user-item score is ``p_u . v_i``.

:class:`TwoTowerModule` only holds the parameters and computes vectors; the
training loop and the strategies (co-training, alternating) live in
:mod:`hybridrec_ref.fusion.training`.
"""

from __future__ import annotations

import torch
from torch import nn

from ..content.encoder import mean_pool

#: names of the two parameter groups the training strategies switch between
GROUPS = ("cf", "lm")


def make_adapter(kind: str, in_dim: int, out_dim: int, hidden: int) -> nn.Module:
    """``"linear"``: ``W t + b``; ``"mlp"``: ``W2 relu(W1 t + b1) + b2`` with ``hidden`` units."""
    if kind == "linear":
        return nn.Linear(in_dim, out_dim)
    if kind == "mlp":
        return nn.Sequential(nn.Linear(in_dim, hidden), nn.ReLU(), nn.Linear(hidden, out_dim))
    raise ValueError(f"adapter must be 'linear' or 'mlp', got {kind!r}")


class TextTower(nn.Module):
    """A transformer encoder run in the loop: token ids -> mean-pooled, L2-normalised vectors.

    ``input_ids`` and ``attention_mask`` (one row per item, padded) are stored
    as buffers, so ``forward(items)`` encodes exactly the items of a batch.
    """

    def __init__(self, encoder: nn.Module, input_ids: torch.Tensor, attention_mask: torch.Tensor):
        super().__init__()
        self.encoder = encoder
        self.register_buffer("input_ids", input_ids)
        self.register_buffer("attention_mask", attention_mask)

    @property
    def dim(self) -> int:
        return int(self.encoder.config.hidden_size)

    def forward(self, items: torch.Tensor) -> torch.Tensor:
        ids, mask = self.input_ids[items], self.attention_mask[items]
        width = int(mask.sum(1).max())  # drop the padding columns no item of this batch needs
        ids, mask = ids[:, :width], mask[:, :width]
        hidden = self.encoder(input_ids=ids, attention_mask=mask).last_hidden_state
        return nn.functional.normalize(mean_pool(hidden, mask), dim=1)


class TwoTowerModule(nn.Module):
    """User embeddings, CF item embeddings and an adapter over item text.

    Parameters
    ----------
    n_users, n_items, n_factors : sizes.
    text : a ``(n_items, d)`` tensor of frozen text embeddings, or a :class:`TextTower`.
    warm : boolean ``(n_items,)`` tensor, True for items with training interactions.
    adapter, hidden : adapter kind (``"linear"`` or ``"mlp"``) and MLP width.
    init_std : standard deviation of the normal initialisation of the embeddings.
    gen : a seeded CPU ``torch.Generator`` (the initialisation is reproducible).
    """

    def __init__(self, n_users: int, n_items: int, n_factors: int, text, warm: torch.Tensor,
                 adapter: str = "linear", hidden: int = 128, init_std: float = 0.1, gen=None):
        super().__init__()
        self.user = nn.Parameter(torch.randn(n_users, n_factors, generator=gen) * init_std)
        self.item = nn.Parameter(torch.randn(n_items, n_factors, generator=gen) * init_std)
        if isinstance(text, TextTower):
            self.tower, in_dim = text, text.dim
        else:
            self.tower, in_dim = None, text.shape[1]
            self.register_buffer("text", torch.as_tensor(text, dtype=torch.float32))
        self.adapter = make_adapter(adapter, in_dim, n_factors, hidden)  # torch's global RNG (seeded by fit)
        self.register_buffer("warm", warm.to(torch.float32))

    def groups(self) -> dict[str, list[nn.Parameter]]:
        """Parameters by group: ``"cf"`` (user and item embeddings), ``"lm"`` (adapter, encoder if any)."""
        lm = [p for name, p in self.named_parameters() if name not in ("user", "item")]
        return {"cf": [self.user, self.item], "lm": lm}

    def text_vectors(self, items: torch.Tensor) -> torch.Tensor:
        """``A(t_i)`` for the given items (any shape): the LM part of their vectors.

        With frozen embeddings the adapter runs once over the whole (small)
        catalogue and rows are gathered, so the cost does not grow with the
        batch; with a transformer only the batch's distinct items are encoded.
        """
        if self.tower is None:
            return self.adapter(self.text)[items]
        uniq, inverse = torch.unique(items, return_inverse=True)
        return self.adapter(self.tower(uniq))[inverse]

    def item_vectors(self, items: torch.Tensor, cf_keep: torch.Tensor | None = None) -> torch.Tensor:
        """``m_i e_i + A(t_i)``; ``cf_keep`` (0/1, shape of ``items``) also drops the CF part (item dropout)."""
        m = self.warm[items]
        if cf_keep is not None:
            m = m * cf_keep
        return m[..., None] * self.item[items] + self.text_vectors(items)

    @torch.no_grad()
    def all_item_vectors(self, batch_size: int = 256) -> torch.Tensor:
        """Vectors of every item (in batches when a transformer runs)."""
        n = self.item.shape[0]
        idx = torch.arange(n, device=self.item.device)
        if self.tower is None:
            return self.item_vectors(idx)
        return torch.cat([self.item_vectors(idx[s:s + batch_size]) for s in range(0, n, batch_size)])
