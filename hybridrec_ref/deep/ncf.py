"""Neural collaborative filtering: GMF, MLP and NeuMF (chapter 5).

He et al. (2017) replace the dot product of matrix factorisation by a
learned interaction function:

- GMF: ``h^T (p_u * q_i)``, a weighted dot product (MF is the special case h = 1);
- MLP: an MLP over the concatenation ``[p_u; q_i]`` (its own embeddings);
- NeuMF: both, with the two last layers concatenated before the output.

Training is pointwise: each observed (user, item) is a positive, ``n_negatives``
items drawn uniformly per positive are negatives, binary cross-entropy.
(The paper pre-trains GMF and MLP separately; here NeuMF trains end to end.)
Scoring is a full ranking over all items: the first MLP layer splits into a
user part and an item part, so all items of a batch of users are scored with
a few matrix products and one broadcasted sum.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ..base import Recommender
from ..data.interactions import Interactions
from ..perf.device import resolve_device, seed_everything
from ..train import ranking_validator, train_epochs
from ..validation import check_choice, check_frac, check_int, check_nonnegative, check_positive

KINDS = ("neumf", "gmf", "mlp")


class NeuMFNet(nn.Module):
    def __init__(self, n_users: int, n_items: int, kind: str, dim: int, layers: tuple[int, ...], dropout: float):
        super().__init__()
        self.kind = kind
        out_in = 0
        if kind in ("neumf", "gmf"):
            self.user_g, self.item_g = nn.Embedding(n_users, dim), nn.Embedding(n_items, dim)
            out_in += dim
        if kind in ("neumf", "mlp"):
            half = layers[0] // 2
            self.user_m, self.item_m = nn.Embedding(n_users, half), nn.Embedding(n_items, half)
            self.first = nn.Linear(2 * half, layers[1] if len(layers) > 1 else layers[0])
            rest = []
            for a, b in zip(layers[1:], layers[2:]):
                rest += [nn.ReLU(), nn.Dropout(dropout), nn.Linear(a, b)]
            self.rest = nn.Sequential(*rest, nn.ReLU())
            out_in += layers[-1] if len(layers) > 1 else layers[0]
        for m in self.modules():
            if isinstance(m, nn.Embedding):
                nn.init.normal_(m.weight, std=0.01)
        self.out = nn.Linear(out_in, 1)

    def forward(self, u: torch.Tensor, i: torch.Tensor) -> torch.Tensor:
        """Logits of (user, item) pairs, shape ``(n,)``."""
        parts = []
        if self.kind in ("neumf", "gmf"):
            parts.append(self.user_g(u) * self.item_g(i))
        if self.kind in ("neumf", "mlp"):
            parts.append(self.rest(self.first(torch.cat([self.user_m(u), self.item_m(i)], 1))))
        return self.out(torch.cat(parts, 1)).squeeze(1)

    def score_all(self, u: torch.Tensor) -> torch.Tensor:
        """Logits of every item for users ``u``: ``(len(u), n_items)``, no (user, item) pair loop."""
        w = self.out.weight[0]
        total = self.out.bias.expand(len(u), 1)
        offset = 0
        if self.kind in ("neumf", "gmf"):
            d = self.user_g.embedding_dim
            total = total + (self.user_g(u) * w[:d]) @ self.item_g.weight.T
            offset = d
        if self.kind in ("neumf", "mlp"):
            half = self.user_m.embedding_dim
            wu, wi = self.first.weight[:, :half], self.first.weight[:, half:]
            h = (self.user_m(u) @ wu.T)[:, None, :] + (self.item_m.weight @ wi.T + self.first.bias)[None]
            total = total + self.rest(h) @ w[offset:]
        return total


class NCF(Recommender):
    """NeuMF (or GMF / MLP alone) trained with sampled negatives and BCE; ranks all items.

    Parameters
    ----------
    kind : ``"neumf"``, ``"gmf"`` or ``"mlp"``.
    n_factors : GMF embedding size.  layers : MLP tower sizes, first = concatenated embedding size.
    n_negatives : negatives per positive.  n_epochs, batch_size, lr, weight_decay, dropout : training.
    patience, k : with validation data, stop after ``patience`` epochs without a better NDCG@k and
        restore the best epoch (``None``: run every epoch; ``valid_NDCG@k`` is then a learning curve).
    device, seed, verbose : as every torch model in the book.

    ``fit(train, valid=None)`` trains with :func:`hybridrec_ref.train.train_epochs`; ``history_`` has
    one row per epoch (``loss``, and ``valid_NDCG@k`` with ``valid``).
    """

    uses_validation = True  # fit(train, valid) records NDCG@k per epoch and can stop early

    def __init__(self, kind: str = "neumf", n_factors: int = 32, layers=(64, 32, 16), n_negatives: int = 4,
                 n_epochs: int = 20, batch_size: int = 1024, lr: float = 1e-3, weight_decay: float = 0.0,
                 dropout: float = 0.0, patience: int | None = None, k: int = 10, device: str = "auto",
                 seed: int = 42, verbose: bool = False):
        self.kind = check_choice("kind", kind, KINDS)
        sizes = tuple(check_int("layers", x) for x in layers)
        if not sizes or sizes[0] % 2:
            raise ValueError(f"layers must be positive sizes with an even first size, got {layers}")
        self.n_factors, self.layers = check_int("n_factors", n_factors), layers
        self.n_negatives, self.n_epochs = check_int("n_negatives", n_negatives), check_int("n_epochs", n_epochs)
        self.batch_size, self.lr = check_int("batch_size", batch_size), check_positive("lr", lr)
        self.weight_decay = check_nonnegative("weight_decay", weight_decay)
        self.dropout = check_frac("dropout", dropout, closed="left")
        self.patience, self.k = check_int("patience", patience, allow_none=True), check_int("k", k)
        self.device, self.seed, self.verbose = device, seed, verbose

    def _fit(self, train: Interactions, valid: Interactions | None = None) -> None:
        gen = seed_everything(self.seed)
        dev = self.device_ = resolve_device(self.device)
        layers = tuple(int(x) for x in self.layers)
        self.net_ = NeuMFNet(train.n_users, train.n_items, self.kind, self.n_factors, layers, self.dropout).to(dev)
        opt = torch.optim.Adam(self.net_.parameters(), lr=self.lr, weight_decay=self.weight_decay)
        csr = self.seen_
        pos_u = torch.as_tensor(np.repeat(np.arange(train.n_users), np.diff(csr.indptr)))
        pos_i = torch.as_tensor(csr.indices.astype(np.int64))
        n_pos = len(pos_u)

        def batches(epoch):
            neg_i = torch.randint(0, train.n_items, (n_pos * self.n_negatives,), generator=gen)
            u = torch.cat([pos_u, pos_u.repeat(self.n_negatives)])
            i = torch.cat([pos_i, neg_i])
            y = torch.cat([torch.ones(n_pos), torch.zeros(n_pos * self.n_negatives)])
            for idx in torch.randperm(len(u), generator=gen).split(self.batch_size):
                logits = self.net_(u[idx].to(dev), i[idx].to(dev))
                yield nn.functional.binary_cross_entropy_with_logits(logits, y[idx].to(dev)), len(idx)

        validate = None if valid is None else ranking_validator(self, train, valid, self.k)
        self.history_ = train_epochs(self.net_.parameters(), opt, batches, n_epochs=self.n_epochs, module=self.net_,
                                     validate=validate, monitor=f"valid_NDCG@{self.k}", patience=self.patience
                                     if valid is not None else None, desc=f"NCF-{self.kind}", verbose=self.verbose)
        self.net_.eval()

    @torch.no_grad()
    def _score(self, users: np.ndarray) -> torch.Tensor:
        self.net_.eval()
        chunk = 256
        out = [self.net_.score_all(torch.as_tensor(users[s:s + chunk], device=self.device_))
               for s in range(0, len(users), chunk)]
        return torch.cat(out) if out else torch.zeros((0, self.n_items_), device=self.device_)
