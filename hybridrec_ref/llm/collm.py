"""CoLLM-style fusion: collaborative embeddings as soft tokens in the prompt (chapter 10, {ref}`sec-llm-collm`).

CoLLM {cite}`zhang2023collm` maps a CF model's user and item vectors through a
small trained network (the "collaborative information encoder") into the LLM's
token-embedding space and puts them in the prompt where two placeholder tokens
stand (:data:`~hybridrec_ref.llm.prompts.USER_SLOT`, ``ITEM_SLOT``). The LLM
then reads the item's text *and* what the CF model learned about the pair.
Training is CoLLM's second step: the LoRA adapter tuned on text (TALLRec) is
frozen and only :class:`CFProjection` learns. An item with no interactions
(cold) has a zero CF vector, so the model must fall back on the text.
"""

from __future__ import annotations

import numpy as np
import torch

from ..validation import check_features, check_int


class CFProjection(torch.nn.Module):
    """Two-layer MLP from CF vectors (``in_dim``) to the LLM's hidden size (``out_dim``).

    Inputs are divided by ``scale`` (the RMS of the CF vectors it was built for),
    so the network sees unit-size inputs whatever the CF model's norm.
    """

    def __init__(self, in_dim: int, out_dim: int, hidden: int = 256, scale: float = 1.0, seed: int = 0):
        super().__init__()
        self.in_dim, self.out_dim = check_int("in_dim", in_dim), check_int("out_dim", out_dim)
        self.hidden = check_int("hidden", hidden)
        torch.manual_seed(seed)
        self.net = torch.nn.Sequential(torch.nn.Linear(in_dim, hidden), torch.nn.GELU(),
                                       torch.nn.Linear(hidden, out_dim))
        self.register_buffer("scale", torch.tensor(float(scale)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[-1] != self.in_dim:
            raise ValueError(f"CFProjection expects vectors of size {self.in_dim}, got {tuple(x.shape)}")
        return self.net(x / self.scale)


class SoftTokens:
    """``soft(index_array) -> (batch, 2, hidden)``: projected user and item vectors of the listed pairs.

    ``user_vectors``/``item_vectors`` are the CF factors of all users/items
    (cold items: zero rows); ``users``/``items`` the pairs, indexed by the prompts' order.
    """

    def __init__(self, projection: CFProjection, user_vectors, item_vectors, users, items, device="cpu"):
        self.projection = projection
        self.user_vectors = torch.as_tensor(check_features(np.asarray(user_vectors), "user_vectors"), device=device)
        self.item_vectors = torch.as_tensor(check_features(np.asarray(item_vectors), "item_vectors"), device=device)
        self.users = np.asarray(users, dtype=np.int64)
        self.items = np.asarray(items, dtype=np.int64)
        if self.users.shape != self.items.shape:
            raise ValueError(f"{len(self.users)} users for {len(self.items)} items")

    def __call__(self, idx) -> torch.Tensor:
        idx = np.asarray(idx)
        u = self.user_vectors[torch.as_tensor(self.users[idx])]
        i = self.item_vectors[torch.as_tensor(self.items[idx])]
        return torch.stack([self.projection(u), self.projection(i)], dim=1)


def cf_vectors(model, n_users: int, n_items: int) -> tuple[np.ndarray, np.ndarray]:
    """``(user_vectors, item_vectors)`` of a fitted factor model as float32 arrays (cold items stay as fitted)."""
    for attr in ("user_factors_", "item_factors_"):
        if not hasattr(model, attr):
            raise TypeError(f"{type(model).__name__} has no {attr}: pass a fitted factor model (ALS, MF, BPR)")
    u = model.user_factors_.detach().float().cpu().numpy()
    i = model.item_factors_.detach().float().cpu().numpy()
    if u.shape[0] != n_users or i.shape[0] != n_items:
        raise ValueError(f"factor shapes {u.shape}, {i.shape} do not match {n_users} users, {n_items} items")
    return u, i


def projection_scale(*arrays) -> float:
    """RMS of the rows' norms over the given CF vector arrays (zero rows ignored)."""
    norms = np.concatenate([np.linalg.norm(a, axis=1) for a in arrays])
    norms = norms[norms > 0]
    return float(np.sqrt((norms ** 2).mean())) if len(norms) else 1.0
