"""BPR-MF: matrix factorisation trained for ranking from implicit feedback (chapter 3, ``ch-cf``, "Matrix factorisation").

Bayesian Personalised Ranking (Rendle et al. 2009) turns "user ``u``
interacted with ``i`` but not with ``j``" into the pairwise objective

    maximise  sum_(u,i,j) log sigma(x_ui - x_uj)  -  reg/2 * (|p_u|^2 + |q_i|^2 + |q_j|^2 + b_i^2 + b_j^2)

with ``x_ui = p_u . q_i + b_i``. Each epoch visits every training
interaction ``(u, i)`` once in a shuffled order and draws a negative ``j``
uniformly from the items ``u`` has *not* interacted with (rejection
sampling, vectorised: draws that hit a positive are redrawn). Triples are
processed in mini-batches of ``batch_size`` with torch, by SGD with the
gradients of a batch *summed*: each triple moves its parameters by ``lr``
times its own gradient, the update of per-triple SGD (Rendle et al.;
cornac's loop) applied to many triples at once::

    z = sigma(-(x_ui - x_uj))
    p_u += lr (z (q_i - q_j) - reg p_u);   q_i += lr (z p_u - reg q_i);   q_j += lr (-z p_u - reg q_j)
    b_i += lr (z - reg b_i);               b_j += lr (-z - reg b_j)
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from tqdm.auto import tqdm

from ..base import Recommender
from ..data.interactions import Interactions
from ..perf.device import resolve_device, seed_everything
from ..validation import check_int, check_nonnegative, check_positive


def sample_negatives(users: torch.Tensor, pos_keys: torch.Tensor, n_items: int, gen: torch.Generator,
                     max_tries: int = 20) -> torch.Tensor:
    """One uniformly drawn item per user in ``users`` that the user has not interacted with.

    ``pos_keys`` is the sorted tensor of ``user * n_items + item`` for every
    positive pair. Draws that hit a positive are redrawn (vectorised) up to
    ``max_tries`` times; a user who has interacted with every item cannot be
    given a negative and raises ``ValueError``.
    """
    neg = torch.randint(n_items, users.shape, generator=gen).to(users.device)
    todo = torch.arange(len(users), device=users.device)       # draws still to check
    for _ in range(max_tries):
        keys = users[todo] * n_items + neg[todo]
        pos = torch.searchsorted(pos_keys, keys).clamp_max(len(pos_keys) - 1)
        todo = todo[pos_keys[pos] == keys]
        if len(todo) == 0:
            return neg
        neg[todo] = torch.randint(n_items, (len(todo),), generator=gen).to(users.device)
    raise ValueError("could not sample negatives: some users have interacted with (almost) every item")


class BPR(Recommender):
    """BPR matrix factorisation with an item bias, trained on sampled triples.

    Parameters
    ----------
    n_factors : latent dimension.
    n_epochs : passes over the training interactions (one triple per interaction).
    lr, reg : SGD learning rate and L2 strength (applied to the parameters of each triple).
    batch_size : triples per step.
    init_std : standard deviation of the normal initialisation of the factors.
    seed, device, verbose : seeding, ``"auto"``/``"cpu"``/``"cuda"``, tqdm progress bar.

    After ``fit``, ``history_`` holds the mean ``-log sigma(x_uij)`` per epoch.
    """

    def __init__(self, n_factors: int = 64, n_epochs: int = 40, lr: float = 0.05, reg: float = 0.01,
                 batch_size: int = 4096, init_std: float = 0.01, seed: int = 42,
                 device: str = "auto", verbose: bool = False):
        self.n_factors, self.n_epochs = check_int("n_factors", n_factors), check_int("n_epochs", n_epochs)
        self.lr, self.reg = check_positive("lr", lr), check_nonnegative("reg", reg)
        self.batch_size, self.init_std = check_int("batch_size", batch_size), check_nonnegative("init_std", init_std)
        self.seed, self.device, self.verbose = seed, device, verbose

    def _fit(self, train: Interactions) -> None:
        dev = self.device_ = resolve_device(self.device)
        gen = seed_everything(self.seed)
        csr = train.to_csr("ones")
        if (np.diff(csr.indptr) >= train.n_items).any():
            raise ValueError("a user has interacted with every item: BPR has no negative to sample for them")
        coo = csr.tocoo()
        u_all = torch.as_tensor(coo.row, dtype=torch.int64, device=dev)
        i_all = torch.as_tensor(coo.col, dtype=torch.int64, device=dev)
        pos_keys = torch.sort(u_all * train.n_items + i_all).values
        P = (torch.randn(train.n_users, self.n_factors, generator=gen) * self.init_std).to(dev)
        Q = (torch.randn(train.n_items, self.n_factors, generator=gen) * self.init_std).to(dev)
        b = torch.zeros(train.n_items, device=dev)
        n, bs, lr, reg = len(u_all), self.batch_size, self.lr, self.reg
        history = []
        for epoch in tqdm(range(self.n_epochs), disable=not self.verbose, desc="BPR epochs"):
            order = torch.randperm(n, generator=gen).to(dev)
            users, pos = u_all[order], i_all[order]
            negs = sample_negatives(users, pos_keys, train.n_items, gen)
            total = 0.0
            for s in range(0, n, bs):
                u, i, j = users[s:s + bs], pos[s:s + bs], negs[s:s + bs]
                pu, qi, qj = P[u], Q[i], Q[j]
                x = (pu * (qi - qj)).sum(1) + b[i] - b[j]
                z = torch.sigmoid(-x)                     # d/dx log sigma(x)
                total += float(-F.logsigmoid(x).sum())
                P.index_add_(0, u, lr * (z[:, None] * (qi - qj) - reg * pu))
                Q.index_add_(0, i, lr * (z[:, None] * pu - reg * qi))
                Q.index_add_(0, j, lr * (-z[:, None] * pu - reg * qj))
                b.index_add_(0, i, lr * (z - reg * b[i]))
                b.index_add_(0, j, lr * (-z - reg * b[j]))
            history.append({"epoch": epoch + 1, "loss": total / n})
        self.user_factors_, self.item_factors_, self.item_bias_ = P, Q, b
        self.history_ = pd.DataFrame(history).set_index("epoch")
    def _score(self, users: np.ndarray) -> torch.Tensor:
        u = torch.as_tensor(users, device=self.device_)
        return self.user_factors_[u] @ self.item_factors_.T + self.item_bias_[None, :]
