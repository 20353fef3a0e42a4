"""Trust-aware matrix factorisation, SocialMF-style (chapter 11, :ref:`sec-social-trust`).

Biased MF for explicit ratings whose user factors are pulled towards the mean
factor of the users they trust (Jamali and Ester, 2010):

.. math::

   L = \\frac{1}{N}\\Big[\\sum_{(u,i)} (r_{ui} - \\mu - b_u - b_i - p_u^\\top q_i)^2
       + \\lambda \\sum_{(u,i)} (\\lVert p_u\\rVert^2 + \\lVert q_i\\rVert^2 + b_u^2 + b_i^2)
       + \\beta \\sum_u \\big\\lVert p_u - \\textstyle\\sum_v T_{uv}\\, p_v \\big\\rVert^2\\Big]

with ``T`` the trust matrix normalised by rows (each truster's trusted users
weigh equally). The L2 term counts each rating once, as Surprise's SVD does, so
a user with no training ratings is shaped by the trust term alone: their factor
becomes the mean of their trusted users' factors, which is how the model serves
users the ratings know nothing about. ``social_reg=0`` is plain biased MF
trained the same way: the ablation the chapter measures.

Training is full-batch Adam on all ratings at once (tens of thousands fit in memory).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch
from tqdm.auto import tqdm

from ..base import Recommender
from ..data.interactions import Interactions
from ..perf.device import resolve_device, seed_everything
from ..validation import check_int, check_nonnegative, check_positive
from .mf import FactorRatings


def row_normalised(trust) -> sp.csr_matrix:
    """``trust`` as float CSR with each non-empty row summing to one (rows of users who trust nobody stay 0)."""
    if not sp.issparse(trust) and not isinstance(trust, np.ndarray):
        raise TypeError(f"trust must be a scipy sparse matrix or a numpy array, got {type(trust).__name__}")
    m = sp.csr_matrix(trust, dtype=np.float32)
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        raise ValueError(f"trust must be a square users x users matrix, got shape {m.shape}")
    if m.nnz and (not np.isfinite(m.data).all() or (m.data < 0).any()):
        raise ValueError("trust weights must be finite and non-negative")
    sums = np.asarray(m.sum(1)).ravel()
    inv = np.divide(1.0, sums, out=np.zeros_like(sums), where=sums > 0)
    return sp.csr_matrix(sp.diags(inv) @ m)


class SocialMF(FactorRatings, Recommender):
    """Biased MF with trust regularisation of the user factors (see the module docstring).

    Parameters
    ----------
    trust : ``n_users x n_users`` sparse (or dense) non-negative matrix in the index space of the
        interactions the model is fitted on; row ``u`` lists whom ``u`` trusts.
    n_factors, n_epochs, lr : factor size, full-batch Adam steps, Adam learning rate.
    reg : L2 weight per rating (lambda); social_reg : weight of the trust term (beta), 0 = plain MF.
    init_std, seed, device, verbose : initial factor scale, seeding, ``"auto"``/``"cpu"``/``"cuda"``, tqdm.
    """

    predicts_ratings = True

    def __init__(self, trust, n_factors: int = 10, n_epochs: int = 200, lr: float = 0.02, reg: float = 0.05,
                 social_reg: float = 1.0, init_std: float = 0.1, seed: int = 42, device: str = "auto",
                 verbose: bool = False):
        row_normalised(trust)  # fail early on a malformed matrix
        self.trust = trust
        self.n_factors = check_int("n_factors", n_factors)
        self.n_epochs = check_int("n_epochs", n_epochs)
        self.lr = check_positive("lr", lr)
        self.reg = check_nonnegative("reg", reg)
        self.social_reg = check_nonnegative("social_reg", social_reg)
        self.init_std = check_nonnegative("init_std", init_std)
        self.seed, self.device, self.verbose = seed, device, verbose

    def _fit(self, train: Interactions) -> None:
        if train.ratings is None:
            raise ValueError("SocialMF needs explicit ratings")
        T = row_normalised(self.trust)
        if T.shape[0] != train.n_users:
            raise ValueError(f"trust is {T.shape[0]} x {T.shape[0]} but the training data has {train.n_users} users")
        dev = self.device_ = resolve_device(self.device)
        gen = seed_everything(self.seed)
        nu, ni, f = train.n_users, train.n_items, self.n_factors
        coo = T.tocoo()
        T_t = torch.sparse_coo_tensor(np.vstack([coo.row, coo.col]), coo.data, (nu, nu), check_invariants=True).coalesce().to(dev)
        P = (torch.randn(nu, f, generator=gen) * self.init_std).to(dev).requires_grad_()
        Q = (torch.randn(ni, f, generator=gen) * self.init_std).to(dev).requires_grad_()
        bu = torch.zeros(nu, device=dev, requires_grad=True)
        bi = torch.zeros(ni, device=dev, requires_grad=True)
        u = torch.as_tensor(train.users, device=dev)
        i = torch.as_tensor(train.items, device=dev)
        r = torch.as_tensor(train.ratings, dtype=torch.float32, device=dev)
        self.mu_ = float(train.ratings.mean())
        has_trust = torch.as_tensor(np.diff(T.indptr) > 0, device=dev)
        opt = torch.optim.Adam([P, Q, bu, bi], lr=self.lr)
        n, history = len(train), []
        for epoch in tqdm(range(self.n_epochs), disable=not self.verbose, desc="SocialMF epochs"):
            opt.zero_grad()
            pu, qi = P[u], Q[i]
            err = r - (self.mu_ + bu[u] + bi[i] + (pu * qi).sum(1))
            sq = (err * err).sum()
            l2 = (pu * pu).sum() + (qi * qi).sum() + (bu[u] ** 2).sum() + (bi[i] ** 2).sum()
            loss = sq + self.reg * l2
            if self.social_reg > 0:
                gap = (P - torch.sparse.mm(T_t, P))[has_trust]
                loss = loss + self.social_reg * (gap * gap).sum()
            (loss / n).backward()
            opt.step()
            history.append({"epoch": epoch + 1, "train_rmse": float(torch.sqrt(sq.detach() / n)),
                            "loss": float(loss.detach() / n)})
        self.user_factors_, self.item_factors_ = P.detach(), Q.detach()
        self.user_bias_, self.item_bias_ = bu.detach(), bi.detach()
        self.rating_range_ = (float(train.ratings.min()), float(train.ratings.max()))
        self.history_ = pd.DataFrame(history).set_index("epoch")
